"""Forms for cohort pages. They parse input only; services make the changes."""

from datetime import datetime

from django import forms
from django.utils import timezone

from cmpp.accounts.models import Organisation
from cmpp.core.forms import GovukDateField, GovukForm, GovukTextField, GovukTimeField, max_length_of
from cohorts.models import AccreditationLevel, Cohort, CohortSession, LevelStep


class CohortForm(GovukForm):
    name = GovukTextField(
        noun="Name",
        max_length=max_length_of(Cohort, "name"),
        error_messages={"required": "Enter the cohort's name"},
    )
    code = GovukTextField(
        noun="Code",
        max_length=max_length_of(Cohort, "code"),
        help_text="A short code that learner CSV files use, for example PRAC-2027-01",
        error_messages={"required": "Enter the cohort's code"},
    )
    level = forms.ModelChoiceField(
        queryset=AccreditationLevel.objects.order_by("order"),
        empty_label="Choose a level",
        error_messages={"required": "Choose the cohort's level"},
    )
    starts_on = GovukDateField(label="Start date", noun="the start date")
    ends_on = GovukDateField(label="End date", noun="the end date")
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        max_value=500,
        help_text="Learners past this number join the waiting list",
        error_messages={
            "required": "Enter the number of places",
            "invalid": "Places must be a whole number, like 24",
            "min_value": "A cohort needs at least 1 place",
            "max_value": "Places must be 500 or fewer",
        },
    )
    delivery_organisation = forms.ModelChoiceField(
        label="Delivered by",
        queryset=Organisation.objects.order_by("name"),
        empty_label="Choose who delivers it",
        error_messages={"required": "Choose who delivers the cohort"},
    )

    def __init__(self, *args, cohort: Cohort | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        others = Cohort.objects.filter(code__iexact=code)
        if self.cohort is not None:
            others = others.exclude(pk=self.cohort.pk)
        if others.exists():
            raise forms.ValidationError("Another cohort already has this code")
        return code

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        return cleaned


class SessionForm(GovukForm):
    title = GovukTextField(
        noun="Title",
        max_length=max_length_of(CohortSession, "title"),
        error_messages={"required": "Enter the session's title"},
    )
    step = forms.ModelChoiceField(
        label="Step it completes (optional)",
        queryset=LevelStep.objects.none(),
        required=False,
        empty_label="None",
        help_text="Learners marked present complete this step",
    )
    on = GovukDateField(label="Date", noun="the session's date")
    starts_at = GovukTimeField(label="Start time", noun="the start time")
    ends_at = GovukTimeField(label="End time", noun="the end time")
    location = GovukTextField(
        noun="Location",
        max_length=max_length_of(CohortSession, "location"),
        required=False,
        label="Where (optional)",
    )
    online_url = forms.URLField(
        label="Online link (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a link in the correct format, like https://…"},
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = (
            LevelStep.objects.select_related("level")
            .filter(level=cohort.level, kind=LevelStep.Kind.WORKSHOP, is_active=True)
            .order_by("order")
        )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end time must be after the start time")
        return cleaned

    def session_fields(self) -> dict:
        """The cleaned data as the session service takes it."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return {
            "title": data["title"],
            "step": data["step"],
            "starts_at": datetime.combine(data["on"], data["starts_at"], tzinfo=zone),
            "ends_at": datetime.combine(data["on"], data["ends_at"], tzinfo=zone),
            "location": data["location"],
            "online_url": data["online_url"],
        }

    @staticmethod
    def initial_for(session) -> dict:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "title": session.title,
            "step": session.step_id,
            "on": starts.date(),
            "starts_at": starts.time(),
            "ends_at": ends.time(),
            "location": session.location,
            "online_url": session.online_url,
        }


class LevelForm(GovukForm):
    """A level's details and its one renewal rule."""

    name = GovukTextField(
        noun="Name",
        max_length=max_length_of(AccreditationLevel, "name"),
        error_messages={"required": "Enter the level's name"},
    )
    description = GovukTextField(
        noun="Description",
        label="Description (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
    )
    is_funded = forms.BooleanField(
        label="The programme pays for learners' places at this level", required=False
    )
    renewal_months = forms.IntegerField(
        label="Months until re-accreditation",
        required=False,
        min_value=1,
        max_value=120,
        help_text="For a level its holders re-take, for example 24. Leave blank if they log CPD",
        error_messages={
            "invalid": "Months until re-accreditation must be a whole number, like 24",
            "min_value": "Months until re-accreditation must be 1 or more",
            "max_value": "Months until re-accreditation must be 120 or fewer",
        },
    )
    cpd_hours_per_year = forms.IntegerField(
        label="CPD hours a year",
        required=False,
        min_value=1,
        max_value=500,
        help_text="For a level its holders keep by logging CPD, for example 30. Leave blank if "
        "they re-take it",
        error_messages={
            "invalid": "CPD hours a year must be a whole number, like 30",
            "min_value": "CPD hours a year must be 1 or more",
            "max_value": "CPD hours a year must be 500 or fewer",
        },
    )

    def clean(self):
        cleaned = super().clean()
        if self.has_error("renewal_months") or self.has_error("cpd_hours_per_year"):
            return cleaned
        months, hours = cleaned.get("renewal_months"), cleaned.get("cpd_hours_per_year")
        if months is None and hours is None:
            self.add_error(
                "renewal_months", "Enter months until re-accreditation or CPD hours a year"
            )
        elif months is not None and hours is not None:
            self.add_error(
                "renewal_months",
                "Enter months until re-accreditation or CPD hours a year, not both",
            )
        return cleaned


class LevelStepForm(GovukForm):
    name = GovukTextField(
        noun="Name",
        max_length=max_length_of(LevelStep, "name"),
        error_messages={"required": "Enter the step's name"},
    )
    kind = forms.ChoiceField(
        label="Kind of step",
        choices=LevelStep.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of step"},
    )
    description = GovukTextField(
        noun="Description",
        label="Description (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
    )
    required_before_assessment = forms.BooleanField(
        label="Learners must do this step before a pass can be recorded", required=False
    )
