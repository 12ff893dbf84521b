"""Learner changes that email people: enrolment, accreditation, and the daily reminders."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from cmpp.notifications.models import OutboundEmail
from learners import services
from learners.models import Enrolment, Learner
from learners.selectors import cpd_year
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def test_a_learner_given_a_place_gets_the_cohorts_dates_and_first_session(cast, send_now):
    cohort = factories.CohortFactory(
        name="Practitioner cohort 7",
        code="PRAC-007",
        starts_on=date(2027, 1, 11),
        ends_on=date(2027, 6, 30),
    )
    factories.CohortSessionFactory(
        cohort=cohort,
        title="Workshop 2",
        starts_at=datetime(2027, 2, 1, 10, tzinfo=LONDON),
        ends_at=datetime(2027, 2, 1, 13, tzinfo=LONDON),
    )
    factories.CohortSessionFactory(
        cohort=cohort,
        title="Cancelled kick-off",
        starts_at=datetime(2027, 1, 4, 10, tzinfo=LONDON),
        ends_at=datetime(2027, 1, 4, 12, tzinfo=LONDON),
        is_cancelled=True,
    )
    factories.CohortSessionFactory(
        cohort=cohort,
        title="Workshop 1: contract management foundations",
        starts_at=datetime(2027, 1, 12, 9, 30, tzinfo=LONDON),
        ends_at=datetime(2027, 1, 12, 12, 30, tzinfo=LONDON),
        location="Reading Civic Offices",
    )
    learner = factories.LearnerFactory(council=cast.council_a, first_name="Priya")
    enrolment = send_now(
        services.enrolment_create, learner=learner, cohort=cohort, acting_user=cast.staff
    )
    assert enrolment.status == Enrolment.Status.ENROLLED
    [email] = mail.outbox
    assert email.subject == "Your place on Practitioner cohort 7"
    assert "from 11 January 2027 to 30 June 2027" in email.body
    assert (
        "Your first session is Workshop 1: contract management foundations on "
        "Tuesday 12 January 2027, 9:30am to 12:30pm, at Reading Civic Offices." in email.body
    )
    assert enrolment.history.first().history_user == cast.staff


def test_past_capacity_a_learner_waits_and_is_not_told_they_have_a_place(cast, send_now):
    cohort = factories.CohortFactory(capacity=1)
    first, second = factories.LearnerFactory.create_batch(2, council=cast.council_a)
    send_now(services.enrolment_create, learner=first, cohort=cohort, acting_user=cast.staff)
    waiting = send_now(
        services.enrolment_create, learner=second, cohort=cohort, acting_user=cast.staff
    )
    assert waiting.status == Enrolment.Status.WAITING
    assert [m.to for m in mail.outbox] == [[first.email], [second.email]]
    assert mail.outbox[1].subject == f"You are on the waiting list for {cohort.name}"


def test_an_accreditation_congratulates_the_learner_once_and_sets_renewal(cast, send_now):
    learner = cast.learner_a
    accreditation = send_now(
        services.accreditation_record,
        learner=learner,
        level=factories.level("practitioner"),
        achieved_on=date(2026, 11, 2),
        acting_user=cast.staff,
    )
    assert accreditation.renewal_due == date(2027, 11, 2)
    learner.refresh_from_db()
    assert learner.status == Learner.Status.ACCREDITED
    [email] = mail.outbox
    assert email.subject == "Congratulations on your Practitioner accreditation"
    assert "log 30 hours of contract-management continuing professional development" in email.body
    assert "Your first CPD year ends on 2 November 2027" in email.body


def test_foundation_renewal_is_two_years_on(cast, send_now):
    accreditation = send_now(
        services.accreditation_record,
        learner=cast.learner_a,
        level=factories.level("foundation"),
        achieved_on=date(2024, 2, 29),
        acting_user=cast.staff,
    )
    assert accreditation.renewal_due == date(2026, 2, 28)
    assert "Re-take it by 28 February 2026" in mail.outbox[0].body
    # Practitioner was the target, so a Foundation pass does not make the learner accredited.
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ACTIVE


def reminders(today):
    return services.reminders_queue(today=today)


def test_a_foundation_holder_is_reminded_from_60_days_before_renewal_once(cast, send_now):
    factories.AccreditationFactory(
        learner=cast.learner_a, level=factories.level("foundation"), achieved_on=date(2025, 3, 1)
    )
    due = date(2027, 3, 1)
    assert send_now(reminders, today=due - timedelta(days=61)) == 0
    assert send_now(reminders, today=due - timedelta(days=60)) == 1
    send_now(reminders, today=due - timedelta(days=59))
    assert [m.subject for m in mail.outbox] == [
        "Your Foundation accreditation ends on 1 March 2027"
    ]


def test_a_renewed_foundation_holder_is_not_reminded_about_the_old_one(cast, send_now):
    foundation = factories.level("foundation")
    factories.AccreditationFactory(
        learner=cast.learner_a, level=foundation, achieved_on=date(2024, 12, 1)
    )
    factories.AccreditationFactory(
        learner=cast.learner_a, level=foundation, achieved_on=date(2026, 10, 1)
    )
    assert send_now(reminders, today=date(2026, 11, 1)) == 0
    assert mail.outbox == []


def test_a_practitioner_short_of_cpd_hours_is_reminded_60_days_before_the_year_ends(cast, send_now):
    short, done = cast.learner_a, cast.learner_b
    for learner in (short, done):
        factories.AccreditationFactory(learner=learner, achieved_on=date(2025, 1, 15))
    year_end = date(2027, 1, 15)
    short.cpd_entries.create(done_on=date(2026, 3, 1), hours=12, activity="Course")
    short.cpd_entries.create(done_on=date(2026, 1, 10), hours=20, activity="Last year")
    for day in (date(2026, 2, 1), date(2026, 6, 1), date(2026, 9, 1)):
        done.cpd_entries.create(done_on=day, hours=10, activity="Network meeting")
    assert send_now(reminders, today=year_end - timedelta(days=61)) == 0
    assert send_now(reminders, today=year_end - timedelta(days=60)) == 1
    [email] = mail.outbox
    assert email.to == [short.email]
    assert email.subject == "Log your CPD hours before 15 January 2027"
    assert "You have logged 12 hours so far this year." in email.body
    send_now(reminders, today=year_end - timedelta(days=10))
    assert len(mail.outbox) == 1


def test_withdrawn_learners_get_no_reminders(cast, send_now):
    factories.AccreditationFactory(learner=cast.learner_a, achieved_on=date(2025, 1, 15))
    Learner.objects.filter(pk=cast.learner_a.pk).update(status=Learner.Status.WITHDRAWN)
    assert send_now(reminders, today=date(2026, 12, 1)) == 0


def test_the_cpd_year_follows_the_accreditation_anniversary():
    assert cpd_year(achieved_on=date(2025, 1, 15), on=date(2025, 1, 15)) == (
        date(2025, 1, 15),
        date(2026, 1, 15),
    )
    assert cpd_year(achieved_on=date(2025, 1, 15), on=date(2026, 1, 15)) == (
        date(2026, 1, 15),
        date(2027, 1, 15),
    )
    assert cpd_year(achieved_on=date(2024, 2, 29), on=date(2025, 3, 1)) == (
        date(2025, 2, 28),
        date(2026, 2, 28),
    )
    assert cpd_year(achieved_on=date(2025, 1, 15), on=date(2025, 1, 14)) == (
        date(2024, 1, 15),
        date(2025, 1, 15),
    )


def test_each_email_is_a_row_whose_key_names_recipient_and_purpose(cast, send_now):
    send_now(
        services.accreditation_record,
        learner=cast.learner_a,
        level=factories.level("practitioner"),
        achieved_on=date(2026, 11, 2),
        acting_user=cast.staff,
    )
    row = OutboundEmail.objects.get()
    assert row.key == f"congratulation:{cast.learner_a.pk}:practitioner:2026-11-02"
    assert row.purpose == OutboundEmail.Purpose.CONGRATULATION and row.status == "sent"
