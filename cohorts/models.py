"""Accreditation levels and their steps, cohorts of learners, and their scheduled sessions."""

from datetime import date

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from cmpp.accounts.models import Organisation
from cmpp.core.dates import add_months
from cmpp.core.models import TimeStampedModel


class AccreditationLevel(TimeStampedModel):
    """Foundation, Practitioner or Expert. Rules are data so staff can change them."""

    slug = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    description = models.TextField(blank=True)
    is_funded = models.BooleanField(
        default=False, help_text="The programme pays for learners' places at this level."
    )
    renewal_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Holders re-accredit after this many months."
    )
    cpd_hours_per_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Holders log this many CPD hours a year to stay accredited.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(renewal_months__isnull=False, cpd_hours_per_year__isnull=True)
                    | Q(renewal_months__isnull=True, cpd_hours_per_year__isnull=False)
                ),
                name="level_has_one_renewal_rule",
                violation_error_message=(
                    "Give one renewal rule: months until re-accreditation, or CPD hours a year."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def renewal_due(self, achieved_on: date) -> date:
        """The one rule for an accreditation's renewal date: when its holder must next act to
        keep it, by re-taking the level or by closing their first CPD year."""
        return add_months(achieved_on, self.renewal_months or 12)

    @property
    def renewal_rule(self) -> str:
        if self.renewal_months:
            years, months = divmod(self.renewal_months, 12)
            if months:
                return f"Re-accredit every {self.renewal_months} months"
            return f"Re-accredit every {years} year{'s' if years != 1 else ''}"
        return f"{self.cpd_hours_per_year} hours of CPD a year"


class LevelStep(TimeStampedModel):
    """One ordered step on the way to a level: a module, workshop, activity or assessment."""

    class Kind(models.TextChoices):
        MODULE = "module", "On-demand module"
        WORKSHOP = "workshop", "Instructor-led workshop"
        ACTIVITY = "activity", "Self-directed activity"
        PEER_LEARNING = "peer_learning", "Peer-learning group"
        ASSESSMENT_PREPARATION = "assessment_preparation", "Assessment preparation"
        ASSESSMENT = "assessment", "Assessment"

    level = models.ForeignKey(AccreditationLevel, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    description = models.TextField(blank=True)
    required_before_assessment = models.BooleanField(
        default=True,
        help_text="A learner must have done this step before a pass can be recorded.",
    )
    is_active = models.BooleanField(
        default=True,
        db_index=True,
        help_text="Retired steps stay on learners' records but are no longer part of the level.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["level__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["level", "order"], name="level_step_order_unique"),
        ]

    def __str__(self):
        return f"{self.level}: {self.name}"


class Cohort(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    level = models.ForeignKey(AccreditationLevel, on_delete=models.PROTECT, related_name="cohorts")
    starts_on = models.DateField(db_index=True)
    ends_on = models.DateField()
    capacity = models.PositiveIntegerField()
    delivery_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="delivered_cohorts"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="cohort_ends_after_start",
                violation_error_message="A cohort cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0),
                name="cohort_capacity_positive",
                violation_error_message="A cohort needs room for at least one learner.",
            ),
        ]

    def __str__(self):
        return self.title_of(self.name, self.code)

    @staticmethod
    def title_of(name: str, code: str) -> str:
        """How a cohort is named wherever it is listed, from its name and code alone."""
        return f"{name} ({code})"


class CohortSession(TimeStampedModel):
    """A scheduled workshop for a cohort, in a room or online."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    step = models.ForeignKey(
        LevelStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        help_text="The workshop step that attending this session completes.",
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True)
    is_cancelled = models.BooleanField(default=False, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="cohort_session_ends_after_start",
                violation_error_message="A session must end after it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.title}, {self.starts_at:%d %B %Y}"
