"""Writes to the email outbox: queue emails once, send rows, sweep up rows left behind.

The clocks (settings, all in seconds) must stay in this order, so that a row a worker still holds
is never taken for abandoned: EMAIL_TIMEOUT (each SMTP step) < CMPP_EMAIL_TASK_TIME_LIMIT (a send
task, for one row or a batch, is killed after this) < CMPP_EMAIL_CLAIM_TIMEOUT (a row left
`sending` this long is sent again). A batch claims each row only just before sending it, and
claims none after SEND_BATCH_CLAIM_WINDOW of the task's limit has passed, so no row is held
longer than the task can live, however many rows its batch has.
"""

import logging
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.template import Context, engines
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape as html_escape

from cmpp.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 7
ABANDONED_ERROR = "The worker stopped while sending; sent again."

# Rows sent by one task over one SMTP connection. At a few milliseconds a row, a batch takes well
# under a second, far inside the claim window below; a slow server only makes the window end the
# batch early (the rest are queued again), never makes a row outlive its claim.
SEND_BATCH_SIZE = 50
# A batch task claims rows only during this share of CMPP_EMAIL_TASK_TIME_LIMIT, so the last row
# it claims still has three quarters of the limit (half before the soft limit) to be sent.
SEND_BATCH_CLAIM_WINDOW = 0.25
# Rows written per INSERT by `emails_queue`.
INSERT_BATCH_SIZE = 1000

# After a failed publish, skip the broker for a while: one unreachable broker must not make a
# 500-row import wait 500 connection timeouts. The sweep queues whatever was skipped.
_broker_unavailable_until = 0.0
BROKER_BACKOFF_SECONDS = 30


def describe_error(exc: Exception) -> str:
    """The error as staff see it in the email log."""
    return f"{type(exc).__name__}: {exc}"[:2000]


def _queue_sends(email_ids: list[int]) -> None:
    """Hand the rows to Celery, SEND_BATCH_SIZE to a task (a lone row to the one-row task). If the
    broker is down the rows stay pending for the sweep."""
    global _broker_unavailable_until
    # Imported here because tasks.py imports this module.
    from cmpp.notifications.tasks import email_send_batch_task, email_send_task

    for first in range(0, len(email_ids), SEND_BATCH_SIZE):
        if time.monotonic() < _broker_unavailable_until:
            return
        chunk = email_ids[first : first + SEND_BATCH_SIZE]
        try:
            if len(chunk) == 1:
                email_send_task.delay(chunk[0])
            else:
                email_send_batch_task.delay(chunk)
        except Exception:  # noqa: BLE001 - any broker fault; the sweep re-queues the rows
            _broker_unavailable_until = time.monotonic() + BROKER_BACKOFF_SECONDS
            logger.warning(
                "Could not queue %s emails; the sweep will retry them",
                len(email_ids) - first,
                exc_info=True,
            )
            return


# Every email ends with this: who to ask (the `contact_email` in its context).
FOOTER_TEMPLATE = "notifications/email/footer.txt"
LAYOUT_TEMPLATE = "notifications/email/base.html"


@dataclass(frozen=True)
class EmailRequest:
    """One email for `emails_queue`: the keyword arguments of `email_queue`."""

    key: str
    purpose: str
    to_email: str
    template: str
    context: dict
    sensitive: bool = False
    attachments: list[dict] | None = None


class _Renderer:
    """Renders emails' subjects and text, compiling each template once: an import renders the
    same invitation thousands of times, and compiling it each time cost more than the rendering.
    The HTML part is not rendered here: it is the text in the GOV.UK email layout, drawn when the
    email is sent (`email_html`), so an import writes a third of the bytes."""

    def __init__(self):
        self._compiled = {}
        self._footer = get_template(FOOTER_TEMPLATE)
        self._links = {
            "sign_in_url": settings.SITE_URL + reverse("account_login"),
            "site_url": settings.SITE_URL,
        }

    def _subject_and_body(self, template: str):
        """The template's first line (the subject) and the rest, each compiled on its own so that
        a line break in anything the subject shows cannot push words into the body or headers."""
        if template not in self._compiled:
            source = get_template(f"{template}.txt").template.source
            subject_source, _, body_source = source.partition("\n")
            engine = engines["django"].engine
            self._compiled[template] = (
                engine.from_string(subject_source),
                engine.from_string(body_source),
            )
        return self._compiled[template]

    def render(self, template: str, context: dict) -> tuple[str, str]:
        """Subject and plain-text body (rendered without HTML escaping)."""
        context = {
            **self._links,
            **context,
            "contact_email": context.get("contact_email") or settings.CMPP_PROGRAMME_CONTACT_EMAIL,
        }
        subject_template, body_template = self._subject_and_body(template)
        subject = " ".join(subject_template.render(Context(context, autoescape=False)).split())
        subject = subject[:200]
        body = body_template.render(Context(context, autoescape=False))
        footer = self._footer.render(context)
        return subject, body.strip() + "\n\n" + footer.strip() + "\n"


def email_html(email: OutboundEmail) -> str:
    """The email's HTML part: the one it was written with (allauth's), or else its words,
    escaped, in the GOV.UK email layout."""
    if email.body_html:
        return email.body_html
    return render_to_string(LAYOUT_TEMPLATE, {"subject": email.subject, "body": email.body_text})


def email_queue(
    *,
    key: str,
    purpose: str,
    to_email: str,
    template: str,
    context: dict,
    sensitive: bool = False,
    attachments: list[dict] | None = None,
) -> OutboundEmail:
    """Write the email's row (once per key) and send it after the surrounding commit.

    `template` names a plain-text template (`<template>.txt`, rendered without HTML escaping)
    whose first line is the subject; the HTML part is the same words, escaped, in the GOV.UK
    email layout. Context gets `sign_in_url` and `site_url`. The body ends with the footer naming
    `contact_email` (the caller passes the recipient's programme team; the programme's own
    address, a setting, when it passes none). `attachments` are text files sent with it (see
    `email_store`). The one-email case of `emails_queue`.
    """
    [email] = emails_queue(
        [
            EmailRequest(
                key=key,
                purpose=purpose,
                to_email=to_email,
                template=template,
                context=context,
                sensitive=sensitive,
                attachments=attachments,
            )
        ]
    )
    return email


def emails_queue(items: list[EmailRequest]) -> list[OutboundEmail]:
    """Write many emails' rows (once per key) and send them after the surrounding commit, as
    `email_queue` does one: the rows, one per item in order, existing ones for keys already in
    the outbox (those are neither rendered nor sent again).

    For callers that cause many emails at once (an import): each template is compiled once, the
    rows are written in a few INSERTs, and the commit queues them SEND_BATCH_SIZE to a task.
    """
    existing = _existing(item.key for item in items)
    renderer = None
    new_rows: dict[str, OutboundEmail] = {}
    for item in items:
        if item.key in existing or item.key in new_rows:
            continue
        renderer = renderer or _Renderer()
        subject, body_text = renderer.render(item.template, item.context)
        new_rows[item.key] = _row(
            key=item.key,
            purpose=item.purpose,
            to_email=item.to_email,
            subject=subject,
            body_text=body_text,
            body_html="",
            sensitive=item.sensitive,
            attachments=item.attachments,
        )
    rows = {**existing, **_store(list(new_rows.values()))}
    return [rows[item.key] for item in items]


def email_store(
    *,
    key: str,
    purpose: str,
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    sensitive: bool = False,
    attachments: list[dict] | None = None,
) -> OutboundEmail:
    """Write an already-written email's row (once per key) and send it after the commit.

    A `sensitive` email (one holding a sign-in link) keeps its text only until it is sent, so
    the outbox never holds a working link for longer than it must. `attachments` are text files,
    each a dict of `filename`, `content_type` (like "text/calendar") and `content` (text)."""
    existing = _existing([key])
    if key in existing:
        return existing[key]
    row = _row(
        key=key,
        purpose=purpose,
        to_email=to_email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        sensitive=sensitive,
        attachments=attachments,
    )
    return _store([row])[key]


def _existing(keys: Iterable[str]) -> dict[str, OutboundEmail]:
    """The rows already written for these keys, in one query."""
    keys = set(keys)
    if not keys:
        return {}
    return {email.key: email for email in OutboundEmail.objects.filter(key__in=keys)}


def _row(
    *,
    key: str,
    purpose: str,
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str,
    sensitive: bool,
    attachments: list[dict] | None,
) -> OutboundEmail:
    """An unsaved row; the attachments are checked before anything is written."""
    return OutboundEmail(
        key=key,
        purpose=purpose,
        to_email=to_email,
        subject=" ".join(subject.split())[:200],
        body_text=body_text,
        body_html=body_html,
        sensitive=sensitive,
        attachments=[_attachment(item) for item in attachments or []],
    )


def _store(rows: list[OutboundEmail]) -> dict[str, OutboundEmail]:
    """Insert rows whose keys were not in the outbox a moment ago, and queue those written after
    the commit. If another transaction wrote one of the keys since (the unique key refuses it),
    fall back to row by row, keeping the row already there: still once per key."""
    if not rows:
        return {}
    try:
        with transaction.atomic():
            written = OutboundEmail.objects.bulk_create(rows, batch_size=INSERT_BATCH_SIZE)
        created = [email.pk for email in written]
    except IntegrityError:
        written, created = [], []
        for row in rows:
            fields = {field.attname: getattr(row, field.attname) for field in _ROW_FIELDS}
            email, was_created = OutboundEmail.objects.get_or_create(key=row.key, defaults=fields)
            written.append(email)
            if was_created:
                created.append(email.pk)
    if created:
        transaction.on_commit(lambda: _queue_sends(created))
    return {email.key: email for email in written}


_ROW_FIELDS = [
    OutboundEmail._meta.get_field(name)
    for name in (
        "purpose",
        "to_email",
        "subject",
        "body_text",
        "body_html",
        "sensitive",
        "attachments",
    )
]


def _attachment(item: dict) -> dict:
    """One attachment as the row keeps it; a missing part is a bug in the caller."""
    missing = {"filename", "content_type", "content"} - set(item)
    if missing:
        raise TypeError(f"An attachment needs {', '.join(sorted(missing))}")
    return {
        "filename": str(item["filename"]),
        "content_type": str(item["content_type"]),
        "content": str(item["content"]),
    }


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_in: float | None = None


def retry_delay(attempts: int) -> float:
    """Exponential backoff with full jitter (base, 2x base, 4x base ... spread at random), so
    rows that failed together do not all come back at once."""
    return random.uniform(0, settings.CMPP_EMAIL_RETRY_BASE * 2 ** (attempts - 1))  # noqa: S311


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={"Message-ID": email.message_id},
    )
    message.attach_alternative(email_html(email), "text/html")
    for item in email.attachments or []:
        message.attach(item["filename"], item["content"], item["content_type"])
    return message


def email_send(*, email_id: int) -> SendOutcome | None:
    """Send one pending row, and say what became of it (None: nothing to do).

    The one-row case of `emails_send`, on a connection of its own.
    """
    return emails_send([email_id]).get(email_id)


def emails_send(
    email_ids: list[int],
    *,
    connection: BaseEmailBackend | None = None,
    claim_until: float | None = None,
) -> dict[int, SendOutcome | None]:
    """Send pending rows one after another over one connection to the mail server, and say what
    became of each (None: nothing to do; not in the answer: not reached, still pending).

    Each row is claimed (status `sending`) and committed before the mail server is spoken to, so
    no second worker can take it; a row another worker holds, or already sent, is skipped. It is
    marked sent in its own commit as soon as the server has accepted the message, before the next
    row is claimed. A failure is recorded on its row (`_record_failure`) and the connection is
    dropped, so a broken connection costs one row an attempt and the next row opens a fresh one.

    `connection`: an open connection to use (the caller closes it; one that fails is closed here
    and replaced). None: one is opened at the first row to send and closed at the end.
    `claim_until` (a `time.monotonic()` value): claim no row after it (a task's time limit).

    The window that remains: a worker killed after the server accepted a message but before that
    commit (one reply on an open connection plus one UPDATE, about a millisecond) leaves the row
    `sending`, and the sweep sends it again after CMPP_EMAIL_CLAIM_TIMEOUT: one duplicate.
    It cannot be closed from this side. SMTP has no way to ask whether a message arrived, and
    marking the row sent before the server accepts would turn the same kill into a lost email,
    which is worse. So the window is kept to the shortest stretch the protocol allows, and the
    stable Message-ID lets a receiving system drop the copy. Sharing a connection adds nothing to
    it: every row before is already committed as sent, every row after not yet claimed.
    """
    outcomes: dict[int, SendOutcome | None] = {}
    # Read once for the batch: what a pending row says never changes until it is sent, and the
    # claim below takes only a row still pending.
    pending = {
        email.pk: email
        for email in OutboundEmail.objects.filter(
            pk__in=email_ids, status=OutboundEmail.Status.PENDING
        )
    }
    given = connection
    try:
        for email_id in email_ids:
            if claim_until is not None and time.monotonic() >= claim_until:
                break
            email = pending.get(email_id)
            if email is None or not _claim(email):
                outcomes[email_id] = None
                continue
            outcomes[email_id], connection = _send_row(email, connection)
    finally:
        if connection is not None and connection is not given:
            _close(connection)
    return outcomes


def _claim(email: OutboundEmail) -> bool:
    """Take the row to send it, in a commit of its own, if it is still pending and no other worker
    holds it (SELECT ... FOR UPDATE SKIP LOCKED, where the database has it); on success `email`
    carries its new attempts and claim time.

    One statement in its own transaction, not a SELECT then an UPDATE in an atomic block: the
    same rule in one round trip to the database instead of four, which was most of the time a
    row took to send.
    """
    db = transaction.get_connection()
    quote = db.ops.quote_name
    table = quote(OutboundEmail._meta.db_table)
    lock = " FOR UPDATE SKIP LOCKED" if db.features.has_select_for_update_skip_locked else ""
    now = timezone.now()
    stamp = db.ops.adapt_datetimefield_value(now)
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {quote('status')} = %s, "  # noqa: S608 - names from the model
            f"{quote('attempts')} = {quote('attempts')} + 1, "
            f"{quote('claimed_at')} = %s, {quote('updated_at')} = %s "
            f"WHERE {quote('id')} = (SELECT {quote('id')} FROM {table} "
            f"WHERE {quote('id')} = %s AND {quote('status')} = %s{lock}) "
            f"RETURNING {quote('attempts')}",
            [OutboundEmail.Status.SENDING, stamp, stamp, email.pk, OutboundEmail.Status.PENDING],
        )
        claimed = cursor.fetchone()
    if claimed is None:
        return False
    email.status = OutboundEmail.Status.SENDING
    email.attempts = claimed[0]
    email.claimed_at = email.updated_at = now
    return True


def _send_row(
    email: OutboundEmail, connection: BaseEmailBackend | None
) -> tuple[SendOutcome, BaseEmailBackend | None]:
    """Send and mark one claimed row; returns its outcome and the connection still fit to use."""
    try:
        if connection is None:
            connection = get_connection()
            connection.open()
        connection.send_messages([_message(email)])
        sent_at = timezone.now()
        removed = (
            {"body_text": OutboundEmail.SENT_BODY_REMOVED, "body_html": ""}
            if email.sensitive
            else {}
        )
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.SENT,
            sent_at=sent_at,
            last_error="",
            updated_at=sent_at,
            **removed,
        )
    except Exception as exc:  # noqa: BLE001 - every fault is recorded on the row for staff
        if connection is not None:
            _close(connection)
        return _record_failure(email, exc), None
    return SendOutcome(OutboundEmail.Status.SENT), connection


def _close(connection: BaseEmailBackend) -> None:
    """Close a connection whose rows are all recorded: a fault now changes nothing."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - the messages were accepted or recorded as failed
        logger.warning("Could not close the mail server connection", exc_info=True)


def _record_failure(email: OutboundEmail, exc: Exception) -> SendOutcome:
    """A failure before acceptance (the row is not yet marked sent): retry, or give up."""
    now = timezone.now()
    fields = {"last_error": describe_error(exc), "updated_at": now}
    if OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENT).exists():
        # Only closing the connection failed; the message was accepted and recorded.
        return SendOutcome(OutboundEmail.Status.SENT)
    if email.attempts >= MAX_ATTEMPTS:
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.FAILED, **fields
        )
        logger.error("Email %s failed after %s attempts: %s", email.pk, email.attempts, exc)
        return SendOutcome(OutboundEmail.Status.FAILED)
    delay = retry_delay(email.attempts)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.PENDING,
        next_attempt_at=now + timedelta(seconds=delay),
        **fields,
    )
    logger.warning(
        "Email %s not sent (attempt %s), retrying in %.0fs: %s",
        email.pk,
        email.attempts,
        delay,
        exc,
    )
    return SendOutcome(OutboundEmail.Status.PENDING, retry_in=delay)


def email_resend(*, email: OutboundEmail, acting_user) -> OutboundEmail:
    """Put a failed email back in the queue, with a fresh set of attempts, noting who did it."""
    if email.status != OutboundEmail.Status.FAILED:
        raise ValueError("Only a failed email can be resent.")
    now = timezone.now()
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        updated_at=now,
        resent_by=acting_user,
        resent_at=now,
    )
    transaction.on_commit(lambda: _queue_sends([email.pk]))
    email.refresh_from_db()
    return email


def email_sweep() -> int:
    """Queue again what nothing else will: rows pending past their time by CMPP_EMAIL_STALE_AFTER
    (the broker was down, or a scheduled retry was lost with its worker), and rows left `sending`
    longer than any worker may hold one (the worker was killed). Returns how many were queued."""
    now = timezone.now()
    abandoned = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.SENDING,
            claimed_at__lt=now - timedelta(seconds=settings.CMPP_EMAIL_CLAIM_TIMEOUT),
        ).values_list("pk", flat=True)
    )
    if abandoned:
        OutboundEmail.objects.filter(pk__in=abandoned, status=OutboundEmail.Status.SENDING).update(
            status=OutboundEmail.Status.PENDING,
            next_attempt_at=now,
            last_error=ABANDONED_ERROR,
            updated_at=now,
        )
        logger.warning("Reclaimed %s emails left sending by a stopped worker", len(abandoned))
    cutoff = now - timedelta(seconds=settings.CMPP_EMAIL_STALE_AFTER)
    ids = abandoned + list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, next_attempt_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    # Restart each row's clock, so a long queue is not queued again at every sweep.
    OutboundEmail.objects.filter(pk__in=ids, status=OutboundEmail.Status.PENDING).update(
        next_attempt_at=now
    )
    _queue_sends(ids)
    return len(ids)


ANONYMISED_EMAIL_TEXT = "Removed: the recipient's personal data was anonymised."


def _whole_name(name: str) -> re.Pattern:
    """The name where it stands alone: not inside a longer word (Ann Lee in Ann Leeson)."""
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def _emails_rename(*, names: set[str], replacement: str) -> int:
    """Replace each of `names`, where it stands as a whole name, by `replacement` in the emails
    that hold it: Ann Lee is replaced in "Ann Lee, Ann Leeson" but Ann Leeson is left, whoever is
    anonymised later. The HTML part has it as HTML escaped it too. Each name is looked for in
    every email of the outbox (measured in docs/benchmarks.md, "Anonymising a batch of
    learners"); the few emails that hold it are changed here. Returns how many were changed."""
    changed: dict[int, OutboundEmail] = {}
    plain, escaped = (lambda _: replacement), (lambda _: html_escape(replacement))
    for name in sorted(names, key=lambda name: (-len(name), name)):
        text, html = _whole_name(name), _whole_name(html_escape(name))
        # The text part always holds what the HTML part does: it alone is searched.
        holding = OutboundEmail.objects.filter(
            Q(body_text__contains=name) | Q(subject__contains=name)
        ).only("pk", "subject", "body_text", "body_html")
        for email in holding:
            email = changed.get(email.pk, email)
            renamed = (
                text.sub(plain, email.subject),
                text.sub(plain, email.body_text),
                html.sub(escaped, text.sub(plain, email.body_html)),
            )
            if renamed != (email.subject, email.body_text, email.body_html):
                email.subject, email.body_text, email.body_html = renamed
                changed[email.pk] = email
    now = timezone.now()
    for email in changed.values():
        email.updated_at = now
    OutboundEmail.objects.bulk_update(
        changed.values(), ["subject", "body_text", "body_html", "updated_at"], batch_size=500
    )
    return len(changed)


@transaction.atomic
def emails_anonymise(*, addresses, names=(), replacement: str = "") -> int:
    """Remove from the outbox what it holds about the people at these addresses. The portal
    writes to learners' and accounts' addresses, which are stored in lower case, so the lookup
    is exact and served by the index. An email sent stays as a line in the log (its purpose and
    when it went) with its recipient, subject, text and files removed; one not sent is deleted,
    so nothing is ever sent to them or resent by staff. Emails to other people that name them
    (an SRO's at-risk digest lists learners by full name) have each of `names` replaced by
    `replacement` in their subject and text. Returns how many rows were changed or deleted."""
    addresses = {address.strip().lower() for address in addresses if address}
    renamed = _emails_rename(
        names={name.strip() for name in names if name and name.strip()}, replacement=replacement
    )
    if not addresses:
        return renamed
    theirs = OutboundEmail.objects.filter(to_email__in=addresses)
    deleted, _ = theirs.exclude(status=OutboundEmail.Status.SENT).delete()
    scrubbed = theirs.filter(status=OutboundEmail.Status.SENT).update(
        # The key named the recipient; the row's id keeps it unique.
        key=Concat(Value("anonymised:"), Cast("pk", CharField())),
        to_email=Concat(Value("email-"), Cast("pk", CharField()), Value("@anonymised.invalid")),
        subject="Removed",
        body_text=ANONYMISED_EMAIL_TEXT,
        body_html="",
        attachments=[],
        last_error="",
        updated_at=timezone.now(),
    )
    return renamed + deleted + scrubbed
