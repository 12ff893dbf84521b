"""Dates and times in GOV.UK's style, the same on every page and in every email about sessions:
"Tuesday 5 January 2027", "10am to 4pm"."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cmpp.core.templatetags.cmpp_tags import govuk_date, govuk_time, govuk_time_range
from tests import factories

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("value", "options", "text"),
    [
        (date(2027, 1, 5), "", "5 January 2027"),
        (date(2027, 1, 5), "weekday", "Tuesday 5 January 2027"),
        # A date is the day in London: 11:30pm UTC on 4 July is already 5 July there.
        (datetime(2027, 7, 4, 23, 30, tzinfo=LONDON), "weekday", "Sunday 4 July 2027"),
        (datetime(2027, 7, 4, 23, 30, tzinfo=ZoneInfo("UTC")), "", "5 July 2027"),
        (date(2027, 9, 5), "short", "5 Sept 2027"),
        (date(2027, 6, 30), "short", "30 June 2027"),
        (date(2027, 5, 1), "short", "1 May 2027"),
        (None, "", ""),
    ],
)
def test_a_date_reads_as_govuk_writes_it(value, options, text):
    assert govuk_date(value, options) == text


def test_the_year_is_left_out_only_when_it_is_this_year_and_asked_for():
    today = timezone.localdate()
    this_year = date(today.year, 3, 2)
    next_year = date(today.year + 1, 3, 2)
    assert govuk_date(this_year, "year_if_other") == "2 March"
    assert govuk_date(next_year, "year_if_other") == f"2 March {today.year + 1}"
    assert govuk_date(this_year) == f"2 March {today.year}"


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (time(10), time(16), "10am to 4pm"),
        (time(9, 30), time(12), "9:30am to midday"),
        (time(18), time(0), "6pm to midnight"),
        (time(14, 5), None, "2:05pm"),
    ],
)
def test_a_time_range_reads_as_govuk_writes_it(start, end, text):
    assert govuk_time_range(start, end) == text
    assert govuk_time(start) == text.split(" to ")[0]


@pytest.mark.django_db
def test_a_cohorts_sessions_show_their_day_and_times_in_one_style(client, cast):
    next_year = timezone.localdate().year + 1
    starts = datetime(next_year, 1, 5, 10, tzinfo=LONDON)
    factories.CohortSessionFactory(
        cohort=cast.cohort,
        title="Workshop 2",
        starts_at=starts,
        ends_at=starts.replace(hour=16),
    )
    client.force_login(cast.staff)
    page = client.get(f"/cohorts/{cast.cohort.pk}/").text
    assert f"{starts:%A} 5 January {next_year}, 10am to 4pm" in page
