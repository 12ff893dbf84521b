"""The PDF progress reports: what each says as at a date, drawn from the programme's figures,
and WeasyPrint rendering it from a print template (A4, tagged, with its metadata)."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from cmpp.accounts.models import Organisation
from cmpp.reports.selectors import (
    accreditations_by_level,
    learner_counts,
    learner_counts_per_council,
)
from councils.models import Council
from councils.selectors import councils_managed_by
from learners.models import Learner
from learners.selectors import at_risk_q, with_progress


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    pages: int


def _learners_as_at(councils, as_at: date):
    return Learner.objects.filter(council__in=councils, created_at__date__lte=as_at)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


COUNCIL_ROW_FIGURES = ("learners", "at_risk", "funded_places_used", "active", "accredited")


def _council_rows(councils: list[Council], as_at: date) -> list[dict]:
    """A row of figures per council, all councils' counted in one query."""
    counts = learner_counts_per_council(
        _learners_as_at(councils, as_at), *COUNCIL_ROW_FIGURES, today=as_at
    )
    empty = dict.fromkeys(COUNCIL_ROW_FIGURES, 0)
    return [
        {"council": council, "places": council.funded_places, **counts.get(council.pk, empty)}
        for council in councils
    ]


def programme_context(*, organisation: Organisation, as_at: date) -> dict:
    """A managing body's report: the councils it managed on the as-at date."""
    councils = list(councils_managed_by(organisation, on=as_at))
    learners = _learners_as_at(councils, as_at)
    counts = learner_counts(
        learners, "learners", "at_risk", "funded_places_used", *Learner.Status.values, today=as_at
    )
    return {
        "title": f"Contract Management Pioneer Programme: {organisation.name}",
        "subject": organisation.name,
        "as_at": as_at,
        "councils": _council_rows(councils, as_at),
        "council_count": len(councils),
        "learner_count": counts["learners"],
        "learners_by_status": [(label, counts[value]) for value, label in Learner.Status.choices],
        "at_risk": counts["at_risk"],
        "funded_places_used": counts["funded_places_used"],
        "funded_places": sum(council.funded_places for council in councils),
        "accreditations_by_level": accreditations_by_level(learners, until=as_at),
        "accreditations_this_quarter": accreditations_by_level(
            learners, since=_quarter_start(as_at), until=as_at
        ),
    }


def council_context(*, council: Council, as_at: date) -> dict:
    """A council's report: its figures, and its learners with at-risk learners first."""
    learners = _learners_as_at([council], as_at)
    at_risk = set(learners.filter(at_risk_q(today=as_at)).values_list("pk", flat=True))
    rows = sorted(
        with_progress(learners).select_related("target_level"),
        key=lambda learner: (learner.pk not in at_risk, learner.last_name, learner.first_name),
    )
    for learner in rows:
        learner.is_at_risk = learner.pk in at_risk
    return {
        "title": f"Contract Management Pioneer Programme: {council.name}",
        "subject": council.name,
        "as_at": as_at,
        "row": _council_rows([council], as_at)[0],
        "learners": rows,
        "accreditations_by_level": accreditations_by_level(learners, until=as_at),
    }


def render(*, template: str, context: dict, author: str) -> RenderedReport:
    """Render a print template to a tagged PDF (PDF/UA-1) and count its pages."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only reports need it

    html = render_to_string(
        template,
        {**context, "author": author, "generated_at": timezone.localtime()},
    )
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return RenderedReport(pdf=document.write_pdf(pdf_variant="pdf/ua-1"), pages=len(document.pages))
