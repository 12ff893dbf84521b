"""Places in cohorts: the waiting list in order, promotion on withdrawal, deferral, closing."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cohorts.models import Cohort
from learners import services
from learners.models import Enrolment, Learner
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def learners(n, council=None):
    council = council or factories.CouncilFactory()
    return [factories.LearnerFactory(council=council, last_name=f"L{i}") for i in range(n)]


def test_bulk_enrolment_past_capacity_fills_places_then_the_waiting_list_in_order(cast, send_now):
    cohort = factories.CohortFactory(capacity=2)
    people = learners(4)
    result = send_now(
        services.enrolments_create, learners=people, cohort=cohort, acting_user=cast.staff
    )
    assert result.enrolled == people[:2] and result.waiting == people[2:]
    places = [m.to[0] for m in mail.outbox if m.subject.startswith("Your place")]
    waiting = [m.to[0] for m in mail.outbox if "waiting list" in m.subject]
    assert sorted(places) == sorted(p.email for p in people[:2])
    assert sorted(waiting) == sorted(p.email for p in people[2:])


def test_bulk_enrolment_skips_withdrawn_learners_and_those_already_at_the_level(cast, send_now):
    cohort = factories.CohortFactory()
    withdrawn = factories.LearnerFactory(status=Learner.Status.WITHDRAWN)
    result = send_now(
        services.enrolments_create,
        learners=[withdrawn, cast.learner_a],
        cohort=cohort,
        acting_user=cast.staff,
    )
    assert result.enrolled == [] and result.waiting == []
    assert [reason for _, reason in result.skipped] == [
        "has withdrawn from the programme",
        "is already in a Practitioner cohort",
    ]


def test_a_withdrawal_gives_the_place_to_the_longest_waiting_learner(cast, send_now):
    cohort = factories.CohortFactory(capacity=1)
    first, second, third = learners(3)
    for person in (first, second, third):
        send_now(services.enrolment_create, learner=person, cohort=cohort, acting_user=cast.staff)
    mail.outbox.clear()
    held = first.enrolments.get()
    promoted = send_now(
        services.enrolment_withdraw,
        enrolment=held,
        reason="Left the council",
        acting_user=cast.staff,
    )
    assert promoted.learner == second and promoted.status == Enrolment.Status.ENROLLED
    held.refresh_from_db()
    assert held.status == Enrolment.Status.WITHDRAWN and held.reason == "Left the council"
    assert [m.to for m in mail.outbox] == [[first.email], [second.email]]
    assert third.enrolments.get().status == Enrolment.Status.WAITING


def test_a_withdrawal_needs_a_reason_and_changes_nothing_without_one(cast):
    enrolment = cast.learner_a.enrolments.get()
    with pytest.raises(ValidationError, match="Enter why"):
        services.enrolment_withdraw(enrolment=enrolment, reason="  ", acting_user=cast.staff)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_deferral_keeps_the_old_enrolment_and_frees_its_place(cast, send_now):
    spring = factories.CohortFactory(capacity=1)
    autumn = factories.CohortFactory(starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 1))
    mover, waiter = learners(2)
    send_now(services.enrolment_create, learner=mover, cohort=spring, acting_user=cast.staff)
    send_now(services.enrolment_create, learner=waiter, cohort=spring, acting_user=cast.staff)
    old = mover.enrolments.get()
    moved = send_now(
        services.enrolment_move,
        enrolment=old,
        to_cohort=autumn,
        reason="Caring responsibilities",
        acting_user=cast.staff,
    )
    old.refresh_from_db()
    assert old.status == Enrolment.Status.DEFERRED and old.reason == "Caring responsibilities"
    assert moved.cohort == autumn and moved.status == Enrolment.Status.ENROLLED
    assert [e.cohort for e in mover.enrolments.order_by("pk")] == [spring, autumn]
    assert waiter.enrolments.get().status == Enrolment.Status.ENROLLED
    assert list(old.history.values_list("status", flat=True)) == ["deferred", "enrolled"]


def test_deferral_only_to_another_open_cohort_at_the_same_level(cast):
    enrolment = cast.learner_a.enrolments.get()
    expert = factories.CohortFactory(level=factories.level("expert"))
    with pytest.raises(ValidationError, match="same level"):
        services.enrolment_move(
            enrolment=enrolment, to_cohort=expert, reason="x", acting_user=cast.staff
        )
    with pytest.raises(ValidationError, match="different cohort"):
        services.enrolment_move(
            enrolment=enrolment, to_cohort=cast.cohort, reason="x", acting_user=cast.staff
        )
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_closing_a_cohort_completes_its_learners_and_withdraws_those_waiting(cast):
    cohort = factories.CohortFactory(capacity=1)
    placed, waiting = learners(2)
    services.enrolment_create(learner=placed, cohort=cohort, acting_user=cast.staff)
    services.enrolment_create(learner=waiting, cohort=cohort, acting_user=cast.staff)
    services.cohort_close(cohort=cohort, acting_user=cast.staff)
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.COMPLETED
    assert placed.enrolments.get().status == Enrolment.Status.COMPLETED
    ended = waiting.enrolments.get()
    assert ended.status == Enrolment.Status.WITHDRAWN and "closed" in ended.reason
    with pytest.raises(ValidationError, match="Only a running cohort"):
        services.cohort_close(cohort=cohort, acting_user=cast.staff)


def test_withdrawing_a_learner_ends_their_enrolments_and_promotes_the_next(cast, send_now):
    cohort = factories.CohortFactory(capacity=1)
    leaver, waiter = learners(2)
    send_now(services.enrolment_create, learner=leaver, cohort=cohort, acting_user=cast.staff)
    send_now(services.enrolment_create, learner=waiter, cohort=cohort, acting_user=cast.staff)
    services.learner_set_status(
        learner=leaver, status="withdrawn", reason="Left local government", acting_user=cast.staff
    )
    leaver.refresh_from_db()
    assert leaver.status == Learner.Status.WITHDRAWN
    assert leaver.enrolments.get().status == Enrolment.Status.WITHDRAWN
    assert waiter.enrolments.get().status == Enrolment.Status.ENROLLED
    with pytest.raises(ValidationError):
        services.learner_set_status(learner=leaver, status="active", acting_user=cast.staff)
