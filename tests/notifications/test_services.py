"""The outbox: one row per key, sent after commit, once; faults leave rows to retry."""

from datetime import date, timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from cmpp.notifications import services
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.tasks import email_send_task
from tests import factories

pytestmark = pytest.mark.django_db

CONTEXT = {
    "first_name": "Amira",
    "council_name": "Reading Borough Council",
    "level_name": "Practitioner",
    "accept_url": "http://127.0.0.1:8000/accounts/invitation/abc/",
    "expires_on": date(2026, 11, 29),
}


def queue(key="invitation:learner:1", to_email="amira@reading.example.gov.uk"):
    return services.email_queue(
        key=key,
        purpose="invitation",
        to_email=to_email,
        template="notifications/email/invitation",
        context=CONTEXT,
    )


def test_a_queued_email_is_sent_only_after_its_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue()
    assert email.status == OutboundEmail.Status.PENDING
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 1
    assert [m.to for m in mail.outbox] == [["amira@reading.example.gov.uk"]]


def test_the_email_says_what_it_is_for_in_text_and_html(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    sent = mail.outbox[0]
    assert sent.subject == "Your invitation to the Contract Management Pioneer Programme portal"
    assert "http://127.0.0.1:8000/accounts/invitation/abc/" in sent.body
    assert "expires on 29 November 2026" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and "Set your password and sign in" in html
    assert sent.extra_headers["Message-ID"].startswith("<cmpp-")


def test_the_same_key_never_queues_a_second_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue()
        second = queue()
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_a_row_already_sent_is_not_sent_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    assert services.email_send(email_id=email.pk) is None
    email_send_task.delay(email.pk)
    assert len(mail.outbox) == 1


SMTP_DOWN = mock.patch(
    "django.core.mail.backends.locmem.EmailBackend.send_messages",
    side_effect=SMTPServerDisconnected("gone"),
)


def test_a_mail_server_fault_schedules_a_retry_and_keeps_the_error(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        email = queue()
    with SMTP_DOWN:
        outcome = services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert outcome.status == OutboundEmail.Status.PENDING
    assert 0 <= outcome.retry_in <= settings.CMPP_EMAIL_RETRY_BASE
    assert email.status == OutboundEmail.Status.PENDING
    assert email.last_error == "SMTPServerDisconnected: gone"
    assert email.next_attempt_at > email.claimed_at
    services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 2
    assert len(mail.outbox) == 1


def test_retry_delays_grow_exponentially_with_jitter():
    with mock.patch("random.uniform", side_effect=lambda low, high: high):
        ceilings = [services.retry_delay(attempts) for attempts in range(1, 5)]
    base = settings.CMPP_EMAIL_RETRY_BASE
    assert ceilings == [base, 2 * base, 4 * base, 8 * base]
    assert len({services.retry_delay(3) for _ in range(20)}) > 1


def test_after_its_last_attempt_the_row_is_failed_with_the_error(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        email = queue()
    with SMTP_DOWN:
        for _ in range(services.MAX_ATTEMPTS + 1):
            email_send_task.delay(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == services.MAX_ATTEMPTS
    assert email.last_error == "SMTPServerDisconnected: gone"
    assert mail.outbox == []


def test_a_failed_email_can_be_resent_once_and_says_who_resent_it(
    django_capture_on_commit_callbacks,
):
    staff = factories.UserFactory(email="staff@dluhc.test")
    with django_capture_on_commit_callbacks(execute=False):
        email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.FAILED, attempts=services.MAX_ATTEMPTS, last_error="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.email_resend(email=OutboundEmail.objects.get(pk=email.pk), acting_user=staff)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 1
    assert email.resent_by == staff and email.resent_at is not None
    assert len(mail.outbox) == 1
    with pytest.raises(ValueError, match="Only a failed email"):
        services.email_resend(email=email, acting_user=staff)


def test_the_sweep_requeues_rows_overdue_by_two_minutes_and_no_others(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        stale = queue(key="invitation:learner:1")
        fresh = queue(key="invitation:learner:2", to_email="ben@reading.example.gov.uk")
        waiting = queue(key="invitation:learner:3", to_email="cat@reading.example.gov.uk")
    now = timezone.now()
    OutboundEmail.objects.filter(pk=stale.pk).update(next_attempt_at=now - timedelta(minutes=3))
    # A retry scheduled for later is left to its own task, however old the row.
    OutboundEmail.objects.filter(pk=waiting.pk).update(
        created_at=now - timedelta(hours=1), next_attempt_at=now + timedelta(minutes=5)
    )
    assert services.email_sweep() == 1
    assert [m.to for m in mail.outbox] == [["amira@reading.example.gov.uk"]]
    fresh.refresh_from_db()
    waiting.refresh_from_db()
    assert fresh.status == waiting.status == OutboundEmail.Status.PENDING


def test_the_sweep_resends_a_row_whose_worker_died_before_the_server_accepted_it(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        abandoned = queue(key="invitation:learner:1")
        in_hand = queue(key="invitation:learner:2", to_email="ben@reading.example.gov.uk")
    now = timezone.now()
    claim_timeout = timedelta(seconds=settings.CMPP_EMAIL_CLAIM_TIMEOUT)
    OutboundEmail.objects.filter(pk=abandoned.pk).update(
        status=OutboundEmail.Status.SENDING, attempts=1, claimed_at=now - claim_timeout * 1.1
    )
    # Claimed recently: a live worker may be talking to the mail server; leave it alone.
    OutboundEmail.objects.filter(pk=in_hand.pk).update(
        status=OutboundEmail.Status.SENDING, attempts=1, claimed_at=now - claim_timeout * 0.9
    )
    assert services.email_sweep() == 1
    abandoned.refresh_from_db()
    in_hand.refresh_from_db()
    assert abandoned.status == OutboundEmail.Status.SENT and abandoned.attempts == 2
    assert in_hand.status == OutboundEmail.Status.SENDING
    assert [m.to for m in mail.outbox] == [["amira@reading.example.gov.uk"]]


def test_a_broker_fault_at_commit_keeps_the_row_pending_for_the_sweep(
    django_capture_on_commit_callbacks,
):
    broker_down = mock.patch.object(
        email_send_task, "delay", side_effect=ConnectionError("broker down")
    )
    with broker_down as delay, django_capture_on_commit_callbacks(execute=True):
        email = queue()
        other = queue(key="invitation:learner:2", to_email="ben@reading.example.gov.uk")
    # One failed publish is enough: the second email does not wait on the broker again.
    assert delay.call_count == 1
    email.refresh_from_db()
    other.refresh_from_db()
    assert email.status == other.status == OutboundEmail.Status.PENDING
    assert mail.outbox == []


def test_no_input_reaches_the_headers_or_the_html_unescaped(django_capture_on_commit_callbacks):
    context = {
        **CONTEXT,
        "first_name": '<script>alert("hi")</script>',
        "council_name": "Reading\r\nBcc: everyone@example.com",
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.email_queue(
            key="invitation:hostile",
            purpose="invitation",
            to_email="amira@reading.example.gov.uk",
            template="notifications/email/sro_welcome",
            context={**context, "managing_body": "MHCLG", "funded_places": 2, "invited": False},
        )
    [sent] = mail.outbox
    assert sent.subject == (
        "Reading Bcc: everyone@example.com has joined the Contract Management Pioneer Programme"
    )
    assert sent.recipients() == ["amira@reading.example.gov.uk"]
    message = sent.message()
    assert message["Bcc"] is None
    headers = message.as_string().split("\n\n", 1)[0]
    assert "\nBcc:" not in headers
    html, _ = sent.alternatives[0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<script>alert("hi")</script>' in sent.body  # plain text shows what was typed


def test_links_in_the_html_part_are_links(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    html, _ = mail.outbox[0].alternatives[0]
    assert '<a href="http://127.0.0.1:8000/accounts/invitation/abc/"' in html


def test_anonymising_names_replaces_each_whole_name_and_nothing_else():
    """A name is replaced where it stands whole: inside a longer name (Ann Lee in Ann Leeds or
    Ann Leeson) it is left, whoever is anonymised and in whatever order. In the HTML part it is
    replaced where HTML escaped it too; an email naming nobody on the list is untouched."""

    def email(key, subject, text, html=""):
        return OutboundEmail.objects.create(
            key=key,
            purpose=OutboundEmail.Purpose.AT_RISK_DIGEST,
            to_email="sro@a.test",
            subject=subject,
            body_text=text,
            body_html=html,
        )

    digest = email(
        "digest", "2 learners", "- Ann Leeds\n- Ann Lee\n- Ann Lee (again)\n- Ann Leeson"
    )
    named = email(
        "named",
        "About Ann Lee",
        "Dara O'Neill (a.b+c) [x]*",
        "<p>Dara O&#x27;Neill (a.b+c) [x]*</p>",
    )
    other = email("other", "About Ada", "- Ada Lovelace, Ann Le, Ann Leeson")
    anonymised = "Anonymised learner"

    # Ann Lee in one batch, Ann Leeds in a later one.
    changed = services.emails_anonymise(
        addresses=[], names=["Ann Lee", "Dara O'Neill (a.b+c) [x]*", " "], replacement=anonymised
    )
    assert changed == 2
    services.emails_anonymise(addresses=[], names=["Ann Leeds"], replacement=anonymised)

    digest.refresh_from_db()
    assert digest.body_text == (
        "- Anonymised learner\n- Anonymised learner\n- Anonymised learner (again)\n- Ann Leeson"
    )
    named.refresh_from_db()
    assert named.subject == "About Anonymised learner"
    assert named.body_text == anonymised and named.body_html == f"<p>{anonymised}</p>"
    untouched = OutboundEmail.objects.get(pk=other.pk)
    assert (untouched.body_text, untouched.updated_at) == (other.body_text, other.updated_at)
