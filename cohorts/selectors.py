"""Reads of accreditation levels and cohorts, already scoped to the asking user."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.text import words_q
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
    """Cohorts whose name or code holds every word typed, in any order."""
    return words_q(q, "name", "code")


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


def session_register_open(session: CohortSession, *, now=None) -> bool:
    """The one rule for when a session's register can be taken: once the session has started,
    and never for a cancelled session."""
    return not session.is_cancelled and session.starts_at <= (now or timezone.now())


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


def levels_visible_to(user) -> QuerySet[AccreditationLevel]:
    """The one access rule for level pages: programme records, for staff and viewers (the
    same people who have the cohort list)."""
    if user_may_list_cohorts(user):
        return AccreditationLevel.objects.all()
    return AccreditationLevel.objects.none()


def level_get(*, user, pk: int) -> AccreditationLevel:
    return get_object_or_404(levels_visible_to(user), pk=pk)


def level_all_steps(*, level: AccreditationLevel) -> QuerySet[LevelStep]:
    """Every step of a level in order, retired ones included, with how many learners have a
    record of each (a step someone has done can be retired but not deleted)."""
    return level.steps.annotate(done_count=Count("progress", distinct=True)).order_by("order")


def level_step_get(*, level: AccreditationLevel, pk: int) -> LevelStep:
    return get_object_or_404(level.steps.select_related("level"), pk=pk)


def level_list(*, user) -> QuerySet[AccreditationLevel]:
    return (
        levels_visible_to(user)
        .annotate(active_step_count=Count("steps", filter=Q(steps__is_active=True)))
        .order_by("order")
    )


def first_sessions(*, cohort_ids) -> dict[int, CohortSession | None]:
    """Each cohort's first session that is not cancelled (None if it has none), by cohort id,
    in two queries: what an enrolment email names."""
    first = (
        CohortSession.objects.filter(cohort=OuterRef("pk"), is_cancelled=False)
        .order_by("starts_at", "pk")
        .values("pk")[:1]
    )
    chosen = dict(
        Cohort.objects.filter(pk__in=list(cohort_ids))
        .annotate(first=Subquery(first))
        .values_list("pk", "first")
    )
    sessions = CohortSession.objects.in_bulk([pk for pk in chosen.values() if pk])
    return {cohort: sessions.get(session) for cohort, session in chosen.items()}
