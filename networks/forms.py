"""Forms for running the networks: inviting a council, scheduling a meeting, its register."""

from datetime import datetime

from django import forms
from django.utils import timezone

from cmpp.core.forms import (
    GovukDateField,
    GovukForm,
    GovukTextField,
    GovukTimeField,
    max_length_of,
)
from networks.models import MeetingAttendance, NetworkMeeting


class Textarea(forms.Textarea):
    """A textarea that includes/form_fields.html draws as one: it tells a textarea by its
    `input_type` being None, which Django's own Textarea does not set."""

    input_type = None


class InviteCouncilForm(GovukForm):
    council = forms.ModelChoiceField(
        label="Council",
        queryset=None,
        empty_label="Choose a council",
        error_messages={"required": "Choose the council to invite"},
    )

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class MeetingForm(GovukForm):
    title = GovukTextField(
        noun="Title",
        max_length=max_length_of(NetworkMeeting, "title"),
        error_messages={"required": "Enter the meeting's title"},
    )
    on = GovukDateField(label="Date", noun="the meeting's date")
    starts_at = GovukTimeField(label="Start time", noun="the start time")
    ends_at = GovukTimeField(label="End time", noun="the end time")
    online_url = forms.URLField(
        label="Online link (optional)",
        required=False,
        assume_scheme="https",
        max_length=max_length_of(NetworkMeeting, "online_url"),
        error_messages={"invalid": "Enter a link in the correct format, like https://…"},
    )
    location = GovukTextField(
        noun="Place",
        max_length=max_length_of(NetworkMeeting, "location"),
        required=False,
        label="Or a place (optional)",
        help_text="The address, for a meeting in person",
    )
    agenda = GovukTextField(
        noun="Agenda",
        max_length=NetworkMeeting._meta.get_field("agenda").max_length,
        required=False,
        label="Agenda (optional)",
        widget=Textarea,
    )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end time must be after the start time")
        if (
            "online_url" not in self.errors
            and "location" not in self.errors
            and not cleaned.get("online_url")
            and not (cleaned.get("location") or "").strip()
        ):
            self.add_error("online_url", "Enter an online link or a place for the meeting")
        return cleaned

    def meeting_fields(self) -> dict:
        """The cleaned data as the meeting services take it, times in London time."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return {
            "title": data["title"],
            "starts_at": datetime.combine(data["on"], data["starts_at"], tzinfo=zone),
            "ends_at": datetime.combine(data["on"], data["ends_at"], tzinfo=zone),
            "location": data["location"],
            "online_url": data["online_url"],
            "agenda": data["agenda"],
        }

    @staticmethod
    def initial_for(meeting: NetworkMeeting) -> dict:
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        return {
            "title": meeting.title,
            "on": starts.date(),
            "starts_at": starts.time(),
            "ends_at": ends.time() if ends else None,
            "location": meeting.location,
            "online_url": meeting.online_url,
            "agenda": meeting.agenda,
        }


class RegisterForm(GovukForm):
    """A meeting's register: one choice per person on it, named `mark-<membership id>`, starting
    from the marks saved. "Mark everyone present" (`mark_all=present`) marks every row present
    and saves in that one POST."""

    MARK_ALL = "present"

    def __init__(self, data=None, *, members, marks=None, **kwargs):
        self.marked_all = bool(data) and data.get("mark_all") == self.MARK_ALL
        if self.marked_all:
            data = data.copy()
            for membership in members:
                data[f"mark-{membership.pk}"] = MeetingAttendance.Status.ATTENDED
        super().__init__(data, **kwargs)
        self.members = list(members)
        marks = marks or {}
        for membership in self.members:
            name = membership.user.get_full_name() or membership.user.email
            self.fields[f"mark-{membership.pk}"] = forms.ChoiceField(
                label=name,
                choices=MeetingAttendance.Status.choices,
                required=False,
                initial=marks.get(membership.pk),
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": f"Choose present, sent apologies or absent for {name}"
                },
            )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.values()):
            raise forms.ValidationError(
                "Mark at least one person present, sending apologies or absent"
            )
        return cleaned

    def marks(self) -> dict[int, str]:
        """Membership id to mark, for the rows marked (rows left blank stay as they were)."""
        return {
            membership.pk: self.cleaned_data[f"mark-{membership.pk}"]
            for membership in self.members
            if self.cleaned_data.get(f"mark-{membership.pk}")
        }

    def groups(self) -> list[tuple]:
        """(council, [(membership, bound field), ...]) by council, in the register's order."""
        groups: dict[int, tuple] = {}
        for membership in self.members:
            groups.setdefault(membership.council_id, (membership.council, []))[1].append(
                (membership, self[f"mark-{membership.pk}"])
            )
        return list(groups.values())
