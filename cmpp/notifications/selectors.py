"""Reads of the outbox for the email log and the staff dashboard."""

from datetime import datetime

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from cmpp.notifications.models import OutboundEmail


def email_log(*, status: str = "", purpose: str = "", q: str = "") -> QuerySet[OutboundEmail]:
    """Emails newest first, filtered by status, purpose and recipient address."""
    emails = (
        OutboundEmail.objects.defer("body_text", "body_html", "attachments")
        .select_related("resent_by")
        .order_by("-created_at", "-pk")
    )
    if status:
        emails = emails.filter(status=status)
    if purpose:
        emails = emails.filter(purpose=purpose)
    if q:
        emails = emails.filter(to_email__icontains=q.strip())
    return emails


def email_counts() -> dict[str, int]:
    """How many emails are waiting to go (pending or being sent) and how many failed.

    Every staff home shows these, and nearly all of the outbox is sent: the WHERE reads only
    the rows counted (through the status index), where a FILTER would read every email."""
    by_status = dict(
        OutboundEmail.objects.filter(status__in=_COUNTED)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {
        "pending": by_status.get(OutboundEmail.Status.PENDING, 0)
        + by_status.get(OutboundEmail.Status.SENDING, 0),
        "failed": by_status.get(OutboundEmail.Status.FAILED, 0),
    }


_COUNTED = [
    OutboundEmail.Status.PENDING,
    OutboundEmail.Status.SENDING,
    OutboundEmail.Status.FAILED,
]


def email_oldest_waiting_since() -> datetime | None:
    """When the email waiting longest to go (pending or being sent) was queued, or last put back
    in the queue by staff; None when none is waiting. Few rows wait: the status index finds them."""
    return OutboundEmail.objects.filter(
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING]
    ).aggregate(since=Min(Coalesce("resent_at", "created_at")))["since"]


def email_get(*, pk: int) -> OutboundEmail:
    return get_object_or_404(OutboundEmail.objects.select_related("resent_by"), pk=pk)
