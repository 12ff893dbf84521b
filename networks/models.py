"""The Learners Network and SRO Network: the councils invited to each and the people in them,
meetings with their registers, and the resources members share."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cmpp.core.models import TimeStampedModel
from councils.models import Council


class Network(TimeStampedModel):
    class Audience(models.TextChoices):
        LEARNERS = "learners", "Learners"
        SROS = "sros", "Senior responsible owners"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    audience = models.CharField(max_length=20, choices=Audience.choices, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class NetworkCouncil(TimeStampedModel):
    """A council's place in a network: invited by staff, then joined or declined; removed by
    staff. Its people are members while it has joined."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        JOINED = "joined", "Joined"
        DECLINED = "declined", "Declined"
        REMOVED = "removed", "Removed"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="councils")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="networks")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.INVITED, db_index=True
    )
    invited_on = models.DateField()
    joined_on = models.DateField(null=True, blank=True)
    declined_on = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["network", "council__name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "council"], name="network_council_unique"),
        ]

    def __str__(self):
        return f"{self.council} in {self.network}: {self.get_status_display()}"


class NetworkMembership(TimeStampedModel):
    """A person in a network, through their council: learners in the Learners Network, SROs and
    deputies in the SRO Network. `left_on` is set when their council leaves or they lose the
    role; their past attendance stays."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships"
    )
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="network_memberships"
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["network", "council__name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="network_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.network}"


class NetworkMeeting(TimeStampedModel):
    """A meeting of a network. `uid` and `sequence` make its calendar event: an update keeps the
    uid and raises the sequence, so a calendar replaces the event; cancelling removes it."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True)
    agenda = models.TextField(blank=True, max_length=5000)
    summary = models.TextField(blank=True)
    is_cancelled = models.BooleanField(default=False, db_index=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.title}, {self.starts_at:%d %B %Y}"


class MeetingAttendance(TimeStampedModel):
    class Status(models.TextChoices):
        ATTENDED = "attended", "Present"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(NetworkMeeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(
        NetworkMembership, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)

    class Meta:
        ordering = ["meeting", "membership"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"], name="meeting_attendance_unique"
            ),
        ]

    def __str__(self):
        return f"{self.membership.user} at {self.meeting}: {self.get_status_display()}"


class NetworkResource(TimeStampedModel):
    """Best practice shared with a network: a document (stored privately, served only to the
    network's members and staff) or a link."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to="networks/resources/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text="The name it was shared as.")
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(blank=True, max_length=2000)
    tags = models.CharField(max_length=200, blank=True, help_text="Separated by commas.")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_on = models.DateField(db_index=True)

    class Meta:
        ordering = ["-published_on"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="network_resource_file_or_link",
                violation_error_message="A resource is a file or a link.",
            ),
        ]

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    def __str__(self):
        return self.title
