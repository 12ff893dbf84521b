"""A learner keeps their own CPD log, and sees their hours this year against the requirement."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cmpp.core.dates import add_months
from learners import services
from learners.models import CpdEntry
from learners.selectors import learner_joined_on
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


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"activity": "A" * 201}, "Activity must be 200 characters or fewer"),
        ({"reflection": "R" * 5001}, "Reflection must be 5,000 characters or fewer"),
        ({"activity": "Contract\x00review"}, "Activity must not include hidden control characters"),
        (
            {"reflection": "Escape \x1b[31m"},
            "Reflection must not include hidden control characters",
        ),
    ],
)
def test_too_long_or_hidden_characters_are_refused_in_plain_words(client, cast, overrides, message):
    client.force_login(cast.learner_a_user)
    response = client.post("/me/cpd/new/", entry_data(**overrides))
    assert "There is a problem" in response.text and message in response.text
    assert "Ensure this value" not in response.text
    assert not CpdEntry.objects.exists()


def test_a_reflection_of_5000_characters_with_line_breaks_and_tabs_is_kept(client, cast):
    client.force_login(cast.learner_a_user)
    reflection = "Line one\r\n\tindented" + "r" * (5000 - 19)
    client.post("/me/cpd/new/", entry_data(reflection=reflection))
    assert CpdEntry.objects.get().reflection == reflection


def test_the_service_refuses_a_reflection_over_5000_characters(cast):
    with pytest.raises(ValidationError) as refused:
        services.cpd_entry_create(
            learner=cast.learner_a,
            acting_user=cast.learner_a_user,
            done_on=timezone.localdate(),
            hours=Decimal("1"),
            activity="Reading",
            reflection="R" * 5001,
        )
    assert "reflection" in refused.value.message_dict
    assert not CpdEntry.objects.exists()


def fill_cpd_year(learner, on, count=200):
    CpdEntry.objects.bulk_create(
        CpdEntry(learner=learner, done_on=on, hours=1, activity=f"Entry {n}") for n in range(count)
    )


def test_a_learner_can_log_up_to_200_entries_in_a_cpd_year(client, cast):
    today = timezone.localdate()
    fill_cpd_year(cast.learner_a, today, count=199)
    client.force_login(cast.learner_a_user)
    assert client.post("/me/cpd/new/", entry_data()).status_code == 302
    response = client.post("/me/cpd/new/", entry_data(activity="One too many"))
    assert "There is a problem" in response.text
    assert "You can log up to 200 CPD entries a year" in response.text
    assert cast.learner_a.cpd_entries.count() == 200
    assert not cast.learner_a.cpd_entries.filter(activity="One too many").exists()


def test_the_cpd_year_runs_from_the_accreditation_anniversary(cast):
    """A holder's CPD year starts on the anniversary of their accreditation: a full year does
    not stop them logging something they did in the year before it."""
    today = timezone.localdate()
    achieved_on = today - timedelta(days=400)
    factories.AccreditationFactory(learner=cast.learner_a, achieved_on=achieved_on)
    this_year_start = add_months(achieved_on, 12)
    fill_cpd_year(cast.learner_a, this_year_start)

    def log(on):
        return services.cpd_entry_create(
            learner=cast.learner_a,
            acting_user=cast.learner_a_user,
            done_on=on,
            hours=Decimal("1"),
            activity="Network meeting",
        )

    with pytest.raises(ValidationError, match="You can log up to 200 CPD entries a year"):
        log(today)
    assert log(this_year_start - timedelta(days=1)).pk
    # Another learner's log is their own.
    assert services.cpd_entry_create(
        learner=cast.learner_b,
        acting_user=cast.learner_b_user,
        done_on=today,
        hours=Decimal("1"),
        activity="Reading",
    ).pk


def test_cpd_cannot_be_dated_before_the_learner_joined_the_programme(client, cast):
    """Learner A's place in the cohort dates from 1 August 2025, before their record was made,
    so that is the day they joined."""
    assert learner_joined_on(cast.learner_a) == date(2025, 8, 1)
    client.force_login(cast.learner_a_user)
    refused = client.post(
        "/me/cpd/new/", entry_data(done_on_day="31", done_on_month="7", done_on_year="2025")
    )
    assert (
        "The date of the activity must be on or after the day you joined the programme, "
        "1 August 2025"
    ) in refused.text
    assert not CpdEntry.objects.exists()
    accepted = client.post(
        "/me/cpd/new/", entry_data(done_on_day="1", done_on_month="8", done_on_year="2025")
    )
    assert accepted.status_code == 302
    entry = CpdEntry.objects.get()
    # Editing an entry keeps the rule.
    client.post(
        f"/me/cpd/{entry.pk}/edit/",
        entry_data(done_on_day="1", done_on_month="1", done_on_year="2024"),
    )
    entry.refresh_from_db()
    assert entry.done_on == date(2025, 8, 1)


def test_cpd_in_the_future_is_refused_by_the_service(cast):
    with pytest.raises(ValidationError, match="today or in the past"):
        services.cpd_entry_create(
            learner=cast.learner_a,
            acting_user=cast.learner_a_user,
            done_on=timezone.localdate() + timedelta(days=1),
            hours=Decimal("1"),
            activity="Webinar",
            reflection="",
        )
    assert not CpdEntry.objects.exists()


def test_a_learner_without_an_enrolment_joined_when_their_record_was_made(cast):
    newcomer = factories.LearnerFactory(council=cast.council_a)
    assert learner_joined_on(newcomer) == timezone.localdate(newcomer.created_at)
    with pytest.raises(ValidationError, match="on or after the day you joined"):
        services.cpd_entry_create(
            learner=newcomer,
            acting_user=None,
            done_on=timezone.localdate(newcomer.created_at) - timedelta(days=1),
            hours=Decimal("1"),
            activity="Webinar",
            reflection="",
        )
    assert not newcomer.cpd_entries.exists()
