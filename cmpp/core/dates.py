"""Date arithmetic the programme's rules need."""

import calendar
from datetime import date, datetime, time, timedelta

from django.utils import timezone


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the month's last day if it is shorter:
    29 February plus 12 months is 28 February."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_of_next_day(day: date) -> datetime:
    """The first moment after the day ends, in the programme's time zone (London): a report as
    at a day counts what was recorded before it."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def quarter_start(day: date) -> date:
    """The first day of the calendar quarter the day falls in."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def month_end_before(day: date) -> date:
    """The last day of the month before the day's month."""
    return day.replace(day=1) - timedelta(days=1)
