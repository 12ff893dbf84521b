"""Reports as at a past day count what was true then; as at today they show what the dashboard
shows; their tables come as CSV too."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cmpp.core.dates import start_of_next_day
from cmpp.reports import printing, services
from cmpp.reports.models import ProgressReport
from cmpp.reports.selectors import learner_counts
from councils.models import ManagingBodyPeriod, MaturityArea, MaturityAssessment, MaturityScore
from learners.models import Enrolment, Learner
from tests import factories

pytestmark = pytest.mark.django_db

SPRING = date(2026, 4, 15)


def joined(learner: Learner, on: date) -> Learner:
    """The learner as if recorded on `on`: their record and its first history row dated then."""
    when = start_of_next_day(on) - timedelta(hours=12)
    Learner.objects.filter(pk=learner.pk).update(created_at=when)
    learner.history.update(history_date=when)
    learner.refresh_from_db()
    return learner


def assess(council, kind, score, on, status="accepted"):
    """An assessment of the council, every area scored the same."""
    assessment = MaturityAssessment.objects.create(
        council=council, kind=kind, assessed_on=on, status=status
    )
    for area in MaturityArea.objects.all():
        MaturityScore.objects.create(assessment=assessment, area=area, score=score)
    return assessment


@pytest.fixture
def dluhc(cast):
    """DLUHC manages council A and council B throughout."""
    body = factories.organisation("dluhc")
    ManagingBodyPeriod.objects.all().delete()
    for council in (cast.council_a, cast.council_b):
        ManagingBodyPeriod.objects.create(
            council=council, organisation=body, starts_on=date(2021, 1, 1)
        )
    return body


def test_a_past_day_counts_the_learners_who_had_joined_with_the_status_they_had(cast):
    early = joined(factories.LearnerFactory(council=cast.council_a), date(2026, 1, 10))
    early.status = Learner.Status.WITHDRAWN
    early.save()  # withdrawn today
    joined(factories.LearnerFactory(council=cast.council_a), date(2026, 9, 1))  # after spring
    learners = Learner.objects.filter(council=cast.council_a)
    now = learner_counts(learners, "learners", "active", "withdrawn")
    then = learner_counts(learners, "learners", "active", "withdrawn", on=SPRING)
    assert now["learners"] > then["learners"] >= 1
    assert then["withdrawn"] == 0 and now["withdrawn"] >= 1
    assert then["active"] == then["learners"]


def test_at_risk_and_funded_places_as_at_a_past_day_follow_what_was_recorded_by_then(cast):
    learner = joined(factories.LearnerFactory(council=cast.council_b), date(2025, 6, 1))
    factories.StepProgressFactory(learner=learner, completed_on=date(2026, 4, 1))
    Learner.objects.filter(pk=learner.pk).update(last_progress_on=date(2026, 4, 1))
    # Enrolled in March 2026 at a funded level, withdrawn in May: a place in April, none now.
    factories.EnrolmentFactory(
        learner=learner,
        cohort=cast.cohort,
        enrolled_on=date(2026, 3, 1),
        status=Enrolment.Status.WITHDRAWN,
        ended_on=date(2026, 5, 1),
    )
    only = Learner.objects.filter(pk=learner.pk)
    april = learner_counts(only, "at_risk", "funded_places_used", on=SPRING)
    assert april == {"at_risk": 0, "funded_places_used": 1}
    # Before their first step, counted from when they joined, they were at risk.
    january = learner_counts(only, "at_risk", "funded_places_used", on=date(2026, 1, 31))
    assert january == {"at_risk": 1, "funded_places_used": 0}
    assert learner_counts(only, "funded_places_used") == {"funded_places_used": 0}


def test_the_dashboard_for_dluhc_and_the_report_as_at_today_show_the_same_figures(
    client, cast, dluhc
):
    factories.AccreditationFactory(learner=cast.learner_a, achieved_on=date(2026, 3, 1))
    factories.AssessmentAttemptFactory(
        learner=cast.learner_b, result="pass", result_on=date(2026, 2, 10)
    )
    factories.AssessmentAttemptFactory(
        learner=cast.learner_a, result="fail", result_on=date(2026, 2, 11)
    )
    factories.LearnerFactory(council=cast.council_b, status=Learner.Status.ON_HOLD)
    lp = factories.organisation("local-partnerships")
    elsewhere = factories.CouncilFactory()
    ManagingBodyPeriod.objects.filter(council=elsewhere).delete()
    ManagingBodyPeriod.objects.create(council=elsewhere, organisation=lp, starts_on=SPRING)
    factories.LearnerFactory(council=elsewhere)  # counted by Local Partnerships only
    assess(cast.council_a, "baseline", 2, date(2025, 1, 10))
    assess(cast.council_a, "follow_up", 4, date(2026, 1, 10))  # improved
    assess(cast.council_b, "baseline", 3, date(2025, 1, 10))
    assess(cast.council_b, "follow_up", 3, date(2026, 1, 10))  # the same
    assess(cast.council_b, "follow_up", 5, date(2026, 2, 10), status="returned")  # not counted

    client.force_login(cast.staff)
    page = client.get("/?body=dluhc").context
    shown = page["overview"]
    report = printing.programme_context(organisation=dluhc, as_at=timezone.localdate())
    figures = report["figures"]
    for name in (
        "council_count",
        "learner_count",
        "learners_by_status",
        "at_risk",
        "funded_places",
        "funded_places_used",
        "accreditations_by_level",
        "accreditation_count",
        "assessments",
        "maturity",
    ):
        assert shown[name] == figures[name], name
    assert figures["council_count"] == 2
    assert figures["assessments"] == {"taken": 2, "passed": 1}
    assert figures["maturity"] == {"measured": 2, "improved": 1, "percent": 50}
    whole = client.get("/").context["overview"]
    assert whole["learner_count"] == figures["learner_count"] + 1


def test_the_report_shows_the_change_since_the_last_quarter_and_its_cohorts(cast, dluhc):
    factories.AccreditationFactory(learner=cast.learner_a, achieved_on=date(2026, 5, 20))
    factories.AccreditationFactory(learner=cast.learner_b, achieved_on=date(2026, 2, 1))
    context = printing.programme_context(organisation=dluhc, as_at=date(2026, 6, 30))
    assert context["previous"] == date(2026, 3, 31)
    rows = {row["label"]: row for row in context["headline"]}
    assert rows["Accreditations"]["now"] == "2" and rows["Accreditations"]["before"] == "1"
    assert rows["Accreditations"]["change"] == "+1"
    level = next(row for row in context["levels"] if row["level"] == "Practitioner")
    assert (level["this_quarter"], level["last_quarter"], level["total"]) == (1, 1, 2)
    cohorts = {cohort.pk: cohort for cohort in context["cohorts"]}
    assert cohorts[cast.cohort.pk].enrolled >= 2


def test_the_pdf_draws_its_charts_as_vectors_beside_tables_of_the_same_figures(cast, dluhc):
    factories.AccreditationFactory(learner=cast.learner_a, achieved_on=date(2026, 5, 20))
    context = printing.programme_context(organisation=dluhc, as_at=timezone.localdate())
    html_svg = str(context["charts"]["per_month"])
    assert html_svg.startswith("<svg") and 'role="img"' in html_svg and "<image" not in html_svg
    rendered = printing.render(
        template="reports/print/programme.html", context=context, author="Test"
    )
    reader = PdfReader(io.BytesIO(rendered.pdf))
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        assert all(xobject.get_object()["/Subtype"] != "/Image" for xobject in xobjects.values())
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Accreditations per month" in text and "Learners by status" in text


def test_the_csv_beside_the_pdf_has_the_report_tables_and_is_safe_in_a_spreadsheet(
    client, cast, dluhc, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    cast.council_a.name = '=HYPERLINK("http://evil.example")'
    cast.council_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            organisation=dluhc, as_at=timezone.localdate(), acting_user=cast.staff
        )
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY
    client.force_login(cast.viewer)
    response = client.get(f"/reports/{report.pk}/data/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="cmpp-dluhc-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    titles = [row[0] for row in rows if len(row) == 1]
    assert titles[0].startswith("Headline figures") and "Councils" in titles
    council_rows = [row for row in rows if len(row) > 1 and row[1] == cast.council_a.code]
    assert council_rows and council_rows[0][0].startswith("'=HYPERLINK")
    client.force_login(cast.sro_b)
    assert client.get(f"/reports/{report.pk}/data/").status_code == 404
