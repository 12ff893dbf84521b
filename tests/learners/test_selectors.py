"""learners_visible_to: staff and viewers see all, an SRO their council's, a learner themself."""

import pytest
from django.contrib.auth.models import AnonymousUser

from learners.selectors import learner_list, learner_pipeline, learners_visible_to
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["staff", "viewer"])
def test_programme_users_see_every_learner(cast, who):
    assert set(learners_visible_to(getattr(cast, who))) == {cast.learner_a, cast.learner_b}


def test_it_lets_the_sro_see_their_councils_learners(cast):
    assert list(learners_visible_to(cast.sro_a)) == [cast.learner_a]


def test_it_hides_another_councils_learner_from_an_sro(cast):
    assert cast.learner_b not in learners_visible_to(cast.sro_a)
    assert cast.learner_a not in learners_visible_to(cast.sro_b)


def test_a_learner_sees_only_themself(cast):
    assert list(learners_visible_to(cast.learner_a_user)) == [cast.learner_a]


def test_an_sro_who_is_also_a_learner_sees_their_council_and_themself(cast):
    own_record = factories.LearnerFactory(council=cast.council_b, user=cast.sro_a)
    assert set(learners_visible_to(cast.sro_a)) == {cast.learner_a, own_record}


@pytest.mark.parametrize("who", ["nobody"])
def test_people_without_a_role_see_no_learner(cast, who):
    assert not learners_visible_to(getattr(cast, who)).exists()
    assert not learners_visible_to(AnonymousUser()).exists()


def test_search_by_email_does_not_reach_past_the_sros_council(cast):
    assert list(learner_list(user=cast.sro_a, q="learner@b.test")) == []
    assert list(learner_list(user=cast.staff, q="LEARNER@B.TEST")) == [cast.learner_b]


def test_list_counts_steps_done_of_the_target_level(cast):
    factories.StepProgressFactory(learner=cast.learner_a)
    row = learner_list(user=cast.staff, q="learner@a.test").get()
    assert (row.steps_done, row.steps_total) == (1, 9)


def test_pipeline_marks_the_first_step_not_done_as_next(cast):
    factories.StepProgressFactory(learner=cast.learner_a)
    rows = learner_pipeline(learner=cast.learner_a)
    assert [row["done"] for row in rows[:2]] == [True, False]
    assert [row["is_next"] for row in rows].index(True) == 1
