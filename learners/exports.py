"""The learner CSV export: the import's columns (the contract in docs/architecture.md), then
where each learner stands. The view passes the list page's own filtered queryset: the export is
the list shown."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet

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
# Rows are read in chunks of this many learners, each chunk in three queries.
CHUNK_SIZE = 2000


def learner_export_rows(*, learners: QuerySet[Learner]) -> Iterator[list]:
    """One row of EXPORT_COLUMNS per learner in `learners` (the list page's filtered queryset).

    `cohort_code` is the learner's open place (or waiting-list place) at their target level, so
    re-importing the file enrols nobody twice; `current_cohort_code` is the cohort they are
    enrolled in now, as their page shows it. Accredited levels and their dates (the latest at
    each level) are listed in level order, separated by semicolons. Steps done are the stored
    count and steps in all `learner_list`'s subquery per row: nothing groups the whole table, so
    the rows stream from the database in chunks.
    """
    learners = learners.prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.filter(status__in=Enrolment.OPEN_STATUSES)
            .select_related("cohort")
            .order_by("-enrolled_on", "-pk"),
            to_attr="open_enrolments",
        ),
        Prefetch(
            "accreditations",
            queryset=Accreditation.objects.select_related("level").order_by(
                "level__order", "-achieved_on"
            ),
            to_attr="accreditations_held",
        ),
    )
    for learner in learners.iterator(chunk_size=CHUNK_SIZE):
        yield _row(learner)


def _row(learner: Learner) -> list:
    places = learner.open_enrolments
    latest_by_level = {}
    for accreditation in learner.accreditations_held:
        latest_by_level.setdefault(accreditation.level.slug, accreditation.achieved_on)
    return [
        learner.council.code,
        learner.first_name,
        learner.last_name,
        learner.email,
        learner.job_title,
        learner.target_level.slug,
        next((e.cohort.code for e in places if e.level_id == learner.target_level_id), ""),
        learner.status,
        learner.council.name,
        next((e.cohort.code for e in places if e.status == Enrolment.Status.ENROLLED), ""),
        learner.steps_done,
        learner.steps_total,
        learner.last_progress_on,
        "; ".join(latest_by_level),
        "; ".join(day.isoformat() for day in latest_by_level.values()),
    ]
