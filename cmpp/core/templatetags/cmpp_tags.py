"""Template helpers shared by every page: status tags and progress figures."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
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
    "approved": "green",
    "declined": "grey",
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
    percent = min(round(100 * done / total), 100) if total else 0
    return format_html(
        '<span class="cmpp-nowrap"><span class="cmpp-progress" aria-hidden="true">'
        '<span class="cmpp-progress__bar" style="width: {}%"></span></span>{} of {}</span>',
        percent,
        floatformat(done, -1),
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


@register.simple_tag
def bar_chart(rows, label: str):
    """A plain SVG bar chart of (date, count) rows by month, hidden from screen readers: the page
    must give the same figures in a table."""
    width, height, top, bottom = 720, 220, 24, 28
    bar_space = width / max(len(rows), 1)
    peak = max((count for _, count in rows), default=0) or 1
    parts = []
    for index, (month, count) in enumerate(rows):
        bar_height = (height - top - bottom) * count / peak
        x = index * bar_space + bar_space * 0.15
        y = height - bottom - bar_height
        centre = x + bar_space * 0.35
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#1d70b8"></rect>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="14">{}</text>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="13">{}</text>',
                f"{x:.1f}",
                f"{y:.1f}",
                f"{bar_space * 0.7:.1f}",
                f"{bar_height:.1f}",
                f"{centre:.1f}",
                f"{y - 6:.1f}",
                count,
                f"{centre:.1f}",
                height - 8,
                month.strftime("%b"),
            )
        )
    return format_html(
        '<svg class="cmpp-chart" viewBox="0 0 {} {}" role="img" aria-hidden="true" '
        'focusable="false"><title>{}</title>{}'
        '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c"></line></svg>',
        width,
        height,
        label,
        format_html_join("", "{}", ((part,) for part in parts)),
        height - bottom,
        width,
        height - bottom,
    )


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
