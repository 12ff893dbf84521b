"""The daily reminders: Foundation renewal, and CPD hours before a CPD year ends."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from learners.models import (
    Accreditation,
    CpdEntry,
    Learner,
)
from learners.selectors import cpd_year

REMINDER_DAYS_BEFORE = 60


def _current_accreditations():
    """Each learner's latest accreditation at each level, for learners still on the programme."""
    rows = (
        Accreditation.objects.exclude(learner__status=Learner.Status.WITHDRAWN)
        .select_related("learner", "level")
        .order_by("learner_id", "level_id", "-achieved_on")
    )
    seen = set()
    for accreditation in rows.iterator(chunk_size=2000):
        if (accreditation.learner_id, accreditation.level_id) not in seen:
            seen.add((accreditation.learner_id, accreditation.level_id))
            yield accreditation


def reminders_queue(*, today: date | None = None) -> int:
    """Queue the renewal and CPD reminders due today. Run daily; keys stop any repeat.

    A Foundation holder is reminded from 60 days before their two years run out. A Practitioner
    or Expert holder short of the CPD hours for the year is reminded from 60 days before it ends.
    A day the job misses is caught up the next day, as the window lasts 60 days. Returns how
    many reminders are due; one already queued on an earlier day is not queued again.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REMINDER_DAYS_BEFORE)
    renewals, cpd_checks = [], []
    for accreditation in _current_accreditations():
        level = accreditation.level
        if level.renewal_months:
            due = level.renewal_due(accreditation.achieved_on)
            if today < due <= horizon:
                renewals.append((accreditation, due))
        elif level.cpd_hours_per_year:
            year = cpd_year(achieved_on=accreditation.achieved_on, on=today)
            if year[1] <= horizon:
                cpd_checks.append((accreditation, year))

    queued = 0
    for accreditation, due in renewals:
        learner, level = accreditation.learner, accreditation.level
        with transaction.atomic():
            email_queue(
                key=f"renewal_reminder:{learner.pk}:{level.slug}:{due.isoformat()}",
                purpose=OutboundEmail.Purpose.RENEWAL_REMINDER,
                to_email=learner.email,
                template="notifications/email/renewal_reminder",
                context={"first_name": learner.first_name, "level": level, "due": due},
            )
        queued += 1

    # Every CPD entry the checks need, in one query rather than one per holder.
    entries = defaultdict(list)
    if cpd_checks:
        earliest = min(year_start for _, (year_start, _) in cpd_checks)
        for learner_id, done_on, hours in CpdEntry.objects.filter(
            learner__in={a.learner_id for a, _ in cpd_checks}, done_on__gte=earliest
        ).values_list("learner_id", "done_on", "hours"):
            entries[learner_id].append((done_on, hours))
    for accreditation, (year_start, year_end) in cpd_checks:
        learner, level = accreditation.learner, accreditation.level
        hours = sum(
            (h for done_on, h in entries[learner.pk] if year_start <= done_on < year_end),
            Decimal(0),
        )
        if hours >= level.cpd_hours_per_year:
            continue
        with transaction.atomic():
            email_queue(
                key=f"cpd_reminder:{learner.pk}:{level.slug}:{year_end.isoformat()}",
                purpose=OutboundEmail.Purpose.CPD_REMINDER,
                to_email=learner.email,
                template="notifications/email/cpd_reminder",
                context={
                    "first_name": learner.first_name,
                    "level": level,
                    "year_end": year_end,
                    "hours": hours,
                    "hours_needed": level.cpd_hours_per_year,
                },
            )
        queued += 1
    return queued
