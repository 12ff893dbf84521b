"""Writes to learners. Every function is atomic, records who acted, and queues the emails its
change causes in the same transaction (the outbox sends them after commit)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cmpp.accounts.models import Invitation, User
from cmpp.accounts.services import invitation_send, user_get_or_create, user_needs_invitation
from cmpp.core.dates import add_months
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from cohorts.models import AccreditationLevel, Cohort, CohortSession, LevelStep
from cohorts.services import cohort_mark_completed
from councils.models import Council
from learners.imports import (
    ImportCounts,
    ImportPreview,
    LearnerImportRefused,
    LearnerRow,
    RowProblem,
    learners_import_preview,
)
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    CpdEntry,
    Enrolment,
    Learner,
    Nomination,
    ResultSource,
    SessionAttendance,
    StepProgress,
)
from learners.selectors import cpd_year_end, learner_with_email

REMINDER_DAYS_BEFORE = 60


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
    """Add a learner. Unless they are only nominated, they are invited to the portal; the record
    is linked to an account only when they accept (see `learner_invite`)."""
    learner = _save(
        Learner(
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
    old_email = learner.email
    for name, value in changes.items():
        setattr(learner, name, value.strip() if isinstance(value, str) else value)
    learner = _save(learner, acting_user)
    if learner.email != old_email.strip().lower() and learner.user_id is None:
        # The pending invitation went to the old address, so accepting it must no longer link
        # this record: staff send a new one to the new address.
        learner.invitation = None
        learner.save(update_fields=["invitation", "updated_at"])
    return learner


@transaction.atomic
def learner_invite(*, learner: Learner, acting_user: User | None) -> Invitation | None:
    """Email the learner a link that, once accepted, links this record to their account (a new
    link each time; earlier ones stop working).

    The record is never linked by matching its email to an account: the account only says where
    the link goes. Someone new sets a password through it; someone who already signs in (an SRO
    who is also a learner) is asked to sign in and confirm. A linked learner needs no link.
    """
    if learner.user_id is not None:
        return None
    account = user_get_or_create(
        email=learner.email, first_name=learner.first_name, last_name=learner.last_name
    )
    context = {
        "first_name": learner.first_name,
        "council_name": learner.council.name,
        "level_name": learner.target_level.name,
    }
    invitation = invitation_send(
        user=account,
        invited_by=acting_user,
        template="notifications/email/invitation"
        if user_needs_invitation(account)
        else "notifications/email/learner_added",
        context=context,
    )
    learner.invitation = invitation
    learner.save(update_fields=["invitation", "updated_at"])
    return invitation


@transaction.atomic
def learner_link_account(*, user: User) -> Learner | None:
    """After `user` accepted an invitation, link the learner record waiting on one of their
    invitations. Every invitation of theirs went to their own address (users cannot change it),
    so accepting any of them proves they read it."""
    if Learner.objects.filter(user=user).exists():
        return None
    learner = (
        Learner.objects.select_for_update()
        .filter(user__isnull=True, invitation__user=user)
        .order_by("-invitation__created_at")
        .first()
    )
    if learner is None:
        return None
    learner.user = user
    learner._history_user = user
    learner.save(update_fields=["user", "updated_at"])
    return learner


@transaction.atomic
def learner_invitation_resend(*, learner: Learner, acting_user: User | None) -> Invitation:
    """Staff send a learner a new link; the one in any earlier invitation stops working. Nobody
    who has withdrawn, or who already signs in, is sent one."""
    if learner.status == Learner.Status.WITHDRAWN:
        raise ValidationError(f"{learner.full_name} has withdrawn, so was not invited.")
    if learner.user_id:
        raise ValidationError(
            f"{learner.full_name} already signs in to the portal, so needs no invitation."
        )
    return learner_invite(learner=learner, acting_user=acting_user)


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
    return add_months(achieved_on, level.renewal_months or 12)


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
            due = add_months(accreditation.achieved_on, level.renewal_months)
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

    # Every CPD entry the checks need, in one query rather than one per holder.
    entries = defaultdict(list)
    if cpd_checks:
        earliest = min(add_months(year_end, -12) for _, year_end in cpd_checks)
        for learner_id, done_on, hours in CpdEntry.objects.filter(
            learner__in={a.learner_id for a, _ in cpd_checks}, done_on__gte=earliest
        ).values_list("learner_id", "done_on", "hours"):
            entries[learner_id].append((done_on, hours))
    for accreditation, year_end in cpd_checks:
        learner, level = accreditation.learner, accreditation.level
        year_start = add_months(year_end, -12)
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


IMPORT_RACE = (
    "Nothing was imported because someone changed these learners while the file was being "
    "imported. Upload the file again to check it"
)


def learners_import(*, preview: ImportPreview, acting_user: User | None) -> ImportCounts:
    """Add and update the preview's learners and enrol them in their cohorts, all or nothing.

    The file is checked again inside the transaction, so an old preview cannot let a wrong or
    duplicate row through. Any wrong row imports nothing (LearnerImportRefused). New learners are
    invited by email. A learner already in the row's cohort is not enrolled again, so importing
    the same file twice adds and enrols nobody the second time.
    """
    if not preview.is_valid:
        raise LearnerImportRefused.of(preview)
    try:
        with transaction.atomic():
            checked = learners_import_preview(preview.data)
            if not checked.is_valid:
                raise LearnerImportRefused.of(checked)
            for row in checked.to_add + checked.to_update:
                _import_row(row, acting_user)
    except IntegrityError as exc:
        # A learner or account with the same email was saved by someone else meanwhile.
        raise LearnerImportRefused(IMPORT_RACE) from exc
    return checked.counts


def _import_row(row: LearnerRow, acting_user: User | None) -> None:
    try:
        learner = row.learner
        if learner is None:
            learner = learner_create(
                council=row.council,
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
                target_level=row.target_level,
                job_title=row.job_title,
                acting_user=acting_user,
            )
        elif row.updates:
            learner_update(learner=learner, acting_user=acting_user, **row.updates)
        if row.enrol:
            enrolment_create(learner=learner, cohort=row.cohort, acting_user=acting_user)
    except ValidationError as exc:
        raise LearnerImportRefused(
            f"Nothing was imported because line {row.line} could not be saved",
            [RowProblem(row.line, message) for message in exc.messages],
        ) from exc


# Enrolments: places, the waiting list, deferral and withdrawal ---------------------------------


def _promote_next(cohort: Cohort, acting_user: User | None) -> Enrolment | None:
    """Give the longest-waiting learner the place that has come free, and tell them."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    taken = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    if taken >= cohort.capacity:
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
    _save(waiting, acting_user)
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
    _save(enrolment, acting_user)
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
        _save(enrolment, acting_user)
    return cohort


# Progress: steps, attendance, assessments ------------------------------------------------------


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
        _save(progress, acting_user)
        if learner.last_progress_on is None or learner.last_progress_on < on:
            learner.last_progress_on = on
            learner._history_user = acting_user
            learner.save(update_fields=["last_progress_on", "updated_at"])
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
            _save(mark, acting_user)
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
    return _save(
        AssessmentAttempt(learner=learner, level=level, booked_for=booked_for), acting_user
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
    _save(attempt, acting_user)
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


# A learner's place on the programme ------------------------------------------------------------


@transaction.atomic
def learner_set_status(
    *, learner: Learner, status: str, acting_user: User | None, reason: str = ""
) -> Learner:
    """Put a learner on hold, bring them back, or withdraw them (which ends their open
    enrolments and gives their places to the waiting list)."""
    allowed = {Learner.Status.ACTIVE, Learner.Status.ON_HOLD, Learner.Status.WITHDRAWN}
    if status not in allowed:
        raise ValidationError({"status": "Choose active, on hold or withdrawn"})
    if learner.status == Learner.Status.WITHDRAWN:
        raise ValidationError("This learner has withdrawn; add them again to bring them back")
    if status == Learner.Status.WITHDRAWN:
        if not reason.strip():
            raise ValidationError({"reason": "Enter why the learner is withdrawing"})
        for enrolment in learner.enrolments.filter(status__in=Enrolment.OPEN_STATUSES):
            enrolment_withdraw(enrolment=enrolment, reason=reason, acting_user=acting_user)
    learner.status = status
    learner._change_reason = reason.strip()[:100] or None
    return _save(learner, acting_user)


# Nominations -----------------------------------------------------------------------------------


def nomination_create(
    *,
    council: Council,
    first_name: str,
    last_name: str,
    email: str,
    target_level: AccreditationLevel,
    job_title: str = "",
    acting_user: User,
) -> Nomination:
    """An SRO puts forward one of their officers. It is taken the same way whoever the email
    belongs to, so it tells the SRO nothing about other councils; nobody is emailed until staff
    approve. A day's nominations per SRO are capped (a setting), so the form is no bulk tool."""
    since = timezone.now() - timedelta(days=1)
    if (
        Nomination.objects.filter(nominated_by=acting_user, created_at__gte=since).count()
        >= settings.CMPP_NOMINATIONS_PER_DAY
    ):
        raise ValidationError(
            f"You can nominate up to {settings.CMPP_NOMINATIONS_PER_DAY} people a day. "
            "Try again tomorrow, or contact the programme team."
        )
    return _save(
        Nomination(
            council=council,
            nominated_by=acting_user,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            job_title=job_title.strip(),
            target_level=target_level,
        ),
        acting_user,
    )


def _decide(nomination: Nomination, status: str, acting_user: User) -> Nomination:
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != Nomination.Status.PENDING:
        raise ValidationError("This nomination has already been decided.")
    nomination.status = status
    nomination.decided_by = acting_user
    nomination.decided_at = timezone.now()
    return nomination


@transaction.atomic
def nomination_approve(*, nomination: Nomination, acting_user: User) -> Learner:
    """Staff accept a nomination: it becomes an active learner, who is emailed an invitation.
    An email that is already a learner's is refused: staff decline it, or change that record."""
    nomination = _decide(nomination, Nomination.Status.APPROVED, acting_user)
    existing = learner_with_email(nomination.email)
    if existing is not None:
        raise ValidationError(
            f"{nomination.email} is already a learner at {existing.council.name}. "
            "Decline this nomination, or change that learner's record."
        )
    learner = learner_create(
        council=nomination.council,
        first_name=nomination.first_name,
        last_name=nomination.last_name,
        email=nomination.email,
        job_title=nomination.job_title,
        target_level=nomination.target_level,
        acting_user=acting_user,
    )
    nomination.learner = learner
    _save(nomination, acting_user)
    return learner


@transaction.atomic
def nomination_decline(*, nomination: Nomination, reason: str, acting_user: User) -> Nomination:
    """Staff do not take a nomination forward; the reason is for staff, the SRO sees only that."""
    if not reason.strip():
        raise ValidationError({"decision_note": "Enter why the nomination is not taken forward"})
    nomination = _decide(nomination, Nomination.Status.DECLINED, acting_user)
    nomination.decision_note = reason.strip()
    return _save(nomination, acting_user)


@transaction.atomic
def learner_approve(*, learner: Learner, acting_user: User | None) -> Learner:
    """Staff accept a nomination: the learner becomes active and is invited to the portal."""
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    if learner.status != Learner.Status.NOMINATED:
        raise ValidationError("Only a nominated learner can be approved")
    learner.status = Learner.Status.ACTIVE
    _save(learner, acting_user)
    learner_invite(learner=learner, acting_user=acting_user)
    return learner


# The CPD log: a learner's own record of continuing professional development ------------------

CPD_EDITABLE_FIELDS = ("done_on", "hours", "activity", "reflection")


def _cpd_save(entry: CpdEntry, acting_user, fields: dict) -> CpdEntry:
    unknown = set(fields) - set(CPD_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} here")
    for name, value in fields.items():
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    if entry.done_on and entry.done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date of the activity must be today or in the past"})
    return _save(entry, acting_user)


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
    # cpd_year_end counts anniversaries on from its start, so start from one before `on`.
    if started > on:
        started = add_months(started, -12 * (started.year - on.year + 1))
    year_end = cpd_year_end(achieved_on=started, today=on)
    return add_months(year_end, -12), year_end


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
