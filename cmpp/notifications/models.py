"""The email outbox: one row per email, written in the same transaction as its cause."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cmpp.core.models import TimeStampedModel


class OutboundEmail(TimeStampedModel):
    """An email the portal owes someone. `key` makes the same event unable to queue it twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Purpose(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        LEARNER_ADDED = "learner_added", "Added to the programme"
        SRO_WELCOME = "sro_welcome", "SRO welcome"
        ENROLMENT = "enrolment", "Cohort place"
        WAITING_LIST = "waiting_list", "Waiting list place"
        WITHDRAWAL = "withdrawal", "Withdrawn from a cohort"
        NOMINATIONS_DIGEST = "nominations_digest", "Nominations to review"
        AT_RISK_DIGEST = "at_risk_digest", "Learners at risk"
        CONGRATULATION = "congratulation", "Congratulation"
        RENEWAL_REMINDER = "renewal_reminder", "Renewal reminder"
        CPD_REMINDER = "cpd_reminder", "CPD reminder"
        ACCOUNT = "account", "Password and sign-in"
        REPORT_READY = "report_ready", "Progress report ready"
        NETWORK_INVITATION = "network_invitation", "Network invitation"
        NETWORK_MEETING = "network_meeting", "Network meeting"
        MATURITY_SUBMITTED = "maturity_submitted", "Maturity assessment to review"
        MATURITY_REVIEWED = "maturity_reviewed", "Maturity assessment reviewed"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Recipient and purpose (and cohort or level where that applies).",
    )
    purpose = models.CharField(max_length=50, choices=Purpose.choices, db_index=True)
    to_email = models.EmailField(max_length=254, db_index=True)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    # Only an email written elsewhere in HTML (allauth's) keeps its HTML; the portal's own emails'
    # HTML is their text in the layout, drawn when sent (services.email_html).
    body_html = models.TextField(blank=True)
    # Files sent with the email, each {"filename", "content_type", "content"} with text content
    # (a meeting's calendar file): small, and kept so a retry sends exactly the same thing.
    attachments = models.JSONField(default=list, blank=True)
    sensitive = models.BooleanField(
        default=False,
        help_text="The body holds a sign-in link: it is removed once the email is sent.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="A pending row is due to be sent from this time."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took the row to send it."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # Who last put a failed email back in the queue, and when (the row's own record of it).
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The worker's queue: due rows of a status.
            models.Index(fields=["status", "next_attempt_at"]),
            # The email log, newest first (its order ends with the id, so pages are stable):
            # the first page reads 50 index entries, not the whole outbox sorted.
            models.Index(fields=["-created_at", "-id"], name="outbound_email_newest_idx"),
            # The log filtered by purpose, newest first, even for a purpose with few rows.
            models.Index(
                fields=["purpose", "-created_at", "-id"], name="outbound_email_purpose_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbound_email_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.purpose} to {self.to_email} ({self.get_status_display()})"

    SENT_BODY_REMOVED = "This email held a sign-in link, so its text was removed once it was sent."

    @property
    def message_id(self) -> str:
        """A stable Message-ID, so a resend after a crash can be recognised downstream."""
        return f"<cmpp-{self.pk}@cmpp.portal>"
