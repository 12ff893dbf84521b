"""Writes to accounts: find or create a person's account, invite them, accept an invitation."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmpp.accounts.models import Invitation, User
from cmpp.accounts.signals import invitation_accepted
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue


class InvitationUnusable(Exception):
    """The link cannot be used; `reason` says why in words for the person holding it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_get_or_create(*, email: str, first_name: str = "", last_name: str = "") -> User:
    """The account for this email (whatever its case), created without a password if new."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
    return user


def user_needs_invitation(user: User) -> bool:
    """True until the person has set a password of their own."""
    return not user.has_usable_password()


@transaction.atomic
def invitation_send(
    *, user: User, invited_by: User | None, template: str, context: dict
) -> Invitation:
    """Revoke the person's open invitations, make a new one and queue its email.

    `template` names the email (see `email_queue`); its context gets `accept_url`, `expires_on`
    and `first_name` added. Each invitation is its own event, so its email's key names it.
    """
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=_hash(token),
        expires_at=now + timedelta(days=Invitation.VALID_FOR_DAYS),
        invited_by=invited_by,
    )
    accept_url = settings.SITE_URL + reverse("invitation_accept", args=[token])
    email_queue(
        key=f"invitation:{invitation.pk}",
        purpose=OutboundEmail.Purpose.INVITATION,
        sensitive=True,
        to_email=user.email,
        template=template,
        context={
            "first_name": user.first_name or "colleague",
            **context,
            "accept_url": accept_url,
            "expires_on": timezone.localtime(invitation.expires_at).date(),
        },
    )
    return invitation


def invitation_get_open(*, token: str) -> Invitation:
    """The open invitation this token belongs to, or InvitationUnusable saying why not."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=_hash(token)).first()
        if token
        else None
    )
    if invitation is None or not invitation.user.is_active:
        raise InvitationUnusable("This link is not valid. Check you copied the whole link.")
    if invitation.accepted_at is not None:
        raise InvitationUnusable(
            "This link has already been used. Sign in with the password you set."
        )
    if invitation.revoked_at is not None:
        raise InvitationUnusable(
            "A newer invitation has been sent to you. Use the link in the most recent email."
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable("This link has expired. Links work for 7 days.")
    return invitation


def _use_up(token: str) -> Invitation:
    invitation = invitation_get_open(token=token)
    # Lock the row so two submissions of the same link cannot both succeed.
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationUnusable(
            "This link has already been used. Sign in with the password you set."
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the person's password and use up the link. Raises ValidationError for a weak password."""
    invitation = _use_up(token)
    user = invitation.user
    if not user_needs_invitation(user):
        raise InvitationUnusable("You already have a password. Sign in, then open the link again.")
    validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_accept_signed_in(*, token: str, user: User) -> Invitation:
    """Someone who already signs in accepts a link sent to their address: the token proves they
    read that mailbox, the session proves the account is theirs, so both must be the same."""
    invitation = _use_up(token)
    if invitation.user_id != user.pk:
        raise InvitationUnusable(
            "This link was sent to a different account. Sign out, then sign in with the email "
            "address the invitation was sent to."
        )
    invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    return invitation
