"""Asking for a progress report."""

from django import forms
from django.db.models import QuerySet

from cmpp.accounts.selectors import managing_bodies
from cmpp.core.forms import GovukDateField, GovukForm
from councils.models import Council


class ReportRequestForm(GovukForm):
    """Staff and viewers choose a managing body or a council; an SRO's council is chosen for
    them (the form then has only the date)."""

    subject = forms.ChoiceField(
        label="What should the report cover?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a managing body or a council"},
    )
    council = forms.ModelChoiceField(
        queryset=Council.objects.none(),
        required=False,
        label="Council",
        empty_label="Choose a council",
    )
    as_at = GovukDateField(label="As at", noun="the date the report is as at", past_only=True)

    def __init__(self, *args, councils, whole_programme: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff get the councils' queryset; an SRO the list of the councils they lead.
        if not isinstance(councils, QuerySet):
            councils = Council.objects.filter(pk__in=[council.pk for council in councils])
        self.fields["council"].queryset = councils.order_by("name")
        if whole_programme:
            self.fields["subject"].choices = [
                *((f"body:{body.slug}", body.name) for body in managing_bodies()),
                ("council", "One council"),
            ]
        else:
            del self.fields["subject"]
            self.fields["council"].required = True
            self.fields["council"].error_messages["required"] = "Choose your council"
            if len(councils) == 1:
                self.fields["council"].initial = councils[0].pk
                self.fields["council"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        subject = cleaned.get("subject", "council")
        if subject == "council" and not cleaned.get("council") and not self.has_error("council"):
            self.add_error("council", "Choose a council")
        return cleaned

    def report_subject(self) -> dict:
        """The report's subject, as `report_request` takes it."""
        choice = self.cleaned_data.get("subject", "council")
        if choice.startswith("body:"):
            body = managing_bodies().get(slug=choice.removeprefix("body:"))
            return {"organisation": body}
        return {"council": self.cleaned_data["council"]}
