"""Emails in batches: many rows written at once, many sent over one connection, each still once."""

import threading
import time
from datetime import date, timedelta
from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext as capture_queries
from django.utils import timezone

from cmpp.notifications import services
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.tasks import email_send_batch_task, email_send_task

pytestmark = pytest.mark.django_db

CONTEXT = {
    "first_name": "Amira",
    "council_name": "Reading Borough Council",
    "level_name": "Practitioner",
    "accept_url": "http://127.0.0.1:8000/accounts/invitation/abc/",
    "expires_on": date(2026, 11, 29),
}


def invitation(n: int, **changes) -> services.EmailRequest:
    fields = {
        "key": f"invitation:learner:{n}",
        "purpose": "invitation",
        "to_email": f"officer{n}@reading.example.gov.uk",
        "template": "notifications/email/invitation",
        "context": {**CONTEXT, "accept_url": f"http://127.0.0.1:8000/accounts/invitation/{n}/"},
        "sensitive": True,
    }
    return services.EmailRequest(**{**fields, **changes})


class MailServer(locmem.EmailBackend):
    """The test's mail server: keeps every connection opened, refuses the addresses in
    `refused` (and then drops the connection, as a real server's fault may) and sends nothing on
    a connection that is not open."""

    connections: list["MailServer"] = []
    refused: set[str] = set()

    def open(self):
        self.is_open = True
        MailServer.connections.append(self)
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        if not getattr(self, "is_open", False):
            raise SMTPServerDisconnected("not connected")
        for message in messages:
            if set(message.to) & self.refused:
                self.is_open = False
                raise SMTPRecipientsRefused({message.to[0]: (550, b"No such mailbox")})
        return super().send_messages(messages)


@pytest.fixture
def mail_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServer"
    MailServer.connections = []
    MailServer.refused = set()
    return MailServer


def written(count: int, django_capture_on_commit_callbacks) -> list[OutboundEmail]:
    """`count` pending rows, queued but not handed to the broker."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.emails_queue([invitation(n) for n in range(count)])


def statuses(emails: list[OutboundEmail]) -> list[str]:
    return [OutboundEmail.objects.get(pk=email.pk).status for email in emails]


def test_a_batch_is_sent_over_one_connection_each_row_once(
    mail_server, django_capture_on_commit_callbacks
):
    emails = written(5, django_capture_on_commit_callbacks)

    outcomes = services.emails_send([email.pk for email in emails])

    assert [outcomes[email.pk].status for email in emails] == ["sent"] * 5
    assert len(mail_server.connections) == 1
    assert not mail_server.connections[0].is_open, "the batch closes the connection it opened"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(email.to_email for email in emails)
    assert statuses(emails) == ["sent"] * 5
    # Sent sign-in links do not stay in the outbox, in a batch as on their own.
    assert {OutboundEmail.objects.get(pk=e.pk).body_text for e in emails} == {
        OutboundEmail.SENT_BODY_REMOVED
    }
    # Sent again (a redelivered task): nothing to do, nothing sent.
    assert services.emails_send([email.pk for email in emails]) == dict.fromkeys(
        [email.pk for email in emails]
    )
    assert len(mail.outbox) == 5


def test_a_failure_mid_batch_is_recorded_on_its_row_and_the_rest_are_sent(
    mail_server, django_capture_on_commit_callbacks
):
    emails = written(4, django_capture_on_commit_callbacks)
    mail_server.refused = {emails[1].to_email}

    outcomes = services.emails_send([email.pk for email in emails])

    assert [outcomes[email.pk].status for email in emails] == ["sent", "pending", "sent", "sent"]
    assert outcomes[emails[1].pk].retry_in is not None
    refused = OutboundEmail.objects.get(pk=emails[1].pk)
    assert refused.attempts == 1 and refused.last_error.startswith("SMTPRecipientsRefused")
    assert statuses(emails) == ["sent", "pending", "sent", "sent"]
    # The connection that failed was dropped; the next row opened a fresh one.
    assert len(mail_server.connections) == 2
    assert not any(connection.is_open for connection in mail_server.connections)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        e.to_email for e in emails if e != emails[1]
    )


def test_a_row_another_worker_holds_or_has_sent_is_skipped(
    mail_server, django_capture_on_commit_callbacks
):
    emails = written(3, django_capture_on_commit_callbacks)
    OutboundEmail.objects.filter(pk=emails[1].pk).update(
        status=OutboundEmail.Status.SENDING, attempts=1, claimed_at=timezone.now()
    )

    outcomes = services.emails_send([email.pk for email in emails])

    assert outcomes[emails[1].pk] is None
    assert statuses(emails) == ["sent", "sending", "sent"]
    assert OutboundEmail.objects.get(pk=emails[1].pk).attempts == 1
    assert [m.to[0] for m in mail.outbox] == [emails[0].to_email, emails[2].to_email]


def test_a_connection_the_caller_opened_is_used_and_left_open(
    mail_server, django_capture_on_commit_callbacks
):
    emails = written(2, django_capture_on_commit_callbacks)
    connection = mail_server()
    connection.open()

    services.emails_send([email.pk for email in emails], connection=connection)

    assert mail_server.connections == [connection] and connection.is_open
    assert len(mail.outbox) == 2


def test_past_its_claim_window_a_batch_claims_nothing_more(django_capture_on_commit_callbacks):
    emails = written(2, django_capture_on_commit_callbacks)

    assert services.emails_send([e.pk for e in emails], claim_until=time.monotonic() - 1) == {}
    assert statuses(emails) == ["pending", "pending"]
    assert {OutboundEmail.objects.get(pk=e.pk).attempts for e in emails} == {0}
    assert mail.outbox == []


def test_the_batch_task_queues_a_failed_row_again_on_its_own_with_its_delay(
    mail_server, django_capture_on_commit_callbacks
):
    emails = written(3, django_capture_on_commit_callbacks)
    mail_server.refused = {emails[0].to_email}

    with mock.patch.object(email_send_task, "apply_async") as retry:
        # Called directly, as a worker runs it (not inline): retries go back to the broker.
        sent = email_send_batch_task([email.pk for email in emails])

    assert sent == 2
    [call] = retry.call_args_list
    failed = OutboundEmail.objects.get(pk=emails[0].pk)
    assert call.args == ((emails[0].pk,),)
    assert 0 <= call.kwargs["countdown"] <= 30
    assert failed.next_attempt_at > failed.claimed_at
    assert failed.status == OutboundEmail.Status.PENDING


def test_rows_the_claim_window_left_go_back_as_a_batch(django_capture_on_commit_callbacks):
    emails = written(3, django_capture_on_commit_callbacks)

    with (
        mock.patch.object(services, "SEND_BATCH_CLAIM_WINDOW", 0),
        mock.patch.object(email_send_batch_task, "delay") as again,
    ):
        assert email_send_batch_task([email.pk for email in emails]) == 0

    again.assert_called_once_with([email.pk for email in emails])
    assert statuses(emails) == ["pending"] * 3


def test_run_inline_a_batch_sends_and_leaves_a_row_to_retry_for_the_sweep(
    mail_server, django_capture_on_commit_callbacks
):
    mail_server.refused = {"officer1@reading.example.gov.uk"}
    with (
        mock.patch.object(email_send_task, "apply_async") as retry,
        django_capture_on_commit_callbacks(execute=True),
    ):
        emails = services.emails_queue([invitation(n) for n in range(3)])

    assert statuses(emails) == ["sent", "pending", "sent"]
    assert retry.call_count == 0
    assert len(mail_server.connections) == 2
    assert len(mail.outbox) == 2


def test_emails_queue_keeps_existing_keys_and_queues_the_new_rows_once_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        existing = services.email_queue(**vars(invitation(1)))

    with (
        mock.patch.object(email_send_batch_task, "delay") as batch,
        mock.patch.object(email_send_task, "delay") as single,
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            emails = services.emails_queue([invitation(0), invitation(1), invitation(2)])
        assert batch.call_count == single.call_count == 0, "nothing goes before the commit"
        assert len(callbacks) == 1
        callbacks[0]()

    assert emails[1] == existing
    assert OutboundEmail.objects.count() == 3
    batch.assert_called_once_with([emails[0].pk, emails[2].pk])
    assert single.call_count == 0
    assert mail.outbox == []


def test_emails_queue_hands_the_rows_to_the_broker_a_batch_at_a_time(
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch.object(services, "SEND_BATCH_SIZE", 2),
        mock.patch.object(email_send_batch_task, "delay") as batch,
        mock.patch.object(email_send_task, "delay") as single,
        django_capture_on_commit_callbacks(execute=True),
    ):
        emails = services.emails_queue([invitation(n) for n in range(5)])

    ids = [email.pk for email in emails]
    assert [call.args for call in batch.call_args_list] == [(ids[0:2],), (ids[2:4],)]
    single.assert_called_once_with(ids[4])


def test_a_key_twice_in_one_call_is_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, again = services.emails_queue([invitation(1), invitation(1, to_email="x@y.z")])

    assert first.pk == again.pk
    assert [m.to for m in mail.outbox] == [["officer1@reading.example.gov.uk"]]


def test_rows_queued_in_a_rolled_back_transaction_are_neither_kept_nor_sent(
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch.object(email_send_batch_task, "delay") as batch,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.emails_queue([invitation(n) for n in range(3)])
        raise RuntimeError("the import failed")

    assert callbacks == [] and batch.call_count == 0
    assert not OutboundEmail.objects.exists()


def test_queueing_many_costs_the_same_queries_as_queueing_a_few(
    django_capture_on_commit_callbacks,
):
    def queries(items):
        with (
            django_capture_on_commit_callbacks(execute=False),
            capture_queries(transaction.get_connection()) as captured,
        ):
            services.emails_queue(items)
        return len(captured)

    assert queries([invitation(n) for n in range(100, 140)]) == queries(
        [invitation(n) for n in range(3)]
    )
    # Every key already there: one query, nothing written.
    assert queries([invitation(n) for n in range(100, 140)]) == 1
    assert OutboundEmail.objects.count() == 43


def test_a_key_written_by_another_transaction_meanwhile_is_kept_not_doubled(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        theirs = services.email_queue(**vars(invitation(1)))
    # As if another import wrote key 1 after this call looked for it.
    with (
        mock.patch.object(services, "_existing", return_value={}),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        emails = services.emails_queue([invitation(0), invitation(1)])

    assert emails[1].pk == theirs.pk
    assert OutboundEmail.objects.count() == 2
    with (
        mock.patch.object(email_send_batch_task, "delay"),
        mock.patch.object(email_send_task, "delay") as single,
    ):
        for callback in callbacks:
            callback()
    single.assert_called_once_with(emails[0].pk)


def test_the_html_part_is_drawn_when_sent_with_the_words_escaped():
    hostile = {
        **CONTEXT,
        "first_name": '<script>alert("hi")</script> & co',
        "council_name": "Reading\r\nBcc: everyone@example.com www.example.com",
    }
    [email] = services.emails_queue(
        [
            services.EmailRequest(
                key="hostile",
                purpose="invitation",
                to_email="a@example.test",
                template="notifications/email/invitation",
                context=hostile,
            )
        ]
    )
    assert email.body_html == ""  # nothing stored: drawn when sent
    html = services._message(email).alternatives[0].content
    assert html == render_to_string(
        services.LAYOUT_TEMPLATE, {"subject": email.subject, "body": email.body_text}
    )
    assert "<script>" not in html and "alert(&quot;hi&quot;)&lt;/script&gt; &amp; co," in html
    assert "Bcc" not in email.subject


def test_the_sweep_hands_what_it_finds_to_the_broker_in_batches(
    django_capture_on_commit_callbacks,
):
    emails = written(3, django_capture_on_commit_callbacks)
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=3))

    with mock.patch.object(email_send_batch_task, "delay") as batch:
        assert services.email_sweep() == 3

    assert [sorted(ids) for ids in (call.args[0] for call in batch.call_args_list)] == [
        sorted(email.pk for email in emails)
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked,
    reason="row locks need PostgreSQL (DATABASE_URL)",
)
def test_a_row_locked_by_another_worker_is_skipped_not_waited_for(mail_server):
    with mock.patch.object(services, "_queue_sends"), transaction.atomic():
        emails = services.emails_queue([invitation(n) for n in range(2)])
    locked, released = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            OutboundEmail.objects.select_for_update().get(pk=emails[0].pk)
            locked.set()
            released.wait(timeout=10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        outcomes = services.emails_send([email.pk for email in emails])
    finally:
        released.set()
        thread.join()

    assert outcomes[emails[0].pk] is None
    assert outcomes[emails[1].pk].status == OutboundEmail.Status.SENT
    assert statuses(emails) == ["pending", "sent"]
    assert [m.to[0] for m in mail.outbox] == [emails[1].to_email]
