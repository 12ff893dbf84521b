"""The PDF progress reports: what each says as at a date, drawn from the programme's figures,
and WeasyPrint rendering it from a print template (A4, tagged, with its metadata)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from cmpp.accounts.models import Organisation
from cmpp.core import charts
from cmpp.core.csv import csv_tables
from cmpp.core.dates import quarter_start
from cmpp.reports.selectors import (
    accreditations_by_level,
    accreditations_by_level_per_council,
    accreditations_per_month,
    attendance_by_council,
    cohorts_of,
    learner_counts_per_council,
    network_attendance,
    programme_figures,
)
from cohorts.models import AccreditationLevel
from councils.models import Council
from councils.selectors import councils_managed_by, maturity_improvements
from learners.models import Learner
from learners.selectors import progress_as_at


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    pages: int
    csv: bytes


COUNCIL_ROW_FIGURES = ("learners", "active", "at_risk", "funded_places_used", "last_progress")


def _council_rows(councils: list[Council], learners, as_at: date) -> list[dict]:
    """A row of figures per council, every council's counted in a few queries."""
    counts = learner_counts_per_council(learners, *COUNCIL_ROW_FIGURES, on=as_at)
    by_level = accreditations_by_level_per_council(learners, until=as_at)
    maturity = maturity_improvements(
        Council.objects.filter(pk__in=[c.pk for c in councils]), on=as_at
    )
    attendance = attendance_by_council(councils, until=as_at)
    levels = _level_names()
    empty = dict.fromkeys(COUNCIL_ROW_FIGURES, 0) | {"last_progress": None}
    return [
        {
            "council": council,
            "places": council.funded_places,
            "accredited": [by_level.get(council.pk, {}).get(level, 0) for level in levels],
            "maturity_change": _signed(maturity.get(council.pk)),
            "attendance": _percent(attendance[council.pk]),
            **counts.get(council.pk, empty),
        }
        for council in councils
    ]


def _percent(rate: float | None) -> str:
    return "No register" if rate is None else f"{round(100 * rate)}%"


def _signed(improvement) -> str:
    """A council's overall maturity change in words for a table cell."""
    if improvement is None:
        return "No baseline"
    if improvement.overall is None:
        return "No follow-up"
    return f"{improvement.overall:+.1f}".replace("-", "\u2212")


def _level_names() -> list[str]:
    return list(AccreditationLevel.objects.order_by("order").values_list("name", flat=True))


def _change(now: int, before: int) -> str:
    """A change in words a table can show: "+3", "−2" or "No change"."""
    if now == before:
        return "No change"
    return f"+{now - before:,}" if now > before else f"\u2212{before - now:,}"


def _rate(results: dict[str, int]) -> int | None:
    return round(100 * results["passed"] / results["taken"]) if results["taken"] else None


def _headline_rows(now: dict, before: dict) -> list[dict]:
    """The headline figures as at the report's day and the end of the quarter before, with the
    change between them."""

    def row(label, value, previous, *, shown=None, shown_before=None, sub=False):
        return {
            "label": label,
            "now": shown if shown is not None else f"{value:,}",
            "before": shown_before if shown_before is not None else f"{previous:,}",
            "change": _change(value, previous),
            "sub": sub,
        }

    rate_now, rate_before = _rate(now["assessments"]), _rate(before["assessments"])
    rows = [
        row("Councils", now["council_count"], before["council_count"]),
        row("Learners", now["learner_count"], before["learner_count"]),
        *(
            row(status, n, before["learners_by_status"][status], sub=True)
            for status, n in now["learners_by_status"].items()
        ),
        row("Learners at risk", now["at_risk"], before["at_risk"]),
        row(
            "Funded places used",
            now["funded_places_used"],
            before["funded_places_used"],
            shown=f"{now['funded_places_used']:,} of {now['funded_places']:,}",
            shown_before=f"{before['funded_places_used']:,} of {before['funded_places']:,}",
        ),
        row("Accreditations", now["accreditation_count"], before["accreditation_count"]),
    ]
    rows.append(_improved_row(now["maturity"], before["maturity"]))
    rows.append(
        {
            "label": "Assessment pass rate",
            "now": _rate_words(rate_now, now["assessments"]),
            "before": _rate_words(rate_before, before["assessments"]),
            "change": _points(rate_now, rate_before),
            "sub": False,
        }
    )
    return rows


def _points(now: int | None, before: int | None) -> str:
    """A change between two percentages, in points."""
    if now is None or before is None:
        return "Not known"
    return _change(now, before) if now == before else f"{_change(now, before)} points"


def _improved_row(now: dict, before: dict) -> dict:
    """Councils whose maturity improved, of those with an accepted baseline and follow-up."""

    def words(summary):
        if not summary["measured"]:
            return "None measured yet"
        return f"{summary['percent']}% ({summary['improved']} of {summary['measured']})"

    return {
        "label": "Councils whose maturity improved",
        "now": words(now),
        "before": words(before),
        "change": _points(now["percent"], before["percent"]),
        "sub": False,
    }


def _rate_words(rate: int | None, results: dict[str, int]) -> str:
    if rate is None:
        return "No results yet"
    return f"{rate}% ({results['passed']:,} of {results['taken']:,})"


def _figures_on(councils, on: date) -> tuple[dict, object]:
    learners = Learner.objects.filter(council__in=councils.values("pk"))
    return programme_figures(councils=councils, learners=learners, on=on), learners


def _charts(figures: dict, per_month: list) -> dict:
    """The report's charts, each titled to say the table after it gives its figures."""
    return {
        "per_month": charts.column_chart(
            charts.month_bars(per_month),
            title="Accreditations per month, as a chart: the table after it gives the figures",
        ),
        "by_status": charts.bar_chart(
            [charts.Bar(label, n) for label, n in figures["learners_by_status"].items()],
            title="Learners by status, as a chart: the table after it gives the figures",
        ),
        "by_level": charts.bar_chart(
            [charts.Bar(level, n) for level, n in figures["accreditations_by_level"]],
            title="Accreditations by level, as a chart: the table after it gives the figures",
        ),
    }


def _month_grid(per_month: list[tuple[date, int]]) -> list[dict]:
    """Monthly counts as a row a year, January to December (None outside the months counted)."""
    years: dict[int, list] = {}
    for month, n in per_month:
        years.setdefault(month.year, [None] * 12)[month.month - 1] = n
    return [
        {"year": year, "months": months, "total": sum(n or 0 for n in months)}
        for year, months in years.items()
    ]


def programme_context(*, organisation: Organisation, as_at: date) -> dict:
    """A managing body's report: the councils it managed on the as-at day, as at that day, with
    the change since the end of the quarter before."""
    previous = quarter_start(as_at) - timedelta(days=1)
    councils = councils_managed_by(organisation, on=as_at)
    figures, learners = _figures_on(councils, as_at)
    before, learners_before = _figures_on(councils_managed_by(organisation, on=previous), previous)
    this_quarter = accreditations_by_level(learners, since=quarter_start(as_at), until=as_at)
    last_quarter = accreditations_by_level(
        learners_before, since=quarter_start(previous), until=previous
    )
    per_month = accreditations_per_month(learners, months=None, until=as_at)
    return {
        "title": f"Contract Management Pioneer Programme: {organisation.name}",
        "subject": organisation.name,
        "as_at": as_at,
        "previous": previous,
        "figures": figures,
        "headline": _headline_rows(figures, before),
        "levels": [
            {"level": level, "this_quarter": n, "last_quarter": before_n, "total": total}
            for (level, n), (_, before_n), (_, total) in zip(
                this_quarter, last_quarter, figures["accreditations_by_level"], strict=True
            )
        ],
        "level_names": _level_names(),
        "month_grid": _month_grid(per_month),
        "month_names": [date(2000, month, 1).strftime("%b") for month in range(1, 13)],
        "charts": _charts(figures, per_month),
        "councils": _council_rows(list(councils), learners, as_at),
        "cohorts": cohorts_of(learners, on=as_at),
        "at_risk_weeks": settings.CMPP_AT_RISK_WEEKS,
    }


def council_context(*, council: Council, as_at: date) -> dict:
    """A council's report: its figures as at the day, with the change since the end of the
    quarter before, and its learners as they were then, those at risk first."""
    previous = quarter_start(as_at) - timedelta(days=1)
    councils = Council.objects.filter(pk=council.pk)
    figures, learners = _figures_on(councils, as_at)
    before, _ = _figures_on(councils, previous)
    rows = (
        progress_as_at(learners, as_at)
        .select_related("target_level")
        .order_by("-at_risk", "last_name", "first_name", "pk")
    )
    return {
        "title": f"Contract Management Pioneer Programme: {council.name}",
        "subject": council.name,
        "council": council,
        "as_at": as_at,
        "previous": previous,
        "figures": figures,
        "headline": [row for row in _headline_rows(figures, before) if row["label"] != "Councils"],
        "learners": _with_status_labels(rows),
        "maturity": maturity_improvements(councils, on=as_at).get(council.pk),
        "networks": [
            {**row, "rate": _percent(row["participation"].rate)}
            for row in network_attendance(council=council, until=as_at)
        ],
        "cohorts": cohorts_of(learners, on=as_at),
        "at_risk_weeks": settings.CMPP_AT_RISK_WEEKS,
    }


def _with_status_labels(learners) -> list[Learner]:
    labels = dict(Learner.Status.choices)
    learners = list(learners)
    for learner in learners:
        learner.status_label = labels.get(learner.status_on, learner.status_on)
    return learners


def tables(context: dict) -> list[tuple[str, list, list]]:
    """The report's tables as (title, header, rows), for the CSV beside the PDF: the same
    figures, one table after another."""
    as_at = context["as_at"]
    previous = context["previous"]
    found = [
        (
            f"Headline figures: {context['subject']}",
            ["Figure", f"As at {as_at:%Y-%m-%d}", f"As at {previous:%Y-%m-%d}", "Change"],
            [
                [row["label"], row["now"], row["before"], row["change"]]
                for row in context["headline"]
            ],
        ),
        (
            "Learners by status",
            ["Status", "Learners"],
            list(context["figures"]["learners_by_status"].items()),
        ),
    ]
    if "levels" in context:
        found.append(
            (
                "Accreditations by level",
                ["Level", "This quarter", "Last quarter", "In total"],
                [
                    [r["level"], r["this_quarter"], r["last_quarter"], r["total"]]
                    for r in context["levels"]
                ],
            )
        )
        found.append(
            (
                "Accreditations per month",
                ["Month", "Accreditations"],
                [
                    [f"{year['year']}-{month:02d}", n]
                    for year in context["month_grid"]
                    for month, n in enumerate(year["months"], start=1)
                    if n is not None
                ],
            )
        )
        found.append(
            (
                "Councils",
                [
                    "Council",
                    "Code",
                    "Learners",
                    "Active",
                    *(f"{level} accreditations" for level in context["level_names"]),
                    "At risk",
                    "Funded places used",
                    "Funded places",
                    "Last progress",
                    "Network attendance, last 12 months",
                    "Maturity change",
                ],
                [
                    [
                        row["council"].name,
                        row["council"].code,
                        row["learners"],
                        row["active"],
                        *row["accredited"],
                        row["at_risk"],
                        row["funded_places_used"],
                        row["places"],
                        row["last_progress"],
                        row["attendance"],
                        row["maturity_change"],
                    ]
                    for row in context["councils"]
                ],
            )
        )
    else:
        found.append(
            (
                "Accreditations by level",
                ["Level", "Accreditations"],
                context["figures"]["accreditations_by_level"],
            )
        )
        found.append(
            (
                "Learners",
                [
                    "Learner",
                    "Status",
                    "Cohort",
                    "Steps done",
                    "Steps in all",
                    "Last progress",
                    "At risk",
                ],
                [
                    [
                        learner.full_name,
                        learner.status_label,
                        learner.cohort_on or "",
                        learner.steps_done_then,
                        learner.steps_total,
                        learner.progress_on,
                        "Yes" if learner.at_risk else "No",
                    ]
                    for learner in context["learners"]
                ],
            )
        )
    found.append(
        (
            "Cohorts",
            [
                "Cohort",
                "Level",
                "Starts",
                "Ends",
                "Had a place",
                "Completed",
                "Assessments passed",
                "Assessments taken",
            ],
            [
                [
                    cohort.name,
                    cohort.level.name,
                    cohort.starts_on,
                    cohort.ends_on,
                    cohort.enrolled,
                    cohort.completed,
                    cohort.assessments_passed,
                    cohort.assessments_taken,
                ]
                for cohort in context["cohorts"]
            ],
        )
    )
    return found


def render(*, template: str, context: dict, author: str) -> RenderedReport:
    """Render a print template to a tagged PDF (PDF/UA-1) and count its pages; and the figures
    in its tables as CSV."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only reports need it

    html = render_to_string(
        template,
        {**context, "author": author, "generated_at": timezone.localtime()},
    )
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return RenderedReport(
        pdf=document.write_pdf(pdf_variant="pdf/ua-1"),
        pages=len(document.pages),
        csv=csv_tables(tables(context)),
    )
