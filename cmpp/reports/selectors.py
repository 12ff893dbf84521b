"""The programme's figures: one selector per figure, each over the records a user may see, used
by every dashboard (and the PDF reports), so a number is computed in one place. Pages compose
the figures they show; rules (at risk, funded places, places free) come from the app that owns
the data."""

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cmpp.accounts.selectors import user_sees_whole_programme
from cohorts.models import AccreditationLevel, Cohort, CohortSession
from councils.models import Council, ManagingBodyPeriod
from councils.selectors import council_ids_led_by, councils_visible_to
from learners.models import Accreditation, Enrolment, Learner, Nomination
from learners.selectors import (
    at_risk_q,
    learners_visible_to,
    nominations_visible_to,
    uses_funded_place,
)
from networks.models import MeetingAttendance, Network

# Figures over a set of learners ---------------------------------------------------------------

# Each count figure is defined once, as an aggregate over learners, so a page can ask for several
# in one query. The counts are distinct because "accreditations" joins a learner's rows. `today`
# is the day at-risk counts back from (a report as at a past date passes that date).
LEARNER_COUNTS = {
    "learners": lambda today: Count("pk", distinct=True),
    "at_risk": lambda today: Count("pk", filter=at_risk_q(today), distinct=True),
    "funded_places_used": lambda today: Count("pk", filter=Q(uses_funded_place()), distinct=True),
    "accreditations": lambda today: Count("accreditations", distinct=True),
    **{
        status: (lambda today, status=status: Count("pk", filter=Q(status=status), distinct=True))
        for status in Learner.Status.values
    },
}


def learner_counts(
    learners: QuerySet[Learner], *names: str, today: date | None = None
) -> dict[str, int]:
    """The named count figures over these learners, in one query."""
    return learners.order_by().aggregate(**{name: LEARNER_COUNTS[name](today) for name in names})


def learner_counts_per_council(
    learners: QuerySet[Learner], *names: str, today: date | None = None
) -> dict[int, dict[str, int]]:
    """The named count figures for each council's learners, in one query, by council id."""
    rows = (
        learners.order_by()
        .values("council_id")
        .annotate(**{name: LEARNER_COUNTS[name](today) for name in names})
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


def accreditations_per_month(learners: QuerySet[Learner], *, months: int = 12):
    """Accreditations achieved in each of the last `months` months, this month last."""
    firsts = _last_months(months)
    per_month = dict(
        Accreditation.objects.filter(learner__in=learners, achieved_on__gte=firsts[0])
        .annotate(month=TruncMonth("achieved_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    return [(month, per_month.get(month, 0)) for month in firsts]


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


def network_attendance(*, council: Council) -> list[Network]:
    """Each network with its meetings held in the last 12 months and how many times the
    council's people attended them."""
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    return list(
        Network.objects.annotate(
            meetings_held=Count(
                "meetings",
                filter=Q(meetings__starts_at__gte=year_ago, meetings__starts_at__lt=now),
                distinct=True,
            ),
            council_attended=Count(
                "meetings__attendance",
                filter=Q(
                    meetings__starts_at__gte=year_ago,
                    meetings__attendance__membership__council=council,
                    meetings__attendance__status=MeetingAttendance.Status.ATTENDED,
                ),
                distinct=True,
            ),
        ).order_by("name")
    )


def cohorts_running() -> int:
    return Cohort.objects.filter(status=Cohort.Status.RUNNING).count()


def nominations_waiting(*, user) -> int:
    return nominations_visible_to(user).filter(status=Nomination.Status.PENDING).count()


# What each page shows ---------------------------------------------------------------------------


def programme_overview(*, user) -> dict:
    """The staff and viewer dashboard's figures."""
    councils = councils_visible_to(user)
    learners = learners_visible_to(user)
    council_count, funded = council_count_and_funded_places(councils)
    counts = learner_counts(learners, "funded_places_used", *Learner.Status.values)
    by_status = by_status_label(counts)
    by_level = accreditations_by_level(learners)
    return {
        "council_count": council_count,
        "councils_by_body": councils_by_managing_body(councils),
        "learner_count": sum(by_status.values()),
        "learners_by_status": by_status,
        "nominations_waiting": nominations_waiting(user=user),
        "accreditations_by_level": by_level,
        "accreditation_count": sum(n for _, n in by_level),
        "accreditations_by_month": accreditations_per_month(learners),
        "cohorts_running": cohorts_running(),
        "funded_places": funded,
        "funded_places_used": counts["funded_places_used"],
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


def _last_months(n: int) -> list[date]:
    """The first days of the last `n` months, this month last."""
    today = timezone.localdate()
    months, year, month = [], today.year, today.month
    for _ in range(n):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def reports_visible_to(user) -> QuerySet:
    """The one access rule for progress reports: programme staff and viewers see every report,
    an SRO the reports of the councils they lead, nobody else any."""
    from cmpp.reports.models import ProgressReport

    if user_sees_whole_programme(user):
        return ProgressReport.objects.all()
    return ProgressReport.objects.filter(council_id__in=council_ids_led_by(user))


def user_may_use_reports(user) -> bool:
    return user_sees_whole_programme(user) or bool(council_ids_led_by(user))
