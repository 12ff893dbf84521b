"""Writes to the email outbox: queue an email once, send one row, sweep up rows left behind."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)


def describe_error(exc: Exception) -> str:
    """The error as staff see it in the email log."""
    return f"{exc.__class__.__name__}: {exc}"[:2000]


def _queue_send(email_id: int) -> None:
    """Hand the row to Celery. If the broker is down the row stays pending for the sweep."""
    # Imported here because tasks.py imports this module.
    from cmpp.notifications.tasks import email_send_task

    try:
        email_send_task.delay(email_id)
    except Exception:  # noqa: BLE001 - any broker fault; the sweep re-queues the row
        logger.warning("Could not queue email %s; the sweep will retry it", email_id, exc_info=True)


def email_queue(
    *, key: str, purpose: str, to_email: str, template: str, context: dict
) -> OutboundEmail:
    """Write the email's row (once per key) and send it after the surrounding commit.

    `template` names a pair: `<template>.txt` (its first line is the subject) and `<template>.html`.
    """
    text = render_to_string(f"{template}.txt", context)
    subject, _, body_text = text.partition("\n")
    email, created = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={
            "purpose": purpose,
            "to_email": to_email,
            "subject": " ".join(subject.split())[:200],
            "body_text": body_text.strip() + "\n",
            "body_html": render_to_string(f"{template}.html", {**context, "subject": subject}),
        },
    )
    if created:
        transaction.on_commit(lambda: _queue_send(email.pk))
    return email


def email_send(*, email_id: int) -> OutboundEmail | None:
    """Send one pending row, at most once.

    The row is claimed (status sending) and committed before the mail server is spoken to, and
    marked sent in its own commit straight after the server accepts the message. Nothing resends
    a row left `sending`, so nothing goes twice: a worker killed between the server's acceptance
    and that commit (milliseconds) cannot cause a duplicate. The price is that a worker killed
    after the claim but before the server accepted leaves the row `sending` and unsent; reclaiming
    such rows safely is still to do (issue 3).
    """
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
        email.claimed_at = timezone.now()
        email.save(update_fields=["status", "attempts", "claimed_at", "updated_at"])

    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={"Message-ID": email.message_id},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except Exception as exc:
        # The server refused or could not be reached: nothing was accepted, so a retry is safe.
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.PENDING,
            last_error=describe_error(exc),
            updated_at=timezone.now(),
        )
        raise
    now = timezone.now()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=now, last_error="", updated_at=now
    )
    email.refresh_from_db()
    return email


def email_mark_failed(*, email_id: int, error: str) -> None:
    """Give up on a row after its retries, keeping the last error for staff to see."""
    OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.FAILED, last_error=error, updated_at=timezone.now()
    )


def email_resend(*, email: OutboundEmail) -> OutboundEmail:
    """Put a failed email back in the queue."""
    if email.status != OutboundEmail.Status.FAILED:
        raise ValueError("Only a failed email can be resent.")
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.PENDING, updated_at=timezone.now()
    )
    transaction.on_commit(lambda: _queue_send(email.pk))
    email.refresh_from_db()
    return email


def email_sweep() -> int:
    """Re-queue rows left pending for more than two minutes (for example, the broker was down)."""
    cutoff = timezone.now() - STALE_AFTER
    ids = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for email_id in ids:
        _queue_send(email_id)
    return len(ids)
