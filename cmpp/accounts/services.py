"""Writes to accounts: find or create a person's account, invite them, accept an invitation."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from cmpp.accounts.models import Invitation, User
from cmpp.accounts.signals import invitation_accepted
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import EmailRequest, emails_queue


class InvitationUnusable(Exception):
    """The link cannot be used; `reason` says why in words for the person holding it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_get_or_create(*, email: str, first_name: str = "", last_name: str = "") -> User:
    """The account for this email (whatever its case), created without a password if new."""
    return users_get_or_create(people=[(email, first_name, last_name)])[_normal(email)]


def _normal(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def users_get_or_create(*, people: list[tuple[str, str, str]]) -> dict[str, User]:
    """The account of each (email, first name, last name), by lowered email: found in one query
    (addresses are stored lowered, so the unique index serves it) and the missing ones created
    together, without a password, in one more."""
    wanted = {}
    for email, first_name, last_name in people:
        wanted.setdefault(_normal(email), (first_name, last_name))
    found = {user.email: user for user in User.objects.filter(email__in=list(wanted))}
    new = []
    for email, (first_name, last_name) in wanted.items():
        if email not in found:
            # What set_unusable_password stores, from one read of the system's randomness
            # instead of one per character (it shows at thousands of accounts).
            password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
            new.append(
                User(email=email, first_name=first_name, last_name=last_name, password=password)
            )
    for user in User.objects.bulk_create(new, batch_size=1000):
        found[user.email] = user
    return found


def user_needs_invitation(user: User) -> bool:
    """True until the person has set a password of their own."""
    return not user.has_usable_password()


@dataclass(frozen=True)
class InvitationRequest:
    """An invitation to send: to whom, with which email template, and what the email says
    (see `invitations_send`)."""

    user: User
    template: str
    context: dict


@transaction.atomic
def invitation_send(
    *, user: User, invited_by: User | None, template: str, context: dict
) -> Invitation:
    """Revoke the person's open invitations, make a new one and queue its email.

    `template` names the email (see `email_queue`); its context gets `accept_url`, `expires_on`
    and `first_name` added. Each invitation is its own event, so its email's key names it.
    """
    request = InvitationRequest(user=user, template=template, context=context)
    return invitations_send(requests=[request], invited_by=invited_by)[0]


@transaction.atomic
def invitations_send(
    *, requests: list[InvitationRequest], invited_by: User | None
) -> list[Invitation]:
    """`invitation_send` for many people at once (a learner import), in a few queries whatever
    their number: their open invitations revoked in one, the new ones written in bulk and their
    emails queued together. One invitation per person: a person asked for twice gets one."""
    now = timezone.now()
    requests = list({request.user.pk: request for request in requests}.values())
    Invitation.objects.filter(
        user__in=[request.user.pk for request in requests],
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now, updated_at=now)
    tokens = [secrets.token_urlsafe(32) for _ in requests]
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                user=request.user,
                token_hash=_hash(token),
                expires_at=now + timedelta(days=Invitation.VALID_FOR_DAYS),
                invited_by=invited_by,
            )
            for request, token in zip(requests, tokens, strict=True)
        ],
        batch_size=1000,
    )
    expires_on = timezone.localtime(now + timedelta(days=Invitation.VALID_FOR_DAYS)).date()
    emails_queue(
        [
            EmailRequest(
                key=f"invitation:{invitation.pk}",
                purpose=OutboundEmail.Purpose.INVITATION,
                sensitive=True,
                to_email=request.user.email,
                template=request.template,
                context={
                    "first_name": request.user.first_name or "colleague",
                    **request.context,
                    "accept_url": settings.SITE_URL + reverse("invitation_accept", args=[token]),
                    "expires_on": expires_on,
                },
            )
            for request, token, invitation in zip(requests, tokens, invitations, strict=True)
        ]
    )
    return invitations


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


ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"


def users_in_other_roles(*, user_ids) -> set[int]:
    """Of these accounts, those still needed for something else: programme staff or viewers,
    a council's SRO or deputy (read through the reverse relation, as councils sit above), or
    anyone the Django admin lets in."""
    return set(
        User.objects.filter(pk__in=user_ids)
        .filter(
            models.Q(is_staff=True)
            | models.Q(is_superuser=True)
            | models.Q(staff_memberships__isnull=False)
            | models.Q(council_roles__isnull=False)
        )
        .values_list("pk", flat=True)
    )


@transaction.atomic
def users_anonymise(*, user_ids) -> int:
    """Remove the personal data of these accounts and close them: the address becomes
    user-<id>@anonymised.invalid (unique, and never delivered: .invalid is reserved), names are
    blanked, the password unusable; their authenticators, allauth addresses, open invitations
    and sessions go. The rows stay, so records that name who did something still point at one.
    Returns how many accounts were anonymised."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    user_ids = list(user_ids)
    if not user_ids:
        return 0
    now = timezone.now()
    count = User.objects.filter(pk__in=user_ids).update(
        email=Concat(
            Value("user-"), Cast("pk", models.CharField()), Value(f"@{ANONYMISED_EMAIL_DOMAIN}")
        ),
        first_name="",
        last_name="",
        is_active=False,
        # One unusable password for all: it can never match, and tells nothing.
        password=make_password(None),
    )
    Authenticator.objects.filter(user_id__in=user_ids).delete()
    EmailAddress.objects.filter(user_id__in=user_ids).delete()
    Invitation.objects.filter(
        user_id__in=user_ids, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now, updated_at=now)
    users_sessions_end(user_ids=user_ids)
    return count


def users_sessions_end(*, user_ids) -> int:
    """Sign these accounts out everywhere. Sessions are not indexed by user, so the live ones
    are read (few: a session lasts at most CMPP_SESSION_ABSOLUTE_SECONDS) and each of theirs is
    deleted through its store, which empties the cache copy too."""
    from django.contrib.sessions.models import Session

    engine = import_module(settings.SESSION_ENGINE)
    wanted = {str(pk) for pk in user_ids}
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") in wanted:
            engine.SessionStore(session.session_key).delete()
            ended += 1
    return ended
