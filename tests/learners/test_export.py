"""The learner CSV export: the list as filtered, scoped like the list, safe to open in Excel."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from cohorts.models import LevelStep
from learners.imports import learners_import_preview
from learners.models import Enrolment, Learner
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/learners/export.csv"
HEADER = [
    "council_code",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "target_level",
    "cohort_code",
]


def export(client, user, query=""):
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def rows_of(content: bytes) -> list[dict]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_export_is_a_dated_utf8_csv_with_the_contract_columns_first(client, cast):
    response, content = export(client, cast.staff)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="learners-{today}.csv"'
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[:7] == HEADER
    assert header[7:] == [
        "status",
        "council_name",
        "current_cohort_code",
        "steps_completed",
        "steps_total",
        "last_progress_on",
        "accredited_levels",
        "accredited_on",
    ]


def test_each_row_says_where_the_learner_stands(client, cast):
    learner = cast.learner_a
    learner.last_progress_on = date(2025, 10, 1)
    learner.save()
    factories.StepProgressFactory(learner=learner)
    factories.AccreditationFactory(
        learner=learner, level=factories.level("foundation"), achieved_on=date(2022, 5, 3)
    )
    factories.AccreditationFactory(
        learner=learner, level=factories.level("foundation"), achieved_on=date(2024, 5, 3)
    )
    factories.AccreditationFactory(learner=learner, achieved_on=date(2026, 3, 1))

    _, content = export(client, cast.staff, "?q=learner@a.test")

    [row] = rows_of(content)
    assert row == {
        "council_code": "E06000001",
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "email": "learner@a.test",
        "job_title": "Contract manager",
        "target_level": "practitioner",
        "cohort_code": cast.cohort.code,
        "status": "active",
        "council_name": "Council A",
        "current_cohort_code": cast.cohort.code,
        "steps_completed": "1",
        "steps_total": "9",
        "last_progress_on": "2025-10-01",
        "accredited_levels": "foundation; practitioner",
        "accredited_on": "2024-05-03; 2026-03-01",
    }


def test_a_waiting_list_place_is_the_cohort_code_but_not_the_current_cohort(client, cast):
    waiting = factories.EnrolmentFactory(
        learner=factories.LearnerFactory(council=cast.council_a, email="wait@a.test"),
        status=Enrolment.Status.WAITING,
    )
    _, content = export(client, cast.staff, "?q=wait@a.test")
    [row] = rows_of(content)
    assert (row["cohort_code"], row["current_cohort_code"]) == (waiting.cohort.code, "")


def test_a_place_at_another_level_is_the_current_cohort_not_the_cohort_code(client, cast):
    """A learner enrolled now at Foundation and waiting for a Practitioner place (their target)
    keeps the waiting place in the import's column and the Foundation cohort as current; with
    two places at the target level over time, the open one counts."""
    learner = factories.LearnerFactory(council=cast.council_a, email="two@a.test")
    foundation = factories.CohortFactory(code="FOUND-9", level=factories.level("foundation"))
    factories.EnrolmentFactory(learner=learner, cohort=foundation, enrolled_on=date(2025, 7, 1))
    factories.EnrolmentFactory(
        learner=learner,
        cohort=factories.CohortFactory(code="PRAC-OLD"),
        status=Enrolment.Status.WITHDRAWN,
        enrolled_on=date(2025, 9, 1),
    )
    waiting = factories.EnrolmentFactory(
        learner=learner, status=Enrolment.Status.WAITING, enrolled_on=date(2025, 8, 1)
    )
    _, content = export(client, cast.staff, "?q=two@a.test")
    [row] = rows_of(content)
    assert (row["cohort_code"], row["current_cohort_code"]) == (waiting.cohort.code, "FOUND-9")


def test_steps_in_all_count_only_the_target_levels_active_steps(client, cast):
    practitioner = factories.level("practitioner")
    before = LevelStep.objects.filter(level=practitioner, is_active=True).count()
    retired = LevelStep.objects.filter(level=practitioner).order_by("-order").first()
    retired.is_active = False
    retired.save()
    foundation = factories.LearnerFactory(
        council=cast.council_a, email="found@a.test", target_level=factories.level("foundation")
    )
    _, content = export(client, cast.staff)
    steps = {r["email"]: r["steps_total"] for r in rows_of(content)}
    assert steps["learner@a.test"] == str(before - 1)
    assert steps["found@a.test"] == str(
        LevelStep.objects.filter(level=foundation.target_level, is_active=True).count()
    )
    assert steps["found@a.test"] != steps["learner@a.test"]


def test_a_learner_without_places_or_accreditations_has_those_cells_empty(client, cast):
    factories.LearnerFactory(council=cast.council_a, email="new@a.test")
    _, content = export(client, cast.staff, "?q=new@a.test")
    [row] = rows_of(content)
    assert [row[c] for c in ("cohort_code", "current_cohort_code", "last_progress_on")] == [""] * 3
    assert (row["accredited_levels"], row["accredited_on"], row["steps_completed"]) == ("", "", "0")


def test_the_export_is_the_list_as_filtered(client, cast):
    factories.LearnerFactory(council=cast.council_b, status=Learner.Status.WITHDRAWN)
    _, everyone = export(client, cast.staff)
    assert len(rows_of(everyone)) == 3
    _, by_email = export(client, cast.staff, "?q=LEARNER@B.TEST")
    assert [r["email"] for r in rows_of(by_email)] == ["learner@b.test"]
    _, withdrawn = export(client, cast.staff, "?status=withdrawn")
    assert [r["status"] for r in rows_of(withdrawn)] == ["withdrawn"]
    _, by_council = export(client, cast.staff, "?q=E06000001")
    assert [r["council_code"] for r in rows_of(by_council)] == ["E06000001"]


def test_an_sros_export_holds_only_their_councils_learners(client, cast):
    _, content = export(client, cast.sro_a)
    assert [r["email"] for r in rows_of(content)] == ["learner@a.test"]
    _, searched = export(client, cast.sro_a, "?q=learner@b.test")
    assert rows_of(searched) == []


def test_a_viewer_may_export_every_learner(client, cast):
    _, content = export(client, cast.viewer)
    assert {r["email"] for r in rows_of(content)} == {"learner@a.test", "learner@b.test"}


@pytest.mark.parametrize("who", ["learner_a_user", "nobody"])
def test_people_who_cannot_see_the_list_cannot_export_it(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    "dangerous",
    ['=HYPERLINK("http://evil.example","Click")', "+1", "-2", "@SUM(A1:A9)", "\tcmd", "\rcmd"],
)
def test_a_cell_a_spreadsheet_would_run_comes_out_quoted(client, cast, dangerous):
    factories.LearnerFactory(
        council=cast.council_a,
        first_name=dangerous,
        last_name=dangerous,
        job_title=dangerous,
        email="mallory@a.test",
    )
    _, content = export(client, cast.staff, "?q=mallory")
    [row] = rows_of(content)
    assert (row["first_name"], row["last_name"], row["job_title"]) == (f"'{dangerous}",) * 3


def test_an_export_imports_back_without_changing_anyone(client, cast):
    _, content = export(client, cast.staff)
    preview = learners_import_preview(content)
    assert preview.is_valid
    assert (preview.to_add, preview.to_update) == ([], [])
    assert len(preview.unchanged) == 2


def grow(cast, size):
    cohort = factories.CohortFactory()
    for _ in range(size):
        learner = factories.LearnerFactory(council=cast.council_a)
        factories.EnrolmentFactory(learner=learner, cohort=cohort)
        factories.StepProgressFactory(learner=learner)
        factories.AccreditationFactory(learner=learner, level=factories.level("foundation"))


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize("who", ["staff", "sro_a"])
def test_the_export_stays_within_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, size, who
):
    grow(cast, size)
    client.force_login(getattr(cast, who))
    with django_assert_max_num_queries(11):
        response = client.get(URL)
        content = b"".join(response.streaming_content)
    assert len(rows_of(content)) == size + (2 if who == "staff" else 1)
