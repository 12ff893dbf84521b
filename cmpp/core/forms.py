"""Form fields shared by every app, shaped for the GOV.UK Design System."""

import re
from datetime import date, time

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone

from cmpp.core.text import control_character


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    input_type = "govuk_date"

    def __init__(self, attrs=None):
        super().__init__(
            {"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}, attrs
        )

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]

    def id_for_label(self, id_):
        # The error summary links to the first box.
        return f"{id_}_day" if id_ else ""


class GovukDateField(forms.MultiValueField):
    """A date from three boxes, with GOV.UK's messages for what is wrong with it."""

    widget = GovukDateWidget

    def __init__(self, *, noun: str = "the date", past_only: bool = False, **kwargs):
        self.noun = noun
        self.past_only = past_only
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        kwargs.setdefault("error_messages", {}).setdefault("required", f"Enter {noun}")
        part = {"error_messages": {"invalid": f"{noun.capitalize()} must be a real date"}}
        super().__init__(
            fields=(
                forms.IntegerField(**part),
                forms.IntegerField(**part),
                forms.IntegerField(**part),
            ),
            require_all_fields=False,
            **kwargs,
        )

    def clean(self, value):
        # Turn a partly filled date into one clear message rather than one per box.
        if isinstance(value, list | tuple) and any(str(v or "").strip() for v in value):
            missing = [
                name
                for name, v in zip(("day", "month", "year"), value, strict=True)
                if not str(v or "").strip()
            ]
            if missing:
                raise forms.ValidationError(
                    f"{self.noun.capitalize()} must include a {' and '.join(missing)}"
                )
        return super().clean(value)

    def compress(self, data_list):
        if not data_list or all(v in (None, "") for v in data_list):
            return None
        day, month, year = data_list
        if year < 1900 or year > 2100:
            raise forms.ValidationError(f"{self.noun.capitalize()} must be a real date")
        try:
            value = date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"{self.noun.capitalize()} must be a real date") from None
        if self.past_only and value > timezone.localdate():
            raise forms.ValidationError(f"{self.noun.capitalize()} must be today or in the past")
        return value


TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


class GovukTimeField(forms.CharField):
    """A time of day typed as people write it: 10am, 1:30pm, 14:30 or midday."""

    def __init__(self, *, noun: str = "the time", **kwargs):
        self.noun = noun
        kwargs.setdefault("help_text", "For example, 10am, 1:30pm or 14:30")
        kwargs.setdefault("error_messages", {}).setdefault("required", f"Enter {noun}")
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-5"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, time):
            return value.strftime("%H:%M")
        return value

    def to_python(self, value):
        text = super().to_python(value).strip().lower().replace(" ", "")
        if not text:
            return None
        if text in ("midday", "noon", "12noon"):
            return time(12, 0)
        match = TIME_PATTERN.match(text)
        if match:
            hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
            if half and 1 <= hour <= 12:
                hour = hour % 12 + (12 if half == "pm" else 0)
            elif half:
                hour = 99
            if hour < 24 and minute < 60:
                return time(hour, minute)
        raise forms.ValidationError(f"Enter {self.noun} as a real time, like 10am, 1:30pm or 14:30")


def max_length_of(model, name: str) -> int:
    """The longest value a model's field holds, so a form refuses exactly what the model would."""
    return model._meta.get_field(name).max_length


class GovukTextField(forms.CharField):
    """Free text, refused in GOV.UK's words when it is too long or has hidden control characters
    in it. `noun` names the field in those messages, as in "Reflection must be 5,000 characters
    or fewer"."""

    def __init__(self, *, noun: str, **kwargs):
        super().__init__(**kwargs)
        self.noun = noun
        if self.max_length is not None:
            self.error_messages.setdefault(
                "max_length", f"{noun} must be {self.max_length:,} characters or fewer"
            )
        # The control character check below covers Django's own NUL check and words it plainly.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def validate(self, value):
        super().validate(value)
        if value and control_character(value):
            raise forms.ValidationError(
                f"{self.noun} must not include hidden control characters",
                code="control_character",
            )


def add_service_errors(form, error) -> None:
    """Show a service's refusal (a ValidationError) on the form: under the field it names where
    the form has that field, otherwise above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def posted(request):
    """The submitted data for a form, or None on GET. Unlike `request.POST or None`, an empty
    submission still binds the form, so it shows what is missing."""
    return request.POST if request.method == "POST" else None
