"""Staff record a step for everyone on a cohort's roster without ticking each learner."""

from datetime import date

import pytest

from cohorts.models import LevelStep
from learners.models import StepProgress
from tests import factories

pytestmark = pytest.mark.django_db


def data(step, **more):
    return {"step": step.pk, "on_day": "2", "on_month": "11", "on_year": "2026", **more}


@pytest.fixture
def step():
    return LevelStep.objects.filter(level__slug="practitioner").order_by("order").first()


def test_the_page_offers_everyone_on_the_roster(client, cast):
    client.force_login(cast.staff)
    page = client.get(f"/cohorts/{cast.cohort.pk}/steps/").text
    assert 'name="everyone"' in page and "Everyone on the roster" in page


def test_everyone_records_the_step_for_every_learner_with_a_place(client, cast, step):
    waiting = factories.EnrolmentFactory(cohort=cast.cohort, status="waiting").learner
    client.force_login(cast.staff)
    response = client.post(f"/cohorts/{cast.cohort.pk}/steps/", data(step, everyone="on"))
    assert "Step recorded for 2 learners" in response.text
    done = set(step.progress.filter(status="completed").values_list("learner", flat=True))
    assert done == {cast.learner_a.pk, cast.learner_b.pk}
    assert waiting.pk not in done
    assert step.progress.get(learner=cast.learner_a).completed_on == date(2026, 11, 2)


def test_neither_everyone_nor_anyone_is_refused_and_records_nothing(client, cast, step):
    client.force_login(cast.staff)
    response = client.post(f"/cohorts/{cast.cohort.pk}/steps/", data(step))
    assert "Select at least one learner, or everyone on the roster" in response.text
    assert not StepProgress.objects.filter(step=step).exists()


def test_ticked_learners_alone_still_work(client, cast, step):
    client.force_login(cast.staff)
    response = client.post(
        f"/cohorts/{cast.cohort.pk}/steps/", data(step, learners=[cast.learner_a.pk])
    )
    assert "Step recorded for 1 learner" in response.text
    assert list(step.progress.values_list("learner", flat=True)) == [cast.learner_a.pk]
