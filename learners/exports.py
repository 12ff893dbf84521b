"""The learner CSV export: the import's columns (the contract in docs/architecture.md), then
where each learner stands. The view passes the list page's own filtered queryset: the export is
the list shown."""

from collections.abc import Iterator

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from cohorts.models import AccreditationLevel, LevelStep
from learners.imports import COLUMNS
from learners.models import Accreditation, Enrolment, Learner

EXPORT_COLUMNS = (
    *COLUMNS,
    "status",
    "council_name",
    "current_cohort_code",
    "steps_completed",
    "steps_total",
    "last_progress_on",
    "accredited_levels",
    "accredited_on",
)
# The rows stream from the database in chunks of this many learners.
CHUNK_SIZE = 2000

# What a row needs of the learner, read as plain values: 20,000 learners as model instances
# (with their council, level, enrolments, cohorts and accreditations) took most of the time.
_LEARNER_FIELDS = (
    "council__code",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "target_level__slug",
    "open_place",
    "status",
    "council__name",
    "current_cohort",
    "steps_done",
    "target_level_id",
    "last_progress_on",
)


def learner_export_rows(*, learners: QuerySet[Learner]) -> Iterator[list]:
    """One row of EXPORT_COLUMNS per learner in `learners` (the list page's filtered queryset).

    `cohort_code` is the learner's open place (or waiting-list place) at their target level, so
    re-importing the file enrols nobody twice; `current_cohort_code` is the cohort they are
    enrolled in now, as their page shows it (of several, the latest place). Accredited levels
    and their dates (the latest at each level) are listed in level order, separated by
    semicolons. Steps done are the stored count; steps in all are the active steps of the
    target level, counted once for the export rather than in a subquery per row.

    One query, read as plain values and streamed in chunks: each learner's places and latest
    accreditation at each level are subqueries served by the learner's indexes, so memory stays
    flat however long the list, on SQLite as on PostgreSQL.
    """
    steps_total = _active_steps_by_level()
    levels = list(AccreditationLevel.objects.order_by("order", "pk").values_list("pk", "slug"))
    latest = {f"held_{pk}": _latest_accreditation(pk) for pk, _ in levels}
    rows = (
        learners.annotate(
            open_place=_place(Q(level=OuterRef("target_level"))),
            current_cohort=_place(Q(status=Enrolment.Status.ENROLLED)),
            **latest,
        )
        .values_list(*_LEARNER_FIELDS, *latest)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    width = len(_LEARNER_FIELDS)
    for row in rows:
        *cells, target_level_id, last_progress_on = row[:width]
        held = [
            (slug, day)
            for (_, slug), day in zip(levels, row[width:], strict=True)
            if day is not None
        ]
        yield [
            *cells,
            steps_total.get(target_level_id, 0),
            last_progress_on,
            "; ".join(slug for slug, _ in held),
            "; ".join(day.isoformat() for _, day in held),
        ]


def _place(which: Q) -> Subquery:
    """The cohort code of the outer learner's latest open place (enrolled or waiting) that is
    also `which`."""
    places = Enrolment.objects.filter(
        which, learner=OuterRef("pk"), status__in=Enrolment.OPEN_STATUSES
    ).order_by("-enrolled_on", "-pk")
    return Subquery(places.values("cohort__code")[:1])


def _latest_accreditation(level_id: int) -> Subquery:
    """The day the outer learner was last accredited at the level, or None."""
    days = Accreditation.objects.filter(learner=OuterRef("pk"), level_id=level_id).order_by(
        "-achieved_on"
    )
    return Subquery(days.values("achieved_on")[:1])


def _active_steps_by_level() -> dict[int, int]:
    """Each level's active steps, counted (`learners.selectors.steps_total`'s rule)."""
    return dict(
        LevelStep.objects.filter(is_active=True)
        .order_by()
        .values_list("level_id")
        .annotate(n=Count("pk"))
    )
