"""Removing the personal data of learners who withdrew long ago, keeping the programme's figures.

A learner withdrawn more than CMPP_ANONYMISE_AFTER_YEARS ago keeps their record, council,
places, steps, assessments, accreditations, CPD hours and attendance, so every count and report
stays as it was; what goes is what says who they were: names, email, job title, grade, free
text, the same in every history row, their account's details, and the emails sent to them.
The council reports that named them are built again, from the anonymised records (the reports
app does it when told, `learners.signals.learners_anonymised`): the same figures, no names.
"""

from datetime import date, datetime, time

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from cmpp.accounts.models import User
from cmpp.accounts.services import users_anonymise, users_in_other_roles
from cmpp.core.dates import add_months
from cmpp.notifications.services import emails_anonymise
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    CpdEntry,
    Enrolment,
    Learner,
    Nomination,
    SessionAttendance,
    StepProgress,
)
from learners.signals import learners_anonymised

# What the record is called once anonymised: every page and export that shows a learner's name
# then says "Anonymised learner" rather than leaving a blank.
ANONYMISED_FIRST_NAME = "Anonymised"
ANONYMISED_LAST_NAME = "learner"
ANONYMISED_TEXT = "Anonymised"
ANONYMISED_DOMAIN = "anonymised.invalid"  # .invalid is reserved: nothing is ever sent there
ANONYMISED_REASON = "Personal data anonymised"
# Learners anonymised in one transaction. Each one's name is looked for in every email of the
# outbox (free text, such as a meeting's description, can name them too), about 0.2 s a name at
# 500,000 emails: a batch of 20 keeps each transaction to seconds, where 500 held its locks for
# a minute and a half (docs/benchmarks.md, "Anonymising a batch of learners").
ANONYMISE_BATCH = 20


def anonymise_cutoff(today: date | None = None) -> datetime:
    """The start of the day CMPP_ANONYMISE_AFTER_YEARS ago: withdrawn before it is due."""
    day = add_months(today or timezone.localdate(), -12 * settings.CMPP_ANONYMISE_AFTER_YEARS)
    return timezone.make_aware(datetime.combine(day, time.min))


def learners_due_for_anonymising(today: date | None = None) -> QuerySet[Learner]:
    """Learners withdrawn before the cutoff and not anonymised yet.

    A learner has no withdrawal date of their own: their history has it. They are due when they
    are withdrawn now, no history row since the cutoff gives another status (so someone brought
    back and withdrawn again counts from the later withdrawal), and a history row before the
    cutoff already says withdrawn. A record with no history saying withdrawn (loaded in bulk)
    counts from its last change (`updated_at`), which is never earlier than the withdrawal, so
    nobody is anonymised early."""
    cutoff = anonymise_cutoff(today)
    withdrawn = Learner.Status.WITHDRAWN
    history = Learner.history.filter(id=OuterRef("pk"))
    return (
        Learner.objects.filter(status=withdrawn, anonymised_on__isnull=True)
        .exclude(Exists(history.exclude(status=withdrawn).filter(history_date__gte=cutoff)))
        .filter(
            Exists(history.filter(status=withdrawn, history_date__lt=cutoff))
            | (~Exists(history.filter(status=withdrawn)) & Q(updated_at__lt=cutoff))
        )
    )


def learners_anonymise_due(*, today: date | None = None, batch_size: int = ANONYMISE_BATCH) -> int:
    """The monthly job: anonymise every learner due, a batch per transaction, so a failure
    keeps the batches before it and the next run carries on. Returns how many were anonymised."""
    ids = list(learners_due_for_anonymising(today).order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        done += learners_anonymise(learner_ids=ids[start : start + batch_size], today=today)
    return done


@transaction.atomic
def learners_anonymise(*, learner_ids, today: date | None = None) -> int:
    """Remove these learners' personal data, in a few queries whatever their number. Anyone
    already anonymised is left alone, so running it again changes nothing. Returns how many
    were anonymised."""
    learners = list(
        Learner.objects.select_for_update(of=("self",))
        .select_related("invitation")
        .filter(pk__in=list(learner_ids), anonymised_on__isnull=True)
        .order_by("pk")
    )
    if not learners:
        return 0
    ids = [learner.pk for learner in learners]
    addresses = {learner.email.strip().lower() for learner in learners}
    council_since: dict[int, date] = {}
    for learner in learners:
        joined = timezone.localdate(learner.created_at)
        council_since[learner.council_id] = min(
            joined, council_since.get(learner.council_id, joined)
        )
    keeping_account = _accounts_anonymise(learners, addresses)
    _history_anonymise(ids)
    _nominations_anonymise(ids, addresses)
    _free_text_anonymise(ids)
    _admin_log_anonymise(Learner, ids)
    emails_anonymise(
        addresses=addresses,
        names=[learner.full_name for learner in learners],
        replacement=f"{ANONYMISED_FIRST_NAME} {ANONYMISED_LAST_NAME}",
    )

    # The record itself, last, in one statement (the values are the same for all but the
    # address, made from the id), then one history row each saying it was anonymised: their
    # status stays withdrawn, so the reports' counts as at any past day are unchanged.
    on = today or timezone.localdate()
    Learner.objects.filter(pk__in=ids).update(
        **_learner_anonymised_fields(),
        invitation=None,
        anonymised_on=on,
        updated_at=timezone.now(),
    )
    Learner.objects.filter(pk__in=keeping_account).update(user=None)
    Learner.history.bulk_history_create(
        list(Learner.objects.filter(pk__in=ids)),
        batch_size=ANONYMISE_BATCH,
        update=True,
        default_change_reason=ANONYMISED_REASON,
    )
    transaction.on_commit(
        lambda: learners_anonymised.send(sender=Learner, council_since=council_since)
    )
    return len(learners)


def _learner_anonymised_fields() -> dict:
    """What a learner's record, and each of its history rows, says once anonymised: the same
    values for all, but the address, made from the learner's id."""
    return {
        "first_name": ANONYMISED_FIRST_NAME,
        "last_name": ANONYMISED_LAST_NAME,
        "email": Concat(Value("learner-"), Cast("id", CharField()), Value(f"@{ANONYMISED_DOMAIN}")),
        "job_title": "",
        "grade": "",
    }


def _accounts_anonymise(learners: list[Learner], addresses: set[str]) -> list[int]:
    """Their accounts: the one linked, the one an invitation was sent to, and any at their
    address. An account still needed for another role (an SRO who was also a learner) is kept;
    every other is anonymised and closed. Adds the anonymised accounts' addresses to
    `addresses` for the outbox, and returns the learners whose record must let go of the
    account it kept."""
    user_ids = {learner.user_id for learner in learners if learner.user_id}
    user_ids |= {learner.invitation.user_id for learner in learners if learner.invitation}
    user_ids |= set(User.objects.filter(email__in=addresses).values_list("pk", flat=True))
    kept = users_in_other_roles(user_ids=user_ids)
    closing = sorted(user_ids - kept)
    addresses |= set(User.objects.filter(pk__in=closing).values_list("email", flat=True))
    _admin_log_anonymise(User, closing)
    users_anonymise(user_ids=closing)
    return [learner.pk for learner in learners if learner.user_id in kept]


def _history_anonymise(ids: list[int]) -> None:
    """Every history row of the learner says who they were then: each is given the anonymised
    values, its status and dates kept (the reports read them). Reasons typed by staff (why
    they withdrew, why a result was corrected) are free text about the person, so they go too."""
    Learner.history.filter(id__in=ids).update(
        **_learner_anonymised_fields(), history_change_reason=None
    )
    for model in (Enrolment, StepProgress, AssessmentAttempt, Accreditation, SessionAttendance):
        model.history.filter(learner_id__in=ids).update(history_change_reason=None)


def _free_text_anonymise(ids: list[int]) -> None:
    """Why an enrolment ended, and what a CPD entry was and what they made of it, are their
    words or words about them; the dates and hours stay."""
    for manager in (Enrolment.objects, Enrolment.history):
        manager.filter(learner_id__in=ids).exclude(reason="").update(reason="")
    CpdEntry.objects.filter(learner_id__in=ids).update(activity=ANONYMISED_TEXT, reflection="")
    CpdEntry.history.filter(learner_id__in=ids).update(
        activity=ANONYMISED_TEXT, reflection="", history_change_reason=None
    )


def _nominations_anonymise(ids: list[int], addresses: set[str]) -> None:
    """The nominations that put them forward (linked, or made for their address), and their
    history: the row stays (who nominated, for which council and level, the decision)."""
    nomination_ids = list(
        Nomination.objects.filter(Q(learner_id__in=ids) | Q(email__in=addresses)).values_list(
            "pk", flat=True
        )
    )
    if not nomination_ids:
        return
    changes = {
        "first_name": ANONYMISED_FIRST_NAME,
        "last_name": ANONYMISED_LAST_NAME,
        "email": Concat(
            Value("nomination-"), Cast("id", CharField()), Value(f"@{ANONYMISED_DOMAIN}")
        ),
        "job_title": "",
        "decision_note": "",
    }
    Nomination.objects.filter(pk__in=nomination_ids).update(**changes)
    Nomination.history.filter(id__in=nomination_ids).update(**changes, history_change_reason=None)


def _admin_log_anonymise(model, ids) -> None:
    """The Django admin's log names each record it changed as it was then."""
    if ids:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in ids],
        ).update(object_repr=f"Anonymised {model._meta.verbose_name}", change_message="")
