"""Writes to the email outbox: queue an email once, send one row, sweep up rows left behind.

The clocks (settings, all in seconds) must stay in this order, so that a row a worker still holds
is never taken for abandoned: EMAIL_TIMEOUT (each SMTP step) < CMPP_EMAIL_TASK_TIME_LIMIT (the
send task is killed after this) < CMPP_EMAIL_CLAIM_TIMEOUT (a row left `sending` this long is
sent again).
"""

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import Context, engines
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 7
ABANDONED_ERROR = "The worker stopped while sending; sent again."

# After a failed publish, skip the broker for a while: one unreachable broker must not make a
# 500-row import wait 500 connection timeouts. The sweep queues whatever was skipped.
_broker_unavailable_until = 0.0
BROKER_BACKOFF_SECONDS = 30


def describe_error(exc: Exception) -> str:
    """The error as staff see it in the email log."""
    return f"{type(exc).__name__}: {exc}"[:2000]


def _queue_send(email_id: int) -> None:
    """Hand the row to Celery. If the broker is down the row stays pending for the sweep."""
    global _broker_unavailable_until
    # Imported here because tasks.py imports this module.
    from cmpp.notifications.tasks import email_send_task

    if time.monotonic() < _broker_unavailable_until:
        return
    try:
        email_send_task.delay(email_id)
    except Exception:  # noqa: BLE001 - any broker fault; the sweep re-queues the row
        _broker_unavailable_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("Could not queue email %s; the sweep will retry it", email_id, exc_info=True)


# Every email ends with this: who to ask (the `contact_email` in its context).
FOOTER_TEMPLATE = "notifications/email/footer.txt"


def _render(template: str, context: dict) -> tuple[str, str]:
    """Subject and plain-text body. The subject is the template's first line, rendered on its
    own so that a line break in anything it shows cannot push words into the body or headers."""
    source = get_template(f"{template}.txt").template.source
    subject_source, _, body_source = source.partition("\n")
    engine = engines["django"].engine
    subject = engine.from_string(subject_source).render(Context(context, autoescape=False))
    body = engine.from_string(body_source).render(Context(context, autoescape=False))
    footer = render_to_string(FOOTER_TEMPLATE, context)
    return " ".join(subject.split())[:200], body.strip() + "\n\n" + footer.strip() + "\n"


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
    `email_store`).
    """
    existing = OutboundEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    subject, body_text = _render(
        template,
        {
            "sign_in_url": settings.SITE_URL + reverse("account_login"),
            "site_url": settings.SITE_URL,
            **context,
            "contact_email": context.get("contact_email") or settings.CMPP_PROGRAMME_CONTACT_EMAIL,
        },
    )
    return email_store(
        key=key,
        purpose=purpose,
        to_email=to_email,
        subject=subject,
        body_text=body_text,
        body_html=render_to_string(
            "notifications/email/base.html", {"subject": subject, "body": body_text}
        ),
        sensitive=sensitive,
        attachments=attachments,
    )


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
    files = [_attachment(item) for item in attachments or []]
    email, created = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={
            "purpose": purpose,
            "to_email": to_email,
            "subject": " ".join(subject.split())[:200],
            "body_text": body_text,
            "body_html": body_html,
            "sensitive": sensitive,
            "attachments": files,
        },
    )
    if created:
        transaction.on_commit(lambda: _queue_send(email.pk))
    return email


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
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments or []:
        message.attach(item["filename"], item["content"], item["content_type"])
    return message


def email_send(*, email_id: int) -> SendOutcome | None:
    """Send one pending row, and say what became of it (None: nothing to do).

    The row is claimed (status `sending`) and committed before the mail server is spoken to, so
    no second worker can take it. It is marked sent in its own commit as soon as the server has
    accepted the message, before the connection is closed.

    The window that remains: a worker killed after the server accepted the message but before
    that commit (one reply on an open connection plus one UPDATE, about a millisecond) leaves the
    row `sending`, and the sweep sends it again after CMPP_EMAIL_CLAIM_TIMEOUT: one duplicate.
    It cannot be closed from this side. SMTP has no way to ask whether a message arrived, and
    marking the row sent before the server accepts would turn the same kill into a lost email,
    which is worse. So the window is kept to the shortest stretch the protocol allows, and the
    stable Message-ID lets a receiving system drop the copy.
    """
    now = timezone.now()
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return None
        email.status = OutboundEmail.Status.SENDING
        email.attempts += 1
        email.claimed_at = now
        email.save(update_fields=["status", "attempts", "claimed_at", "updated_at"])

    try:
        with get_connection() as connection:
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
        return _record_failure(email, exc)
    return SendOutcome(OutboundEmail.Status.SENT)


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
    transaction.on_commit(lambda: _queue_send(email.pk))
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
    for email_id in ids:
        _queue_send(email_id)
    return len(ids)
