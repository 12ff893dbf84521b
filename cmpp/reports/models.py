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
    # Its own flag rather than "requested_by is empty": deleting a user empties requested_by on
    # the reports they asked for, which would turn them into scheduled reports (sending the ready
    # email on a retry, and clashing with the one-a-month constraint below).
    is_scheduled = models.BooleanField(
        default=False, help_text="Built by the monthly schedule, not asked for by a person."
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    data = models.FileField(
        upload_to="reports/%Y/%m/",
        blank=True,
        help_text="The figures in the report's tables, as CSV.",
    )
    pages = models.PositiveIntegerField(null=True, blank=True)
    bytes = models.PositiveIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The Celery worker (its node name, such as celery@web-1) building it: when that worker
    # starts again after being killed, it builds again what it left building.
    built_by = models.CharField(max_length=200, blank=True)
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
            # The monthly schedule builds one report per body and month however often it runs.
            models.UniqueConstraint(
                fields=["kind", "organisation", "as_at"],
                condition=Q(is_scheduled=True),
                name="progress_report_one_scheduled_per_subject_and_date",
                violation_error_message="The schedule has already built this report.",
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
        return f"{self._file_stem}.pdf"

    @property
    def data_name(self) -> str:
        """`cmpp-dluhc-2026-11-30.csv`: the figures beside the PDF of the same name."""
        return f"{self._file_stem}.csv"

    @property
    def _file_stem(self) -> str:
        subject = self.organisation.slug if self.organisation_id else self.council.code.lower()
        return f"cmpp-{subject}-{self.as_at.isoformat()}"
