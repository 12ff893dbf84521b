"""The programme's figures: one selector per figure, each over the records a user may see, used
by every dashboard (and the PDF reports), so a number is computed in one place. Pages compose
the figures they show; rules (at risk, funded places, places free) come from the app that owns
the data."""

from datetime import date

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cmpp.accounts.models import Organisation
from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.dates import add_months
from cohorts.models import AccreditationLevel, Cohort, CohortSession
from councils.models import Council, ManagingBodyPeriod
from councils.selectors import (
    council_ids_led_by,
    councils_managed_by,
    councils_visible_to,
    improvement_summary,
)
from learners.models import Accreditation, AssessmentAttempt, Enrolment, Learner, Nomination
from learners.selectors import (
    FUNDED_PLACE_THEN,
    LAST_PROGRESS_THEN,
    STATUS_THEN,
    at_risk_q,
    learners_as_at,
    learners_visible_to,
    nominations_visible_to,
    uses_funded_place,
)
from networks.selectors import attendance_rates, attendance_window_start

# Figures over a set of learners ---------------------------------------------------------------


# Each figure is defined once, as an aggregate, so a page can ask for several in one query per
# kind of record. Each takes the day it is counted on (None: now) and whether the learners carry
# what they were on that day (`learners_as_at`), as a report as at a past day needs.
#
# The figures about the learners themselves are counted over the learners, one row each: no join,
# so no DISTINCT (whose sort was most of the dashboard's count). Funded places stay a lookup per
# learner (`uses_funded_place`): a `pk IN (...)` over every funded place was 10 ms quicker over
# the whole programme at national scale, but 18 ms slower for one council, whose few learners
# then waited for a hash of all 14,000 places.
LEARNER_COUNTS = {
    "learners": lambda on, then: Count("pk"),
    "at_risk": lambda on, then: Count("pk", filter=at_risk_q(on, then=then)),
    "funded_places_used": lambda on, then: Count(
        "pk",
        filter=Q(**{FUNDED_PLACE_THEN: True}) if then else Q(uses_funded_place()),
    ),
    "last_progress": lambda on, then: Max(LAST_PROGRESS_THEN if then else "last_progress_on"),
    **{
        status: (
            lambda on, then, status=status: Count(
                "pk", filter=Q(**{STATUS_THEN if then else "status": status})
            )
        )
        for status in Learner.Status.values
    },
}


def _given_by(on: date | None) -> Q:
    """Assessments with a result (given by the day, if one is given)."""
    given = ~Q(result=AssessmentAttempt.Result.PENDING)
    return given & Q(result_on__lte=on) if on else given


# The figures about the learners' accreditations and assessments are counted over those records,
# each kind in an aggregate of its own over the learners' ids: joining them to the learners would
# multiply the rows and make every figure a COUNT(DISTINCT ...).
RECORD_COUNTS = {
    Accreditation: {
        "accreditations": lambda on: Count("pk", filter=Q(achieved_on__lte=on) if on else None),
    },
    AssessmentAttempt: {
        "assessments_taken": lambda on: Count("pk", filter=_given_by(on)),
        "assessments_passed": lambda on: Count(
            "pk", filter=_given_by(on) & Q(result=AssessmentAttempt.Result.PASS)
        ),
    },
}


def _as_at(learners: QuerySet[Learner], on: date | None) -> tuple[QuerySet[Learner], bool]:
    """The learners to count on a day: as they are now for today (or no day), as they were then
    for a past day."""
    then = on is not None and on < timezone.localdate()
    return (learners_as_at(learners, on) if then else learners), then


def learner_counts(
    learners: QuerySet[Learner], *names: str, on: date | None = None
) -> dict[str, int]:
    """The named figures over these learners (as at a day, if given): one query over the
    learners, and one over each kind of their records a figure counts."""
    learners, then = _as_at(learners, on)
    counts = {}
    own = {name: LEARNER_COUNTS[name](on, then) for name in names if name in LEARNER_COUNTS}
    if own:
        counts |= learners.order_by().aggregate(**own)
    for model, figures in RECORD_COUNTS.items():
        wanted = {name: figures[name](on) for name in names if name in figures}
        if wanted:
            records = model.objects.filter(learner__in=learners.order_by().values("pk"))
            counts |= records.order_by().aggregate(**wanted)
    unknown = set(names) - counts.keys()
    if unknown:
        raise KeyError(f"no such figure: {', '.join(sorted(unknown))}")
    return {name: counts[name] for name in names}


def learner_counts_per_council(
    learners: QuerySet[Learner], *names: str, on: date | None = None
) -> dict[int, dict[str, int]]:
    """The named figures about the learners themselves for each council's learners (as at a
    day, if given), in one query, by council id."""
    learners, then = _as_at(learners, on)
    rows = (
        learners.order_by()
        .values("council_id")
        .annotate(**{name: LEARNER_COUNTS[name](on, then) for name in names})
    )
    return {row.pop("council_id"): row for row in rows}


def by_status_label(counts: dict[str, int]) -> dict[str, int]:
    """Status counts keyed by each status's label, every status present."""
    return {label: counts.get(value, 0) for value, label in Learner.Status.choices}


def learners_by_status(learners: QuerySet[Learner]) -> dict[str, int]:
    """Learners in each status, by the status's label, every status present."""
    return by_status_label(learner_counts(learners, *Learner.Status.values))


def at_risk_count(learners: QuerySet[Learner]) -> int:
    return learner_counts(learners, "at_risk")["at_risk"]


def funded_places_used(learners: QuerySet[Learner]) -> int:
    return learner_counts(learners, "funded_places_used")["funded_places_used"]


def accreditation_count(learners: QuerySet[Learner]) -> int:
    return learner_counts(learners, "accreditations")["accreditations"]


def accreditations_by_level(
    learners: QuerySet[Learner], *, since: date | None = None, until: date | None = None
) -> list[tuple[str, int]]:
    """Accreditations achieved by these learners (between the dates, if given), per level in
    the levels' order."""
    achieved = Q(accreditations__learner__in=learners)
    if since:
        achieved &= Q(accreditations__achieved_on__gte=since)
    if until:
        achieved &= Q(accreditations__achieved_on__lte=until)
    levels = AccreditationLevel.objects.order_by("order").annotate(
        n=Count("accreditations", filter=achieved)
    )
    return [(level.name, level.n) for level in levels]


def accreditations_by_level_per_council(
    learners: QuerySet[Learner], *, until: date | None = None
) -> dict[int, dict[str, int]]:
    """Accreditations achieved by these learners (by the day, if given), per council id and
    level name, in one query."""
    achieved = Accreditation.objects.filter(learner__in=learners)
    if until:
        achieved = achieved.filter(achieved_on__lte=until)
    per_council: dict[int, dict[str, int]] = {}
    rows = achieved.order_by().values_list("learner__council_id", "level__name")
    for council_id, level, n in rows.annotate(n=Count("pk")):
        per_council.setdefault(council_id, {})[level] = n
    return per_council


def accreditations_per_month(
    learners: QuerySet[Learner], *, months: int | None = 12, until: date | None = None
) -> list[tuple[date, int]]:
    """Accreditations achieved in each of the `months` months up to the day (today if not given),
    its month last; with no number of months, every month from the first accreditation."""
    until = until or timezone.localdate()
    achieved = Accreditation.objects.filter(learner__in=learners, achieved_on__lte=until)
    if months is None:
        first = achieved.order_by("achieved_on").values_list("achieved_on", flat=True).first()
        firsts = _months_between(first or until, until)
    else:
        firsts = _months_between(add_months(until.replace(day=1), 1 - months), until)
    per_month = dict(
        achieved.filter(achieved_on__gte=firsts[0])
        .annotate(month=TruncMonth("achieved_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    return [(month, per_month.get(month, 0)) for month in firsts]


# A place someone had in a cohort, whatever became of it (a waiting-list place is not one).
PLACED_STATUSES = [s for s in Enrolment.Status.values if s != Enrolment.Status.WAITING]


def cohorts_of(learners: QuerySet[Learner], *, on: date | None = None) -> list[Cohort]:
    """The cohorts these learners had places in by the day (today if not given), each with how
    many of them had a place, how many completed, and their assessments at its level passed and
    taken by then."""
    on = on or timezone.localdate()
    placed = Q(
        enrolments__learner__in=learners,
        enrolments__enrolled_on__lte=on,
        enrolments__status__in=PLACED_STATUSES,
    )
    completed = placed & Q(
        enrolments__status=Enrolment.Status.COMPLETED, enrolments__ended_on__lte=on
    )
    cohorts = list(
        Cohort.objects.filter(starts_on__lte=on)
        .annotate(
            enrolled=Count("enrolments", filter=placed),
            completed=Count("enrolments", filter=completed),
        )
        .filter(enrolled__gt=0)
        .select_related("level")
        .order_by("starts_on", "code")
    )
    results = {
        row["learner__enrolments__cohort"]: row
        for row in AssessmentAttempt.objects.filter(
            learner__in=learners,
            learner__enrolments__status__in=PLACED_STATUSES,
            learner__enrolments__cohort__in=[cohort.pk for cohort in cohorts],
            learner__enrolments__level=F("level"),
            learner__enrolments__enrolled_on__lte=on,
            result_on__lte=on,
        )
        .exclude(result=AssessmentAttempt.Result.PENDING)
        .order_by()
        .values("learner__enrolments__cohort")
        .annotate(
            taken=Count("pk", distinct=True),
            passed=Count("pk", filter=Q(result=AssessmentAttempt.Result.PASS), distinct=True),
        )
    }
    for cohort in cohorts:
        row = results.get(cohort.pk, {})
        cohort.assessments_taken = row.get("taken", 0)
        cohort.assessments_passed = row.get("passed", 0)
    return cohorts


def learners_by_target_level(learners: QuerySet[Learner]) -> list[dict]:
    """Per level the learners work towards: how many, and how many are accredited."""
    return list(
        learners.values("target_level__name", "target_level__order")
        .annotate(
            n=Count("pk"),
            accredited=Count("pk", filter=Q(status=Learner.Status.ACCREDITED)),
        )
        .order_by("target_level__order")
    )


def upcoming_sessions(learners: QuerySet[Learner], *, count: int = 5) -> list[CohortSession]:
    """The next sessions of the cohorts these learners have places in."""
    cohorts = Enrolment.objects.filter(
        learner__in=learners, status=Enrolment.Status.ENROLLED
    ).values("cohort")
    return list(
        CohortSession.objects.filter(
            cohort__in=cohorts, is_cancelled=False, starts_at__gte=timezone.now()
        )
        .select_related("cohort")
        .order_by("starts_at")[:count]
    )


# Figures over councils -------------------------------------------------------------------------


def councils_by_managing_body(councils: QuerySet[Council]) -> list[tuple[str, int]]:
    rows = (
        ManagingBodyPeriod.objects.filter(council__in=councils, ends_on__isnull=True)
        .values("organisation__short_name")
        .annotate(n=Count("council"))
        .order_by("organisation__short_name")
    )
    return [(row["organisation__short_name"], row["n"]) for row in rows]


def council_count_and_funded_places(councils: QuerySet[Council]) -> tuple[int, int]:
    """How many councils, and the funded places of those still on the programme."""
    figures = councils.aggregate(
        count=Count("pk"),
        funded=Sum("funded_places", filter=~Q(status=Council.Status.WITHDRAWN)),
    )
    return figures["count"], figures["funded"] or 0


def network_attendance(*, council: Council, until: date | None = None) -> list[dict]:
    """Each network the council is in, or had register entries in, with its meetings held in
    the 12 months up to the day (today if not given) and the council's attendance at them (the
    networks app's `attendance_rates` rule), by network name."""
    until = until or timezone.localdate()
    rates = attendance_rates(
        councils=[council.pk], since=attendance_window_start(until), until=until, totals=False
    )
    rows = [
        {"network": rates.network_names.get(network_id, ""), "participation": participation}
        for (network_id, _), participation in rates.by_council.items()
    ]
    return sorted(rows, key=lambda row: row["network"])


def attendance_by_council(councils: list[Council], *, until: date) -> dict[int, float | None]:
    """Each council's attendance rate over both networks in the 12 months up to the day:
    present entries over all its members' register entries (None with no entries)."""
    rates = attendance_rates(
        councils=[council.pk for council in councils],
        since=attendance_window_start(until),
        until=until,
        totals=False,
    )
    present, records = {}, {}
    for (_, council_id), participation in rates.by_council.items():
        present[council_id] = present.get(council_id, 0) + participation.present
        records[council_id] = records.get(council_id, 0) + participation.records
    return {
        council.pk: (present[council.pk] / records[council.pk] if records.get(council.pk) else None)
        for council in councils
    }


def cohorts_running() -> int:
    return Cohort.objects.filter(status=Cohort.Status.RUNNING).count()


def nominations_waiting(*, user) -> int:
    return nominations_visible_to(user).filter(status=Nomination.Status.PENDING).count()


# What each page shows ---------------------------------------------------------------------------


def programme_figures(
    *, councils: QuerySet[Council], learners: QuerySet[Learner], on: date | None = None
) -> dict:
    """The headline figures over these councils and their learners, as at a day if given: the
    dashboard and the programme report both show these."""
    council_count, funded = council_count_and_funded_places(councils)
    counts = learner_counts(
        learners,
        "learners",
        "at_risk",
        "funded_places_used",
        "assessments_taken",
        "assessments_passed",
        *Learner.Status.values,
        on=on,
    )
    by_level = accreditations_by_level(learners, until=on)
    return {
        "council_count": council_count,
        "learner_count": counts["learners"],
        "learners_by_status": by_status_label(counts),
        "at_risk": counts["at_risk"],
        "funded_places": funded,
        "funded_places_used": counts["funded_places_used"],
        "accreditations_by_level": by_level,
        "accreditation_count": sum(n for _, n in by_level),
        "assessments": {
            "taken": counts["assessments_taken"],
            "passed": counts["assessments_passed"],
        },
        "maturity": improvement_summary(councils, on=on),
    }


def programme_overview(*, user, organisation: Organisation | None = None) -> dict:
    """The staff and viewer dashboard's figures, over the whole programme or the councils one
    managing body manages today."""
    councils = councils_visible_to(user)
    if organisation is not None:
        councils = councils.filter(
            pk__in=councils_managed_by(organisation, on=timezone.localdate()).values("pk")
        )
    learners = learners_visible_to(user).filter(council__in=councils.values("pk"))
    return {
        **programme_figures(councils=councils, learners=learners),
        "councils_by_body": councils_by_managing_body(councils),
        "nominations_waiting": nominations_waiting(user=user),
        "accreditations_by_month": accreditations_per_month(learners),
        "cohorts_running": cohorts_running(),
    }


def council_overview(*, council: Council, user) -> dict:
    """The council page's figures."""
    learners = learners_visible_to(user).filter(council=council)
    counts = learner_counts(
        learners, "funded_places_used", "accreditations", *Learner.Status.values
    )
    used = counts["funded_places_used"]
    return {
        "learners_by_status": by_status_label(counts),
        "learners_by_level": learners_by_target_level(learners),
        "funded_places_used": used,
        "funded_places_free": max(council.funded_places - used, 0),
        "accreditation_count": counts["accreditations"],
    }


def sro_home_figures(*, council: Council, user) -> dict:
    """An SRO's home: headline figures, their learners' next sessions, network attendance."""
    learners = learners_visible_to(user).filter(council=council)
    counts = learner_counts(learners, "at_risk", "funded_places_used")
    used = counts["funded_places_used"]
    by_level = accreditations_by_level(learners)
    return {
        "at_risk_count": counts["at_risk"],
        "funded_places_used": used,
        "funded_places_free": max(council.funded_places - used, 0),
        "accreditations_by_level": by_level,
        "accreditation_count": sum(n for _, n in by_level),
        "upcoming_sessions": upcoming_sessions(learners),
        "networks": network_attendance(council=council),
    }


def _months_between(first: date, last: date) -> list[date]:
    """The first days of the months from `first`'s to `last`'s, in order."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def reports_visible_to(user) -> QuerySet:
    """The one access rule for progress reports: programme staff and viewers see every report,
    an SRO the reports of the councils they lead, nobody else any."""
    from cmpp.reports.models import ProgressReport

    if user_sees_whole_programme(user):
        return ProgressReport.objects.all()
    return ProgressReport.objects.filter(council_id__in=council_ids_led_by(user))


def user_may_use_reports(user) -> bool:
    return user_sees_whole_programme(user) or bool(council_ids_led_by(user))
