"""PDF progress reports: one row per report asked for, built by a Celery task into a file."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cmpp.core.models import TimeStampedModel


class ProgressReport(TimeStampedModel):
    """A programme report for a managing body, or a council's report, as at a date."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", "Programme report"
        COUNCIL = "council", "Council report"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    council = models.ForeignKey(
        "councils.Council", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    as_at = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    bytes = models.PositiveIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="programme", organisation__isnull=False, council__isnull=True)
                    | Q(kind="council", council__isnull=False, organisation__isnull=True)
                ),
                name="progress_report_has_one_subject",
                violation_error_message=(
                    "A programme report is for a managing body; a council report for a council."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject_name}, as at {self.as_at}"

    @property
    def subject_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.council.name

    @property
    def download_name(self) -> str:
        """`cmpp-dluhc-2026-11-30.pdf`, or the council's code for a council report."""
        subject = self.organisation.slug if self.organisation_id else self.council.code.lower()
        return f"cmpp-{subject}-{self.as_at.isoformat()}.pdf"
