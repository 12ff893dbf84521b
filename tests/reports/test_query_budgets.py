"""Pages draw their lists in a fixed number of queries, however many rows there are."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

BUDGET = 15


def grow(cast, size):
    """Add `size` learners to council A, each enrolled in the cast's cohort with some progress."""
    for _ in range(size):
        learner = factories.LearnerFactory(council=cast.council_a)
        factories.EnrolmentFactory(learner=learner, cohort=cast.cohort)
        factories.StepProgressFactory(learner=learner)
        factories.CouncilFactory()
        factories.CohortFactory()


PAGES = {
    "staff": ["/", "/councils/", "/cohorts/", "/learners/", "/cohort", "/council", "/learner"],
    "sro_a": ["/", "/councils/", "/learners/", "/council", "/learner"],
    "learner_a_user": ["/me/", "/networks/"],
}


def resolve(cast, url):
    return {
        "/cohort": f"/cohorts/{cast.cohort.pk}/",
        "/council": f"/councils/{cast.council_a.pk}/",
        "/learner": f"/learners/{cast.learner_a.pk}/",
    }.get(url, url)


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize(
    ("who", "url"), [(who, url) for who, urls in PAGES.items() for url in urls]
)
def test_page_stays_within_its_query_budget(
    client, cast, django_assert_max_num_queries, size, who, url
):
    grow(cast, size)
    client.force_login(getattr(cast, who))
    client.get("/healthz")  # the session's first-request bookkeeping, outside the count
    with django_assert_max_num_queries(BUDGET):
        response = client.get(resolve(cast, url))
    assert response.status_code == 200
