"""The learner list's stored steps done (`Learner.steps_done`) follows every write that changes
it; the list sorts and pages by stored columns; the CSV export streams every row."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from cohorts import services as cohort_services
from cohorts.models import LevelStep
from learners import services
from learners.imports import learners_import_preview
from learners.models import Learner
from tests import factories

pytestmark = pytest.mark.django_db


def steps_of(level="practitioner", kind=None):
    steps = LevelStep.objects.filter(level__slug=level, is_active=True).order_by("order")
    return steps.filter(kind=kind) if kind else steps


def stored(learner):
    learner.refresh_from_db()
    return learner.steps_done, learner.last_progress_on


def complete(learner, step, on, staff):
    return services.steps_complete(learners=[learner], step=step, on=on, acting_user=staff)


def test_completing_a_step_counts_it_and_dates_the_progress(cast):
    first, second = steps_of()[:2]
    complete(cast.learner_a, first, date(2026, 10, 1), cast.staff)
    assert stored(cast.learner_a) == (1, date(2026, 10, 1))
    services.steps_complete(
        learners=[cast.learner_a, cast.learner_b],
        step=second,
        on=date(2026, 9, 1),
        acting_user=cast.staff,
    )
    # An earlier day counts the step but leaves the latest progress where it was.
    assert stored(cast.learner_a) == (2, date(2026, 10, 1))
    assert stored(cast.learner_b) == (1, date(2026, 9, 1))


def test_a_step_of_another_level_dates_progress_but_is_not_counted(cast):
    complete(cast.learner_a, steps_of("foundation")[0], date(2026, 10, 1), cast.staff)
    assert stored(cast.learner_a) == (0, date(2026, 10, 1))


def test_a_pass_counts_the_assessment_step_it_completes(cast):
    attempt = services.assessment_book(
        learner=cast.learner_a,
        level=factories.level("practitioner"),
        booked_for=date(2026, 10, 1),
        acting_user=cast.staff,
    )
    services.assessment_record_result(
        attempt=attempt,
        result="pass",
        result_on=date(2026, 10, 2),
        acting_user=cast.staff,
        override_reason="Steps done elsewhere",
    )
    assessments = steps_of(kind=LevelStep.Kind.ASSESSMENT).count()
    assert assessments >= 1
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ACCREDITED
    assert stored(cast.learner_a) == (assessments, date(2026, 10, 2))


def test_retiring_a_step_takes_it_out_of_the_count_and_restoring_puts_it_back(cast):
    first, second = steps_of()[:2]
    complete(cast.learner_a, first, date(2026, 10, 1), cast.staff)
    complete(cast.learner_a, second, date(2026, 10, 2), cast.staff)
    cohort_services.level_step_retire(step=first, acting_user=cast.staff)
    assert stored(cast.learner_a)[0] == 1
    cohort_services.level_step_restore(step=first, acting_user=cast.staff)
    assert stored(cast.learner_a)[0] == 2


def test_changing_the_target_level_counts_the_new_levels_steps(cast):
    complete(cast.learner_a, steps_of()[0], date(2026, 10, 1), cast.staff)
    complete(cast.learner_a, steps_of("foundation")[0], date(2026, 10, 2), cast.staff)
    complete(cast.learner_a, steps_of("foundation")[1], date(2026, 10, 3), cast.staff)
    assert stored(cast.learner_a)[0] == 1
    services.learner_update(
        learner=cast.learner_a, acting_user=cast.staff, target_level=factories.level("foundation")
    )
    assert cast.learner_a.steps_done == 2
    assert stored(cast.learner_a) == (2, date(2026, 10, 3))


def test_an_import_that_changes_the_target_level_counts_the_new_levels_steps(cast):
    complete(cast.learner_a, steps_of("foundation")[0], date(2026, 10, 2), cast.staff)
    assert stored(cast.learner_a)[0] == 0
    data = (
        "council_code,first_name,last_name,email,job_title,target_level,cohort_code\r\n"
        f"E06000001,{cast.learner_a.first_name},{cast.learner_a.last_name},learner@a.test,"
        "Contract manager,foundation,\r\n"
    ).encode()
    services.learners_import(preview=learners_import_preview(data), acting_user=cast.staff)
    assert stored(cast.learner_a)[0] == 1


def test_the_cohort_register_counts_the_workshop_for_those_present(client, cast):
    workshop = steps_of(kind=LevelStep.Kind.WORKSHOP)[0]
    session = factories.CohortSessionFactory(
        cohort=cast.cohort,
        step=workshop,
        starts_at=datetime(2026, 10, 5, 10, tzinfo=ZoneInfo("Europe/London")),
        ends_at=datetime(2026, 10, 5, 13, tzinfo=ZoneInfo("Europe/London")),
    )
    services.attendance_record(
        session=session,
        marks={cast.learner_a: "present", cast.learner_b: "apologies"},
        acting_user=cast.staff,
    )
    assert stored(cast.learner_a) == (1, date(2026, 10, 5))
    assert stored(cast.learner_b) == (0, None)


def names_on(client, user, query):
    client.force_login(user)
    response = client.get(f"/learners/{query}")
    assert response.status_code == 200
    return [learner.full_name for learner in response.context["page"].object_list]


def test_the_list_sorts_by_steps_done_then_by_name(client, cast):
    steps = list(steps_of()[:3])
    for step in steps:
        complete(cast.learner_b, step, date(2026, 10, 1), cast.staff)
    other = factories.LearnerFactory(council=cast.council_a, first_name="Zed", last_name="Aaron")
    complete(other, steps[0], date(2026, 10, 1), cast.staff)
    a, b = cast.learner_a.full_name, cast.learner_b.full_name
    assert names_on(client, cast.staff, "?sort=-steps") == [b, "Zed Aaron", a]
    assert names_on(client, cast.staff, "?sort=steps") == [a, "Zed Aaron", b]


def test_the_list_sorts_by_council_name_then_by_learner_name(client, cast):
    zulu = factories.CouncilFactory(name="Zulu Council", code="E06000099")
    aardvark = factories.CouncilFactory(name="Aardvark Council", code="E06000098")
    factories.LearnerFactory(council=zulu, first_name="Amy", last_name="Able")
    factories.LearnerFactory(council=aardvark, first_name="Yan", last_name="Young")
    factories.LearnerFactory(council=aardvark, first_name="Bo", last_name="Best")
    names = names_on(client, cast.staff, "?sort=council")
    a, b = cast.learner_a.full_name, cast.learner_b.full_name
    assert names == ["Bo Best", "Yan Young", a, b, "Amy Able"]
    assert names_on(client, cast.staff, "?sort=-council")[:2] == ["Amy Able", b]


@override_settings(CMPP_PAGE_SIZE=3)
def test_a_page_past_the_first_shows_the_next_learners_in_order_with_their_progress(client, cast):
    for n in range(5):
        factories.LearnerFactory(council=cast.council_a, first_name=f"P{n}", last_name="Paged")
    everyone = list(Learner.objects.order_by("last_name", "first_name", "pk"))
    complete(everyone[4], steps_of()[0], date(2026, 10, 1), cast.staff)
    client.force_login(cast.staff)
    response = client.get("/learners/?page=2")
    page = response.context["page"]
    assert page.paginator.count == 7
    assert [learner.pk for learner in page.object_list] == [x.pk for x in everyone[3:6]]
    middle = page.object_list[1]
    assert (middle.steps_done, middle.steps_total) == (1, steps_of().count())
    assert middle.full_name in response.content.decode()
    last = client.get("/learners/?page=3").context["page"]
    assert [learner.pk for learner in last.object_list] == [everyone[6].pk]


def test_the_export_streams_every_learner_with_their_steps(client, cast):
    for n in range(30):
        factories.LearnerFactory(council=cast.council_a, first_name=f"E{n}", last_name="Export")
    complete(cast.learner_a, steps_of()[0], date(2026, 10, 1), cast.staff)
    client.force_login(cast.staff)
    response = client.get("/learners/export.csv")
    assert response.status_code == 200
    assert response.streaming is True
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == Learner.objects.count() == 32
    mine = next(row for row in rows if row["email"] == "learner@a.test")
    assert (mine["steps_completed"], mine["steps_total"]) == ("1", str(steps_of().count()))
