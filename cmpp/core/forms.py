"""Form fields shared by every app, shaped for the GOV.UK Design System."""

import re
from datetime import date, time

from django import forms
from django.core import validators
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


DATE_PARTS = ("day", "month", "year")


class GovukDateField(forms.MultiValueField):
    """A date from three boxes, with GOV.UK's messages for what is wrong with it. After a
    refusal, `wrong_parts` names the boxes to mark: only the wrong one where one part is wrong
    (a missing month, a day that month does not have, a 2-digit year), all three otherwise."""

    widget = GovukDateWidget

    def __init__(self, *, noun: str = "the date", past_only: bool = False, **kwargs):
        self.noun = noun
        self.past_only = past_only
        self.wrong_parts = DATE_PARTS
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        kwargs.setdefault("error_messages", {}).setdefault("required", f"Enter {noun}")
        super().__init__(
            fields=(forms.IntegerField(), forms.IntegerField(), forms.IntegerField()),
            require_all_fields=False,
            **kwargs,
        )

    def refuse(self, message: str, *parts: str):
        self.wrong_parts = parts or DATE_PARTS
        return forms.ValidationError(message, code="invalid")

    def clean(self, value):
        self.wrong_parts = DATE_PARTS
        if self.disabled and not isinstance(value, list | tuple):
            value = self.widget.decompress(value)
        texts = [str(v or "").strip() for v in value] if isinstance(value, list | tuple) else []
        if not any(texts):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        noun = self.noun[:1].upper() + self.noun[1:]
        # One clear message for the box that is wrong, rather than one per box.
        missing = [name for name, text in zip(DATE_PARTS, texts, strict=True) if not text]
        if missing:
            raise self.refuse(f"{noun} must include a {' and '.join(missing)}", *missing)
        not_numbers = [
            name for name, text in zip(DATE_PARTS, texts, strict=True) if not text.isdigit()
        ]
        if not_numbers:
            raise self.refuse(f"{noun} must be a real date", *not_numbers)
        day, month, year = (int(text) for text in texts)
        if year < 1000:
            raise self.refuse("Year must include 4 numbers", "year")
        if not 1 <= month <= 12:
            raise self.refuse(f"{noun} must be a real date", "month")
        if not 1900 <= year <= 2100:
            raise self.refuse(f"{noun} must be a real date", "year")
        try:
            value = date(year, month, day)
        except ValueError:
            raise self.refuse(f"{noun} must be a real date", "day") from None
        if self.past_only and value > timezone.localdate():
            raise self.refuse(f"{noun} must be today or in the past")
        self.validate(value)
        self.run_validators(value)
        return value

    def compress(self, data_list):
        if not data_list or all(v in (None, "") for v in data_list):
            return None
        day, month, year = data_list
        return date(year, month, day)


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
            v
            for v in self.validators
            if not isinstance(v, validators.ProhibitNullCharactersValidator)
        ]

    def validate(self, value):
        super().validate(value)
        if value and control_character(value):
            raise forms.ValidationError(
                f"{self.noun} must not include hidden control characters",
                code="control_character",
            )


def _subject(label: str) -> str:
    return (label[:1].upper() + label[1:]).replace("%", "%%")


def _object(label: str) -> str:
    # "First name" reads "first name" mid-sentence; "ONS code" keeps its capitals.
    text = label if label[:2].isupper() else label[:1].lower() + label[1:]
    return text.replace("%", "%%")


def _label(field: forms.Field, name: str) -> str:
    """The field's name as messages use it: its label without "(optional)", or, where the label
    is a question ("What did you learn?"), the field's own name."""
    label = str(field.label or "").replace("(optional)", "").strip()
    if not label or label.endswith("?") or label.lower().startswith("or "):
        label = name.replace("_", " ").capitalize()
    return "Email address" if label == "Email" else label


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def govuk_error_messages(field: forms.Field, name: str) -> dict[str, str]:
    """GOV.UK messages for what a field refuses (missing, not a number, too long, too big...),
    naming the field by its label: "Enter first name", "Places must be 1 or more". A choice not
    on the list is asked for again in the words the form uses when it is missing."""
    label = _label(field, name)
    subject, thing = _subject(label), _object(label)
    choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField)
    digits = getattr(field, "max_digits", None) or 0
    whole_digits = digits - (getattr(field, "decimal_places", None) or 0)
    required = field.error_messages.get("required")
    default_required = django_default_messages(field).get("required")
    if required is not None and str(required) != default_required:
        choose_again = str(required).replace("%", "%%")
    else:
        choose_again = f"Select {thing}"
    messages = {
        "required": f"Select {thing}"
        if choosing or isinstance(field, forms.FileField)
        else f"Enter {thing}",
        # A choice that is not on the list (a stale page): asked for again as when missing.
        "invalid_choice": choose_again,
        "invalid_list": choose_again,
        "invalid_pk_value": choose_again,
        "incomplete": f"Enter all of {thing}",
        "null_characters_not_allowed": f"{subject} must not include hidden control characters",
        "max_length": f"{subject} must be {_number(getattr(field, 'max_length', 0))} characters "
        "or fewer",
        "min_length": f"{subject} must be {_number(getattr(field, 'min_length', 0))} characters "
        "or more",
        "min_value": f"{subject} must be {_number(getattr(field, 'min_value', 0))} or more",
        "max_value": f"{subject} must be {_number(getattr(field, 'max_value', 0))} or less",
        "step_size": f"{subject} must be a multiple of {_number(getattr(field, 'step_size', 1))}",
        "max_digits": f"{subject} must be {digits} digits or fewer",
        "max_whole_digits": f"{subject} must have {whole_digits} digits or fewer before the "
        "decimal point",
        "max_decimal_places": f"{subject} must have {getattr(field, 'decimal_places', 0)} "
        "decimal places or fewer",
        "invalid": f"Enter {thing} in the correct format",
    }
    if isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{subject} must be a whole number"
    elif isinstance(field, forms.DecimalField | forms.FloatField):
        messages["invalid"] = f"{subject} must be a number"
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, forms.URLField):
        messages["invalid"] = (
            "Enter a web address in the correct format, like https://www.example.com"
        )
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        messages["invalid"] = f"{subject} must be a real date"
    elif isinstance(field, forms.TimeField):
        messages["invalid"] = f"{subject} must be a real time"
    if isinstance(field, forms.FileField):
        messages |= {
            "invalid": f"Select {thing}",
            "missing": f"Select {thing}",
            "empty": "The selected file is empty",
            "max_length": "The file name must be "
            f"{_number(getattr(field, 'max_length', 0) or 0)} characters or fewer",
            "contradiction": f"Select {thing}, or remove the file, not both",
        }
    return messages


def django_default_messages(field: forms.Field) -> dict[str, str]:
    """The messages Django gives a field of this kind unless told otherwise."""
    defaults: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    # Messages its validators bring, under their codes.
    for validator in (
        validators.MaxLengthValidator,
        validators.MinLengthValidator,
        validators.MaxValueValidator,
        validators.MinValueValidator,
        validators.StepValueValidator,
        validators.ProhibitNullCharactersValidator,
    ):
        defaults.setdefault(validator.code, validator.message)
    for validator in field.validators:
        code = getattr(validator, "code", None)
        if code and getattr(validator, "message", None):
            defaults.setdefault(code, validator.message)
    if isinstance(field, forms.DecimalField):
        for validator in field.validators:
            if isinstance(validator, validators.DecimalValidator):
                defaults |= {code: str(m) for code, m in validator.messages.items()}
    return {code: str(message) for code, message in defaults.items()}


def govuk_field_messages(field: forms.Field, name: str) -> None:
    """Give a field GOV.UK messages wherever it would show Django's own ("This field is
    required.", "Ensure this value has at most 100 characters (it has 300).")."""
    defaults = django_default_messages(field)
    for code, message in govuk_error_messages(field, name).items():
        current = field.error_messages.get(code)
        if current is None or str(current) == defaults.get(code):
            field.error_messages[code] = message


class GovukErrorMessages:
    """A form whose fields refuse input in GOV.UK words, each message once. The messages are set
    just before the form is checked, so fields a form adds in its __init__ get them too; a
    message a form sets itself is kept."""

    def full_clean(self):
        for name, field in self.fields.items():
            govuk_field_messages(field, name)
        super().full_clean()
        # Two checks can refuse a value for the same reason (too many digits and too big both
        # say "Hours must be 24 or fewer"): the message shows once.
        for errors in (self._errors or {}).values():
            seen = set()
            unique = []
            for error in errors.data:
                key = tuple(error) if isinstance(error, forms.ValidationError) else (str(error),)
                if key not in seen:
                    seen.add(key)
                    unique.append(error)
            errors.data = unique


class GovukForm(GovukErrorMessages, forms.Form):
    """Every form of the portal: Django's form with GOV.UK messages."""


class FilterForm(GovukForm):
    """A list's filters. Their values come from links (a bookmark, a link in an email, a code
    typed into the address bar), so a value the list does not know is named back to the user
    with where to find the ones it does."""

    def full_clean(self):
        for name, field in self.fields.items():
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = (
                    f"{_subject(_label(field, name))} has no option “%(value)s”: "
                    "choose one from the list"
                )
        super().full_clean()


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
