"""A meeting as a calendar file (iCalendar, RFC 5545/5546), so it lands in members' calendars.

The event keeps the meeting's `uid` for life; each change raises `sequence`, so a calendar
replaces the event it holds (METHOD:REQUEST) or removes it (METHOD:CANCEL)."""

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from networks.models import NetworkMeeting

PRODID = "-//CMPP portal//Networks//EN"
DEFAULT_LENGTH = timedelta(hours=1)


def meeting_uid(meeting: NetworkMeeting) -> str:
    return f"{meeting.uid}@cmpp.portal"


def meeting_ics(
    meeting: NetworkMeeting, *, attendee_email: str, organiser_email: str, cancel: bool = False
) -> str:
    """The meeting as one event for one attendee: METHOD:REQUEST to add or update it,
    METHOD:CANCEL with STATUS:CANCELLED to remove it. Times are in UTC, which every calendar
    reads the same way."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    starts = meeting.starts_at.astimezone(UTC)
    ends = (meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH).astimezone(UTC)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"{meeting.network.name}: {meeting.title}")
    where = meeting.online_url or meeting.location
    if where:
        event.add("location", where)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    description = "\n\n".join(part for part in (meeting.agenda, meeting.online_url) if part)
    if description:
        event.add("description", description)
    organiser = vCalAddress(f"mailto:{organiser_email}")
    organiser.params["cn"] = vText("CMPP programme team")
    event.add("organizer", organiser)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def ics_attachment(content: str, *, cancel: bool = False) -> dict:
    """The calendar file as the outbox attaches it."""
    return {
        "filename": "cancel.ics" if cancel else "invite.ics",
        # The method in the type is what lets Outlook update or remove the event it added.
        "content_type": f"text/calendar; method={'CANCEL' if cancel else 'REQUEST'}",
        "content": content,
    }


def organiser_email() -> str:
    return settings.CMPP_PROGRAMME_CONTACT_EMAIL
