"""Recording progress: steps one at a time or in bulk, the attendance register, assessments."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.models import LevelStep
from learners import services
from learners.models import AssessmentAttempt, Learner, ResultSource, StepProgress
from tests import factories

pytestmark = pytest.mark.django_db


def workshop(level="practitioner", order=1):
    return LevelStep.objects.filter(level__slug=level, kind=LevelStep.Kind.WORKSHOP).order_by(
        "order"
    )[order - 1]


def test_steps_recorded_for_many_learners_at_once_update_their_last_progress(cast):
    step = LevelStep.objects.filter(level__slug="practitioner").order_by("order").first()
    learners = [cast.learner_a, cast.learner_b]
    assert (
        services.steps_complete(
            learners=learners, step=step, on=date(2026, 11, 2), acting_user=cast.staff
        )
        == 2
    )
    for learner in learners:
        learner.refresh_from_db()
        assert learner.last_progress_on == date(2026, 11, 2)
        progress = learner.step_progress.get(step=step)
        assert progress.status == "completed" and progress.recorded_by == cast.staff
    # Recording it again with a later date keeps the first completion.
    assert (
        services.steps_complete(
            learners=learners, step=step, on=date(2026, 11, 10), acting_user=cast.staff
        )
        == 0
    )
    assert cast.learner_a.step_progress.get(step=step).completed_on == date(2026, 11, 2)


def test_a_step_cannot_be_completed_in_the_future(cast):
    step = LevelStep.objects.filter(level__slug="practitioner").first()
    with pytest.raises(ValidationError, match="today or in the past"):
        services.steps_complete(
            learners=[cast.learner_a],
            step=step,
            on=timezone.localdate() + timedelta(days=1),
            acting_user=cast.staff,
        )
    assert not StepProgress.objects.exists()


def test_the_register_completes_the_workshop_step_for_those_present_only(cast):
    session = factories.CohortSessionFactory(
        cohort=cast.cohort,
        step=workshop(),
        starts_at=datetime(2026, 10, 5, 10, tzinfo=ZoneInfo("Europe/London")),
        ends_at=datetime(2026, 10, 5, 13, tzinfo=ZoneInfo("Europe/London")),
    )
    present = services.attendance_record(
        session=session,
        marks={cast.learner_a: "present", cast.learner_b: "apologies"},
        acting_user=cast.staff,
    )
    assert present == 1
    done = cast.learner_a.step_progress.get(step=session.step)
    assert done.completed_on == date(2026, 10, 5) and done.source == ResultSource.ATTENDANCE
    assert not cast.learner_b.step_progress.exists()
    assert dict(session.attendance.values_list("learner__email", "status")) == {
        "learner@a.test": "present",
        "learner@b.test": "apologies",
    }
    # Correcting the register changes the mark, not the count of rows.
    services.attendance_record(
        session=session, marks={cast.learner_b: "present"}, acting_user=cast.staff
    )
    assert session.attendance.count() == 2
    assert cast.learner_b.step_progress.get(step=session.step).status == "completed"


def test_a_pass_creates_the_accreditation_with_its_renewal_and_congratulates(
    cast, django_capture_on_commit_callbacks
):
    practitioner = factories.level("practitioner")
    attempt = services.assessment_book(
        learner=cast.learner_a,
        level=practitioner,
        booked_for=date(2026, 10, 1),
        acting_user=cast.staff,
    )
    with django_capture_on_commit_callbacks(execute=True):
        accreditation = services.assessment_record_result(
            attempt=attempt, result="pass", result_on=date(2026, 10, 20), acting_user=cast.staff
        )
    assert accreditation.level == practitioner
    assert accreditation.renewal_due == date(2027, 10, 20)
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ACCREDITED
    assessment_step = cast.learner_a.step_progress.get(step__kind=LevelStep.Kind.ASSESSMENT)
    assert assessment_step.completed_on == date(2026, 10, 20)
    assert [m.subject for m in mail.outbox] == [
        "Congratulations on your Practitioner accreditation"
    ]


def test_a_fail_allows_a_resit(cast):
    practitioner = factories.level("practitioner")
    first = services.assessment_book(
        learner=cast.learner_a,
        level=practitioner,
        booked_for=date(2026, 9, 1),
        acting_user=cast.staff,
    )
    with pytest.raises(ValidationError):
        services.assessment_book(
            learner=cast.learner_a,
            level=practitioner,
            booked_for=date(2026, 9, 8),
            acting_user=cast.staff,
        )
    assert (
        services.assessment_record_result(
            attempt=first, result="fail", result_on=date(2026, 9, 20), acting_user=cast.staff
        )
        is None
    )
    resit = services.assessment_book(
        learner=cast.learner_a,
        level=practitioner,
        booked_for=date(2026, 11, 1),
        acting_user=cast.staff,
    )
    assert resit.result == AssessmentAttempt.Result.PENDING
    assert not cast.learner_a.accreditations.exists()
    with pytest.raises(ValidationError, match="already has a result"):
        services.assessment_record_result(
            attempt=first, result="pass", result_on=date(2026, 9, 21), acting_user=cast.staff
        )
