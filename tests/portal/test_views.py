"""Each role's home and the pages every role reaches: who gets in, and who gets 404 or 403."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    "url", ["/", "/councils/", "/cohorts/", "/learners/", "/me/", "/networks/", "/councils/1/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_staff_home_is_the_programme_overview(client, cast):
    response = get(client, cast.staff, "/")
    assert response.status_code == 200
    assert "Programme overview" in response.text
    assert response.context["overview"]["learner_count"] == 2


def test_viewer_home_is_the_overview_labelled_read_only(client, cast):
    response = get(client, cast.viewer, "/")
    assert "Programme viewer" in response.text


def test_sro_home_lists_their_own_councils_learners_only(client, cast):
    response = get(client, cast.sro_a, "/")
    assert response.context["council"] == cast.council_a
    assert cast.learner_a.full_name in response.text
    assert cast.learner_b.email not in response.text
    assert cast.learner_b.full_name not in response.text


def test_learner_home_is_their_own_accreditation_page(client, cast):
    response = get(client, cast.learner_a_user, "/")
    assert response.status_code == 302 and response.url == reverse("me")
    page = client.get("/me/")
    assert "My accreditation" in page.text
    assert cast.learner_a.target_level.name in page.text


def test_someone_without_a_role_is_told_so(client, cast):
    response = get(client, cast.nobody, "/")
    assert "You do not have a role on the programme yet" in response.text


def test_it_lets_the_sro_see_their_council_page(client, cast):
    assert get(client, cast.sro_a, f"/councils/{cast.council_a.pk}/").status_code == 200


def test_it_hides_another_councils_page_from_an_sro(client, cast):
    assert get(client, cast.sro_b, f"/councils/{cast.council_a.pk}/").status_code == 404


def test_it_hides_another_councils_learner_from_an_sro(client, cast):
    assert get(client, cast.sro_b, f"/learners/{cast.learner_a.pk}/").status_code == 404
    listing = client.get("/learners/", {"q": "learner@a.test"})
    assert cast.learner_a.full_name not in listing.text


def test_a_learner_cannot_open_another_learners_record(client, cast):
    assert get(client, cast.learner_a_user, f"/learners/{cast.learner_b.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/councils/", "/cohorts/", "/learners/"])
def test_lists_a_learner_may_not_use_answer_403(client, cast, url):
    assert get(client, cast.learner_a_user, url).status_code == 403


def test_sros_do_not_reach_cohort_records(client, cast):
    assert get(client, cast.sro_a, "/cohorts/").status_code == 403
    assert client.get(f"/cohorts/{cast.cohort.pk}/").status_code == 404


def test_cohort_page_shows_its_roster_to_staff(client, cast):
    response = get(client, cast.staff, f"/cohorts/{cast.cohort.pk}/")
    assert cast.learner_a.full_name in response.text and cast.learner_b.full_name in response.text
    assert "2 enrolled of 30" in response.text


def test_me_answers_404_to_someone_who_is_not_a_learner(client, cast):
    assert get(client, cast.sro_a, "/me/").status_code == 404


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("staff", ["Councils", "Cohorts", "Levels", "Learners", "Networks"], ["My accreditation"]),
        ("sro_a", ["Councils", "Learners", "Networks"], ["Cohorts", "Levels", "My accreditation"]),
        (
            "learner_a_user",
            ["My accreditation", "Networks"],
            ["Councils", "Cohorts", "Levels", "Learners"],
        ),
    ],
)
def test_navigation_shows_each_role_only_what_it_may_use(client, cast, who, shown, hidden):
    response = get(client, getattr(cast, who), "/networks/")
    items = [item["text"] for item in response.context["service_navigation"]]
    assert all(name in items for name in shown)
    assert not any(name in items for name in hidden)


def test_search_and_paging_keep_each_other(client, cast):
    response = get(client, cast.staff, "/councils/?q=Council&page=99")
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_healthz_reports_each_part(client, db):
    body = client.get("/healthz").json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "inline",
        "beat": "inline",
        "emails": "ok",
    }


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(10, 0, "10am"), (13, 30, "1:30pm"), (12, 0, "midday"), (0, 15, "12:15am")],
)
def test_times_are_written_the_gov_uk_way(hour, minute, expected):
    from datetime import time

    from cmpp.core.templatetags.cmpp_tags import govuk_time

    assert govuk_time(time(hour, minute)) == expected


def test_councils_by_managing_body_counts_only_councils_with_one(client, cast):
    from tests import factories

    factories.CouncilFactory(status="applied", onboarded_on=None)
    overview = get(client, cast.staff, "/").context["overview"]
    assert overview["councils_by_body"] == [("MHCLG", 2)]


def test_page_titles_name_the_page_then_the_service(client, cast):
    client.force_login(cast.staff)
    page = client.get("/learners/").text
    assert "<title>Learners – Contract Management Pioneer Programme – GOV.UK</title>" in page


def test_the_dashboard_charts_accreditations_per_month_with_a_table_of_the_figures(client, cast):
    this_month = timezone.localdate().replace(day=1)
    factories.AccreditationFactory(learner=cast.learner_a, achieved_on=this_month)
    factories.AccreditationFactory(learner=cast.learner_b, achieved_on=this_month)
    factories.AccreditationFactory(learner=cast.learner_b, achieved_on=date(2001, 1, 1))
    client.force_login(cast.viewer)
    page = client.get("/").text
    assert '<svg class="cmpp-chart" viewBox="0 0 720 220" width="100%" aria-hidden="true"' in page
    row = (
        f'<th scope="row" class="govuk-table__header">{this_month:%B %Y}</th>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>'
    )
    assert row in page
    assert "January 2001" not in page
