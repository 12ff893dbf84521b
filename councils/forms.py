"""Forms for council pages. They parse input only; services make the changes."""

import re

from django import forms

from cmpp.accounts.models import User
from cmpp.accounts.selectors import managing_bodies
from cmpp.core.forms import GovukDateField, GovukForm, GovukTextField, max_length_of
from councils.models import Council

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
