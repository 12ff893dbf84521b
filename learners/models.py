"""Learners, their enrolments in cohorts, per-step progress, assessments, accreditations and CPD."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from cmpp.core.models import TimeStampedModel
from cohorts.models import AccreditationLevel, Cohort, CohortSession, LevelStep
from councils.models import Council


class ResultSource(models.TextChoices):
    PORTAL = "portal", "Recorded in the portal"
    ATTENDANCE = "attendance", "Attendance register"
    COLLEGE = "college", "Government Commercial College"
    IMPORT = "import", "Imported"


class Learner(TimeStampedModel):
    """A council officer on the programme. Email is their identity, whatever its case."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", "Nominated"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACCREDITED = "accredited", "Accredited"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learner",
        help_text="Set only when the person accepts an invitation sent for this record.",
    )
    # The account whose invitation, once accepted, links this record to it. Linking never
    # follows an email address: only the token proves the person reads this learner's mailbox.
    invitation = models.ForeignKey(
        "accounts.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The latest invitation sent to link this record to an account.",
    )
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="learners")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, db_index=True)
    email = models.EmailField(max_length=254)
    job_title = models.CharField(max_length=200, blank=True)
    grade = models.CharField(max_length=100, blank=True)
    target_level = models.ForeignKey(
        AccreditationLevel, on_delete=models.PROTECT, related_name="target_learners"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOMINATED, db_index=True
    )
    last_progress_on = models.DateField(
        null=True, blank=True, db_index=True, help_text="Date of the latest completed step."
    )
    steps_done = models.PositiveIntegerField(
        default=0,
        db_index=True,
        help_text="Active steps of the target level completed (learner_refresh_progress).",
    )
    # Set once, by learners_anonymise, when their personal data was removed; the record stays
    # so that the programme's figures do not change.
    anonymised_on = models.DateField(null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="learner_email_unique_ci",
                violation_error_message="A learner with this email address already exists.",
            ),
        ]
        # The list's orders, each ending in the name and id so a page is read from the index.
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(fields=["last_name", "first_name", "id"], name="learner_by_name"),
            models.Index(
                fields=["council", "last_name", "first_name", "id"], name="learner_council_by_name"
            ),
            models.Index(
                fields=["steps_done", "last_name", "first_name", "id"], name="learner_by_steps"
            ),
            models.Index(
                fields=["-steps_done", "last_name", "first_name", "id"],
                name="learner_by_steps_desc",
            ),
            models.Index(
                fields=["last_progress_on", "last_name", "first_name", "id"],
                name="learner_by_progress",
            ),
            models.Index(
                fields=["-last_progress_on", "last_name", "first_name", "id"],
                name="learner_by_progress_desc",
            ),
        ]

    def __str__(self):
        return self.full_name

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Enrolment(TimeStampedModel):
    """A learner's place in a cohort. One open enrolment per learner per level."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITING = "waiting", "Waiting list"
        DEFERRED = "deferred", "Deferred"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"

    OPEN_STATUSES = (Status.ENROLLED, Status.WAITING)

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    # Copied from the cohort so the database can hold the one-open-enrolment-per-level rule.
    level = models.ForeignKey(AccreditationLevel, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ENROLLED, db_index=True
    )
    enrolled_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why it was deferred or withdrawn."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["enrolled_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "level"],
                condition=Q(status__in=["enrolled", "waiting"]),
                name="enrolment_one_open_per_level",
                violation_error_message="This learner is already enrolled at this level.",
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status"])]

    def __str__(self):
        return f"{self.learner} in {self.cohort}"

    def clean(self):
        super().clean()
        if self.cohort_id and not self.level_id:
            self.level_id = self.cohort.level_id
        if self.cohort_id and self.level_id != self.cohort.level_id:
            raise ValidationError({"level": "The enrolment's level must be the cohort's level."})


class StepProgress(TimeStampedModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="step_progress")
    step = models.ForeignKey(LevelStep, on_delete=models.PROTECT, related_name="progress")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_STARTED, db_index=True
    )
    completed_on = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=20, choices=ResultSource.choices, default=ResultSource.PORTAL
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["step__order"]
        verbose_name_plural = "step progress"
        constraints = [
            models.UniqueConstraint(fields=["learner", "step"], name="step_progress_unique"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="step_progress_completed_has_date",
                violation_error_message="A completed step needs the date it was completed.",
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.step.name} ({self.get_status_display()})"


class AssessmentAttempt(TimeStampedModel):
    class Result(models.TextChoices):
        PENDING = "pending", "Pending"
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="assessments")
    level = models.ForeignKey(AccreditationLevel, on_delete=models.PROTECT, related_name="+")
    booked_for = models.DateField(db_index=True)
    result = models.CharField(
        max_length=10, choices=Result.choices, default=Result.PENDING, db_index=True
    )
    result_on = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=20, choices=ResultSource.choices, default=ResultSource.COLLEGE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["booked_for", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "level"],
                condition=Q(result="pending"),
                name="assessment_one_pending_per_level",
                violation_error_message=(
                    "This learner already has an assessment booked at this level."
                ),
            ),
            models.CheckConstraint(
                condition=Q(result="pending") | Q(result_on__isnull=False),
                name="assessment_result_has_date",
                violation_error_message="A result needs the date it was given.",
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.level} assessment on {self.booked_for}"


class Accreditation(TimeStampedModel):
    """An accreditation awarded by the Government Commercial College, as tracked here."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="accreditations")
    level = models.ForeignKey(
        AccreditationLevel, on_delete=models.PROTECT, related_name="accreditations"
    )
    achieved_on = models.DateField(db_index=True)
    renewal_due = models.DateField(null=True, blank=True, db_index=True)
    source = models.CharField(
        max_length=20, choices=ResultSource.choices, default=ResultSource.COLLEGE
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-achieved_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "level", "achieved_on"], name="accreditation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.level}, {self.achieved_on}"


class CpdEntry(TimeStampedModel):
    """Continuing professional development logged by a Practitioner or Expert holder."""

    REFLECTION_MAX_LENGTH = 5_000

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="cpd_entries")
    done_on = models.DateField(db_index=True)
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    activity = models.CharField(max_length=200)
    # A TextField's max_length reaches forms but not full_clean; the validator holds it on save.
    reflection = models.TextField(
        max_length=REFLECTION_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(REFLECTION_MAX_LENGTH)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-done_on", "-id"]
        verbose_name = "CPD entry"
        verbose_name_plural = "CPD entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="cpd_hours_in_a_day",
                violation_error_message="Hours must be more than 0 and no more than 24.",
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.activity} ({self.hours} hours)"


class SessionAttendance(TimeStampedModel):
    """Whether a learner came to one of their cohort's sessions."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        APOLOGIES = "apologies", "Apologies"

    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="attendance")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["session__starts_at"]
        verbose_name_plural = "session attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner"], name="session_attendance_unique"
            ),
        ]

    def __str__(self):
        return f"{self.learner} at {self.session}: {self.get_status_display()}"


class Nomination(TimeStampedModel):
    """An SRO puts an officer forward. Programme staff decide; only an approval makes a learner.

    A nomination is taken the same way whoever the email belongs to, so the SRO learns nothing
    about people at other councils; staff see any existing learner when they decide.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Not taken forward"

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="nominations")
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    job_title = models.CharField(max_length=200, blank=True)
    target_level = models.ForeignKey(AccreditationLevel, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(
        max_length=500, blank=True, help_text="Why it was not taken forward (staff only)."
    )
    learner = models.ForeignKey(
        Learner, on_delete=models.SET_NULL, null=True, blank=True, related_name="nominations"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(fields=["nominated_by", "created_at"]),
        ]

    def __str__(self):
        return f"Nomination of {self.full_name} ({self.council})"

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class LearnerImport(TimeStampedModel):
    """A learner CSV staff have checked, and once they confirm it, its import by a Celery job
    from the file stored here. The file is emptied when the job ends: the learners it added are
    the record from then on."""

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, waiting to be confirmed"
        QUEUED = "queued", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file = models.BinaryField(help_text="The checked CSV, until the import ends.")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.CHECKED, db_index=True
    )
    rows = models.PositiveIntegerField(default=0, help_text="Rows that add or change a learner.")
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    # The learners added and changed, by name, to list on the result page.
    added_ids = models.JSONField(default=list, blank=True)
    updated_ids = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # Wrong rows found when the job checked the file again: [[line, reason], ...].
    problems = models.JSONField(default=list, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Learner import {self.pk} ({self.get_status_display()})"

    @property
    def progress_key(self) -> str:
        """The cache key under which a running job keeps (rows written, rows in all)."""
        return f"learner-import:{self.pk}:progress"
