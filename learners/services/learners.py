"""Writes to learner records: adding, changing, inviting and linking to an account, status."""

from django.core.exceptions import ValidationError
from django.db import transaction

from cmpp.accounts.models import Invitation, User
from cmpp.accounts.services import invitation_send, user_get_or_create, user_needs_invitation
from cmpp.core.records import record_apply, record_save
from cohorts.models import AccreditationLevel
from councils.models import Council
from councils.selectors import council_contact_email
from learners.models import (
    Enrolment,
    Learner,
)
from learners.services.enrolments import enrolment_withdraw
from learners.services.progress import learner_refresh_progress


@transaction.atomic
def learner_create(
    *,
    council: Council,
    first_name: str,
    last_name: str,
    email: str,
    target_level: AccreditationLevel,
    job_title: str = "",
    grade: str = "",
    status: str = Learner.Status.ACTIVE,
    acting_user: User | None,
) -> Learner:
    """Add a learner. Unless they are only nominated, they are invited to the portal; the record
    is linked to an account only when they accept (see `learner_invite`)."""
    learner = record_save(
        Learner(
            council=council,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            target_level=target_level,
            job_title=job_title.strip(),
            grade=grade.strip(),
            status=status,
        ),
        acting_user=acting_user,
    )
    if status != Learner.Status.NOMINATED:
        learner_invite(learner=learner, acting_user=acting_user)
    return learner


LEARNER_EDITABLE_FIELDS = (
    "council",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "grade",
    "target_level",
)


@transaction.atomic
def learner_update(*, learner: Learner, acting_user: User | None, **changes) -> Learner:
    """Change a learner's details. Returns the learner; unknown field names are refused."""
    old_email, old_level_id = learner.email, learner.target_level_id
    record_apply(learner, editable=LEARNER_EDITABLE_FIELDS, changes=changes)
    if learner.user_id is None and learner.email.strip().lower() != old_email.strip().lower():
        # The pending invitation went to the old address, so accepting it must no longer link
        # this record: staff send a new one to the new address.
        learner.invitation = None
    record_save(learner, acting_user=acting_user)
    if learner.target_level_id != old_level_id:
        # Steps done count towards the target level: a new level counts its own.
        learner_refresh_progress(learner_ids=[learner.pk], loaded=[learner])
    return learner


@transaction.atomic
def learner_invite(*, learner: Learner, acting_user: User | None) -> Invitation | None:
    """Email the learner a link that, once accepted, links this record to their account (a new
    link each time; earlier ones stop working).

    The record is never linked by matching its email to an account: the account only says where
    the link goes. Someone new sets a password through it; someone who already signs in (an SRO
    who is also a learner) is asked to sign in and confirm. A linked learner needs no link.
    """
    if learner.user_id is not None:
        return None
    account = user_get_or_create(
        email=learner.email, first_name=learner.first_name, last_name=learner.last_name
    )
    context = {
        "first_name": learner.first_name,
        "council_name": learner.council.name,
        "level_name": learner.target_level.name,
        "contact_email": council_contact_email(learner.council),
    }
    invitation = invitation_send(
        user=account,
        invited_by=acting_user,
        template="notifications/email/invitation"
        if user_needs_invitation(account)
        else "notifications/email/learner_added",
        context=context,
    )
    learner.invitation = invitation
    learner.save(update_fields=["invitation", "updated_at"])
    return invitation


@transaction.atomic
def learner_link_account(*, user: User) -> Learner | None:
    """After `user` accepted an invitation, link the learner record waiting on one of their
    invitations. Every invitation of theirs went to their own address (users cannot change it),
    so accepting any of them proves they read it."""
    if Learner.objects.filter(user=user).exists():
        return None
    learner = (
        Learner.objects.select_for_update()
        .filter(user__isnull=True, invitation__user=user)
        .order_by("-invitation__created_at")
        .first()
    )
    if learner is None:
        return None
    learner.user = user
    return record_save(learner, acting_user=user, update_fields=["user", "updated_at"])


@transaction.atomic
def learner_invitation_resend(*, learner: Learner, acting_user: User | None) -> Invitation:
    """Staff send a learner a new link; the one in any earlier invitation stops working. Nobody
    who has withdrawn, or who already signs in, is sent one."""
    if learner.status == Learner.Status.WITHDRAWN:
        raise ValidationError(f"{learner.full_name} has withdrawn, so was not invited.")
    if learner.user_id:
        raise ValidationError(
            f"{learner.full_name} already signs in to the portal, so needs no invitation."
        )
    return learner_invite(learner=learner, acting_user=acting_user)


@transaction.atomic
def learner_set_status(
    *, learner: Learner, status: str, acting_user: User | None, reason: str = ""
) -> Learner:
    """Put a learner on hold, bring them back, or withdraw them (which ends their open
    enrolments and gives their places to the waiting list)."""
    allowed = {Learner.Status.ACTIVE, Learner.Status.ON_HOLD, Learner.Status.WITHDRAWN}
    if status not in allowed:
        raise ValidationError({"status": "Choose active, on hold or withdrawn"})
    if learner.status == Learner.Status.WITHDRAWN:
        raise ValidationError("This learner has withdrawn; add them again to bring them back")
    if status == Learner.Status.WITHDRAWN:
        if not reason.strip():
            raise ValidationError({"reason": "Enter why the learner is withdrawing"})
        for enrolment in learner.enrolments.filter(status__in=Enrolment.OPEN_STATUSES):
            enrolment_withdraw(
                enrolment=enrolment, reason=reason, acting_user=acting_user, notify=False
            )
    learner.status = status
    return record_save(learner, acting_user=acting_user, reason=reason)


@transaction.atomic
def learner_approve(*, learner: Learner, acting_user: User | None) -> Learner:
    """Staff accept a nomination: the learner becomes active and is invited to the portal."""
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    if learner.status != Learner.Status.NOMINATED:
        raise ValidationError("Only a nominated learner can be approved")
    learner.status = Learner.Status.ACTIVE
    record_save(learner, acting_user=acting_user)
    learner_invite(learner=learner, acting_user=acting_user)
    return learner
