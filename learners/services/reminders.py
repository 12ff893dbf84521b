"""The reminders: Foundation renewal and CPD hours before a CPD year ends (daily), and each
SRO's digest of their council's learners at risk (weekly)."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from councils.models import CouncilRole
from councils.selectors import council_contact_email
from learners.models import (
    Accreditation,
    CpdEntry,
    Learner,
)
from learners.selectors import at_risk_q, cpd_year

REMINDER_DAYS_BEFORE = 60


def _current_accreditations():
    """Each learner's latest accreditation at each level, for learners still on the programme."""
    rows = (
        Accreditation.objects.exclude(learner__status=Learner.Status.WITHDRAWN)
        .select_related("learner__council", "level")
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

    contacts = {}

    def contact(learner):
        if learner.council_id not in contacts:
            contacts[learner.council_id] = council_contact_email(learner.council)
        return contacts[learner.council_id]

    queued = 0
    for accreditation, due in renewals:
        learner, level = accreditation.learner, accreditation.level
        with transaction.atomic():
            email_queue(
                key=f"renewal_reminder:{learner.pk}:{level.slug}:{due.isoformat()}",
                purpose=OutboundEmail.Purpose.RENEWAL_REMINDER,
                to_email=learner.email,
                template="notifications/email/renewal_reminder",
                context={
                    "first_name": learner.first_name,
                    "level": level,
                    "due": due,
                    "contact_email": contact(learner),
                },
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
                    "contact_email": contact(learner),
                },
            )
        queued += 1
    return queued


# The weekly at-risk digest: each SRO and deputy SRO hears which of their council's learners
# have stalled, without having to look.


def at_risk_digest_queue(*, today: date | None = None) -> int:
    """Queue, for each SRO and deputy SRO of a council with learners at risk (the one rule,
    `at_risk_q`), an email listing those learners. Run weekly; the key (person, council, ISO
    week) stops a second email the same week. A council with nobody at risk sends nothing.
    Returns how many digests were due this run, counting any already queued this week."""
    today = today or timezone.localdate()
    iso_year, iso_week, _ = today.isocalendar()
    at_risk = defaultdict(list)
    for learner in (
        Learner.objects.filter(at_risk_q(today))
        .select_related("council")
        .order_by("council_id", "last_name", "first_name", "pk")
    ):
        at_risk[learner.council_id].append(learner)
    if not at_risk:
        return 0
    roles = (
        CouncilRole.objects.filter(council_id__in=at_risk, user__is_active=True)
        .select_related("council", "user")
        .order_by("council__name", "user_id", "role")
    )
    queued = 0
    sent_to = set()
    for role in roles:
        user, council = role.user, role.council
        # Someone who is both SRO and deputy of one council gets one email.
        if (user.pk, council.pk) in sent_to:
            continue
        sent_to.add((user.pk, council.pk))
        learners = at_risk[council.pk]
        with transaction.atomic():
            email_queue(
                key=f"at_risk_digest:{user.pk}:{council.pk}:{iso_year}-W{iso_week:02d}",
                purpose=OutboundEmail.Purpose.AT_RISK_DIGEST,
                to_email=user.email,
                template="notifications/email/at_risk_digest",
                context={
                    "first_name": user.first_name,
                    "council_name": council.name,
                    "learners": learners,
                    "count": len(learners),
                    "weeks": settings.CMPP_AT_RISK_WEEKS,
                    "site_url": settings.SITE_URL,
                    "contact_email": council_contact_email(council),
                },
            )
        queued += 1
    return queued
