"""Councils on the programme, who manages them over time, their SROs, support and maturity."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from cmpp.accounts.models import Organisation
from cmpp.core.models import TimeStampedModel


class Council(TimeStampedModel):
    class CouncilType(models.TextChoices):
        COUNTY = "county", "County council"
        DISTRICT = "district", "District council"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN = "metropolitan", "Metropolitan borough"
        LONDON_BOROUGH = "london_borough", "London borough"
        COMBINED = "combined", "Combined authority"

    class Region(models.TextChoices):
        NORTH_EAST = "north_east", "North East"
        NORTH_WEST = "north_west", "North West"
        YORKSHIRE = "yorkshire", "Yorkshire and The Humber"
        EAST_MIDLANDS = "east_midlands", "East Midlands"
        WEST_MIDLANDS = "west_midlands", "West Midlands"
        EAST = "east", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south_east", "South East"
        SOUTH_WEST = "south_west", "South West"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"

    class Nation(models.TextChoices):
        ENGLAND = "england", "England"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        ONBOARDED = "onboarded", "Onboarded"
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    name = models.CharField(max_length=200, db_index=True)
    code = models.CharField(
        max_length=9, unique=True, help_text="ONS local authority code, for example E06000038."
    )
    council_type = models.CharField(max_length=20, choices=CouncilType.choices, db_index=True)
    region = models.CharField(max_length=20, choices=Region.choices, db_index=True)
    nation = models.CharField(
        max_length=20, choices=Nation.choices, default=Nation.ENGLAND, db_index=True
    )
    lga_priority = models.BooleanField(
        "LGA priority council",
        default=False,
        db_index=True,
        help_text="One of the councils the LGA named in 2020 as most in need of support.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    onboarded_on = models.DateField(null=True, blank=True, db_index=True)
    funded_places = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="applied") | Q(onboarded_on__isnull=False),
                name="council_onboarded_has_date",
                violation_error_message="An onboarded council needs the date it was onboarded.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.code = self.code.strip().upper()


class ManagingBodyPeriod(TimeStampedModel):
    """A dated spell in which one organisation manages a council. The open period is current."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="managing_body_periods"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="managed_council_periods",
        limit_choices_to={"can_manage_councils": True},
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty while the period is open.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["council", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["council"],
                condition=Q(ends_on__isnull=True),
                name="managing_body_one_open_period",
                violation_error_message="A council has only one current managing body.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="managing_body_period_ends_after_start",
                violation_error_message="A period cannot end before it starts.",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "ends_on"])]

    def __str__(self):
        return f"{self.organisation} manages {self.council} from {self.starts_on}"


class CouncilRole(TimeStampedModel):
    """A person's role at one council: senior responsible owner or deputy."""

    class Role(models.TextChoices):
        SRO = "sro", "Senior responsible owner"
        DEPUTY_SRO = "deputy_sro", "Deputy senior responsible owner"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="council_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["council", "role"]
        constraints = [
            models.UniqueConstraint(fields=["council", "user", "role"], name="council_role_unique"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.council})"


class SupportEngagement(TimeStampedModel):
    """Direct contract-management transformation support given to a council."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed early"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="support_engagements"
    )
    title = models.CharField(max_length=200)
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_engagements",
    )
    objectives = models.TextField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=5000)
    outcomes = models.TextField(blank=True, max_length=5000)
    history = HistoricalRecords()

    class Meta:
        ordering = ["council", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="support_ends_after_start",
                violation_error_message="Support cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.council})"


class MaturityArea(models.Model):
    """An area of contract-management maturity that councils score themselves on (1 to 5)."""

    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class MaturityAssessment(TimeStampedModel):
    """A council's self-assessment of its contract-management maturity: drafted and submitted
    by its SRO, then accepted by staff or returned with a note. Only accepted ones count."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        FOLLOW_UP = "follow_up", "Follow-up"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="maturity_assessments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    assessed_on = models.DateField(db_index=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(
        blank=True, max_length=2000, help_text="Why staff returned it, for the SRO."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["council", "assessed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["council"],
                condition=Q(kind="baseline"),
                name="maturity_one_baseline_per_council",
                violation_error_message="A council has only one baseline assessment.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} assessment, {self.council}, {self.assessed_on}"


class MaturityScore(models.Model):
    assessment = models.ForeignKey(
        MaturityAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    area = models.ForeignKey(MaturityArea, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["assessment", "area__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="maturity_score_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5),
                name="maturity_score_1_to_5",
                violation_error_message="A maturity score is from 1 to 5.",
            ),
        ]

    def __str__(self):
        return f"{self.area}: {self.score}"
