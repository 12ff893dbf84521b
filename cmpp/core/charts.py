"""Charts drawn as SVG, for the dashboards and the PDF reports. Each is a picture of figures the
page also gives in a table, so a reader who cannot see it loses nothing: the SVG carries a title
naming that table."""

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BLUE = "#1d70b8"
TEXT = "#0b0c0c"
GRID = "#b1b4b6"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    caption: str = ""  # shown under a column (months: only some are labelled)


def _n(value: float) -> str:
    """A coordinate, to a tenth of a unit."""
    return f"{value:.1f}"


def _step(peak: int) -> int:
    """A round interval for the value axis, giving four or five grid lines."""
    if peak <= 5:
        return 1
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def column_chart(
    bars: list[Bar], *, title: str, width: int = 720, height: int = 240, hidden: bool = False
) -> SafeString:
    """Vertical bars with a value axis; each value is written above its bar when there are few
    enough to read."""
    left, right, top, bottom = 40, 8, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((bar.value for bar in bars), default=0)
    step = _step(peak)
    ceiling = max(step * math.ceil(peak / step), step)
    space = plot_w / max(len(bars), 1)
    grid = [(top + plot_h - plot_h * tick / ceiling, tick) for tick in range(0, ceiling + 1, step)]
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
            left,
            _n(y),
            width - right,
            _n(y),
            GRID,
            left - 6,
            _n(y + 4),
            TEXT,
            tick,
        )
        for y, tick in grid
    ]
    show_values = len(bars) <= 24
    for index, bar in enumerate(bars):
        bar_h = plot_h * bar.value / ceiling
        x = left + index * space + space * 0.15
        centre = x + space * 0.35
        y = top + plot_h - bar_h
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _n(x),
                _n(y),
                _n(space * 0.7),
                _n(bar_h),
                BLUE,
            )
        )
        if show_values and bar.value:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                    _n(centre),
                    _n(y - 4),
                    TEXT,
                    bar.value,
                )
            )
        if bar.caption:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                    _n(centre),
                    height - bottom + 16,
                    TEXT,
                    bar.caption,
                )
            )
    return _svg(width, height, title, parts, hidden)


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    width: int = 720,
    hidden: bool = False,
    maximum: int | None = None,
) -> SafeString:
    """Horizontal bars, one a row, each labelled with its name and value; scaled to `maximum`
    (a score out of 5) or to the largest value. The label column fits the longest label."""
    row, value_w = 26, 60
    label_w = min(max((len(bar.label) for bar in bars), default=10) * 7 + 16, width // 2)
    height = row * max(len(bars), 1) + 8
    peak = maximum or max((bar.value for bar in bars), default=0) or 1
    plot_w = width - label_w - value_w
    parts = []
    for index, bar in enumerate(bars):
        y = 4 + index * row
        bar_w = plot_w * bar.value / peak
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>',
                label_w - 8,
                y + 17,
                TEXT,
                bar.label,
                label_w,
                y + 3,
                _n(bar_w),
                row - 8,
                BLUE,
                _n(label_w + bar_w + 6),
                y + 17,
                TEXT,
                bar.value,
            )
        )
    return _svg(width, height, title, parts, hidden)


def _svg(width: int, height: int, title: str, parts: list, hidden: bool) -> SafeString:
    """The picture: an image named by its title, or, where a screen reader reaches the same
    figures in a table just after it (`hidden`), kept out of its way."""
    role = (
        format_html('aria-hidden="{}"', "true")
        if hidden
        else format_html('role="img" aria-label="{}"', title)
    )
    return format_html(
        '<svg class="cmpp-chart" viewBox="0 0 {} {}" width="100%" {} focusable="false" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        width,
        height,
        role,
        title,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def month_bars(rows: list[tuple]) -> list[Bar]:
    """Bars for (first day of month, count) rows: each month labelled when there are a year's
    worth or fewer, else only January (with its year) and the first month."""
    few = len(rows) <= 12
    bars = []
    for index, (month, count) in enumerate(rows):
        if few:
            caption = month.strftime("%b")
        elif index == 0 or month.month == 1:
            caption = month.strftime("%b %Y")
        else:
            caption = ""
        bars.append(Bar(label=month.strftime("%B %Y"), value=count, caption=caption))
    return bars
