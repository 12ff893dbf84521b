"""Reads of accreditation levels and cohorts, already scoped to the asking user."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from cmpp.accounts.selectors import user_sees_whole_programme
from cohorts.models import AccreditationLevel, Cohort, CohortSession, LevelStep


def user_may_list_cohorts(user) -> bool:
    """Cohort pages are programme records: staff and viewers have the list."""
    return user_sees_whole_programme(user)


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    """The one access rule for cohort pages: they are programme records, for staff and viewers.

    SROs and learners see the cohorts and sessions of their own learners on their home pages.
    """
    if user_may_list_cohorts(user):
        return Cohort.objects.all()
    return Cohort.objects.none()


def cohort_search_q(q: str) -> Q:
    q = q.strip()
    return Q(name__icontains=q) | Q(code__icontains=q)


def cohort_list(*, user, q: str = "") -> QuerySet[Cohort]:
    cohorts = cohorts_visible_to(user).select_related("level", "delivery_organisation")
    if q:
        cohorts = cohorts.filter(cohort_search_q(q))
    return cohorts.order_by("-starts_on", "code")


def cohort_years() -> list[int]:
    """Years in which cohorts start, newest first, for the list's filter."""
    return sorted({d.year for d in Cohort.objects.dates("starts_on", "year")}, reverse=True)


def cohort_get(*, user, pk: int) -> Cohort:
    return get_object_or_404(
        cohorts_visible_to(user).select_related("level", "delivery_organisation"), pk=pk
    )


def cohort_sessions(*, cohort: Cohort) -> QuerySet[CohortSession]:
    return cohort.sessions.select_related("step").order_by("starts_at")


def cohorts_open_at_level(*, level_id: int, other_than: int | None = None) -> QuerySet[Cohort]:
    """Cohorts at a level that have not closed, soonest first: where a learner can move to."""
    return (
        Cohort.objects.filter(level=level_id)
        .exclude(pk=other_than)
        .exclude(status=Cohort.Status.COMPLETED)
        .order_by("starts_on")
    )


def level_steps(*, level_id: int) -> QuerySet[LevelStep]:
    """A level's steps in order, leaving out retired ones."""
    return (
        LevelStep.objects.select_related("level")
        .filter(level=level_id, is_active=True)
        .order_by("order")
    )


def levels_with_steps() -> QuerySet[AccreditationLevel]:
    active_steps = LevelStep.objects.filter(is_active=True).order_by("order")
    return (
        AccreditationLevel.objects.annotate(
            active_step_count=Count("steps", filter=Q(steps__is_active=True))
        )
        .prefetch_related(Prefetch("steps", queryset=active_steps, to_attr="active_steps"))
        .order_by("order")
    )
