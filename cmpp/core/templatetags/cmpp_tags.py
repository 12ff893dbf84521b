"""Template helpers shared by every page: status tags and progress figures."""

from django import template
from django.utils.html import format_html
from django.utils.timezone import is_aware, localtime

register = template.Library()

# GOV.UK tag colours for the statuses the programme uses; unknown statuses stay grey.
TAG_COLOURS = {
    "accredited": "green",
    "completed": "green",
    "pass": "green",
    "active": "blue",
    "enrolled": "blue",
    "running": "blue",
    "onboarded": "turquoise",
    "in_progress": "light-blue",
    "nominated": "purple",
    "applied": "purple",
    "planned": "purple",
    "pending": "yellow",
    "sending": "light-blue",
    "sent": "green",
    "failed": "red",
    "waiting": "yellow",
    "on_hold": "orange",
    "deferred": "orange",
    "withdrawn": "red",
    "fail": "red",
    "at_risk": "red",
}


@register.simple_tag
def status_tag(value: str, label: str):
    colour = TAG_COLOURS.get(value, "grey")
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)


@register.filter
def govuk_time(value) -> str:
    """A time as GOV.UK writes it: 10am, 1:30pm, midday."""
    if not value:
        return ""
    value = localtime(value) if is_aware(value) else value
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


@register.simple_tag
def progress(done: int, total: int):
    """Steps done of total as a bar with the same figure in words beside it."""
    percent = round(100 * done / total) if total else 0
    return format_html(
        '<span class="cmpp-nowrap"><span class="cmpp-progress" aria-hidden="true">'
        '<span class="cmpp-progress__bar" style="width: {}%"></span></span>{} of {}</span>',
        percent,
        done,
        total,
    )


@register.filter
def date_parts(bound_field) -> dict:
    """Day, month and year to show in a GOV.UK date input, from what was typed or stored."""
    value = bound_field.value()
    if not isinstance(value, list | tuple):
        value = bound_field.field.widget.decompress(value)
    day, month, year = (("" if part is None else part) for part in value)
    return {"day": day, "month": month, "year": year}
