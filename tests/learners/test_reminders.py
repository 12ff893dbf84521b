"""The weekly digest of learners at risk, to each SRO and deputy SRO of their council."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from councils.models import CouncilRole
from learners import services
from learners.models import Learner
from learners.tasks import at_risk_digest_queue_task
from tests import factories

pytestmark = pytest.mark.django_db

MONDAY = date(2030, 3, 4)  # Far enough ahead that a learner added today has stalled by then.


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    def run(today):
        with django_capture_on_commit_callbacks(execute=True):
            return services.at_risk_digest_queue(today=today)

    return run


def learner(council, name, **fields):
    first, last = name.split()
    return factories.LearnerFactory(council=council, first_name=first, last_name=last, **fields)


def mail_to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.fixture
def council_a_learners(cast):
    """Council A: two learners at risk, one making progress, one withdrawn and one accredited
    (both long stalled), and a deputy SRO beside the SRO."""
    cast.learner_a.first_name, cast.learner_a.last_name = "Ada", "Stalled"
    cast.learner_a.last_progress_on = MONDAY - timedelta(weeks=12)
    cast.learner_a.save()
    learner(cast.council_a, "Nia Never")  # Added today, no steps yet.
    learner(cast.council_a, "Priya Progressing", last_progress_on=MONDAY - timedelta(weeks=1))
    learner(cast.council_a, "Will Withdrawn", status=Learner.Status.WITHDRAWN)
    learner(cast.council_a, "Alex Accredited", status=Learner.Status.ACCREDITED)
    return factories.CouncilRoleFactory(
        council=cast.council_a, role=CouncilRole.Role.DEPUTY_SRO, user__email="deputy@a.test"
    ).user


def test_each_sro_and_deputy_hears_of_their_own_councils_learners_at_risk(
    cast, council_a_learners, send_now
):
    cast.learner_b.first_name, cast.learner_b.last_name = "Bea", "Elsewhere"
    cast.learner_b.save()

    assert send_now(MONDAY) == 3

    for address in ("sro@a.test", "deputy@a.test"):
        [email] = mail_to(address)
        assert email.subject == "2 learners at Council A with no progress for 8 weeks"
        assert "Ada Stalled, last progress: 10 December 2029" in email.body
        assert "Nia Never, last progress: no steps yet" in email.body
        assert "/learners/?stalled=yes" in email.body
        for name in ("Priya Progressing", "Will Withdrawn", "Alex Accredited", "Bea Elsewhere"):
            assert name not in email.body
    [email_b] = mail_to("sro@b.test")
    assert email_b.subject == "1 learner at Council B with no progress for 8 weeks"
    assert "Bea Elsewhere, last progress: no steps yet" in email_b.body
    assert "Ada Stalled" not in email_b.body
    assert set(OutboundEmail.objects.values_list("purpose", flat=True)) == {
        OutboundEmail.Purpose.AT_RISK_DIGEST
    }


def test_the_digest_links_to_the_stalled_learners_list(cast, send_now, settings):
    settings.SITE_URL = "https://cmpp.example.gov.uk"
    send_now(MONDAY)
    [email] = mail_to("sro@a.test")
    assert "https://cmpp.example.gov.uk/learners/?stalled=yes" in email.body


def test_a_council_with_nobody_at_risk_gets_no_email(cast, send_now):
    recent = MONDAY - timedelta(weeks=2)
    Learner.objects.filter(pk=cast.learner_b.pk).update(last_progress_on=recent)

    assert send_now(MONDAY) == 1

    assert mail_to("sro@b.test") == []
    assert len(mail_to("sro@a.test")) == 1


def test_no_one_at_risk_anywhere_sends_nothing(cast, send_now):
    Learner.objects.update(last_progress_on=MONDAY - timedelta(days=3))
    assert send_now(MONDAY) == 0
    assert mail.outbox == [] and not OutboundEmail.objects.exists()


def test_the_weeks_without_progress_are_the_setting(cast, send_now, settings):
    Learner.objects.update(last_progress_on=MONDAY - timedelta(weeks=5))
    assert send_now(MONDAY) == 0
    settings.CMPP_AT_RISK_WEEKS = 4
    assert send_now(MONDAY) == 2
    assert mail_to("sro@a.test")[0].subject.endswith("with no progress for 4 weeks")


def test_a_second_run_in_the_same_week_sends_nothing_again(cast, send_now):
    send_now(MONDAY)
    sent = len(mail.outbox)
    assert sent == 2

    send_now(MONDAY + timedelta(days=3))  # Thursday, same ISO week.
    assert len(mail.outbox) == sent
    assert OutboundEmail.objects.count() == 2

    send_now(MONDAY + timedelta(weeks=1))  # The next week they hear again.
    assert len(mail.outbox) == 4


def test_the_weekly_task_queues_the_digest_for_this_week(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert at_risk_digest_queue_task() == 0  # Both cast learners are new: not yet at risk.
    Learner.objects.update(last_progress_on=timezone.localdate() - timedelta(weeks=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert at_risk_digest_queue_task() == 2
    assert {m.to[0] for m in mail.outbox} == {"sro@a.test", "sro@b.test"}
