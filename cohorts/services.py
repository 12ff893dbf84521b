"""Writes to cohorts and their sessions. Every function is atomic and records who acted."""

from django.core.exceptions import ValidationError
from django.db import transaction

from cmpp.core.records import record_apply, record_save
from cohorts.models import Cohort, CohortSession

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
    return record_save(cohort, acting_user=acting_user)


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


def _check_session_step(session: CohortSession) -> None:
    if session.step_id and session.step.level_id != session.cohort.level_id:
        raise ValidationError({"step": "Choose a step at the cohort's level"})


@transaction.atomic
def session_create(*, cohort: Cohort, acting_user, **fields) -> CohortSession:
    session = CohortSession(cohort=cohort)
    record_apply(session, editable=SESSION_EDITABLE_FIELDS, changes=fields)
    _check_session_step(session)
    return record_save(session, acting_user=acting_user)


@transaction.atomic
def session_update(*, session: CohortSession, acting_user, **changes) -> CohortSession:
    record_apply(session, editable=SESSION_EDITABLE_FIELDS, changes=changes)
    _check_session_step(session)
    return record_save(session, acting_user=acting_user)


@transaction.atomic
def session_cancel(*, session: CohortSession, acting_user) -> CohortSession:
    session.is_cancelled = True
    return record_save(
        session, acting_user=acting_user, update_fields=["is_cancelled", "updated_at"]
    )
