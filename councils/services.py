"""Writes to councils. Every function is atomic and records who acted."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from cmpp.accounts.models import Organisation
from cmpp.accounts.services import invitation_send, user_get_or_create, user_needs_invitation
from cmpp.core.records import record_apply, record_save
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from councils.models import Council, CouncilRole, ManagingBodyPeriod


@transaction.atomic
def council_hand_over(
    *, council: Council, to_organisation: Organisation, on: date, acting_user
) -> ManagingBodyPeriod:
    """End the council's current managing-body period on `on` and open the next from that date."""
    current = (
        ManagingBodyPeriod.objects.select_for_update()
        .filter(council=council, ends_on__isnull=True)
        .first()
    )
    if current is not None:
        if current.organisation_id == to_organisation.pk:
            return current
        current.ends_on = on
        record_save(current, acting_user=acting_user, update_fields=["ends_on", "updated_at"])
    return record_save(
        ManagingBodyPeriod(council=council, organisation=to_organisation, starts_on=on),
        acting_user=acting_user,
    )


@transaction.atomic
def council_onboard(
    *,
    name: str,
    code: str,
    council_type: str,
    region: str,
    nation: str = Council.Nation.ENGLAND,
    lga_priority: bool = False,
    managing_body: Organisation,
    funded_places: int,
    onboarded_on: date,
    sro_first_name: str,
    sro_last_name: str,
    sro_email: str,
    acting_user,
) -> Council:
    """Add a council to the programme with its managing body and SRO, and welcome the SRO.

    An SRO with no account is also invited to set a password (a separate email, so the welcome
    can be forwarded without the link).
    """
    council = Council(
        name=name.strip(),
        code=code,
        council_type=council_type,
        region=region,
        nation=nation,
        lga_priority=lga_priority,
        status=Council.Status.ONBOARDED,
        onboarded_on=onboarded_on,
        funded_places=funded_places,
    )
    record_save(council, acting_user=acting_user)
    record_save(
        ManagingBodyPeriod(council=council, organisation=managing_body, starts_on=onboarded_on),
        acting_user=acting_user,
    )
    sro = user_get_or_create(email=sro_email, first_name=sro_first_name, last_name=sro_last_name)
    record_save(
        CouncilRole(council=council, user=sro, role=CouncilRole.Role.SRO), acting_user=acting_user
    )
    sro_welcome(council=council, sro=sro, managing_body=managing_body, acting_user=acting_user)
    return council


@transaction.atomic
def sro_welcome(*, council: Council, sro, managing_body: Organisation, acting_user) -> None:
    """Welcome the council's SRO (once), inviting them first if they cannot yet sign in."""
    invited = user_needs_invitation(sro)
    if invited:
        invitation_send(
            user=sro,
            invited_by=acting_user,
            template="notifications/email/sro_invitation",
            context={"council_name": council.name, "contact_email": managing_body.contact_email},
        )
    email_queue(
        key=f"sro_welcome:{council.pk}:{sro.pk}",
        purpose=OutboundEmail.Purpose.SRO_WELCOME,
        to_email=sro.email,
        template="notifications/email/sro_welcome",
        context={
            "first_name": sro.first_name or "colleague",
            "council_name": council.name,
            "managing_body": managing_body.name,
            "funded_places": council.funded_places,
            "invited": invited,
            "contact_email": managing_body.contact_email,
        },
    )


COUNCIL_EDITABLE_FIELDS = (
    "name",
    "council_type",
    "region",
    "nation",
    "lga_priority",
    "funded_places",
)


@transaction.atomic
def council_update(*, council: Council, acting_user, **changes) -> Council:
    record_apply(council, editable=COUNCIL_EDITABLE_FIELDS, changes=changes)
    return record_save(council, acting_user=acting_user)


@transaction.atomic
def council_withdraw(*, council: Council, reason: str, acting_user) -> Council:
    """The council leaves the programme. Its learners, history and managing body stay on record."""
    council = Council.objects.select_for_update().get(pk=council.pk)
    if council.status == Council.Status.WITHDRAWN:
        raise ValidationError("This council has already withdrawn")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the council is leaving the programme"})
    council.status = Council.Status.WITHDRAWN
    return record_save(
        council, acting_user=acting_user, reason=reason, update_fields=["status", "updated_at"]
    )
