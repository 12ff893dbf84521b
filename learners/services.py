"""Writes to learners. Every function is atomic, records who acted, and queues the emails its
change causes in the same transaction (the outbox sends them after commit)."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cmpp.accounts.models import Invitation, User
from cmpp.accounts.services import invitation_send, user_get_or_create, user_needs_invitation
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from cohorts.models import AccreditationLevel, Cohort
from councils.models import Council
from learners.models import Accreditation, CpdEntry, Enrolment, Learner, ResultSource

REMINDER_DAYS_BEFORE = 60


def _add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter (29 Feb -> 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _save(instance, acting_user):
    instance._history_user = acting_user
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def learner_create(
    *,
    council: Council,
    first_name: str,
    last_name: str,
    email: str,
    target_level: AccreditationLevel,
    job_title: str = "",
    grade: str = "",
    status: str = Learner.Status.ACTIVE,
    acting_user: User | None,
) -> Learner:
    """Add a learner. Unless they are only nominated, they are invited to the portal."""
    user = None
    if status != Learner.Status.NOMINATED:
        user = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
    learner = _save(
        Learner(
            user=user,
            council=council,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            target_level=target_level,
            job_title=job_title.strip(),
            grade=grade.strip(),
            status=status,
        ),
        acting_user,
    )
    if status != Learner.Status.NOMINATED:
        learner_invite(learner=learner, acting_user=acting_user)
    return learner


LEARNER_EDITABLE_FIELDS = (
    "council",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "grade",
    "target_level",
)


@transaction.atomic
def learner_update(*, learner: Learner, acting_user: User | None, **changes) -> Learner:
    """Change a learner's details. Returns the learner; unknown field names are refused."""
    unknown = set(changes) - set(LEARNER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} here")
    for name, value in changes.items():
        setattr(learner, name, value.strip() if isinstance(value, str) else value)
    return _save(learner, acting_user)


@transaction.atomic
def learner_invite(*, learner: Learner, acting_user: User | None) -> Invitation | None:
    """Give the learner an account and invite them to set a password (a new link each time).

    Someone who already signs in (an SRO who is also a learner) is told they were added instead,
    once, and gets no invitation.
    """
    if learner.user_id is None:
        learner.user = user_get_or_create(
            email=learner.email, first_name=learner.first_name, last_name=learner.last_name
        )
        _save(learner, acting_user)
    context = {
        "first_name": learner.first_name,
        "council_name": learner.council.name,
        "level_name": learner.target_level.name,
    }
    if user_needs_invitation(learner.user):
        return invitation_send(
            user=learner.user,
            invited_by=acting_user,
            template="notifications/email/invitation",
            context=context,
        )
    email_queue(
        key=f"learner_added:{learner.pk}",
        purpose=OutboundEmail.Purpose.LEARNER_ADDED,
        to_email=learner.user.email,
        template="notifications/email/learner_added",
        context=context,
    )
    return None


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
    taken = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    enrolment = _save(
        Enrolment(
            learner=learner,
            cohort=cohort,
            level=cohort.level,
            status=(
                Enrolment.Status.ENROLLED if taken < cohort.capacity else Enrolment.Status.WAITING
            ),
            enrolled_on=on or timezone.localdate(),
        ),
        acting_user,
    )
    if enrolment.status == Enrolment.Status.ENROLLED:
        _queue_enrolment_email(enrolment)
    return enrolment


def renewal_due_for(*, level: AccreditationLevel, achieved_on: date) -> date:
    """When the holder must act: re-take the level, or finish their first CPD year."""
    return _add_months(achieved_on, level.renewal_months or 12)


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
    accreditation = _save(
        Accreditation(
            learner=learner,
            level=level,
            achieved_on=achieved_on,
            renewal_due=renewal_due_for(level=level, achieved_on=achieved_on),
            source=source,
        ),
        acting_user,
    )
    if learner.target_level_id == level.pk and learner.status != Learner.Status.ACCREDITED:
        learner.status = Learner.Status.ACCREDITED
        _save(learner, acting_user)
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


def cpd_year_end(*, achieved_on: date, today: date) -> date:
    """The end of the holder's current CPD year: the next anniversary of the accreditation."""
    years = 1
    while _add_months(achieved_on, 12 * years) <= today:
        years += 1
    return _add_months(achieved_on, 12 * years)


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
            due = _add_months(accreditation.achieved_on, level.renewal_months)
            if today < due <= horizon:
                renewals.append((accreditation, due))
        elif level.cpd_hours_per_year:
            year_end = cpd_year_end(achieved_on=accreditation.achieved_on, today=today)
            if year_end <= horizon:
                cpd_checks.append((accreditation, year_end))

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

    for accreditation, year_end in cpd_checks:
        learner, level = accreditation.learner, accreditation.level
        year_start = _add_months(year_end, -12)
        hours = CpdEntry.objects.filter(
            learner=learner, done_on__gte=year_start, done_on__lt=year_end
        ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
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
