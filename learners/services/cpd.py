"""The CPD log: a learner's own record of continuing professional development."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cmpp.accounts.models import User
from cmpp.core.records import record_apply, record_save
from learners.models import (
    CpdEntry,
    Learner,
)
from learners.selectors import cpd_year, learner_joined_on

CPD_EDITABLE_FIELDS = ("done_on", "hours", "activity", "reflection")


def _cpd_save(entry: CpdEntry, acting_user, fields: dict) -> CpdEntry:
    record_apply(entry, editable=CPD_EDITABLE_FIELDS, changes=fields)
    if entry.done_on and entry.done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date of the activity must be today or in the past"})
    joined = learner_joined_on(entry.learner)
    if entry.done_on and entry.done_on < joined:
        raise ValidationError(
            {
                "done_on": "The date of the activity must be on or after the day you joined "
                f"the programme, {joined:%-d %B %Y}"
            }
        )
    return record_save(entry, acting_user=acting_user)


# Far more than anyone logs in a year, and a bound on how long a learner's log (and the page that


# shows it) can grow.


CPD_ENTRIES_PER_YEAR = 200


def _cpd_year(learner: Learner, on: date) -> tuple[date, date]:
    """The CPD year that `on` falls in, as (its first day, the day after its last). It runs from
    an anniversary of the learner's latest accreditation at a level that asks for CPD, or of
    1 January if they hold none."""
    started = (
        learner.accreditations.filter(level__cpd_hours_per_year__isnull=False)
        .order_by("-achieved_on")
        .values_list("achieved_on", flat=True)
        .first()
    ) or date(on.year, 1, 1)
    return cpd_year(achieved_on=started, on=on)


@transaction.atomic
def cpd_entry_create(*, learner: Learner, acting_user: User | None, **fields) -> CpdEntry:
    # Locked, so that two entries sent at once cannot both take a year's last place.
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    if fields.get("done_on"):
        starts, ends = _cpd_year(learner, fields["done_on"])
        logged = learner.cpd_entries.filter(done_on__gte=starts, done_on__lt=ends).count()
        if logged >= CPD_ENTRIES_PER_YEAR:
            raise ValidationError(
                {
                    "done_on": f"You can log up to {CPD_ENTRIES_PER_YEAR} CPD entries a year. "
                    f"You have logged {logged} in the year from {starts:%-d %B %Y} to "
                    f"{ends - timedelta(days=1):%-d %B %Y}"
                }
            )
    return _cpd_save(CpdEntry(learner=learner), acting_user, fields)


@transaction.atomic
def cpd_entry_update(*, entry: CpdEntry, acting_user: User | None, **fields) -> CpdEntry:
    return _cpd_save(entry, acting_user, fields)


@transaction.atomic
def cpd_entry_delete(*, entry: CpdEntry, acting_user: User | None) -> None:
    entry._history_user = acting_user
    entry.delete()
