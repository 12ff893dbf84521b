"""The outbox's reads stay cheap when the outbox holds every email the programme ever sent."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.selectors import email_counts, email_log

pytestmark = pytest.mark.django_db


def outbox(*statuses):
    """One email of each status given, created a minute apart (the first is the oldest)."""
    start = timezone.now() - timedelta(hours=1)
    emails = OutboundEmail.objects.bulk_create(
        OutboundEmail(
            key=f"test:{n}",
            purpose=OutboundEmail.Purpose.INVITATION,
            to_email=f"person{n}@a.test",
            subject="Hello",
            body_text="Hello",
            status=status,
            sent_at=start if status == OutboundEmail.Status.SENT else None,
        )
        for n, status in enumerate(statuses)
    )
    for n, email in enumerate(emails):
        OutboundEmail.objects.filter(pk=email.pk).update(created_at=start + timedelta(minutes=n))
    return emails


def test_pending_and_sending_emails_are_waiting_and_sent_ones_are_not_counted():
    S = OutboundEmail.Status
    outbox(S.SENT, S.SENT, S.PENDING, S.SENDING, S.SENDING, S.FAILED)
    assert email_counts() == {"pending": 3, "failed": 1}


def test_an_outbox_of_sent_emails_has_nothing_waiting_or_failed():
    outbox(OutboundEmail.Status.SENT)
    assert email_counts() == {"pending": 0, "failed": 0}


def test_the_counts_read_only_the_emails_they_count():
    """A WHERE on status lets the status index skip the sent emails, nearly all of the outbox;
    a FILTER inside the count reads every row on every staff page."""
    with CaptureQueriesContext(connection) as queries:
        email_counts()
    (sql,) = [q["sql"] for q in queries.captured_queries]
    where = sql.upper().split(" WHERE ", 1)
    assert len(where) == 2 and "STATUS" in where[1] and "FILTER" not in sql.upper()


def test_the_log_is_newest_first_and_same_time_emails_keep_one_order():
    S = OutboundEmail.Status
    first, second, third = outbox(S.SENT, S.FAILED, S.PENDING)
    third.refresh_from_db()
    OutboundEmail.objects.filter(pk=second.pk).update(created_at=third.created_at)
    assert list(email_log().values_list("pk", flat=True)) == [third.pk, second.pk, first.pk]


@pytest.mark.parametrize("purpose", ["", OutboundEmail.Purpose.INVITATION])
def test_the_logs_order_is_an_index_so_a_page_does_not_sort_the_outbox(purpose):
    """The log's order, whole or within a purpose, must stay the order of one of the outbox's
    indexes: change one and change the other (with a migration)."""
    order = [str(f) for f in email_log(purpose=purpose).query.order_by]
    wanted = (["purpose"] if purpose else []) + order
    indexed = [
        [f.replace("-id", "-pk") for f in index.fields] for index in OutboundEmail._meta.indexes
    ]
    assert wanted in indexed
