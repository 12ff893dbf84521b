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
    done = services.steps_complete(
        learners=learners, step=step, on=date(2026, 11, 2), acting_user=cast.staff
    )
    assert done.recorded == learners and done.already == []
    for learner in learners:
        learner.refresh_from_db()
        assert learner.last_progress_on == date(2026, 11, 2)
        progress = learner.step_progress.get(step=step)
        assert progress.status == "completed" and progress.recorded_by == cast.staff


def test_recording_a_step_a_learner_already_has_says_so_and_changes_nothing(cast):
    step = LevelStep.objects.filter(level__slug="practitioner").order_by("order").first()
    services.steps_complete(
        learners=[cast.learner_a], step=step, on=date(2026, 11, 2), acting_user=cast.staff
    )
    # An earlier date does not replace the recorded one either.
    with pytest.raises(ValidationError) as refused:
        services.steps_complete(
            learners=[cast.learner_a], step=step, on=date(2026, 10, 1), acting_user=cast.staff
        )
    assert refused.value.message_dict["step"] == [
        f"{cast.learner_a.full_name} has already completed {step.name} (on 2 November 2026)"
    ]
    assert cast.learner_a.step_progress.get(step=step).completed_on == date(2026, 11, 2)
    assert cast.learner_a.step_progress.get(step=step).history.count() == 1


def test_recording_a_step_for_many_skips_those_who_already_have_it(cast):
    step = LevelStep.objects.filter(level__slug="practitioner").order_by("order").first()
    services.steps_complete(
        learners=[cast.learner_a], step=step, on=date(2026, 11, 2), acting_user=cast.staff
    )
    done = services.steps_complete(
        learners=[cast.learner_a, cast.learner_b],
        step=step,
        on=date(2026, 11, 10),
        acting_user=cast.staff,
    )
    assert done.recorded == [cast.learner_b]
    assert done.already == [(cast.learner_a, date(2026, 11, 2))]
    assert cast.learner_a.step_progress.get(step=step).completed_on == date(2026, 11, 2)
    assert cast.learner_b.step_progress.get(step=step).completed_on == date(2026, 11, 10)
    with pytest.raises(ValidationError, match="Everyone you selected has already completed"):
        services.steps_complete(
            learners=[cast.learner_a, cast.learner_b],
            step=step,
            on=date(2026, 11, 12),
            acting_user=cast.staff,
        )


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


def complete_required_steps(learner, on):
    """Every step a pass at the learner's level needs, done on `on`."""
    for step in LevelStep.objects.filter(
        level=learner.target_level, is_active=True, required_before_assessment=True
    ).exclude(kind=LevelStep.Kind.ASSESSMENT):
        factories.StepProgressFactory(learner=learner, step=step, completed_on=on)


def test_a_pass_creates_the_accreditation_with_its_renewal_and_congratulates(
    cast, django_capture_on_commit_callbacks
):
    practitioner = factories.level("practitioner")
    complete_required_steps(cast.learner_a, date(2026, 9, 1))
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


def book(learner, staff, on=date(2026, 10, 1)):
    return services.assessment_book(
        learner=learner, level=factories.level("practitioner"), booked_for=on, acting_user=staff
    )


def test_a_result_cannot_be_dated_before_the_assessment_or_in_the_future(cast):
    complete_required_steps(cast.learner_a, date(2026, 9, 1))
    attempt = book(cast.learner_a, cast.staff)
    with pytest.raises(ValidationError) as refused:
        services.assessment_record_result(
            attempt=attempt, result="pass", result_on=date(2026, 9, 30), acting_user=cast.staff
        )
    assert refused.value.message_dict["result_on"] == [
        "The date of the result must be the same as or after the assessment date, 1 October 2026"
    ]
    with pytest.raises(ValidationError, match="must be today or in the past"):
        services.assessment_record_result(
            attempt=attempt,
            result="pass",
            result_on=timezone.localdate() + timedelta(days=1),
            acting_user=cast.staff,
        )
    attempt.refresh_from_db()
    assert attempt.result == "pending" and not cast.learner_a.accreditations.exists()
    services.assessment_record_result(
        attempt=attempt, result="pass", result_on=date(2026, 10, 1), acting_user=cast.staff
    )
    assert cast.learner_a.accreditations.get().achieved_on == date(2026, 10, 1)


def test_a_pass_needs_every_required_step_done_by_the_result_date(cast):
    steps = list(
        LevelStep.objects.filter(
            level__slug="practitioner", is_active=True, required_before_assessment=True
        ).exclude(kind=LevelStep.Kind.ASSESSMENT)
    )
    complete_required_steps(cast.learner_a, date(2026, 9, 1))
    # One step done only after the result's date does not count.
    cast.learner_a.step_progress.filter(step=steps[-1]).update(completed_on=date(2026, 10, 25))
    attempt = book(cast.learner_a, cast.staff)
    with pytest.raises(ValidationError) as refused:
        services.assessment_record_result(
            attempt=attempt, result="pass", result_on=date(2026, 10, 20), acting_user=cast.staff
        )
    assert refused.value.message_dict["result"] == [
        f"{cast.learner_a.full_name} had not completed every step needed before the assessment "
        f"by 20 October 2026. Still to do: {steps[-1].name}"
    ]
    attempt.refresh_from_db()
    assert attempt.result == "pending" and not cast.learner_a.accreditations.exists()
    # A step that is not required, or retired, does not hold the pass back.
    LevelStep.objects.filter(pk=steps[-1].pk).update(required_before_assessment=False)
    assert services.assessment_record_result(
        attempt=attempt, result="pass", result_on=date(2026, 10, 20), acting_user=cast.staff
    )


def test_a_fail_needs_no_steps_and_a_pass_can_be_recorded_with_a_reason(cast):
    attempt = book(cast.learner_a, cast.staff)
    assert (
        services.assessment_record_result(
            attempt=attempt, result="fail", result_on=date(2026, 10, 2), acting_user=cast.staff
        )
        is None
    )
    resit = book(cast.learner_a, cast.staff, on=date(2026, 11, 1))
    services.assessment_record_result(
        attempt=resit,
        result="pass",
        result_on=date(2026, 11, 2),
        override_reason="The College accepted prior work",
        acting_user=cast.staff,
    )
    assert cast.learner_a.accreditations.get().achieved_on == date(2026, 11, 2)
    assert resit.history.first().history_change_reason == (
        "Pass without every step done: The College accepted prior work"
    )


def test_a_pass_corrected_to_fail_removes_its_accreditation_and_back(
    cast, django_capture_on_commit_callbacks
):
    complete_required_steps(cast.learner_a, date(2026, 9, 1))
    attempt = book(cast.learner_a, cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_record_result(
            attempt=attempt, result="pass", result_on=date(2026, 10, 20), acting_user=cast.staff
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.assessment_correct_result(
                attempt=attempt,
                result="fail",
                result_on=date(2026, 10, 20),
                reason="The College sent the wrong list",
                acting_user=cast.staff,
            )
            is None
        )
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ACTIVE
    assert not cast.learner_a.accreditations.exists()
    assert not cast.learner_a.step_progress.filter(step__kind=LevelStep.Kind.ASSESSMENT).exists()
    # Back to a pass: the accreditation again, and still one congratulation.
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_correct_result(
            attempt=attempt,
            result="pass",
            result_on=date(2026, 10, 20),
            reason="The College confirmed the pass",
            acting_user=cast.staff,
        )
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ACCREDITED
    assert cast.learner_a.accreditations.get().achieved_on == date(2026, 10, 20)
    assert len(mail.outbox) == 1
    # Only the date: the accreditation moves with it.
    services.assessment_correct_result(
        attempt=attempt,
        result="pass",
        result_on=date(2026, 10, 22),
        reason="Wrong date typed",
        acting_user=cast.staff,
    )
    accreditation = cast.learner_a.accreditations.get()
    assert accreditation.achieved_on == date(2026, 10, 22)
    assert accreditation.renewal_due == date(2027, 10, 22)


def test_a_correction_keeps_the_rules_and_needs_a_reason(cast):
    attempt = book(cast.learner_a, cast.staff)
    services.assessment_record_result(
        attempt=attempt, result="fail", result_on=date(2026, 10, 2), acting_user=cast.staff
    )
    with pytest.raises(ValidationError, match="Enter why the result is being corrected"):
        services.assessment_correct_result(
            attempt=attempt,
            result="fail",
            result_on=date(2026, 10, 3),
            reason=" ",
            acting_user=cast.staff,
        )
    with pytest.raises(ValidationError, match="had not completed every step"):
        services.assessment_correct_result(
            attempt=attempt,
            result="pass",
            result_on=date(2026, 10, 2),
            reason="Marked wrongly",
            acting_user=cast.staff,
        )
    with pytest.raises(ValidationError, match="same as or after the assessment date"):
        services.assessment_correct_result(
            attempt=attempt,
            result="fail",
            result_on=date(2026, 9, 2),
            reason="Marked wrongly",
            acting_user=cast.staff,
        )
    attempt.refresh_from_db()
    assert (attempt.result, attempt.result_on) == ("fail", date(2026, 10, 2))
    assert not cast.learner_a.accreditations.exists()


def test_the_register_cannot_be_taken_before_the_session_starts(cast):
    session = factories.CohortSessionFactory(
        cohort=cast.cohort, step=workshop(), starts_at=timezone.now() + timedelta(minutes=5)
    )
    with pytest.raises(ValidationError, match="opens when the session starts"):
        services.attendance_record(
            session=session, marks={cast.learner_a: "present"}, acting_user=cast.staff
        )
    assert not session.attendance.exists() and not StepProgress.objects.exists()
    session.starts_at = timezone.now() - timedelta(minutes=5)
    session.ends_at = session.starts_at + timedelta(hours=2)
    session.save()
    assert (
        services.attendance_record(
            session=session, marks={cast.learner_a: "present"}, acting_user=cast.staff
        )
        == 1
    )
