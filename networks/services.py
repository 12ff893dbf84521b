"""Writes to the networks: councils invited, joining, declining and removed; their people as
members; meetings scheduled, changed and cancelled (each member emailed a calendar file once per
change); and meeting registers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cmpp.core.records import record_apply, record_save
from cmpp.core.templatetags.cmpp_tags import govuk_date, govuk_time_range
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from councils.models import Council, CouncilRole
from councils.selectors import council_contact_email, council_roles
from learners.models import Learner
from networks.calendar import ics_attachment, meeting_ics, organiser_email
from networks.models import (
    MeetingAttendance,
    Network,
    NetworkCouncil,
    NetworkMeeting,
    NetworkMembership,
)
from networks.selectors import meeting_recipients, meeting_register_open, register_members

Status = NetworkCouncil.Status

# Councils -------------------------------------------------------------------------------------


@transaction.atomic
def network_council_invite(*, network: Network, council: Council, acting_user) -> NetworkCouncil:
    """Invite a council to the network (again, if it declined or was removed) and email its
    SRO (its deputies when it has no SRO). A council invited or in the network is refused."""
    place = (
        NetworkCouncil.objects.select_for_update().filter(network=network, council=council).first()
    )
    if place is not None and place.status in (Status.INVITED, Status.JOINED):
        raise ValidationError(
            {"council": f"{council.name} is already {place.get_status_display().lower()}"}
        )
    today = timezone.localdate()
    place = place or NetworkCouncil(network=network, council=council)
    place.status = Status.INVITED
    place.invited_on = today
    place.invited_by = acting_user
    place.joined_on = place.declined_on = place.removed_on = None
    record_save(place, acting_user=acting_user, reason="Invited")
    _invitation_emails(place)
    return place


def _invitation_emails(place: NetworkCouncil) -> None:
    """The invitation to the council's SROs, once per invitation and person."""
    roles = [r for r in council_roles(council=place.council) if r.user.is_active]
    leaders = [r for r in roles if r.role == CouncilRole.Role.SRO] or roles
    contact = council_contact_email(place.council)
    for role in leaders:
        person = role.user
        email_queue(
            key=f"network_invitation:{place.pk}:{place.invited_on:%Y-%m-%d}:{person.pk}",
            purpose=OutboundEmail.Purpose.NETWORK_INVITATION,
            to_email=person.email,
            template="notifications/email/network_invitation",
            context={
                "first_name": person.first_name or "colleague",
                "council_name": place.council.name,
                "network_name": place.network.name,
                "network_description": place.network.description,
                "audience": _audience_words(place.network),
                "contact_email": contact,
            },
        )


def _audience_words(network: Network) -> str:
    if network.audience == Network.Audience.LEARNERS:
        return "its learners who sign in to the portal"
    return "its senior responsible owner and deputies"


def _place_for_update(place: NetworkCouncil) -> NetworkCouncil:
    return (
        NetworkCouncil.objects.select_for_update()
        .select_related("council", "network")
        .get(pk=place.pk)
    )


@transaction.atomic
def network_council_join(*, place: NetworkCouncil, acting_user) -> int:
    """Record that an invited council joined: its people become members today. Returns how
    many people joined."""
    place = _place_for_update(place)
    if place.status != Status.INVITED:
        raise ValidationError(
            f"{place.council.name} is {place.get_status_display().lower()}, not invited, "
            "so cannot join. Invite it first."
        )
    place.status = Status.JOINED
    place.joined_on = timezone.localdate()
    record_save(place, acting_user=acting_user, reason="Joined")
    return _members_join(network=place.network, council=place.council, user_ids=_people_of(place))


@transaction.atomic
def network_council_decline(*, place: NetworkCouncil, acting_user) -> NetworkCouncil:
    """Record that an invited council declined."""
    place = _place_for_update(place)
    if place.status != Status.INVITED:
        raise ValidationError(
            f"{place.council.name} is {place.get_status_display().lower()}, not invited, "
            "so cannot decline."
        )
    place.status = Status.DECLINED
    place.declined_on = timezone.localdate()
    return record_save(place, acting_user=acting_user, reason="Declined")


@transaction.atomic
def network_council_remove(*, place: NetworkCouncil, acting_user) -> int:
    """Remove an invited or joined council: its people's memberships end today (what they
    attended stays). Returns how many people left."""
    place = _place_for_update(place)
    if place.status not in (Status.INVITED, Status.JOINED):
        raise ValidationError(
            f"{place.council.name} is {place.get_status_display().lower()}, so cannot be removed."
        )
    place.status = Status.REMOVED
    place.removed_on = timezone.localdate()
    record_save(place, acting_user=acting_user, reason="Removed")
    return NetworkMembership.objects.filter(
        network=place.network, council=place.council, left_on__isnull=True
    ).update(left_on=place.removed_on, updated_at=timezone.now())


# Members --------------------------------------------------------------------------------------


def _people_of(place: NetworkCouncil) -> list[int]:
    """The accounts that belong in the network through this council: learners who sign in and
    have not withdrawn (Learners Network); its SRO and deputies (SRO Network)."""
    if place.network.audience == Network.Audience.LEARNERS:
        return list(
            Learner.objects.filter(council=place.council, user__isnull=False)
            .exclude(status=Learner.Status.WITHDRAWN)
            .values_list("user_id", flat=True)
        )
    return list(
        CouncilRole.objects.filter(council=place.council)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _members_join(*, network: Network, council: Council, user_ids: list[int]) -> int:
    """Make these people members through the council from today: a new membership, or one that
    had ended begun again; someone already a member (through another council) stays as they
    are. Returns how many joined."""
    today = timezone.localdate()
    existing = {
        m.user_id: m
        for m in NetworkMembership.objects.select_for_update().filter(
            network=network, user_id__in=set(user_ids)
        )
    }
    again = []
    new = []
    for user_id in dict.fromkeys(user_ids):
        membership = existing.get(user_id)
        if membership is None:
            new.append(
                NetworkMembership(
                    network=network, user_id=user_id, council=council, joined_on=today
                )
            )
        elif membership.left_on is not None:
            membership.council = council
            membership.joined_on = today
            membership.left_on = None
            again.append(membership)
    NetworkMembership.objects.bulk_create(new)
    now = timezone.now()
    for membership in again:
        membership.updated_at = now
    NetworkMembership.objects.bulk_update(again, ["council", "joined_on", "left_on", "updated_at"])
    return len(new) + len(again)


@transaction.atomic
def network_person_join(*, audience: str, council_id: int, user_id: int) -> int:
    """Someone who became one of a council's people (a learner who now signs in, a new SRO or
    deputy) joins the network of that audience if their council has joined it. Returns 1 if
    they joined, else 0."""
    place = (
        NetworkCouncil.objects.select_related("network", "council")
        .filter(network__audience=audience, council_id=council_id, status=Status.JOINED)
        .first()
    )
    if place is None:
        return 0
    return _members_join(network=place.network, council=place.council, user_ids=[user_id])


@transaction.atomic
def network_person_leave(*, audience: str, council_id: int, user_id: int) -> int:
    """Someone no longer one of a council's people (their last role there was removed) leaves
    the network of that audience they were in through it. Returns how many memberships ended."""
    return NetworkMembership.objects.filter(
        network__audience=audience, council_id=council_id, user_id=user_id, left_on__isnull=True
    ).update(left_on=timezone.localdate(), updated_at=timezone.now())


# Meetings -------------------------------------------------------------------------------------

MEETING_FIELDS = ("title", "starts_at", "ends_at", "location", "online_url", "agenda")
MOVING_FIELDS = ("starts_at", "ends_at")


def _check_meeting(meeting: NetworkMeeting) -> None:
    if meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise ValidationError({"ends_at": "The end time must be after the start time"})
    if not (meeting.location or meeting.online_url):
        raise ValidationError({"location": "Enter where the meeting is, or an online link"})


@transaction.atomic
def meeting_create(*, network: Network, fields: dict, acting_user) -> tuple[NetworkMeeting, int]:
    """Schedule a meeting and send each member an invitation with its calendar file (not for a
    meeting that has already started: that one is on record only). Returns the meeting and how
    many were emailed."""
    meeting = NetworkMeeting(network=network)
    record_apply(meeting, editable=MEETING_FIELDS, changes=fields)
    _check_meeting(meeting)
    record_save(meeting, acting_user=acting_user, reason="Scheduled")
    return meeting, _meeting_emails(meeting, kind="invitation")


@transaction.atomic
def meeting_update(*, meeting: NetworkMeeting, changes: dict, acting_user) -> tuple[bool, int]:
    """Change a meeting. If anything changed, its calendar event's sequence goes up and each
    member is emailed the updated calendar file once ("moved" when its times changed). The same
    change sent twice (a double click) changes nothing the second time. Returns whether it
    changed and how many were emailed."""
    meeting = (
        NetworkMeeting.objects.select_for_update().select_related("network").get(pk=meeting.pk)
    )
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled, so it cannot be changed")
    changed = {
        name
        for name, value in changes.items()
        if getattr(meeting, name) != (value.strip() if isinstance(value, str) else value)
    }
    if not changed:
        return False, 0
    record_apply(meeting, editable=MEETING_FIELDS, changes=changes)
    _check_meeting(meeting)
    meeting.sequence += 1
    moved = bool(changed & set(MOVING_FIELDS))
    record_save(meeting, acting_user=acting_user, reason="Moved" if moved else "Changed")
    return True, _meeting_emails(meeting, kind="moved" if moved else "changed")


@transaction.atomic
def meeting_cancel(*, meeting: NetworkMeeting, acting_user) -> int:
    """Cancel a meeting that has not started: its sequence goes up and each member is sent the
    cancellation (METHOD:CANCEL) once. Returns how many were emailed."""
    meeting = (
        NetworkMeeting.objects.select_for_update().select_related("network").get(pk=meeting.pk)
    )
    if meeting.is_cancelled:
        raise ValidationError(f"{meeting.title} was already cancelled")
    if meeting.starts_at <= timezone.now():
        raise ValidationError(f"{meeting.title} has already started, so cannot be cancelled")
    meeting.is_cancelled = True
    meeting.sequence += 1
    record_save(meeting, acting_user=acting_user, reason="Cancelled")
    return _meeting_emails(meeting, kind="cancelled")


MEETING_TEMPLATES = {
    "invitation": "notifications/email/network_meeting_invitation",
    "moved": "notifications/email/network_meeting_changed",
    "changed": "notifications/email/network_meeting_changed",
    "cancelled": "notifications/email/network_meeting_cancelled",
}


def _meeting_emails(meeting: NetworkMeeting, *, kind: str) -> int:
    """Email each active member about the meeting, with its calendar file, once per member and
    sequence (the key), so a retry sends nothing twice. Nothing for a meeting already begun,
    unless it is being cancelled. Returns how many emails were queued."""
    if kind != "cancelled" and meeting.starts_at <= timezone.now():
        return 0
    cancel = kind == "cancelled"
    when = (
        f"{govuk_date(meeting.starts_at, 'weekday')}, "
        f"{govuk_time_range(meeting.starts_at, meeting.ends_at)} (UK time)"
    )
    contacts: dict[int, str] = {}
    organiser = organiser_email()
    sent = 0
    for membership in meeting_recipients(meeting=meeting):
        person = membership.user
        if membership.council_id not in contacts:
            contacts[membership.council_id] = council_contact_email(membership.council)
        ics = meeting_ics(
            meeting, attendee_email=person.email, organiser_email=organiser, cancel=cancel
        )
        email_queue(
            key=f"meeting:{meeting.uid}:{meeting.sequence}:{person.pk}",
            purpose=OutboundEmail.Purpose.NETWORK_MEETING,
            to_email=person.email,
            template=MEETING_TEMPLATES[kind],
            context={
                "first_name": person.first_name or "colleague",
                "network_name": meeting.network.name,
                "title": meeting.title,
                "when": when,
                "location": meeting.location,
                "online_url": meeting.online_url,
                "agenda": meeting.agenda,
                "moved": kind == "moved",
                "contact_email": contacts[membership.council_id],
            },
            attachments=[ics_attachment(ics, cancel=cancel)],
        )
        sent += 1
    return sent


# Registers ------------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, meeting: NetworkMeeting, marks: dict[int, str], acting_user) -> int:
    """Save a meeting's register in one go: `marks` maps membership ids (people on the
    register) to a status. Refused before the meeting starts and for a cancelled meeting;
    people not on the register are refused. Returns how many were marked present.

    Marks carry no history of their own (the model keeps none), so they are written in bulk."""
    meeting = NetworkMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled, so it has no register")
    if not meeting_register_open(meeting):
        raise ValidationError(register_opens_message(meeting))
    on_register = {m.pk for m in register_members(meeting=meeting)}
    unknown = set(marks) - on_register
    if unknown:
        raise ValidationError("Someone marked is not on this meeting's register")
    if set(marks.values()) - set(MeetingAttendance.Status.values):
        raise ValidationError("Choose present, sent apologies or absent for each person")
    existing = {a.membership_id: a for a in meeting.attendance.select_for_update()}
    now = timezone.now()
    new, changed = [], []
    for membership_id, status in marks.items():
        mark = existing.get(membership_id)
        if mark is None:
            new.append(
                MeetingAttendance(meeting=meeting, membership_id=membership_id, status=status)
            )
        elif mark.status != status:
            mark.status = status
            mark.updated_at = now
            changed.append(mark)
    MeetingAttendance.objects.bulk_create(new)
    MeetingAttendance.objects.bulk_update(changed, ["status", "updated_at"])
    return sum(1 for status in marks.values() if status == MeetingAttendance.Status.ATTENDED)


def register_opens_message(meeting: NetworkMeeting) -> str:
    """Why the register cannot be taken yet, in words."""
    if meeting.is_cancelled:
        return "This meeting was cancelled, so it has no register"
    return (
        "The register opens when the meeting starts, on "
        f"{govuk_date(meeting.starts_at, 'weekday')} at {govuk_time_range(meeting.starts_at, None)}"
    )
