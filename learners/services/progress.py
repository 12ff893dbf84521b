"""Progress towards a level: steps, the attendance register, assessments and accreditations."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cmpp.accounts.models import User
from cmpp.core.records import record_save
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from cohorts.models import AccreditationLevel, CohortSession, LevelStep
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    Learner,
    ResultSource,
    SessionAttendance,
    StepProgress,
)


def _complete_steps(
    *, learners: Iterable[Learner], step: LevelStep, on: date, source: str, acting_user
) -> int:
    """Mark the step completed for each learner (keeping an earlier completion date). Returns
    how many learners newly completed it."""
    learners = list(learners)
    existing = {
        p.learner_id: p
        for p in StepProgress.objects.select_for_update().filter(step=step, learner__in=learners)
    }
    newly = 0
    for learner in learners:
        progress = existing.get(learner.pk) or StepProgress(learner=learner, step=step)
        if progress.status == StepProgress.Status.COMPLETED and progress.completed_on <= on:
            continue
        newly += progress.status != StepProgress.Status.COMPLETED
        progress.status = StepProgress.Status.COMPLETED
        progress.completed_on = on
        progress.source = source
        progress.recorded_by = acting_user
        record_save(progress, acting_user=acting_user)
        if learner.last_progress_on is None or learner.last_progress_on < on:
            learner.last_progress_on = on
            record_save(
                learner, acting_user=acting_user, update_fields=["last_progress_on", "updated_at"]
            )
    return newly


@transaction.atomic
def steps_complete(
    *,
    learners: Iterable[Learner],
    step: LevelStep,
    on: date,
    acting_user: User | None,
    source: str = ResultSource.PORTAL,
) -> int:
    """Record that learners completed a step on a date (one learner, or many from a roster)."""
    if on > timezone.localdate():
        raise ValidationError(
            {"on": "The date the step was completed must be today or in the past"}
        )
    return _complete_steps(
        learners=learners, step=step, on=on, source=source, acting_user=acting_user
    )


@transaction.atomic
def attendance_record(
    *, session: CohortSession, marks: dict[Learner, str], acting_user: User | None
) -> int:
    """Record the register for a session. Learners present complete the session's workshop
    step on the session's date. Returns how many were marked present."""
    if session.is_cancelled:
        raise ValidationError("This session was cancelled, so it has no register")
    existing = {a.learner_id: a for a in session.attendance.select_for_update()}
    present = []
    for learner, status in marks.items():
        if status not in SessionAttendance.Status.values:
            raise ValidationError(f"Choose present, absent or apologies for {learner}")
        mark = existing.get(learner.pk) or SessionAttendance(session=session, learner=learner)
        if mark.status != status:
            mark.status = status
            mark.recorded_by = acting_user
            record_save(mark, acting_user=acting_user)
        if status == SessionAttendance.Status.PRESENT:
            present.append(learner)
    if session.step_id and present:
        _complete_steps(
            learners=present,
            step=session.step,
            on=timezone.localdate(session.starts_at),
            source=ResultSource.ATTENDANCE,
            acting_user=acting_user,
        )
    return len(present)


@transaction.atomic
def assessment_book(
    *, learner: Learner, level: AccreditationLevel, booked_for: date, acting_user: User | None
) -> AssessmentAttempt:
    """Book the learner's assessment (or a resit after a fail)."""
    if learner.accreditations.filter(level=level, achieved_on__gte=booked_for).exists():
        raise ValidationError({"booked_for": "The learner already holds this accreditation"})
    return record_save(
        AssessmentAttempt(learner=learner, level=level, booked_for=booked_for),
        acting_user=acting_user,
    )


@transaction.atomic
def assessment_record_result(
    *,
    attempt: AssessmentAttempt,
    result: str,
    result_on: date,
    acting_user: User | None,
    source: str = ResultSource.COLLEGE,
) -> Accreditation | None:
    """Record the College's result. A pass completes the assessment step and creates the
    accreditation (renewal date from the level's rule; the learner is congratulated). A fail
    leaves the learner free to book a resit."""
    attempt = AssessmentAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.result != AssessmentAttempt.Result.PENDING:
        raise ValidationError("This assessment already has a result")
    if result not in (AssessmentAttempt.Result.PASS, AssessmentAttempt.Result.FAIL):
        raise ValidationError({"result": "Choose pass or fail"})
    if result_on > timezone.localdate():
        raise ValidationError({"result_on": "The date of the result must be today or in the past"})
    attempt.result = result
    attempt.result_on = result_on
    attempt.source = source
    attempt.recorded_by = acting_user
    record_save(attempt, acting_user=acting_user)
    if result != AssessmentAttempt.Result.PASS:
        return None
    learner = attempt.learner
    assessment_steps = LevelStep.objects.filter(
        level=attempt.level, kind=LevelStep.Kind.ASSESSMENT, is_active=True
    )
    for step in assessment_steps:
        _complete_steps(
            learners=[learner], step=step, on=result_on, source=source, acting_user=acting_user
        )
    return accreditation_record(
        learner=learner,
        level=attempt.level,
        achieved_on=result_on,
        source=source,
        acting_user=acting_user,
    )


@transaction.atomic
def accreditation_record(
    *,
    learner: Learner,
    level: AccreditationLevel,
    achieved_on: date,
    source: str = ResultSource.COLLEGE,
    acting_user: User | None,
) -> Accreditation:
    """Record an accreditation the College awarded, and congratulate the learner."""
    accreditation = record_save(
        Accreditation(
            learner=learner,
            level=level,
            achieved_on=achieved_on,
            renewal_due=level.renewal_due(achieved_on),
            source=source,
        ),
        acting_user=acting_user,
    )
    if learner.target_level_id == level.pk and learner.status != Learner.Status.ACCREDITED:
        learner.status = Learner.Status.ACCREDITED
        record_save(learner, acting_user=acting_user)
    email_queue(
        key=f"congratulation:{learner.pk}:{level.slug}:{achieved_on.isoformat()}",
        purpose=OutboundEmail.Purpose.CONGRATULATION,
        to_email=learner.email,
        template="notifications/email/congratulation",
        context={
            "first_name": learner.first_name,
            "level": level,
            "achieved_on": achieved_on,
            "renewal_due": accreditation.renewal_due,
        },
    )
    return accreditation
