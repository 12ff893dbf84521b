"""Writes to accreditation levels and their steps, cohorts and their sessions. Every function is
atomic and records who acted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cmpp.core.records import record_apply, record_save
from cohorts.models import AccreditationLevel, Cohort, CohortSession, LevelStep

COHORT_EDITABLE_FIELDS = (
    "code",
    "name",
    "level",
    "starts_on",
    "ends_on",
    "capacity",
    "delivery_organisation",
)
SESSION_EDITABLE_FIELDS = ("title", "step", "starts_at", "ends_at", "location", "online_url")


@transaction.atomic
def cohort_create(*, acting_user, **fields) -> Cohort:
    """A new cohort, planned until staff start it."""
    cohort = Cohort(status=Cohort.Status.PLANNED)
    record_apply(cohort, editable=COHORT_EDITABLE_FIELDS, changes=fields)
    return record_save(cohort, acting_user=acting_user)


@transaction.atomic
def cohort_update(*, cohort: Cohort, acting_user, **changes) -> Cohort:
    """Change a cohort's details. Its level is fixed once anyone is enrolled."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    level_before = cohort.level_id
    record_apply(cohort, editable=COHORT_EDITABLE_FIELDS, changes=changes)
    if cohort.level_id != level_before and cohort.enrolments.exists():
        raise ValidationError(
            {"level": "The level cannot change once learners are enrolled in the cohort"}
        )
    _check_cohort_keeps_its_sessions(cohort)
    return record_save(cohort, acting_user=acting_user)


def _long_date(day) -> str:
    return f"{day:%-d %B %Y}"


def _check_cohort_keeps_its_sessions(cohort: Cohort) -> None:
    """A cohort's dates cannot move so that sessions it still runs fall outside them."""
    if not (cohort.starts_on and cohort.ends_on):
        return
    errors = {}
    for session in cohort.sessions.filter(is_cancelled=False).order_by("starts_at"):
        on = timezone.localdate(session.starts_at)
        if on < cohort.starts_on:
            errors.setdefault("starts_on", []).append(session)
        elif on > cohort.ends_on:
            errors.setdefault("ends_on", []).append(session)
    if errors:
        raise ValidationError(
            {
                field: (
                    "The cohort has sessions outside these dates: "
                    + ", ".join(
                        f"{s.title} on {_long_date(timezone.localdate(s.starts_at))}"
                        for s in sessions
                    )
                    + ". Change or cancel those sessions first"
                )
                for field, sessions in errors.items()
            }
        )


@transaction.atomic
def cohort_start(*, cohort: Cohort, acting_user) -> Cohort:
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status != Cohort.Status.PLANNED:
        raise ValidationError("Only a planned cohort can be started")
    cohort.status = Cohort.Status.RUNNING
    return record_save(cohort, acting_user=acting_user, update_fields=["status", "updated_at"])


@transaction.atomic
def cohort_mark_completed(*, cohort: Cohort, acting_user) -> Cohort:
    """The cohort's own part of closing it; `learners.services.cohort_close` does the rest."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status != Cohort.Status.RUNNING:
        raise ValidationError("Only a running cohort can be closed")
    cohort.status = Cohort.Status.COMPLETED
    return record_save(cohort, acting_user=acting_user, update_fields=["status", "updated_at"])


def _check_session(session: CohortSession) -> None:
    if session.step_id and session.step.level_id != session.cohort.level_id:
        raise ValidationError({"step": "Choose a step at the cohort's level"})
    cohort = session.cohort
    if session.starts_at and not (
        cohort.starts_on <= timezone.localdate(session.starts_at) <= cohort.ends_on
    ):
        # "on" is the session's date, as the session form names it.
        raise ValidationError(
            {
                "on": "The session must be between the cohort's start and end dates "
                f"({_long_date(cohort.starts_on)} to {_long_date(cohort.ends_on)}). "
                "Change the cohort's dates first"
            }
        )


@transaction.atomic
def session_create(*, cohort: Cohort, acting_user, **fields) -> CohortSession:
    session = CohortSession(cohort=cohort)
    record_apply(session, editable=SESSION_EDITABLE_FIELDS, changes=fields)
    _check_session(session)
    return record_save(session, acting_user=acting_user)


@transaction.atomic
def session_update(*, session: CohortSession, acting_user, **changes) -> CohortSession:
    record_apply(session, editable=SESSION_EDITABLE_FIELDS, changes=changes)
    _check_session(session)
    return record_save(session, acting_user=acting_user)


@transaction.atomic
def session_cancel(*, session: CohortSession, acting_user) -> CohortSession:
    session = CohortSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError("This session is already cancelled")
    session.is_cancelled = True
    return record_save(
        session, acting_user=acting_user, update_fields=["is_cancelled", "updated_at"]
    )


# Accreditation levels and their steps: data staff can change, with history.

LEVEL_EDITABLE_FIELDS = ("name", "description", "is_funded", "renewal_months", "cpd_hours_per_year")
STEP_EDITABLE_FIELDS = ("name", "kind", "description", "required_before_assessment")


@transaction.atomic
def level_update(*, level: AccreditationLevel, acting_user, **changes) -> AccreditationLevel:
    """Change a level's name, description, funding or renewal rule. A level has exactly one
    renewal rule (the model's constraint refuses both or neither)."""
    level = AccreditationLevel.objects.select_for_update().get(pk=level.pk)
    record_apply(level, editable=LEVEL_EDITABLE_FIELDS, changes=changes)
    if AccreditationLevel.objects.filter(name__iexact=level.name).exclude(pk=level.pk).exists():
        raise ValidationError({"name": "Another level already has this name"})
    return record_save(level, acting_user=acting_user)


def _locked_level(level_id: int) -> AccreditationLevel:
    """Lock the level so that changes to its steps' order happen one at a time."""
    return AccreditationLevel.objects.select_for_update().get(pk=level_id)


def _locked_step(step: LevelStep) -> LevelStep:
    _locked_level(step.level_id)
    return LevelStep.objects.select_for_update().get(pk=step.pk)


@transaction.atomic
def level_step_create(*, level: AccreditationLevel, acting_user, **fields) -> LevelStep:
    """A new step, last in the level's order."""
    level = _locked_level(level.pk)
    last = level.steps.aggregate(last=Max("order"))["last"] or 0
    step = LevelStep(level=level, order=last + 1)
    record_apply(step, editable=STEP_EDITABLE_FIELDS, changes=fields)
    return record_save(step, acting_user=acting_user)


@transaction.atomic
def level_step_update(*, step: LevelStep, acting_user, **changes) -> LevelStep:
    step = _locked_step(step)
    record_apply(step, editable=STEP_EDITABLE_FIELDS, changes=changes)
    return record_save(step, acting_user=acting_user)


@transaction.atomic
def level_step_move(*, step: LevelStep, direction: str, acting_user) -> LevelStep:
    """Swap a step with the one before ("up") or after ("down") it in its level's order."""
    if direction not in ("up", "down"):
        raise ValueError(f"Unknown direction {direction!r}")
    step = _locked_step(step)
    siblings = LevelStep.objects.select_for_update().filter(level=step.level_id)
    if direction == "up":
        other = siblings.filter(order__lt=step.order).order_by("-order").first()
    else:
        other = siblings.filter(order__gt=step.order).order_by("order").first()
    if other is None:
        where = "first" if direction == "up" else "last"
        raise ValidationError(f"{step.name} is already the {where} step")
    mine, theirs = step.order, other.order
    # The (level, order) pair is unique: park the other step past the end (a bookkeeping move
    # that leaves no history), then give each step the other's place.
    parked = (siblings.aggregate(last=Max("order"))["last"] or 0) + 1
    LevelStep.objects.filter(pk=other.pk).update(order=parked)
    step.order = theirs
    record_save(step, acting_user=acting_user, update_fields=["order", "updated_at"])
    other.order = mine
    record_save(other, acting_user=acting_user, update_fields=["order", "updated_at"])
    return step


@transaction.atomic
def level_step_retire(*, step: LevelStep, acting_user) -> LevelStep:
    """Take a step out of the level. Learners who did it keep it on their record."""
    step = _locked_step(step)
    if not step.is_active:
        raise ValidationError(f"{step.name} is already retired")
    step.is_active = False
    return record_save(step, acting_user=acting_user, update_fields=["is_active", "updated_at"])


@transaction.atomic
def level_step_restore(*, step: LevelStep, acting_user) -> LevelStep:
    """Bring a retired step back into the level, in its old place."""
    step = _locked_step(step)
    if step.is_active:
        raise ValidationError(f"{step.name} is already part of the level")
    step.is_active = True
    return record_save(step, acting_user=acting_user, update_fields=["is_active", "updated_at"])


@transaction.atomic
def level_step_delete(*, step: LevelStep, acting_user) -> None:
    """Delete a step nobody has done. One that learners have done, or that sessions complete,
    can only be retired, so that their records stay whole."""
    step = _locked_step(step)
    # `progress` is learners' StepProgress; read through the relation, as learners sits above.
    if step.progress.exists():
        raise ValidationError(
            f"Learners' records include {step.name}, so it cannot be deleted. Retire it instead."
        )
    if step.sessions.exists():
        raise ValidationError(
            f"Cohort sessions complete {step.name}, so it cannot be deleted. Retire it instead."
        )
    step._history_user = acting_user
    step.delete()
