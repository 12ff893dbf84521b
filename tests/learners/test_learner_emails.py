"""The emails a change to someone's place causes: withdrawn, on the waiting list (with their
number), the staff's daily list of nominations, and the programme team named in every one."""

from datetime import date, datetime

import pytest
from django.core import mail
from django.utils import timezone

from cmpp.accounts.models import StaffMembership
from cmpp.notifications.models import OutboundEmail
from councils.models import ManagingBodyPeriod
from councils.selectors import council_contact_email, council_managing_body
from learners import services
from learners.models import Nomination
from learners.selectors import cohort_roster, waiting_position_of
from tests import factories

pytestmark = pytest.mark.django_db

DLUHC_TEAM = "cmpp@communities.example.gov.uk"
LP_TEAM = "cmpp@localpartnerships.example.org.uk"


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def sent_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_a_learner_withdrawn_from_a_cohort_is_emailed_once_with_the_reason(cast, send_now):
    enrolment = cast.learner_a.enrolments.get()
    send_now(
        services.enrolment_withdraw,
        enrolment=enrolment,
        reason="Changed job",
        acting_user=cast.staff,
    )
    [message] = sent_to(cast.learner_a.email)
    assert message.subject == f"You are no longer in {cast.cohort.name}"
    assert "Reason: Changed job" in message.body
    assert f"Questions? Contact the programme team at {DLUHC_TEAM}." in message.body
    assert OutboundEmail.objects.filter(purpose="withdrawal").count() == 1


def test_a_withdrawal_refused_for_no_reason_emails_nobody(cast, send_now):
    enrolment = cast.learner_a.enrolments.get()
    with pytest.raises(Exception, match="Enter why"):
        send_now(
            services.enrolment_withdraw, enrolment=enrolment, reason=" ", acting_user=cast.staff
        )
    assert mail.outbox == []
    assert not OutboundEmail.objects.filter(purpose="withdrawal").exists()


def test_a_learner_placed_on_the_waiting_list_is_told_their_number(cast, send_now):
    cohort = factories.CohortFactory(capacity=1)
    people = [factories.LearnerFactory(council=cast.council_a) for _ in range(4)]
    for person in people:
        send_now(services.enrolment_create, learner=person, cohort=cohort, acting_user=cast.staff)
    assert sent_to(people[0].email)[0].subject.startswith("Your place")
    third = sent_to(people[3].email)
    assert [m.subject for m in third] == [f"You are on the waiting list for {cohort.name}"]
    assert "You are number 3 on the waiting list." in third[0].body
    assert "You are number 1 on the waiting list." in sent_to(people[1].email)[0].body


def test_the_roster_and_the_email_count_the_waiting_list_the_same_way(cast, send_now):
    cohort = factories.CohortFactory(capacity=1)
    # An SRO sees only their council's learners, but the number is the whole list's.
    other = factories.LearnerFactory(council=cast.council_b)
    mine = factories.LearnerFactory(council=cast.council_a)
    for person in (factories.LearnerFactory(council=cast.council_b), other, mine):
        send_now(services.enrolment_create, learner=person, cohort=cohort, acting_user=cast.staff)
    [row] = [e for e in cohort_roster(user=cast.sro_a, cohort=cohort) if e.learner == mine]
    assert row.waiting_position == 2 == waiting_position_of(row)
    assert "You are number 2 on the waiting list." in sent_to(mine.email)[0].body


def test_closing_a_cohort_emails_those_still_waiting_but_not_those_who_completed(cast, send_now):
    cohort = factories.CohortFactory(capacity=1)
    placed, waiting = (factories.LearnerFactory(council=cast.council_a) for _ in range(2))
    send_now(services.enrolment_create, learner=placed, cohort=cohort, acting_user=cast.staff)
    send_now(services.enrolment_create, learner=waiting, cohort=cohort, acting_user=cast.staff)
    mail.outbox.clear()
    send_now(services.cohort_close, cohort=cohort, acting_user=cast.staff)
    assert sent_to(placed.email) == []
    [message] = sent_to(waiting.email)
    assert message.subject == f"You are no longer on the waiting list for {cohort.name}"
    assert "The cohort closed before a place came free" in message.body


def test_a_learner_leaving_the_programme_is_not_emailed_per_cohort(cast, send_now):
    send_now(
        services.learner_set_status,
        learner=cast.learner_a,
        status="withdrawn",
        reason="Left local government",
        acting_user=cast.staff,
    )
    assert sent_to(cast.learner_a.email) == []


def test_the_footer_names_the_councils_current_managing_body(cast, send_now):
    council = factories.CouncilFactory(managed_by=factories.organisation("local-partnerships"))
    learner = factories.LearnerFactory(council=council)
    send_now(
        services.enrolment_create,
        learner=learner,
        cohort=factories.CohortFactory(),
        acting_user=cast.staff,
    )
    [message] = sent_to(learner.email)
    assert f"Questions? Contact the programme team at {LP_TEAM}." in message.body
    assert LP_TEAM in message.alternatives[0][0]


def test_the_footer_falls_back_to_the_programme_address(cast, settings, send_now):
    settings.CMPP_PROGRAMME_CONTACT_EMAIL = "team@cmpp.example.gov.uk"
    council = factories.CouncilFactory()
    council.managing_body_periods.all().delete()
    assert council_managing_body(council) is None
    assert council_contact_email(council) == "team@cmpp.example.gov.uk"
    learner = factories.LearnerFactory(council=council)
    send_now(
        services.enrolment_create,
        learner=learner,
        cohort=factories.CohortFactory(),
        acting_user=cast.staff,
    )
    assert (
        "Contact the programme team at team@cmpp.example.gov.uk." in sent_to(learner.email)[0].body
    )


def test_the_managing_body_on_a_past_date_is_the_one_then(cast):
    council = cast.council_a
    period = council.managing_body_periods.get()
    period.ends_on = date(2024, 3, 31)
    period.save()
    ManagingBodyPeriod.objects.create(
        council=council,
        organisation=factories.organisation("local-partnerships"),
        starts_on=date(2024, 4, 1),
    )
    assert council_managing_body(council).slug == "local-partnerships"
    assert council_managing_body(council, on=date(2023, 1, 1)).slug == "dluhc"


def nominate(council, sro, on, **fields):
    nomination = factories.NominationFactory(council=council, nominated_by=sro, **fields)
    when = timezone.make_aware(datetime.combine(on, datetime.min.time().replace(hour=10)))
    Nomination.objects.filter(pk=nomination.pk).update(created_at=when)
    return nomination


def test_the_nominations_digest_goes_once_a_day_to_each_managing_bodys_staff(cast, send_now):
    day = date(2026, 5, 4)
    lp_council = factories.CouncilFactory(
        name="Lowshire", managed_by=factories.organisation("local-partnerships")
    )
    lp_staff = factories.StaffMembershipFactory(
        user__email="staff@lp.test", organisation=factories.organisation("local-partnerships")
    ).user
    nominate(cast.council_a, cast.sro_a, day, first_name="Ada", last_name="Ames")
    nominate(lp_council, cast.sro_a, day, first_name="Lou", last_name="Lowe")
    nominate(cast.council_a, cast.sro_a, date(2026, 5, 3), first_name="Old", last_name="Day")
    decided = nominate(cast.council_a, cast.sro_a, day, first_name="Done", last_name="Already")
    Nomination.objects.filter(pk=decided.pk).update(status=Nomination.Status.DECLINED)

    assert send_now(services.nominations_digest_queue, today=day) == 2
    [to_dluhc] = sent_to(cast.staff.email)
    assert to_dluhc.subject == "1 nomination to review from 4 May 2026"
    assert "Ada Ames, Council A" in to_dluhc.body
    assert "Lou Lowe" not in to_dluhc.body and "Old Day" not in to_dluhc.body
    assert "Done Already" not in to_dluhc.body
    [to_lp] = sent_to(lp_staff.email)
    assert "Lou Lowe, Lowshire" in to_lp.body and "Ada Ames" not in to_lp.body
    # Viewers and SROs are not sent it; running it again that day sends nothing more.
    assert sent_to(cast.viewer.email) == [] and sent_to(cast.sro_a.email) == []
    send_now(services.nominations_digest_queue, today=day)
    assert len(mail.outbox) == 2


def test_no_digest_on_a_day_without_nominations(cast, send_now):
    assert send_now(services.nominations_digest_queue, today=date(2026, 5, 4)) == 0
    assert mail.outbox == []


def test_the_digest_runs_every_day_at_five_in_the_afternoon_london_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nominations-digest"]
    assert entry["task"] == "learners.tasks.nominations_digest_queue_task"
    assert entry["schedule"].hour == {17} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert StaffMembership.Role.PROGRAMME_STAFF == "programme_staff"
