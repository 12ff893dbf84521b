"""cohorts_visible_to: cohort pages are programme records for staff and viewers only."""

import pytest

from cohorts.selectors import cohort_list, cohorts_visible_to, levels_with_steps
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["staff", "viewer"])
def test_programme_users_see_cohorts(cast, who):
    assert list(cohorts_visible_to(getattr(cast, who))) == [cast.cohort]


@pytest.mark.parametrize("who", ["sro_a", "sro_b", "learner_a_user", "nobody"])
def test_sros_learners_and_others_do_not_reach_cohort_records(cast, who):
    assert not cohorts_visible_to(getattr(cast, who)).exists()


def test_levels_arrive_with_their_steps_from_migrations(db):
    levels = {level.slug: level for level in levels_with_steps()}
    assert list(levels) == ["foundation", "practitioner", "expert"]
    assert levels["practitioner"].active_step_count == 9
    assert levels["practitioner"].active_steps[-1].kind == "assessment"
    assert levels["foundation"].renewal_months == 24
    assert levels["expert"].cpd_hours_per_year == 30


def test_search_finds_a_cohort_by_the_words_of_its_name_or_code_in_any_order(cast):
    named = factories.CohortFactory(code="FND-2027-A", name="O'Neill Hall spring intake")
    factories.CohortFactory(code="FND-2027-B", name="Autumn intake")
    assert list(cohort_list(user=cast.staff, q="spring O\u2019Neill")) == [named]
    assert list(cohort_list(user=cast.staff, q="intake fnd-2027-a")) == [named]
    assert list(cohort_list(user=cast.staff, q="spring autumn")) == []
