"""The outbox: one row per key, sent after commit, once; faults leave rows to retry."""

from datetime import date, timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from cmpp.notifications import services
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.tasks import email_send_task

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


def test_a_mail_server_fault_leaves_the_row_pending_with_its_error(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        email = queue()
    smtp_down = mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=SMTPServerDisconnected("gone")
    )
    with smtp_down, pytest.raises(SMTPServerDisconnected):
        services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.last_error == "SMTPServerDisconnected: gone"
    services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 2
    assert len(mail.outbox) == 1


def test_after_its_retries_the_task_marks_the_row_failed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = queue()
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=SMTPServerDisconnected("gone")
    ):
        email_send_task.apply(args=[email.pk], retries=email_send_task.max_retries)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "gone" in email.last_error
    assert mail.outbox == []


def test_a_failed_email_can_be_resent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = queue()
    services.email_mark_failed(email_id=email.pk, error="SMTP down")
    with django_capture_on_commit_callbacks(execute=True):
        services.email_resend(email=OutboundEmail.objects.get(pk=email.pk))
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    with pytest.raises(ValueError, match="Only a failed email"):
        services.email_resend(email=email)


def test_the_sweep_requeues_only_rows_left_pending_over_two_minutes(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        stale = queue(key="invitation:learner:1")
        fresh = queue(key="invitation:learner:2", to_email="ben@reading.example.gov.uk")
    OutboundEmail.objects.filter(pk=stale.pk).update(
        updated_at=timezone.now() - timedelta(minutes=3)
    )
    assert services.email_sweep() == 1
    assert [m.to for m in mail.outbox] == [["amira@reading.example.gov.uk"]]
    fresh.refresh_from_db()
    assert fresh.status == OutboundEmail.Status.PENDING


def test_a_broker_fault_at_commit_keeps_the_row_pending_for_the_sweep(
    django_capture_on_commit_callbacks,
):
    broker_down = mock.patch.object(
        email_send_task, "delay", side_effect=ConnectionError("broker down")
    )
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        email = queue()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert mail.outbox == []
