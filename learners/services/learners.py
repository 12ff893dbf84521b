"""Writes to learner records: adding, changing, inviting and linking to an account, status."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from cmpp.accounts.models import Invitation, User
from cmpp.accounts.services import (
    InvitationRequest,
    invitations_send,
    user_needs_invitation,
    users_get_or_create,
)
from cmpp.core.records import record_apply, record_save
from cohorts.models import AccreditationLevel
from councils.models import Council
from councils.selectors import council_contact_emails
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
    relevelled = _learner_apply(learner, changes)
    record_save(learner, acting_user=acting_user)
    if relevelled:
        # Steps done count towards the target level: a new level counts its own.
        learner_refresh_progress(learner_ids=[learner.pk], loaded=[learner])
    return learner


@transaction.atomic
def learners_update(*, changes: list[tuple[Learner, dict]], acting_user: User | None) -> None:
    """`learner_update` for many learners at once (an import, whose checks stand in for the
    model's), each learner's changes written and recorded in their history in bulk."""
    if not changes:
        return
    fields = {"invitation", "updated_at"}
    relevelled = []
    now = timezone.now()
    for learner, change in changes:
        if _learner_apply(learner, change):
            relevelled.append(learner)
        learner.updated_at = now
        fields.update(change)
    bulk_update_with_history(
        [learner for learner, _ in changes],
        Learner,
        fields=sorted(fields),
        batch_size=1000,
        default_user=acting_user,
    )
    if relevelled:
        learner_refresh_progress(
            learner_ids=[learner.pk for learner in relevelled], loaded=relevelled
        )


def _learner_apply(learner: Learner, changes: dict) -> bool:
    """Set the changes on the learner (not saved); True if their target level changed."""
    old_email, old_level_id = learner.email, learner.target_level_id
    record_apply(learner, editable=LEARNER_EDITABLE_FIELDS, changes=changes)
    if learner.user_id is None and learner.email.strip().lower() != old_email.strip().lower():
        # The pending invitation went to the old address, so accepting it must no longer link
        # this record: staff send a new one to the new address.
        learner.invitation = None
    return learner.target_level_id != old_level_id


@transaction.atomic
def learner_invite(*, learner: Learner, acting_user: User | None) -> Invitation | None:
    """Email the learner a link that, once accepted, links this record to their account (a new
    link each time; earlier ones stop working).

    The record is never linked by matching its email to an account: the account only says where
    the link goes. Someone new sets a password through it; someone who already signs in (an SRO
    who is also a learner) is asked to sign in and confirm. A linked learner needs no link.
    """
    return learners_invite(learners=[learner], acting_user=acting_user).get(learner.email)


@transaction.atomic
def learners_invite(*, learners: list[Learner], acting_user: User | None) -> dict[str, Invitation]:
    """`learner_invite` for many learners at once (an import), in a few queries whatever their
    number; returns the invitations by email. A learner not yet saved gets its `invitation` set
    for the caller to save with it (so an import writes each learner once)."""
    learners = [learner for learner in learners if learner.user_id is None]
    if not learners:
        return {}
    accounts = users_get_or_create(
        people=[(learner.email, learner.first_name, learner.last_name) for learner in learners]
    )
    contacts = council_contact_emails(council_ids={learner.council_id for learner in learners})
    requests = []
    for learner in learners:
        account = accounts[learner.email.strip().lower()]
        requests.append(
            InvitationRequest(
                user=account,
                template="notifications/email/invitation"
                if user_needs_invitation(account)
                else "notifications/email/learner_added",
                context={
                    "first_name": learner.first_name,
                    "council_name": learner.council.name,
                    "level_name": learner.target_level.name,
                    "contact_email": contacts[learner.council_id],
                },
            )
        )
    by_user = {
        invitation.user_id: invitation
        for invitation in invitations_send(requests=requests, invited_by=acting_user)
    }
    for learner in learners:
        learner.invitation = by_user[accounts[learner.email.strip().lower()].pk]
        if learner.pk is not None:
            learner.save(update_fields=["invitation", "updated_at"])
    return {learner.email: learner.invitation for learner in learners}


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
