"""The Learners Network and SRO Network: members, meetings, attendance and shared resources."""

from django.conf import settings
from django.db import models
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


class NetworkMembership(TimeStampedModel):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships"
    )
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="network_memberships"
    )
    joined_on = models.DateField()

    class Meta:
        ordering = ["network", "council__name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="network_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.network}"


class NetworkMeeting(TimeStampedModel):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(db_index=True)
    location = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True)
    summary = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.title}, {self.starts_at:%d %B %Y}"


class MeetingAttendance(TimeStampedModel):
    class Status(models.TextChoices):
        ATTENDED = "attended", "Attended"
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
    """Best practice shared with a network: a guide, template or recording."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    url = models.URLField()
    description = models.TextField(blank=True)
    published_on = models.DateField(db_index=True)

    class Meta:
        ordering = ["-published_on"]

    def __str__(self):
        return self.title
