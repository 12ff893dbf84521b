"""Forms for council pages. They parse input only; services make the changes."""

import re

from django import forms

from cmpp.accounts.models import User
from cmpp.accounts.selectors import managing_bodies
from cmpp.core.forms import GovukDateField, GovukForm, GovukTextField, max_length_of
from councils.models import Council, MaturityAssessment, MaturityScore, SupportEngagement
from councils.selectors import maturity_areas, support_specialists

ONS_CODE = re.compile(r"^[EWSN]\d{8}$")


class CouncilEditForm(GovukForm):
    """A council's own details, as staff edit them."""

    name = GovukTextField(
        noun="Council name",
        label="Council name",
        max_length=max_length_of(Council, "name"),
        error_messages={"required": "Enter the council's name"},
    )
    council_type = forms.ChoiceField(
        label="Type of council",
        choices=[("", "Choose a type"), *Council.CouncilType.choices],
        error_messages={"required": "Choose the type of council"},
    )
    region = forms.ChoiceField(
        choices=[("", "Choose a region"), *Council.Region.choices],
        error_messages={"required": "Choose the council's region"},
    )
    nation = forms.ChoiceField(choices=Council.Nation.choices, initial=Council.Nation.ENGLAND)
    lga_priority = forms.BooleanField(
        label="One of the councils the LGA named in 2020 as most in need of support",
        required=False,
    )
    funded_places = forms.IntegerField(
        label="Funded training places",
        min_value=0,
        max_value=500,
        error_messages={
            "required": "Enter the number of funded training places",
            "invalid": "Funded training places must be a whole number, like 10",
            "min_value": "Funded training places cannot be less than 0",
            "max_value": "Funded training places must be 500 or fewer",
        },
    )


class CouncilOnboardForm(CouncilEditForm):
    """A new council: its details, code, managing body and date, and its SRO."""

    code = GovukTextField(
        noun="ONS code",
        label="ONS code",
        max_length=max_length_of(Council, "code"),
        help_text="The council's 9-character ONS code, for example E06000038",
        error_messages={"required": "Enter the council's ONS code"},
    )
    managing_body = forms.ModelChoiceField(
        queryset=managing_bodies(),
        empty_label="Choose who manages the council",
        error_messages={"required": "Choose the council's managing body"},
    )
    onboarded_on = GovukDateField(label="Date onboarded", noun="the date the council was onboarded")
    field_order = [
        "name",
        "code",
        "council_type",
        "region",
        "nation",
        "lga_priority",
        "managing_body",
        "funded_places",
        "onboarded_on",
    ]
    sro_first_name = GovukTextField(
        noun="SRO's first name",
        label="SRO's first name",
        max_length=max_length_of(User, "first_name"),
        error_messages={"required": "Enter the SRO's first name"},
    )
    sro_last_name = GovukTextField(
        noun="SRO's last name",
        label="SRO's last name",
        max_length=max_length_of(User, "last_name"),
        error_messages={"required": "Enter the SRO's last name"},
    )
    sro_email = forms.EmailField(
        label="SRO's email address",
        help_text="We email the SRO a welcome, and an invitation if they have no account yet.",
        error_messages={
            "required": "Enter the SRO's email address",
            "invalid": "Enter an email address in the correct format, like name@council.gov.uk",
        },
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not ONS_CODE.match(code):
            raise forms.ValidationError(
                "Enter an ONS code of a letter and 8 digits, like E06000038"
            )
        if Council.objects.filter(code=code).exists():
            raise forms.ValidationError("A council with this ONS code is already on the programme")
        return code


class HandOverForm(GovukForm):
    to_organisation = forms.ModelChoiceField(
        label="New managing body",
        queryset=managing_bodies(),
        empty_label="Choose who will manage the council",
        error_messages={"required": "Choose the new managing body"},
    )
    on = GovukDateField(label="From", noun="the date the new managing body takes over")

    def __init__(self, *args, current_start=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_start = current_start

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on and self.current_start and on <= self.current_start:
            raise forms.ValidationError(
                "The date must be after the current managing body took over, "
                f"on {self.current_start:%-d %B %Y}"
            )
        return on


class CouncilWithdrawForm(GovukForm):
    # The reason is kept as the history's change reason.
    reason = GovukTextField(
        noun="Reason",
        label="Why is the council leaving the programme?",
        max_length=max_length_of(Council.history.model, "history_change_reason"),
        error_messages={"required": "Enter why the council is leaving the programme"},
    )


class SupportForm(GovukForm):
    """An engagement of transformation support, as staff record it and keep it up to date."""

    title = GovukTextField(
        noun="Title",
        max_length=max_length_of(SupportEngagement, "title"),
        help_text="For example, Contract management plans for the highways contracts",
        error_messages={"required": "Enter a title for the support"},
    )
    specialist = forms.ModelChoiceField(
        queryset=support_specialists(),
        required=False,
        empty_label="No specialist yet",
        help_text="Local Partnerships' programme staff",
    )
    status = forms.ChoiceField(
        choices=SupportEngagement.Status.choices,
        initial=SupportEngagement.Status.PLANNED,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status of the support"},
    )
    starts_on = GovukDateField(label="Start date", noun="the start date")
    ends_on = GovukDateField(label="End date (optional)", noun="the end date", required=False)
    objectives = GovukTextField(
        noun="Objectives",
        widget=forms.Textarea,
        help_text="What the support sets out to achieve",
        error_messages={"required": "Enter the objectives of the support"},
    )
    notes = GovukTextField(
        noun="Notes",
        label="Notes (optional)",
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(SupportEngagement, "notes"),
    )
    outcomes = GovukTextField(
        noun="Outcomes",
        label="Outcomes (optional)",
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(SupportEngagement, "outcomes"),
        help_text="What changed at the council because of the support",
    )

    def __init__(self, *args, specialist=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A specialist chosen before, who has since left Local Partnerships, stays choosable.
        self.fields["specialist"].queryset = support_specialists(keep=specialist)
        self.fields["specialist"].label_from_instance = lambda user: (
            user.get_full_name() or user.email
        )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on",
                forms.ValidationError(
                    f"The end date must be the same as or after the start date, "
                    f"{starts_on:%-d %B %Y}"
                ),
            )
        return data


SCORE_CHOICES = [
    (1, "1: Not yet started"),
    (2, "2: Developing"),
    (3, "3: Established"),
    (4, "4: Embedded"),
    (5, "5: Leading"),
]


class MaturityForm(GovukForm):
    """A score from 1 to 5 and an optional comment for each maturity area. Saving a draft needs
    nothing; submitting (`submitting=True`) needs a score for every area."""

    def __init__(self, *args, areas=None, scores=None, submitting=False, **kwargs):
        areas = maturity_areas() if areas is None else areas
        scores = scores or {}
        initial = {}
        for area in areas:
            if area.pk in scores:
                initial[f"score_{area.pk}"] = str(scores[area.pk].score)
                initial[f"comment_{area.pk}"] = scores[area.pk].comment
        super().__init__(*args, initial=initial, **kwargs)
        self.areas = areas
        self.submitting = submitting
        for area in areas:
            self.fields[f"score_{area.pk}"] = forms.TypedChoiceField(
                label=area.name,
                choices=SCORE_CHOICES,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                help_text=area.description,
                error_messages={"invalid_choice": f"Select a score for {area.name}"},
            )
            self.fields[f"comment_{area.pk}"] = GovukTextField(
                noun=f"Comment on {area.name}",
                label=f"Comment on {area.name.lower()} (optional)",
                widget=forms.Textarea,
                required=False,
                max_length=max_length_of(MaturityScore, "comment"),
            )

    def rows(self):
        """Each area with its score and comment fields, in order, for the page."""
        return [
            {"area": area, "score": self[f"score_{area.pk}"], "comment": self[f"comment_{area.pk}"]}
            for area in self.areas
        ]

    def clean(self):
        data = super().clean()
        for area in self.areas:
            score_name = f"score_{area.pk}"
            if score_name in self.errors:
                continue
            score = data.get(score_name)
            if score in (None, "") and self.submitting:
                self.add_error(score_name, f"Select a score for {area.name}")
            elif score in (None, "") and data.get(f"comment_{area.pk}", "").strip():
                self.add_error(score_name, f"Select a score for {area.name} to keep your comment")
        return data

    def answers(self) -> dict[int, tuple[int | None, str]]:
        """{area id: (score or None, comment)}, for the service."""
        data = self.cleaned_data
        return {
            area.pk: (data.get(f"score_{area.pk}") or None, data.get(f"comment_{area.pk}", ""))
            for area in self.areas
        }


class MaturityReviewForm(GovukForm):
    """Staff accept a submitted assessment or return it with a note (needed to return it)."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("accept", "Accept"), ("return", "Return to the council with a note")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to accept or return the assessment"},
    )
    note = GovukTextField(
        noun="Note",
        label="Note for the council",
        widget=forms.Textarea,
        required=False,
        max_length=max_length_of(MaturityAssessment, "review_note"),
        help_text="Needed when you return it: say what the council should change",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("note", "").strip():
            self.add_error("note", "Enter why you are returning the assessment")
        return data
