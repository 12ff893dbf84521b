"""Places in cohorts: enrolling, the waiting list in order, deferral, withdrawal, and closing a
cohort."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cmpp.accounts.models import User
from cmpp.core.records import record_save
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import EmailRequest, email_queue, emails_queue
from cohorts.models import Cohort
from cohorts.selectors import first_sessions
from cohorts.services import cohort_mark_completed
from councils.selectors import council_contact_email, council_contact_emails
from learners.models import (
    Enrolment,
    Learner,
)
from learners.selectors import cohort_places, cohorts_places, waiting_list, waiting_position


def _enrolment_email(enrolment: Enrolment, *, first_session, contact_email: str) -> EmailRequest:
    """Tell a learner they have a place: the cohort's dates and its first session."""
    cohort = enrolment.cohort
    return EmailRequest(
        key=f"enrolment:{enrolment.learner_id}:{cohort.pk}",
        purpose=OutboundEmail.Purpose.ENROLMENT,
        to_email=enrolment.learner.email,
        template="notifications/email/enrolment",
        context={
            "first_name": enrolment.learner.first_name,
            "cohort": cohort,
            "level_name": cohort.level.name,
            "first_session": first_session,
            "contact_email": contact_email,
        },
    )


def _waiting_email(enrolment: Enrolment, *, position: int, contact_email: str) -> EmailRequest:
    """Tell a learner they are on the cohort's waiting list, and their number in it."""
    cohort = enrolment.cohort
    return EmailRequest(
        key=f"waiting_list:{enrolment.learner_id}:{enrolment.pk}",
        purpose=OutboundEmail.Purpose.WAITING_LIST,
        to_email=enrolment.learner.email,
        template="notifications/email/waiting_list",
        context={
            "first_name": enrolment.learner.first_name,
            "cohort": cohort,
            "level_name": cohort.level.name,
            "position": position,
            "contact_email": contact_email,
        },
    )


def _queue_enrolment_email(enrolment: Enrolment) -> None:
    emails_queue(
        [
            _enrolment_email(
                enrolment,
                first_session=first_sessions(cohort_ids=[enrolment.cohort_id])[enrolment.cohort_id],
                contact_email=council_contact_email(enrolment.learner.council),
            )
        ]
    )


def _queue_withdrawal_email(enrolment: Enrolment, *, was_waiting: bool, reason: str) -> None:
    """Tell a learner they no longer have their place (or waiting-list place) in the cohort."""
    email_queue(
        key=f"withdrawal:{enrolment.learner_id}:{enrolment.pk}",
        purpose=OutboundEmail.Purpose.WITHDRAWAL,
        to_email=enrolment.learner.email,
        template="notifications/email/withdrawal",
        context={
            "first_name": enrolment.learner.first_name,
            "cohort": enrolment.cohort,
            "was_waiting": was_waiting,
            "reason": reason.strip(),
            "contact_email": council_contact_email(enrolment.learner.council),
        },
    )


@transaction.atomic
def enrolment_create(
    *, learner: Learner, cohort: Cohort, acting_user: User | None, on: date | None = None
) -> Enrolment:
    """Give the learner a place in the cohort, or a place on its waiting list once it is full.

    A learner with a place is emailed the cohort's dates and first session; a learner on the
    waiting list is emailed their number in it, and again when a place becomes theirs.
    """
    return enrolments_place(places=[(learner, cohort)], acting_user=acting_user, on=on)[0]


@transaction.atomic
def enrolments_place(
    *,
    places: list[tuple[Learner, Cohort]],
    acting_user: User | None,
    on: date | None = None,
) -> list[Enrolment]:
    """`enrolment_create` for many (learner, cohort) pairs at once, in the order given (a
    learner import's lines), in a few queries per cohort whatever their number: each cohort
    locked, its free places given in order, then its waiting list; the enrolments and their
    history written in bulk; each learner emailed as `enrolment_create` says. A learner who
    already holds an open place at the cohort's level is refused (ValidationError), as the
    database's one-open-place-per-level rule would."""
    if not places:
        return []
    _refuse_second_places(places)
    by_cohort: dict[int, list[Learner]] = defaultdict(list)
    for learner, cohort in places:
        by_cohort[cohort.pk].append(learner)
    cohorts = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("level")
        .filter(pk__in=list(by_cohort))
        .order_by("pk")
    )
    day = on or timezone.localdate()
    made: dict[tuple[int, int], Enrolment] = {}
    cohorts = list(cohorts)
    places_now = cohorts_places(cohorts=cohorts)
    for cohort in cohorts:
        free = places_now[cohort.pk].free
        for number, learner in enumerate(by_cohort[cohort.pk]):
            made[learner.pk, cohort.pk] = Enrolment(
                learner=learner,
                cohort=cohort,
                level=cohort.level,
                status=Enrolment.Status.ENROLLED if number < free else Enrolment.Status.WAITING,
                enrolled_on=day,
            )
    bulk_create_with_history(
        list(made.values()), Enrolment, batch_size=1000, default_user=acting_user
    )
    _queue_place_emails(list(made.values()))
    return [made[learner.pk, cohort.pk] for learner, cohort in places]


def _refuse_second_places(places: list[tuple[Learner, Cohort]]) -> None:
    wanted = [(learner.pk, cohort.level_id) for learner, cohort in places]
    if len(set(wanted)) < len(wanted):
        raise ValidationError("A learner can have only one place at each level.")
    held = set(
        Enrolment.objects.filter(
            learner__in={learner_id for learner_id, _ in wanted},
            level__in={level_id for _, level_id in wanted},
            status__in=Enrolment.OPEN_STATUSES,
        ).values_list("learner_id", "level_id")
    )
    clashes = [learner for learner, cohort in places if (learner.pk, cohort.level_id) in held]
    if len(places) == 1 and clashes:
        raise ValidationError("This learner is already enrolled at this level.")
    if clashes:
        raise ValidationError(
            [f"{learner.full_name} is already enrolled at this level." for learner in clashes]
        )


def _queue_place_emails(enrolments: list[Enrolment]) -> None:
    """The enrolment or waiting-list email of each new enrolment, queued together: the first
    sessions, waiting-list numbers and contact addresses looked up once for all of them."""
    first = first_sessions(cohort_ids={enrolment.cohort_id for enrolment in enrolments})
    waiting = [e for e in enrolments if e.status == Enrolment.Status.WAITING]
    positions = dict(
        Enrolment.objects.filter(pk__in=[e.pk for e in waiting])
        .annotate(position=waiting_position())
        .values_list("pk", "position")
    )
    contacts = council_contact_emails(council_ids={e.learner.council_id for e in enrolments})
    emails_queue(
        [
            _waiting_email(
                e, position=positions[e.pk], contact_email=contacts[e.learner.council_id]
            )
            if e.status == Enrolment.Status.WAITING
            else _enrolment_email(
                e,
                first_session=first[e.cohort_id],
                contact_email=contacts[e.learner.council_id],
            )
            for e in enrolments
        ]
    )


def _promote_next(cohort: Cohort, acting_user: User | None) -> Enrolment | None:
    """Give the longest-waiting learner the place that has come free, and tell them."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort_places(cohort=cohort).free == 0:
        return None
    waiting = (
        waiting_list(cohort=cohort)
        .select_for_update()
        .select_related("learner", "cohort", "cohort__level")
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
    joining = []
    for learner in learners:
        if learner.status == Learner.Status.WITHDRAWN:
            result.skipped.append((learner, "has withdrawn from the programme"))
        elif learner.pk in open_at_level:
            result.skipped.append((learner, f"is already in a {cohort.level.name} cohort"))
        else:
            joining.append(learner)
            open_at_level.add(learner.pk)
    places = enrolments_place(
        places=[(learner, cohort) for learner in joining], acting_user=acting_user
    )
    for enrolment in places:
        if enrolment.status == Enrolment.Status.ENROLLED:
            result.enrolled.append(enrolment.learner)
        else:
            result.waiting.append(enrolment.learner)
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
    *, enrolment: Enrolment, reason: str, acting_user: User | None, notify: bool = True
) -> Enrolment | None:
    """Take the learner out of the cohort, and email them why. Returns the enrolment of whoever
    got the place.

    `notify=False` when the learner is leaving the whole programme (`learner_set_status`): that
    is their own decision, and an email per cohort saying they are still on the programme would
    be wrong."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the learner is withdrawing"})
    held_place = _end(enrolment, Enrolment.Status.WITHDRAWN, reason, acting_user)
    if notify:
        _queue_withdrawal_email(enrolment, was_waiting=not held_place, reason=reason)
    if held_place:
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
    """Close a running cohort: its learners complete it; anyone still waiting is withdrawn and
    emailed why (those who completed hear nothing from the closing itself)."""
    cohort = cohort_mark_completed(cohort=cohort, acting_user=acting_user)
    today = timezone.localdate()
    enrolments = cohort.enrolments.filter(status__in=Enrolment.OPEN_STATUSES).select_related(
        "learner__council", "cohort"
    )
    for enrolment in enrolments:
        waiting = enrolment.status == Enrolment.Status.WAITING
        enrolment.status = Enrolment.Status.WITHDRAWN if waiting else Enrolment.Status.COMPLETED
        enrolment.ended_on = today
        if waiting:
            enrolment.reason = "The cohort closed before a place came free"
        record_save(enrolment, acting_user=acting_user)
        if waiting:
            _queue_withdrawal_email(enrolment, was_waiting=True, reason=enrolment.reason)
    return cohort
