"""Template helpers shared by every page: status tags and progress figures."""

from datetime import datetime

from django import template
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import is_aware, localtime
from markupsafe import escape

from cmpp.core import charts

register = template.Library()

# GOV.UK tag colours for the statuses the programme uses (govuk-frontend 6 names; blue is the
# tag's own colour, with no modifier); unknown statuses stay grey.
TAG_COLOURS = {
    "accredited": "green",
    "completed": "green",
    "pass": "green",
    "active": "blue",
    "enrolled": "blue",
    "running": "blue",
    "onboarded": "turquoise",
    "in_progress": "teal",
    "nominated": "purple",
    "applied": "purple",
    "planned": "purple",
    "pending": "yellow",
    "sending": "teal",
    "sent": "green",
    "failed": "red",
    "ready": "green",
    "building": "teal",
    "queued": "yellow",
    "waiting": "yellow",
    "on_hold": "orange",
    "deferred": "orange",
    "withdrawn": "red",
    "fail": "red",
    "approved": "green",
    "declined": "grey",
    "at_risk": "red",
}


@register.simple_tag
def status_tag(value: str, label: str):
    # Built directly (label escaped) rather than with format_html: a list draws one or two a row.
    colour = TAG_COLOURS.get(value, "grey")
    modifier = "" if colour == "blue" else f" govuk-tag--{colour}"
    return mark_safe(f'<strong class="govuk-tag{modifier}">{escape(label)}</strong>')  # noqa: S308


@register.filter
def govuk_time(value) -> str:
    """A time as GOV.UK writes it: 10am, 1:30pm, midday."""
    if not value:
        return ""
    value = localtime(value) if is_aware(value) else value
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


@register.filter
def govuk_time_range(start, end) -> str:
    """From one time to another as GOV.UK writes it: "10am to 4pm", "9:30am to midday"."""
    if not start:
        return ""
    if not end:
        return govuk_time(start)
    return f"{govuk_time(start)} to {govuk_time(end)}"


# GOV.UK's style guide: "Jan, Feb, Mar, Apr, May, June, July, Aug, Sept, Oct, Nov, Dec".
SHORT_MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
]


@register.filter
def govuk_date(value, options: str = "") -> str:
    """A date as GOV.UK writes it: "5 January 2027". Options, comma-separated: `weekday` puts
    the day's name first ("Tuesday 5 January 2027"); `year_if_other` leaves the year out when
    it is this year, for lists of what is coming up (never in emails, read later); `short`
    shortens the month as GOV.UK's style guide does where space is tight, in tables ("5 Sept
    2027")."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = localtime(value) if is_aware(value) else value
        value = value.date()
    flags = {flag.strip() for flag in options.split(",") if flag.strip()}
    month = SHORT_MONTHS[value.month - 1] if "short" in flags else f"{value:%B}"
    text = f"{value.day} {month}"
    if "year_if_other" not in flags or value.year != timezone.localdate().year:
        text += f" {value.year}"
    if "weekday" in flags:
        text = f"{value:%A} {text}"
    return text


@register.simple_tag
def progress(done: int, total: int):
    """Steps done of total as a bar with the same figure in words beside it. The bar's width is a
    class per whole percent (static/scss/cmpp.scss): the Content Security Policy refuses style
    attributes."""
    percent = min(round(100 * done / total), 100) if total else 0
    return format_html(
        '<span class="cmpp-nowrap"><span class="cmpp-progress" aria-hidden="true">'
        '<span class="cmpp-progress__bar cmpp-progress__bar--{}"></span></span>{} of {}</span>',
        percent,
        done if isinstance(done, int) else floatformat(done, -1),
        total,
    )


@register.filter
def date_parts(bound_field) -> dict:
    """Day, month and year to show in a GOV.UK date input, from what was typed or stored, and
    which of the boxes to mark as wrong (`wrong.day`...): only the wrong part where the field
    says which, all three otherwise."""
    value = bound_field.value()
    if not isinstance(value, list | tuple):
        value = bound_field.field.widget.decompress(value)
    day, month, year = (("" if part is None else part) for part in value)
    wrong_parts = getattr(bound_field.field, "wrong_parts", ("day", "month", "year"))
    wrong = {
        part: bool(bound_field.errors) and part in wrong_parts for part in ("day", "month", "year")
    }
    return {"day": day, "month": month, "year": year, "wrong": wrong}


@register.simple_tag
def bar_chart(rows, label: str):
    """An SVG chart of (first day of month, count) rows, hidden from screen readers: the page
    must give the same figures in a table."""
    return charts.column_chart(charts.month_bars(rows), title=label, height=220, hidden=True)


@register.filter(is_safe=True)
def sentence_case(value) -> str:
    """GOV.UK headings and buttons are in sentence case: 'Change Password' becomes 'Change
    password'. Words in capitals (MFA, CPD) keep them. For third-party pages (allauth)."""
    words = " ".join(str(value).split()).split(" ")
    if not words or not words[0]:
        return value

    def lower(word: str) -> str:
        return word if word.isupper() and len(word) > 1 else word.lower()

    first = words[0].split("-")
    first = "-".join([first[0], *(lower(part) for part in first[1:])])
    return " ".join([first, *(lower(word) for word in words[1:])])


def options_html(choices) -> str:
    """<option> markup for (value, label) pairs, none selected, each value and label escaped with
    markupsafe's C escape (quotes included, as Django's `escape`, without its per-call cost)."""
    return "".join(
        f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices
    )


@register.simple_tag
def select_options(field):
    """A select field's options, the current value selected, built in one pass: a filter's
    list of every council or cohort has hundreds, and a template loop comparing each with the
    field's value cost more than the rest of the learner list. A field may carry its options'
    markup ready made (`options_html`: the learner list's council and cohort filters do)."""
    current = field.value()
    current = escape("" if current is None else current)
    markup = getattr(field.field, "options_html", None)
    if markup is None:
        markup = options_html((str(value), label) for value, label in field.field.choices)
    chosen = f'<option value="{current}">'
    markup = markup.replace(chosen, f'<option value="{current}" selected>', 1)
    return mark_safe(markup)  # noqa: S308 - every value and label escaped in options_html
