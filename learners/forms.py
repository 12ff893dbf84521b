"""Forms for learner pages. They parse input only; services make the changes."""

from decimal import Decimal

from django import forms
from django.db.models.functions import Lower

from cmpp.core.csv import FILE_EMPTY
from cmpp.core.forms import GovukDateField, GovukForm, GovukTextField, max_length_of
from cohorts.models import AccreditationLevel
from councils.models import Council
from learners.models import CpdEntry, Enrolment, Learner, Nomination, SessionAttendance


class LearnerForm(GovukForm):
    council = forms.ModelChoiceField(
        queryset=Council.objects.exclude(status=Council.Status.WITHDRAWN).order_by("name"),
        empty_label="Choose a council",
        error_messages={"required": "Choose the learner's council"},
    )
    first_name = GovukTextField(
        noun="First name",
        max_length=max_length_of(Learner, "first_name"),
        error_messages={"required": "Enter the learner's first name"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    last_name = GovukTextField(
        noun="Last name",
        max_length=max_length_of(Learner, "last_name"),
        error_messages={"required": "Enter the learner's last name"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email. The invitation to the portal is sent here.",
        error_messages={
            "required": "Enter the learner's email address",
            "invalid": "Enter an email address in the correct format, like name@council.gov.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    job_title = GovukTextField(
        noun="Job title",
        max_length=max_length_of(Learner, "job_title"),
        required=False,
        label="Job title (optional)",
    )
    grade = GovukTextField(
        noun="Grade",
        max_length=max_length_of(Learner, "grade"),
        required=False,
        label="Grade (optional)",
    )
    target_level = forms.ModelChoiceField(
        queryset=AccreditationLevel.objects.order_by("order"),
        empty_label="Choose a level",
        label="Accreditation level they are working towards",
        error_messages={"required": "Choose the level the learner is working towards"},
    )

    def __init__(self, *args, learner: Learner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.learner = learner

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        # Lower(email) is what the unique index holds, so the index serves the lookup.
        others = Learner.objects.alias(email_ci=Lower("email")).filter(email_ci=email)
        if self.learner is not None:
            others = others.exclude(pk=self.learner.pk)
        if others.exists():
            raise forms.ValidationError("A learner with this email address is already registered")
        return email


class LearnerImportForm(GovukForm):
    file = forms.FileField(
        label="Upload a CSV file",
        error_messages={"required": "Select a CSV file", "empty": FILE_EMPTY},
    )


class LearnerChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes of learners; the view narrows the queryset to those the action may take."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.full_name}, {obj.council.name}"


class EnrolForm(GovukForm):
    learners = LearnerChoiceField(
        queryset=Learner.objects.none(),
        error_messages={"required": "Select at least one learner to enrol"},
    )

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learners"].queryset = eligible


class CouncilEnrolForm(GovukForm):
    council = forms.ModelChoiceField(
        queryset=Council.objects.order_by("name"),
        empty_label="Choose a council",
        error_messages={"required": "Choose the council whose learners to enrol"},
    )


class ReasonForm(GovukForm):
    reason = GovukTextField(
        noun="Reason",
        max_length=max_length_of(Enrolment, "reason"),
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args, label="Reason", required_message="Enter the reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message


class LearnerStatusForm(GovukForm):
    status = forms.ChoiceField(
        label="What is the learner's status now?",
        widget=forms.RadioSelect,
        choices=[
            (Learner.Status.ACTIVE, "Active"),
            (Learner.Status.ON_HOLD, "On hold"),
            (Learner.Status.WITHDRAWN, "Withdrawn from the programme"),
        ],
        error_messages={"required": "Choose the learner's status"},
    )
    reason = GovukTextField(
        noun="Reason",
        label="Reason",
        required=False,
        max_length=max_length_of(Enrolment, "reason"),
        widget=forms.Textarea,
        help_text="Needed for a withdrawal. Their places in cohorts go to the waiting lists.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Learner.Status.WITHDRAWN and not cleaned.get("reason"):
            self.add_error("reason", "Enter why the learner is withdrawing")
        return cleaned


class LearnerStepForm(GovukForm):
    step = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose a step",
        error_messages={"required": "Choose the step the learner completed"},
    )
    on = GovukDateField(
        label="Date completed", noun="the date the step was completed", past_only=True
    )

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = steps


class StepsForm(LearnerStepForm):
    """The same step, done by several learners from a cohort's roster: those ticked, or
    everyone on the roster at once."""

    everyone = forms.BooleanField(required=False, label="Everyone on the roster")
    learners = LearnerChoiceField(
        queryset=Learner.objects.none(),
        required=False,
        label="Or choose learners",
    )

    def __init__(self, *args, learners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learners"].queryset = learners

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("everyone"):
            cleaned["learners"] = list(self.fields["learners"].queryset)
        elif "learners" in cleaned and not cleaned["learners"]:
            self.add_error("learners", "Select at least one learner, or everyone on the roster")
        return cleaned


class AssessmentBookForm(GovukForm):
    level = forms.ModelChoiceField(
        queryset=AccreditationLevel.objects.order_by("order"),
        empty_label="Choose a level",
        error_messages={"required": "Choose the assessment's level"},
    )
    booked_for = GovukDateField(label="Assessment date", noun="the assessment date")


# simple-history keeps 100 characters of a reason; the prefix the service adds takes the rest.
RESULT_REASON_MAX_LENGTH = 60


class AssessmentResultForm(GovukForm):
    result = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[("pass", "Pass"), ("fail", "Fail")],
        error_messages={"required": "Choose pass or fail"},
    )
    result_on = GovukDateField(
        label="Date of the result", noun="the date of the result", past_only=True
    )
    override = forms.BooleanField(
        label="Record the pass without every step done",
        required=False,
        help_text="Only if the College passed them without a step the programme asks for",
    )
    override_reason = GovukTextField(
        noun="Reason",
        label="Why is the pass recorded without every step done?",
        required=False,
        max_length=RESULT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("override") and not cleaned.get("override_reason"):
            self.add_error(
                "override_reason", "Enter why the pass is recorded without every step done"
            )
        if not cleaned.get("override"):
            cleaned["override_reason"] = ""
        return cleaned


class AssessmentCorrectForm(GovukForm):
    result = forms.ChoiceField(
        label="What is the correct result?",
        widget=forms.RadioSelect,
        choices=[("pass", "Pass"), ("fail", "Fail")],
        error_messages={"required": "Choose pass or fail"},
    )
    result_on = GovukDateField(
        label="Date of the result", noun="the date of the result", past_only=True
    )
    reason = GovukTextField(
        noun="Reason",
        label="Why is the result being corrected?",
        max_length=RESULT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why the result is being corrected"},
    )
    override = forms.BooleanField(
        label="Record the pass without every step done",
        required=False,
        help_text="The reason above is kept as the reason for this too",
    )


class AttendanceForm(GovukForm):
    """A session's register: one choice (present, absent, apologies) per learner with a place,
    named `mark-<learner id>`, starting from the marks already saved. "Mark everyone present"
    (`mark_all=present` in the data) fills every row with present; the form is then shown
    again, unsaved, so staff can change anyone who was not there before saving."""

    MARK_ALL = "present"

    def __init__(self, data=None, *, learners, marks=None, **kwargs):
        self.marked_all = bool(data) and data.get("mark_all") == self.MARK_ALL
        if self.marked_all:
            data = data.copy()
            for learner in learners:
                data[f"mark-{learner.pk}"] = SessionAttendance.Status.PRESENT
        super().__init__(data, **kwargs)
        self.learners = list(learners)
        marks = marks or {}
        for learner in self.learners:
            self.fields[f"mark-{learner.pk}"] = forms.ChoiceField(
                label=f"{learner.full_name}, {learner.council.name}",
                choices=SessionAttendance.Status.choices,
                required=False,
                initial=marks.get(learner.pk),
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": (
                        f"Choose present, absent or apologies for {learner.full_name}"
                    )
                },
            )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.values()):
            raise forms.ValidationError(
                "Mark at least one learner present, absent or sending apologies"
            )
        return cleaned

    def marks(self) -> dict:
        """The learners marked, with their mark (rows left blank are left as they were)."""
        return {
            learner: self.cleaned_data[f"mark-{learner.pk}"]
            for learner in self.learners
            if self.cleaned_data.get(f"mark-{learner.pk}")
        }

    def rows(self):
        return [(learner, self[f"mark-{learner.pk}"]) for learner in self.learners]


class EnrolmentMoveForm(GovukForm):
    to_cohort = forms.ModelChoiceField(
        label="Cohort to move to",
        queryset=None,
        empty_label="Choose a cohort",
        error_messages={"required": "Choose the cohort to move the learner to"},
    )
    reason = GovukTextField(
        noun="Reason",
        max_length=max_length_of(Enrolment, "reason"),
        widget=forms.Textarea,
        error_messages={"required": "Enter why the learner is moving"},
    )

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cohort"].queryset = cohorts


class NominateForm(GovukForm):
    council = forms.ModelChoiceField(
        queryset=Council.objects.none(),
        empty_label="Choose your council",
        error_messages={"required": "Choose the learner's council"},
    )
    first_name = GovukTextField(
        noun="First name",
        max_length=max_length_of(Nomination, "first_name"),
        error_messages={"required": "Enter the learner's first name"},
    )
    last_name = GovukTextField(
        noun="Last name",
        max_length=max_length_of(Nomination, "last_name"),
        error_messages={"required": "Enter the learner's last name"},
    )
    email = forms.EmailField(
        label="Work email address",
        max_length=254,
        help_text="Their invitation is sent here once the programme team approves them.",
        error_messages={
            "required": "Enter the learner's email address",
            "invalid": "Enter an email address in the correct format, like name@council.gov.uk",
        },
    )
    job_title = GovukTextField(
        noun="Job title",
        max_length=max_length_of(Nomination, "job_title"),
        required=False,
        label="Job title (optional)",
    )
    target_level = forms.ModelChoiceField(
        queryset=AccreditationLevel.objects.order_by("order"),
        empty_label="Choose a level",
        label="Accreditation level they will work towards",
        error_messages={"required": "Choose the level the learner will work towards"},
    )

    def __init__(self, *args, councils: list[Council], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = Council.objects.filter(
            pk__in=[council.pk for council in councils]
        ).order_by("name")
        if len(councils) == 1:
            self.fields["council"].initial = councils[0].pk
            self.fields["council"].widget = forms.HiddenInput()

    # No check against existing learners here: telling an SRO that an address is already on the
    # programme would tell them about people at other councils. Staff see it when they decide.
    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class NominationDeclineForm(GovukForm):
    decision_note = GovukTextField(
        noun="Reason",
        label="Why is this nomination not being taken forward?",
        help_text="Only programme staff see this. The SRO sees that it was not taken forward.",
        max_length=max_length_of(Nomination, "decision_note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the nomination is not taken forward"},
    )


class CpdForm(GovukForm):
    done_on = GovukDateField(label="Date", noun="the date of the activity", past_only=True)
    hours = forms.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=24,
        help_text="In hours, to the nearest half hour: for example 1.5",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the hours you spent",
            "invalid": "Hours must be a number, like 1.5",
            "min_value": "Hours must be at least 0.5",
            "max_value": "Hours must be 24 or fewer",
            "max_decimal_places": "Give hours to the nearest half hour, like 1.5",
            "max_digits": "Hours must be 24 or fewer",
        },
    )
    activity = GovukTextField(
        noun="Activity",
        label="What did you do?",
        max_length=max_length_of(CpdEntry, "activity"),
        help_text="For example, a course, a network meeting or a contract review",
        error_messages={"required": "Enter what you did"},
    )
    reflection = GovukTextField(
        noun="Reflection",
        label="What did you learn? (optional)",
        max_length=max_length_of(CpdEntry, "reflection"),
        required=False,
        widget=forms.Textarea,
    )
