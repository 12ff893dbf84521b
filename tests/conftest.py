"""The fixed cast of users, one per role plus people from another council, shared by all tests."""

import os
from types import SimpleNamespace

import pytest

from cmpp.accounts.models import StaffMembership
from cmpp.notifications import services as notification_services
from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    """The whole-stack smoke test (tests/stack) starts its own servers and takes minutes: it runs
    when asked for by `-m stack` (make smoke), and is left out of every other run."""
    if "stack" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker("stack") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture
def cast(db):
    """Staff, viewer, and for councils A and B an SRO and a learner; plus a user with no role."""
    council_a = factories.CouncilFactory(name="Council A", code="E06000001")
    council_b = factories.CouncilFactory(name="Council B", code="E06000002")
    staff = factories.StaffMembershipFactory(
        user__email="staff@dluhc.test", role=StaffMembership.Role.PROGRAMME_STAFF
    ).user
    viewer = factories.StaffMembershipFactory(
        user__email="viewer@ccs.test",
        organisation=factories.organisation("ccs"),
        role=StaffMembership.Role.PROGRAMME_VIEWER,
    ).user
    sro_a = factories.CouncilRoleFactory(council=council_a, user__email="sro@a.test").user
    sro_b = factories.CouncilRoleFactory(council=council_b, user__email="sro@b.test").user
    learner_a = factories.LearnerFactory(
        council=council_a,
        email="learner@a.test",
        user=factories.UserFactory(email="learner@a.test"),
    )
    learner_b = factories.LearnerFactory(
        council=council_b,
        email="learner@b.test",
        user=factories.UserFactory(email="learner@b.test"),
    )
    cohort = factories.CohortFactory()
    factories.EnrolmentFactory(learner=learner_a, cohort=cohort)
    factories.EnrolmentFactory(learner=learner_b, cohort=cohort)
    return SimpleNamespace(
        council_a=council_a,
        council_b=council_b,
        staff=staff,
        viewer=viewer,
        sro_a=sro_a,
        sro_b=sro_b,
        learner_a=learner_a,
        learner_b=learner_b,
        learner_a_user=learner_a.user,
        learner_b_user=learner_b.user,
        nobody=factories.UserFactory(email="nobody@example.test"),
        cohort=cohort,
    )


@pytest.fixture(autouse=True)
def _broker_reachable():
    """Each test starts with the outbox willing to try the broker (a test may have tripped it)."""
    notification_services._broker_unavailable_until = 0.0
    yield
    notification_services._broker_unavailable_until = 0.0
