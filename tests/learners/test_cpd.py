"""A learner keeps their own CPD log, and sees their hours this year against the requirement."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from learners.models import CpdEntry
from tests import factories

pytestmark = pytest.mark.django_db


def entry_data(**overrides):
    today = timezone.localdate()
    return {
        "done_on_day": str(today.day),
        "done_on_month": str(today.month),
        "done_on_year": str(today.year),
        "hours": "3",
        "activity": "Contract review workshop",
        "reflection": "Planning change control earlier",
        **overrides,
    }


def test_a_learner_logs_edits_and_deletes_cpd(client, cast):
    client.force_login(cast.learner_a_user)
    response = client.post("/me/cpd/new/", entry_data(), follow=True)
    assert "3 hours of CPD logged" in response.text
    entry = CpdEntry.objects.get(learner=cast.learner_a)
    assert "Contract review workshop" in response.text
    client.post(f"/me/cpd/{entry.pk}/edit/", entry_data(hours="2.5"))
    entry.refresh_from_db()
    assert str(entry.hours) == "2.5"
    assert "Are you sure" in client.get(f"/me/cpd/{entry.pk}/delete/").text
    client.post(f"/me/cpd/{entry.pk}/delete/")
    assert not CpdEntry.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hours": "0"}, "Hours must be at least 0.5"),
        ({"hours": "25"}, "Hours must be 24 or fewer"),
        ({"hours": "lots"}, "Hours must be a number"),
        ({"activity": ""}, "Enter what you did"),
        ({"done_on_year": "2099"}, "The date of the activity must be today or in the past"),
    ],
)
def test_bad_cpd_is_explained_and_not_saved(client, cast, overrides, message):
    client.force_login(cast.learner_a_user)
    response = client.post("/me/cpd/new/", entry_data(**overrides))
    assert message in response.text
    assert not CpdEntry.objects.exists()


def test_hours_this_year_count_against_the_30_hour_requirement(client, cast):
    today = timezone.localdate()
    factories.AccreditationFactory(learner=cast.learner_a, achieved_on=today - timedelta(days=400))
    cast.learner_a.cpd_entries.create(done_on=today - timedelta(days=10), hours=12, activity="A")
    cast.learner_a.cpd_entries.create(done_on=today - timedelta(days=380), hours=9, activity="B")
    client.force_login(cast.learner_a_user)
    page = client.get("/me/").text
    assert "12 of 30 hours logged this year" in page


def test_a_foundation_holder_sees_their_renewal_date(client, cast):
    factories.AccreditationFactory(
        learner=cast.learner_a,
        level=factories.level("foundation"),
        achieved_on=date(2025, 6, 1),
        renewal_due=date(2027, 6, 1),
    )
    client.force_login(cast.learner_a_user)
    assert (
        "Foundation accreditation lasts until <strong>1 June 2027</strong>"
        in client.get("/me/").text
    )


def test_nobody_reaches_another_learners_cpd(client, cast):
    theirs = cast.learner_b.cpd_entries.create(done_on=date(2026, 1, 5), hours=2, activity="Theirs")
    client.force_login(cast.learner_a_user)
    assert client.get(f"/me/cpd/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/me/cpd/{theirs.pk}/delete/").status_code == 404
    assert CpdEntry.objects.filter(pk=theirs.pk).exists()
    client.force_login(cast.staff)
    assert client.get("/me/cpd/new/").status_code == 404


def test_past_sessions_show_the_learners_attendance(client, cast):
    session = factories.CohortSessionFactory(
        cohort=cast.cohort,
        title="Kick-off workshop",
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() - timedelta(days=7) + timedelta(hours=2),
    )
    session.attendance.create(learner=cast.learner_a, status="present")
    client.force_login(cast.learner_a_user)
    page = client.get("/me/").text
    row = page[page.index("Kick-off workshop") :].split("</tr>")[0]
    assert "Present" in row
