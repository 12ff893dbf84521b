"""Reads that span the programme's apps: who a user is, and the figures on home pages."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cmpp.accounts.selectors import user_is_programme_staff, user_sees_whole_programme
from cohorts.models import AccreditationLevel, Cohort, CohortSession
from councils.models import Council, ManagingBodyPeriod
from councils.selectors import council_ids_led_by, councils_visible_to
from learners.models import Accreditation, Enrolment, Learner, Nomination
from learners.selectors import (
    at_risk_q,
    learner_counts_by_status,
    learner_of_user,
    learners_visible_to,
    nominations_visible_to,
)
from networks.models import MeetingAttendance, Network


@dataclass(frozen=True)
class Roles:
    is_programme_staff: bool
    sees_whole_programme: bool
    is_sro: bool
    is_learner: bool


def roles_of(user) -> Roles:
    if not hasattr(user, "_cmpp_roles"):
        user._cmpp_roles = Roles(
            is_programme_staff=user_is_programme_staff(user),
            sees_whole_programme=user_sees_whole_programme(user),
            is_sro=bool(council_ids_led_by(user)),
            is_learner=learner_of_user(user=user) is not None,
        )
    return user._cmpp_roles


def _last_months(n: int) -> list[date]:
    """The first days of the last `n` months, this month last."""
    today = timezone.localdate()
    months, year, month = [], today.year, today.month
    for _ in range(n):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def programme_overview(*, user) -> dict:
    """Headline figures for programme staff and viewers."""
    councils = councils_visible_to(user)
    learners = learners_visible_to(user)
    by_body = (
        ManagingBodyPeriod.objects.filter(council__in=councils, ends_on__isnull=True)
        .values("organisation__short_name")
        .annotate(n=Count("council"))
        .order_by("organisation__short_name")
    )
    accreditations_by_level = AccreditationLevel.objects.order_by("order").annotate(
        n=Count("accreditations", filter=Q(accreditations__learner__in=learners))
    )
    council_figures = councils.aggregate(
        count=Count("pk"),
        funded=Sum("funded_places", filter=~Q(status=Council.Status.WITHDRAWN)),
    )
    used = (
        Enrolment.objects.filter(
            learner__in=learners,
            level__is_funded=True,
            status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
        )
        .values("learner")
        .distinct()
        .count()
    )
    learners_by_status = learner_counts_by_status(learners)
    nominations_waiting = (
        nominations_visible_to(user).filter(status=Nomination.Status.PENDING).count()
    )
    by_level = [(level.name, level.n) for level in accreditations_by_level]
    months = _last_months(12)
    per_month = dict(
        Accreditation.objects.filter(learner__in=learners, achieved_on__gte=months[0])
        .annotate(month=TruncMonth("achieved_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    return {
        "council_count": council_figures["count"],
        "councils_by_body": [(row["organisation__short_name"], row["n"]) for row in by_body],
        "learner_count": sum(learners_by_status.values()),
        "learners_by_status": learners_by_status,
        "nominations_waiting": nominations_waiting,
        "accreditations_by_level": by_level,
        "accreditation_count": sum(n for _, n in by_level),
        "accreditations_by_month": [(month, per_month.get(month, 0)) for month in months],
        "cohorts_running": Cohort.objects.filter(status=Cohort.Status.RUNNING).count(),
        "funded_places": council_figures["funded"] or 0,
        "funded_places_used": used,
    }


def council_overview(*, council: Council, user) -> dict:
    """Figures for one council's page and its SRO's home."""
    learners = learners_visible_to(user).filter(council=council)
    # Counted in the same query as the statuses: a learner uses a funded place while they hold
    # (or have completed) a place in a cohort at a funded level.
    holds_funded_place = Exists(
        Enrolment.objects.filter(
            learner=OuterRef("pk"),
            level__is_funded=True,
            status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
        )
    )
    by_level = (
        learners.values("target_level__name", "target_level__order")
        .annotate(
            n=Count("pk"),
            accredited=Count("pk", filter=Q(status=Learner.Status.ACCREDITED)),
        )
        .order_by("target_level__order")
    )
    counts = learners.aggregate(
        at_risk=Count("pk", filter=at_risk_q()),
        funded_used=Count("pk", filter=Q(holds_funded_place)),
        **{status: Count("pk", filter=Q(status=status)) for status in Learner.Status.values},
    )
    used = counts["funded_used"]
    by_status = {label: counts[value] for value, label in Learner.Status.choices}
    accreditations = [
        (level.name, level.n)
        for level in AccreditationLevel.objects.order_by("order").annotate(
            n=Count("accreditations", filter=Q(accreditations__learner__in=learners))
        )
    ]
    return {
        "learner_count": sum(by_status.values()),
        "learners_by_status": by_status,
        "learners_by_level": list(by_level),
        "at_risk_count": counts["at_risk"],
        "funded_places_used": used,
        "funded_places_free": max(council.funded_places - used, 0),
        "accreditations_by_level": accreditations,
        "accreditation_count": sum(n for _, n in accreditations),
    }


def sro_home_figures(*, council: Council, user) -> dict:
    """What an SRO watches beyond the council's headline figures: their learners' next sessions
    and network meeting attendance."""
    learners = learners_visible_to(user).filter(council=council)
    cohorts = Enrolment.objects.filter(
        learner__in=learners, status=Enrolment.Status.ENROLLED
    ).values("cohort")
    upcoming = (
        CohortSession.objects.filter(
            cohort__in=cohorts, is_cancelled=False, starts_at__gte=timezone.now()
        )
        .select_related("cohort")
        .order_by("starts_at")[:5]
    )
    year_ago = timezone.now() - timedelta(days=365)
    networks = Network.objects.annotate(
        meetings_held=Count(
            "meetings",
            filter=Q(meetings__starts_at__gte=year_ago, meetings__starts_at__lt=timezone.now()),
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
    return {
        "upcoming_sessions": list(upcoming),
        "networks": list(networks),
    }
