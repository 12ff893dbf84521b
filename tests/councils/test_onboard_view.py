"""Programme staff onboard a council in the browser; its SRO is welcomed by email."""

import pytest
from django.core import mail

from councils.models import Council
from tests import factories

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    return {
        "name": "Slough Borough Council",
        "code": "e06000039",
        "council_type": "unitary",
        "region": "south_east",
        "nation": "england",
        "managing_body": factories.organisation("local-partnerships").pk,
        "funded_places": "8",
        "onboarded_on_day": "2",
        "onboarded_on_month": "11",
        "onboarded_on_year": "2026",
        "sro_first_name": "Dev",
        "sro_last_name": "Patel",
        "sro_email": "dev.patel@slough.example.gov.uk",
        **overrides,
    }


def test_staff_onboard_a_council_and_its_sro_is_emailed(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    assert "Onboard a council" in client.get("/councils/").text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/councils/new/", form_data())
    council = Council.objects.get(code="E06000039")
    assert response.status_code == 302 and response.url == f"/councils/{council.pk}/"
    assert council.onboarded_on.isoformat() == "2026-11-02"
    assert {tuple(m.to) for m in mail.outbox} == {("dev.patel@slough.example.gov.uk",)}
    assert len(mail.outbox) == 2
    page = client.get(response.url).text
    assert "Slough Borough Council has been onboarded" in page
    assert "Local Partnerships" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "E0600003"}, "Enter an ONS code of a letter and 8 digits"),
        ({"code": "E06000001"}, "A council with this ONS code is already on the programme"),
        ({"onboarded_on_month": ""}, "must include a month"),
        ({"onboarded_on_day": "31", "onboarded_on_month": "2"}, "must be a real date"),
        (
            {"onboarded_on_day": "", "onboarded_on_month": "", "onboarded_on_year": ""},
            "Enter the date the council was onboarded",
        ),
        ({"funded_places": "ten"}, "Funded training places must be a whole number"),
        ({"sro_email": "dev.patel"}, "Enter an email address in the correct format"),
        ({"managing_body": ""}, "Choose the council&#x27;s managing body"),
        ({"sro_first_name": "D" * 151}, "SRO&#x27;s first name must be 150 characters or fewer"),
        ({"sro_last_name": "Pa\x00tel"}, "SRO&#x27;s last name must not include hidden control"),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_saves_nothing(
    client, cast, overrides, message
):
    client.force_login(cast.staff)
    response = client.post("/councils/new/", form_data(**overrides))
    assert response.status_code == 200
    assert "There is a problem" in response.text and message in response.text
    assert 'value="Slough Borough Council"' in response.text
    assert not Council.objects.filter(name="Slough Borough Council").exists()
    assert mail.outbox == []


def test_the_error_summary_links_to_the_first_date_box(client, cast):
    client.force_login(cast.staff)
    response = client.post("/councils/new/", form_data(onboarded_on_year=""))
    assert 'href="#id_onboarded_on_day"' in response.text
    assert 'id="id_onboarded_on_day"' in response.text


@pytest.mark.parametrize("who", ["viewer", "sro_a", "learner_a_user"])
def test_only_programme_staff_onboard_councils(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/councils/new/").status_code == 403
    assert client.post("/councils/new/", form_data()).status_code == 403
    assert not Council.objects.filter(code="E06000039").exists()
