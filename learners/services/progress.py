"""Progress towards a level: steps, the attendance register, assessments and accreditations."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cmpp.accounts.models import User
from cmpp.core.records import record_save
from cmpp.core.templatetags.cmpp_tags import govuk_time
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from cohorts.models import AccreditationLevel, CohortSession, LevelStep
from cohorts.selectors import session_register_open
from councils.selectors import council_contact_email
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    Learner,
    ResultSource,
    SessionAttendance,
    StepProgress,
)
from learners.selectors import steps_missing_before_assessment


def _long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def _check_not_future(on: date, *, field: str, noun: str) -> None:
    """The one rule for progress dates: never in the future, whichever path sets them."""
    if on > timezone.localdate():
        raise ValidationError({field: f"{noun} must be today or in the past"})


def learner_refresh_progress(*, learner_ids: Iterable[int], loaded: Iterable[Learner] = ()) -> None:
    """The one rule for the learner list's stored progress, in one UPDATE: `steps_done` is the
    active steps of each learner's target level they have completed, `last_progress_on` the
    latest day they completed any step. `loaded` are instances of those learners the caller
    holds, given the new values. Every write that changes a learner's steps or their target
    level calls it, and so does a step retired or restored (through learners/receivers.py, as
    cohorts sits below learners)."""
    completed = StepProgress.objects.filter(
        learner=OuterRef("pk"), status=StepProgress.Status.COMPLETED
    ).order_by()
    done = (
        completed.filter(step__level=OuterRef("target_level"), step__is_active=True)
        .values("learner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest = completed.values("learner").annotate(latest=Max("completed_on")).values("latest")
    refreshed = Learner.objects.filter(pk__in=list(learner_ids))
    refreshed.update(
        steps_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
        last_progress_on=Subquery(latest),
    )
    loaded = list(loaded)
    if loaded:
        # Instances the caller holds take the new values, so a later save keeps them.
        now = {
            row[0]: row[1:] for row in refreshed.values_list("pk", "steps_done", "last_progress_on")
        }
        for learner in loaded:
            learner.steps_done, learner.last_progress_on = now[learner.pk]


@dataclass
class StepsRecorded:
    """What recording a step did: who newly completed it, and who already had, with the date."""

    step: LevelStep
    recorded: list[Learner] = field(default_factory=list)
    already: list[tuple[Learner, date]] = field(default_factory=list)


def _complete_steps(
    *, learners: Iterable[Learner], step: LevelStep, on: date, source: str, acting_user
) -> StepsRecorded:
    """Mark the step completed for each learner. A learner who already completed it keeps their
    record as it is, and is listed in `already`."""
    _check_not_future(on, field="on", noun="The date the step was completed")
    learners = list(learners)
    existing = {
        p.learner_id: p
        for p in StepProgress.objects.select_for_update().filter(step=step, learner__in=learners)
    }
    done = StepsRecorded(step=step)
    for learner in learners:
        progress = existing.get(learner.pk) or StepProgress(learner=learner, step=step)
        if progress.status == StepProgress.Status.COMPLETED:
            done.already.append((learner, progress.completed_on))
            continue
        progress.status = StepProgress.Status.COMPLETED
        progress.completed_on = on
        progress.source = source
        progress.recorded_by = acting_user
        record_save(progress, acting_user=acting_user)
        done.recorded.append(learner)
    if done.recorded:
        learner_refresh_progress(
            learner_ids=[learner.pk for learner in done.recorded], loaded=done.recorded
        )
    return done


def already_completed_message(learner: Learner, step: LevelStep, on: date) -> str:
    return f"{learner.full_name} has already completed {step.name} (on {_long_date(on)})"


@transaction.atomic
def steps_complete(
    *,
    learners: Iterable[Learner],
    step: LevelStep,
    on: date,
    acting_user: User | None,
    source: str = ResultSource.PORTAL,
) -> StepsRecorded:
    """Record that learners completed a step on a date (one learner, or many from a roster).
    Those who already completed it are left as they are; if nobody is left to record, nothing
    is recorded and the refusal says so."""
    done = _complete_steps(
        learners=learners, step=step, on=on, source=source, acting_user=acting_user
    )
    if not done.recorded and done.already:
        if len(done.already) == 1:
            learner, completed_on = done.already[0]
            message = already_completed_message(learner, step, completed_on)
        else:
            message = f"Everyone you selected has already completed {step.name}"
        raise ValidationError({"step": message})
    return done


def register_opens_message(session: CohortSession) -> str:
    starts = timezone.localtime(session.starts_at)
    return (
        f"The register for {session.title} opens when the session starts, at "
        f"{govuk_time(starts)} on {starts:%A %-d %B %Y}"
    )


@transaction.atomic
def attendance_record(
    *, session: CohortSession, marks: dict[Learner, str], acting_user: User | None
) -> int:
    """Record the register for a session. Learners present complete the session's workshop
    step on the session's date. Returns how many were marked present."""
    if session.is_cancelled:
        raise ValidationError("This session was cancelled, so it has no register")
    if not session_register_open(session):
        raise ValidationError(register_opens_message(session))
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


def _check_result(
    *, attempt: AssessmentAttempt, result: str, result_on: date, override_reason: str
) -> None:
    """The rules for an assessment result, whether first recorded or corrected."""
    if result not in (AssessmentAttempt.Result.PASS, AssessmentAttempt.Result.FAIL):
        raise ValidationError({"result": "Choose pass or fail"})
    _check_not_future(result_on, field="result_on", noun="The date of the result")
    if result_on < attempt.booked_for:
        raise ValidationError(
            {
                "result_on": "The date of the result must be the same as or after the "
                f"assessment date, {_long_date(attempt.booked_for)}"
            }
        )
    if result != AssessmentAttempt.Result.PASS or override_reason.strip():
        return
    missing = steps_missing_before_assessment(
        learner=attempt.learner, level_id=attempt.level_id, on=result_on
    )
    if missing:
        names = ", ".join(step.name for step in missing)
        raise ValidationError(
            {
                "result": f"{attempt.learner.full_name} had not completed every step needed "
                f"before the assessment by {_long_date(result_on)}. Still to do: {names}"
            }
        )


def _pass_effects(*, attempt: AssessmentAttempt, source: str, acting_user) -> Accreditation:
    """What a pass causes: the assessment step done and the accreditation (with its email)."""
    assessment_steps = LevelStep.objects.filter(
        level=attempt.level, kind=LevelStep.Kind.ASSESSMENT, is_active=True
    )
    for step in assessment_steps:
        _complete_steps(
            learners=[attempt.learner],
            step=step,
            on=attempt.result_on,
            source=source,
            acting_user=acting_user,
        )
    return accreditation_record(
        learner=attempt.learner,
        level=attempt.level,
        achieved_on=attempt.result_on,
        source=source,
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
    override_reason: str = "",
) -> Accreditation | None:
    """Record the College's result. A pass needs every step required before the assessment done
    by the result's date, unless staff give `override_reason` (kept in the history). A pass
    completes the assessment step and creates the accreditation (renewal date from the level's
    rule; the learner is congratulated). A fail leaves the learner free to book a resit."""
    attempt = AssessmentAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.result != AssessmentAttempt.Result.PENDING:
        raise ValidationError("This assessment already has a result")
    _check_result(
        attempt=attempt, result=result, result_on=result_on, override_reason=override_reason
    )
    attempt.result = result
    attempt.result_on = result_on
    attempt.source = source
    attempt.recorded_by = acting_user
    reason = ""
    if result == AssessmentAttempt.Result.PASS and override_reason.strip():
        reason = f"Pass without every step done: {override_reason.strip()}"
    record_save(attempt, acting_user=acting_user, reason=reason)
    if result != AssessmentAttempt.Result.PASS:
        return None
    return _pass_effects(attempt=attempt, source=source, acting_user=acting_user)


@transaction.atomic
def assessment_correct_result(
    *,
    attempt: AssessmentAttempt,
    result: str,
    result_on: date,
    reason: str,
    acting_user: User | None,
    override_steps: bool = False,
) -> Accreditation | None:
    """Correct a recorded result (pass to fail, fail to pass, or its date), with the reason in
    the history. The accreditation follows: a pass corrected to fail removes the accreditation
    that pass created (and the learner is no longer accredited); a fail corrected to pass
    creates it. Returns the accreditation the result now gives, if any."""
    attempt = (
        AssessmentAttempt.objects.select_for_update()
        .select_related("learner", "level")
        .get(pk=attempt.pk)
    )
    if attempt.result == AssessmentAttempt.Result.PENDING:
        raise ValidationError("This assessment has no result to correct yet")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the result is being corrected"})
    if result == attempt.result and result_on == attempt.result_on:
        raise ValidationError({"result": "Change the result or its date to correct it"})
    _check_result(
        attempt=attempt,
        result=result,
        result_on=result_on,
        override_reason=reason if override_steps else "",
    )
    learner, level = attempt.learner, attempt.level
    was_pass, passed_on = attempt.result == AssessmentAttempt.Result.PASS, attempt.result_on
    attempt.result = result
    attempt.result_on = result_on
    attempt.recorded_by = acting_user
    record_save(attempt, acting_user=acting_user, reason=f"Result corrected: {reason.strip()}")
    accreditation = None
    if was_pass:
        accreditation = learner.accreditations.filter(level=level, achieved_on=passed_on).first()
    if result == AssessmentAttempt.Result.PASS and accreditation is not None:
        # Only the date changed: move the accreditation with it. The learner was already
        # congratulated, so no second email.
        accreditation.achieved_on = result_on
        accreditation.renewal_due = level.renewal_due(result_on)
        record_save(accreditation, acting_user=acting_user, reason="Assessment result corrected")
        StepProgress.objects.filter(
            learner=learner,
            step__level=level,
            step__kind=LevelStep.Kind.ASSESSMENT,
            completed_on=passed_on,
        ).update(completed_on=result_on)
        learner_refresh_progress(learner_ids=[learner.pk], loaded=[learner])
        return accreditation
    if accreditation is not None:
        # A pass corrected to fail: the accreditation it created goes, and so does the
        # assessment step it completed.
        accreditation._history_user = acting_user
        accreditation.delete()
        for progress in StepProgress.objects.filter(
            learner=learner,
            step__level=level,
            step__kind=LevelStep.Kind.ASSESSMENT,
            completed_on=passed_on,
        ):
            progress._history_user = acting_user
            progress.delete()
        learner_refresh_progress(learner_ids=[learner.pk], loaded=[learner])
        if (
            learner.status == Learner.Status.ACCREDITED
            and not learner.accreditations.filter(level=learner.target_level_id).exists()
        ):
            # Back to the status they had before the pass made them accredited.
            learner.status = (
                learner.history.exclude(status=Learner.Status.ACCREDITED)
                .order_by("-history_date", "-history_id")
                .values_list("status", flat=True)
                .first()
            ) or Learner.Status.ACTIVE
            record_save(
                learner, acting_user=acting_user, reason="Assessment result corrected to fail"
            )
    if result == AssessmentAttempt.Result.PASS:
        return _pass_effects(attempt=attempt, source=attempt.source, acting_user=acting_user)
    return None


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
            "contact_email": council_contact_email(learner.council),
        },
    )
    return accreditation
