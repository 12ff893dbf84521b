"""Meetings: staff schedule, move and cancel them; each member gets a calendar file once per
change, and a retry or double click sends nothing twice."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_send
from networks.models import NetworkMeeting, NetworkMembership
from tests import factories
from tests.networks.factories import MeetingFactory, joined, learners_network, sro_network

pytestmark = pytest.mark.django_db


def form(day, *, start="10am", end="11:30am", **extra):
    return {
        "title": "Contract management clinic",
        "on_day": day.day,
        "on_month": day.month,
        "on_year": day.year,
        "starts_at": start,
        "ends_at": end,
        "online_url": "https://meet.example.gov.uk/clinic",
        "location": "",
        "agenda": "Supplier relationships",
        **extra,
    }


@pytest.fixture
def network(cast):
    """The SRO Network with councils A and B joined: SRO A and SRO B are members."""
    network = sro_network()
    joined(network, cast.council_a, users=[cast.sro_a])
    joined(network, cast.council_b, users=[cast.sro_b])
    return network


def meeting_emails():
    return OutboundEmail.objects.filter(purpose="network_meeting").order_by("to_email", "pk")


def calendar_of(email) -> icalendar.Calendar:
    """The email's calendar file, whose type names the same method as the file (Outlook reads
    the type to update or remove the event)."""
    (attachment,) = email.attachments
    calendar = icalendar.Calendar.from_ical(attachment["content"])
    assert attachment["content_type"] == f"text/calendar; method={calendar['METHOD']}"
    return calendar


def event_of(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_scheduling_a_meeting_invites_each_member_once_with_a_calendar_file(client, cast, network):
    client.force_login(cast.staff)
    day = timezone.localdate() + timedelta(days=30)
    response = client.post(f"/networks/{network.pk}/meetings/new/", form(day))
    assert response.status_code == 302
    meeting = NetworkMeeting.objects.get()
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (day, 10, 0)  # London time
    emails = list(meeting_emails())
    assert [e.to_email for e in emails] == ["sro@a.test", "sro@b.test"]
    calendar = calendar_of(emails[0])
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]).startswith(str(meeting.uid))
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == meeting.starts_at
    assert "Contract management clinic" in str(event["SUMMARY"])
    assert emails[0].subject.startswith("Invitation: Contract management clinic")


def test_moving_a_meeting_raises_its_sequence_and_emails_once(client, cast, network):
    client.force_login(cast.staff)
    day = timezone.localdate() + timedelta(days=30)
    client.post(f"/networks/{network.pk}/meetings/new/", form(day))
    meeting = NetworkMeeting.objects.get()
    url = f"/networks/{network.pk}/meetings/{meeting.pk}/edit/"
    moved = form(day + timedelta(days=1), start="2pm", end="3pm")
    assert client.post(url, moved).status_code == 302
    assert client.post(url, moved).status_code == 302  # a double click changes nothing more
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    changes = meeting_emails().filter(subject__startswith="Meeting moved")
    assert sorted(changes.values_list("to_email", flat=True)) == ["sro@a.test", "sro@b.test"]
    event = event_of(calendar_of(changes.first()))
    assert str(event["UID"]).startswith(str(meeting.uid)) and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == meeting.starts_at
    assert timezone.localtime(meeting.starts_at).hour == 14
    assert meeting_emails().count() == 4


def test_cancelling_sends_a_cancellation_once(client, cast, network):
    meeting = MeetingFactory(network=network)
    client.force_login(cast.staff)
    url = f"/networks/{network.pk}/meetings/{meeting.pk}/cancel/"
    assert "Are you sure" in client.get(url).text
    assert not NetworkMeeting.objects.get().is_cancelled
    client.post(url)
    client.post(url)  # again: already cancelled, nothing more is sent
    page = client.get(url, follow=True).text  # and opening it again asks nothing
    assert "has already been cancelled" in page and "Are you sure" not in page
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.sequence == 1
    emails = list(meeting_emails())
    assert len(emails) == 2
    calendar = calendar_of(emails[0])
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]).startswith(str(meeting.uid))


def test_the_calendar_file_goes_with_the_email_and_a_retry_sends_nothing_twice(
    client, cast, network, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/networks/{network.pk}/meetings/new/",
            form(timezone.localdate() + timedelta(days=3)),
        )
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    (attachment,) = message.attachments
    filename, content, content_type = attachment
    assert filename.endswith(".ics") and content_type.startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in content
    # The task run again for every row (a retry): nothing goes twice.
    for email in OutboundEmail.objects.all():
        assert email_send(email_id=email.pk) is None
    assert len(mail.outbox) == 2


def test_people_who_left_are_not_invited(client, cast, network):
    NetworkMembership.objects.filter(user=cast.sro_b).update(left_on=timezone.localdate())
    client.force_login(cast.staff)
    client.post(
        f"/networks/{network.pk}/meetings/new/", form(timezone.localdate() + timedelta(days=3))
    )
    assert list(meeting_emails().values_list("to_email", flat=True)) == ["sro@a.test"]


def test_a_meeting_needs_an_end_after_its_start_and_somewhere_to_be(client, cast, network):
    client.force_login(cast.staff)
    day = timezone.localdate() + timedelta(days=3)
    page = client.post(
        f"/networks/{network.pk}/meetings/new/",
        form(day, start="3pm", end="2pm", online_url="", location=""),
    )
    assert "The end time must be after the start time" in page.text
    assert "Enter an online link or a place for the meeting" in page.text
    assert not NetworkMeeting.objects.exists() and not meeting_emails().exists()


def test_meetings_are_found_only_through_their_own_network(client, cast, network):
    meeting = MeetingFactory(network=network)
    other = learners_network()
    client.force_login(cast.staff)
    for action in ("edit", "cancel", "register"):
        assert (
            client.get(f"/networks/{other.pk}/meetings/{meeting.pk}/{action}/").status_code == 404
        )
    # A learner cannot reach the SRO Network's meetings; someone with no role any network's.
    for user in (cast.learner_a_user, cast.nobody):
        client.force_login(user)
        for action in ("edit", "cancel", "register"):
            url = f"/networks/{network.pk}/meetings/{meeting.pk}/{action}/"
            assert client.get(url).status_code == 404
        assert client.get(f"/networks/{network.pk}/").status_code == 404
    # Members and viewers see it but cannot change it.
    for user in (cast.sro_a, cast.viewer):
        client.force_login(user)
        assert meeting.title in client.get(f"/networks/{network.pk}/").text
        assert (
            client.post(f"/networks/{network.pk}/meetings/{meeting.pk}/cancel/").status_code == 403
        )
    meeting.refresh_from_db()
    assert not meeting.is_cancelled


def test_a_learner_sees_the_learners_network_meetings(client, cast):
    network = learners_network()
    joined(network, cast.council_a, users=[cast.learner_a_user])
    meeting = MeetingFactory(network=network, title="Learners meet-up")
    factories.UserFactory()  # nobody else
    client.force_login(cast.learner_a_user)
    assert meeting.title in client.get(f"/networks/{network.pk}/").text


def test_the_email_log_names_the_calendar_file_an_invitation_carried(client, cast, network):
    client.force_login(cast.staff)
    client.post(
        f"/networks/{network.pk}/meetings/new/", form(timezone.localdate() + timedelta(days=9))
    )
    email = meeting_emails().first()
    (attachment,) = email.attachments
    page = client.get(f"/emails/{email.pk}/").text
    assert "Attached" in page and attachment["filename"] in page
