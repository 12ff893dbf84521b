"""Nominations: an SRO puts an officer forward; programme staff approve or decline."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cmpp.accounts.models import User
from cmpp.accounts.selectors import programme_staff_of
from cmpp.core.records import record_save
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from cohorts.models import AccreditationLevel
from councils.models import Council
from councils.selectors import council_managing_body
from learners.models import (
    Learner,
    Nomination,
)
from learners.selectors import learner_with_email
from learners.services.learners import learner_create


def nomination_create(
    *,
    council: Council,
    first_name: str,
    last_name: str,
    email: str,
    target_level: AccreditationLevel,
    job_title: str = "",
    acting_user: User,
) -> Nomination:
    """An SRO puts forward one of their officers. It is taken the same way whoever the email
    belongs to, so it tells the SRO nothing about other councils; nobody is emailed until staff
    approve. A day's nominations per SRO are capped (a setting), so the form is no bulk tool."""
    since = timezone.now() - timedelta(days=1)
    if (
        Nomination.objects.filter(nominated_by=acting_user, created_at__gte=since).count()
        >= settings.CMPP_NOMINATIONS_PER_DAY
    ):
        raise ValidationError(
            f"You can nominate up to {settings.CMPP_NOMINATIONS_PER_DAY} people a day. "
            "Try again tomorrow, or contact the programme team."
        )
    return record_save(
        Nomination(
            council=council,
            nominated_by=acting_user,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            job_title=job_title.strip(),
            target_level=target_level,
        ),
        acting_user=acting_user,
    )


def nominations_digest_queue(*, today: date | None = None) -> int:
    """Email each programme-staff member of a managing body one list of the day's nominations
    still waiting for approval from the councils it manages (once a day, by the beat at 17:00).
    Returns how many emails are queued; a member already sent that day's list is not sent it
    again."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    pending = (
        Nomination.objects.filter(
            status=Nomination.Status.PENDING,
            created_at__gte=start,
            created_at__lt=start + timedelta(days=1),
        )
        .select_related("council", "target_level")
        .order_by("council__name", "last_name", "first_name")
    )
    by_body = defaultdict(list)
    bodies = {}
    for nomination in pending:
        body = council_managing_body(nomination.council)
        if body is not None:
            bodies[body.pk] = body
            by_body[body.pk].append(nomination)
    # A member of two managing bodies gets one email listing both.
    by_member = defaultdict(list)
    members = {}
    contacts = {}
    for membership in programme_staff_of(list(by_body)):
        members[membership.user_id] = membership.user
        by_member[membership.user_id].extend(by_body[membership.organisation_id])
        contacts.setdefault(membership.user_id, bodies[membership.organisation_id].contact_email)
    for user_id, nominations in by_member.items():
        user = members[user_id]
        with transaction.atomic():
            email_queue(
                key=f"nominations_digest:{user_id}:{today.isoformat()}",
                purpose=OutboundEmail.Purpose.NOMINATIONS_DIGEST,
                to_email=user.email,
                template="notifications/email/nominations_digest",
                context={
                    "first_name": user.first_name or "colleague",
                    "day": today,
                    "nominations": nominations,
                    "site_url": settings.SITE_URL,
                    "contact_email": contacts[user_id],
                },
            )
    return len(by_member)


def _decide(nomination: Nomination, status: str, acting_user: User) -> Nomination:
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != Nomination.Status.PENDING:
        raise ValidationError("This nomination has already been decided.")
    nomination.status = status
    nomination.decided_by = acting_user
    nomination.decided_at = timezone.now()
    return nomination


@transaction.atomic
def nomination_approve(*, nomination: Nomination, acting_user: User) -> Learner:
    """Staff accept a nomination: it becomes an active learner, who is emailed an invitation.
    An email that is already a learner's is refused: staff decline it, or change that record."""
    nomination = _decide(nomination, Nomination.Status.APPROVED, acting_user)
    existing = learner_with_email(nomination.email)
    if existing is not None:
        raise ValidationError(
            f"{nomination.email} is already a learner at {existing.council.name}. "
            "Decline this nomination, or change that learner's record."
        )
    learner = learner_create(
        council=nomination.council,
        first_name=nomination.first_name,
        last_name=nomination.last_name,
        email=nomination.email,
        job_title=nomination.job_title,
        target_level=nomination.target_level,
        acting_user=acting_user,
    )
    nomination.learner = learner
    record_save(nomination, acting_user=acting_user)
    return learner


@transaction.atomic
def nomination_decline(*, nomination: Nomination, reason: str, acting_user: User) -> Nomination:
    """Staff do not take a nomination forward; the reason is for staff, the SRO sees only that."""
    if not reason.strip():
        raise ValidationError({"decision_note": "Enter why the nomination is not taken forward"})
    nomination = _decide(nomination, Nomination.Status.DECLINED, acting_user)
    nomination.decision_note = reason.strip()
    return record_save(nomination, acting_user=acting_user)
