"""Pages with personal data are never kept in a browser's or a proxy's cache; static files are."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("staff", "/", 200),
        ("staff", "/learners/{learner_a}/", 200),
        ("learner_a_user", "/me/", 200),
        ("sro_a", "/councils/{council_a}/", 200),
        ("learner_a_user", "/me/cpd/new/", 200),
        ("learner_a_user", "/accounts/", 200),
        ("sro_a", "/councils/{council_b}/", 404),
    ],
)
def test_every_page_for_a_signed_in_user_is_not_stored(client, cast, who, url, status):
    client.force_login(getattr(cast, who))
    response = client.get(
        url.format(
            learner_a=cast.learner_a.pk, council_a=cast.council_a.pk, council_b=cast.council_b.pk
        )
    )
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/done/"]
)
def test_the_sign_in_and_reset_pages_are_not_stored(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_header_a_view_sets_is_kept(client, cast):
    client.force_login(cast.staff)
    response = client.get("/learners/export.csv")
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_are_still_cached_for_a_signed_in_user(client, cast):
    client.force_login(cast.staff)
    response = client.get("/static/js/init.mjs")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
