"""Forms for learner pages. They parse input only; services make the changes."""

from django import forms

from cohorts.models import AccreditationLevel
from councils.models import Council
from learners.models import Learner


class LearnerForm(forms.Form):
    council = forms.ModelChoiceField(
        queryset=Council.objects.order_by("name"),
        empty_label="Choose the learner's council",
        error_messages={"required": "Choose the learner's council"},
    )
    first_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the learner's first name"}
    )
    last_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter the learner's last name"}
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We email the learner an invitation to set a password and sign in.",
        error_messages={
            "required": "Enter the learner's email address",
            "invalid": "Enter an email address in the correct format, like name@council.gov.uk",
        },
    )
    job_title = forms.CharField(max_length=200, required=False)
    grade = forms.CharField(max_length=100, required=False)
    target_level = forms.ModelChoiceField(
        label="Level they are working towards",
        queryset=AccreditationLevel.objects.order_by("order"),
        empty_label="Choose a level",
        error_messages={"required": "Choose the level the learner is working towards"},
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Learner.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A learner with this email address is already registered")
        return email
