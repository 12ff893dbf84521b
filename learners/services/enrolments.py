"""Places in cohorts: enrolling, the waiting list in order, deferral, withdrawal, and closing a
cohort."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cmpp.accounts.models import User
from cmpp.core.records import record_save
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from cohorts.models import Cohort
from cohorts.services import cohort_mark_completed
from learners.models import (
    Enrolment,
    Learner,
)
from learners.selectors import cohort_places


def _queue_enrolment_email(enrolment: Enrolment) -> None:
    cohort = enrolment.cohort
    first_session = cohort.sessions.filter(is_cancelled=False).order_by("starts_at").first()
    email_queue(
        key=f"enrolment:{enrolment.learner_id}:{cohort.pk}",
        purpose=OutboundEmail.Purpose.ENROLMENT,
        to_email=enrolment.learner.email,
        template="notifications/email/enrolment",
        context={
            "first_name": enrolment.learner.first_name,
            "cohort": cohort,
            "level_name": cohort.level.name,
            "first_session": first_session,
        },
    )


@transaction.atomic
def enrolment_create(
    *, learner: Learner, cohort: Cohort, acting_user: User | None, on: date | None = None
) -> Enrolment:
    """Give the learner a place in the cohort, or a place on its waiting list once it is full.

    A learner with a place is emailed the cohort's dates and first session; a learner on the
    waiting list is emailed when a place becomes theirs.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    has_place = cohort_places(cohort=cohort).free > 0
    enrolment = record_save(
        Enrolment(
            learner=learner,
            cohort=cohort,
            level=cohort.level,
            status=Enrolment.Status.ENROLLED if has_place else Enrolment.Status.WAITING,
            enrolled_on=on or timezone.localdate(),
        ),
        acting_user=acting_user,
    )
    if enrolment.status == Enrolment.Status.ENROLLED:
        _queue_enrolment_email(enrolment)
    return enrolment


def _promote_next(cohort: Cohort, acting_user: User | None) -> Enrolment | None:
    """Give the longest-waiting learner the place that has come free, and tell them."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort_places(cohort=cohort).free == 0:
        return None
    waiting = (
        cohort.enrolments.select_for_update()
        .filter(status=Enrolment.Status.WAITING)
        .select_related("learner", "cohort", "cohort__level")
        .order_by("enrolled_on", "pk")
        .first()
    )
    if waiting is None:
        return None
    waiting.status = Enrolment.Status.ENROLLED
    record_save(waiting, acting_user=acting_user)
    _queue_enrolment_email(waiting)
    return waiting


@dataclass
class BulkEnrolment:
    enrolled: list[Learner]
    waiting: list[Learner]
    skipped: list[tuple[Learner, str]]


@transaction.atomic
def enrolments_create(
    *, learners: Iterable[Learner], cohort: Cohort, acting_user: User | None
) -> BulkEnrolment:
    """Enrol many learners in order: places first, then the waiting list. Learners who cannot
    join (withdrawn, already in a cohort at this level) are skipped with the reason."""
    result = BulkEnrolment([], [], [])
    open_at_level = set(
        Enrolment.objects.filter(
            level=cohort.level_id, status__in=Enrolment.OPEN_STATUSES
        ).values_list("learner_id", flat=True)
    )
    for learner in learners:
        if learner.status == Learner.Status.WITHDRAWN:
            result.skipped.append((learner, "has withdrawn from the programme"))
        elif learner.pk in open_at_level:
            result.skipped.append((learner, f"is already in a {cohort.level.name} cohort"))
        else:
            enrolment = enrolment_create(learner=learner, cohort=cohort, acting_user=acting_user)
            open_at_level.add(learner.pk)
            if enrolment.status == Enrolment.Status.ENROLLED:
                result.enrolled.append(learner)
            else:
                result.waiting.append(learner)
    return result


def _end(enrolment: Enrolment, status: str, reason: str, acting_user: User | None) -> bool:
    """End an open enrolment; True if it held a place (so the next learner can have it)."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in Enrolment.OPEN_STATUSES:
        raise ValidationError("This enrolment has already ended")
    held_place = enrolment.status == Enrolment.Status.ENROLLED
    enrolment.status = status
    enrolment.ended_on = timezone.localdate()
    enrolment.reason = reason.strip()
    record_save(enrolment, acting_user=acting_user)
    return held_place


@transaction.atomic
def enrolment_withdraw(
    *, enrolment: Enrolment, reason: str, acting_user: User | None
) -> Enrolment | None:
    """Take the learner out of the cohort. Returns the enrolment of whoever got the place."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the learner is withdrawing"})
    if _end(enrolment, Enrolment.Status.WITHDRAWN, reason, acting_user):
        return _promote_next(enrolment.cohort, acting_user)
    return None


@transaction.atomic
def enrolment_move(
    *, enrolment: Enrolment, to_cohort: Cohort, reason: str, acting_user: User | None
) -> Enrolment:
    """Defer a learner to another cohort at the same level. The old enrolment stays, marked
    deferred with the reason; the place it held goes to the old cohort's waiting list."""
    if to_cohort.pk == enrolment.cohort_id:
        raise ValidationError({"to_cohort": "Choose a different cohort"})
    if to_cohort.level_id != enrolment.level_id:
        raise ValidationError({"to_cohort": "Choose a cohort at the same level"})
    if to_cohort.status == Cohort.Status.COMPLETED:
        raise ValidationError({"to_cohort": "Choose a cohort that has not finished"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the learner is moving"})
    held_place = _end(enrolment, Enrolment.Status.DEFERRED, reason, acting_user)
    moved = enrolment_create(learner=enrolment.learner, cohort=to_cohort, acting_user=acting_user)
    if held_place:
        _promote_next(enrolment.cohort, acting_user)
    return moved


@transaction.atomic
def cohort_close(*, cohort: Cohort, acting_user: User | None) -> Cohort:
    """Close a running cohort: its learners complete it; anyone still waiting is withdrawn."""
    cohort = cohort_mark_completed(cohort=cohort, acting_user=acting_user)
    today = timezone.localdate()
    for enrolment in cohort.enrolments.filter(status__in=Enrolment.OPEN_STATUSES):
        waiting = enrolment.status == Enrolment.Status.WAITING
        enrolment.status = Enrolment.Status.WITHDRAWN if waiting else Enrolment.Status.COMPLETED
        enrolment.ended_on = today
        if waiting:
            enrolment.reason = "The cohort closed before a place came free"
        record_save(enrolment, acting_user=acting_user)
    return cohort
