"""Reads of learners and their progress, already scoped to what the asking user may see."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Lookup,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.dates import add_months, start_of_next_day
from cmpp.core.pagination import paginate
from cmpp.core.text import search_words, words_q
from cohorts.models import Cohort, CohortSession, LevelStep
from councils.models import Council
from councils.selectors import council_ids_led_by
from learners.models import (
    AssessmentAttempt,
    CpdEntry,
    Enrolment,
    Learner,
    LearnerImport,
    Nomination,
    SessionAttendance,
    StepProgress,
)


def learners_visible_to(user) -> QuerySet[Learner]:
    """The one access rule for learners: programme staff and viewers see all, an SRO their
    council's learners, a learner themself."""
    if user_sees_whole_programme(user):
        return Learner.objects.all()
    if not user.is_authenticated:
        return Learner.objects.none()
    return Learner.objects.filter(Q(council_id__in=council_ids_led_by(user)) | Q(user=user))


def learner_with_email(email: str) -> Learner | None:
    """The learner whose identity this address is, whatever its case (staff-side reads only)."""
    return Learner.objects.select_related("council").filter(email=email.strip().lower()).first()


def nominations_visible_to(user) -> QuerySet[Nomination]:
    """The one access rule for nominations: programme staff and viewers see all, an SRO those
    made for the councils they lead."""
    if user_sees_whole_programme(user):
        return Nomination.objects.all()
    if not user.is_authenticated:
        return Nomination.objects.none()
    return Nomination.objects.filter(council_id__in=council_ids_led_by(user))


def at_risk_cutoff(today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(weeks=settings.CMPP_AT_RISK_WEEKS)


def at_risk_q(today: date | None = None, *, then: bool = False) -> Q:
    """Learners still working towards their level with no progress since the cutoff (counting
    from when they joined if they have done no step yet). The weeks are a setting; `today` is
    the day to count back from (the current day unless a job runs for another). With `then`,
    the rule reads the status and progress `learners_as_at` gave each learner on that day."""
    cutoff = at_risk_cutoff(today)
    status, progress = (STATUS_THEN, LAST_PROGRESS_THEN) if then else ("status", "last_progress_on")
    return Q(**{f"{status}__in": [Learner.Status.ACTIVE, Learner.Status.NOMINATED]}) & (
        Q(**{f"{progress}__lt": cutoff})
        | Q(**{f"{progress}__isnull": True, "created_at__date__lt": cutoff})
    )


# A learner as they were at the end of a past day, for the reports. The aliases hold what the
# rules above read from the learner's own columns.
STATUS_THEN = "status_then"
LAST_PROGRESS_THEN = "last_progress_then"
FUNDED_PLACE_THEN = "funded_place_then"


def learners_as_at(learners: QuerySet[Learner], on: date) -> QuerySet[Learner]:
    """The one rule for counting learners as at a day: those who had joined by its end, each
    with the status of their latest recorded change before then (their status now where no
    change before then is recorded, as for records loaded in bulk), the day of the latest step
    they had completed by then, and whether they used a funded place then."""
    end = start_of_next_day(on)
    status_then = (
        Learner.history.filter(id=OuterRef("pk"), history_date__lt=end)
        .order_by("-history_date", "-history_id")
        .values("status")[:1]
    )
    progress_then = (
        StepProgress.objects.filter(
            learner=OuterRef("pk"),
            status=StepProgress.Status.COMPLETED,
            completed_on__lte=on,
        )
        .order_by()
        .values("learner")
        .annotate(latest=Max("completed_on"))
        .values("latest")
    )
    return learners.filter(created_at__lt=end).alias(
        **{
            STATUS_THEN: Coalesce(Subquery(status_then), F("status")),
            LAST_PROGRESS_THEN: Subquery(progress_then),
            FUNDED_PLACE_THEN: uses_funded_place(on),
        }
    )


def progress_as_at(learners: QuerySet[Learner], on: date) -> QuerySet[Learner]:
    """Each learner as they were at the end of the day, for a report's table: `status_on`,
    `steps_done_then` and `steps_total` towards their target level, `cohort_on` (the cohort they had
    a place in then), `progress_on` (their latest step by then) and `at_risk`."""
    learners = learners_as_at(learners, on)
    held_then = Q(status=Enrolment.Status.ENROLLED) | Q(
        status__in=[
            Enrolment.Status.COMPLETED,
            Enrolment.Status.WITHDRAWN,
            Enrolment.Status.DEFERRED,
        ],
        ended_on__gt=on,
    )
    cohort_then = (
        Enrolment.objects.filter(held_then, learner=OuterRef("pk"), enrolled_on__lte=on)
        .order_by("-enrolled_on", "-pk")
        .values("cohort__name")[:1]
    )
    return learners.annotate(
        status_on=F(STATUS_THEN),
        progress_on=F(LAST_PROGRESS_THEN),
        steps_done_then=Count(
            "step_progress",
            filter=Q(
                step_progress__status=StepProgress.Status.COMPLETED,
                step_progress__completed_on__lte=on,
                step_progress__step__level=F("target_level"),
                step_progress__step__is_active=True,
            ),
        ),
        steps_total=steps_total(),
        cohort_on=Subquery(cohort_then),
        at_risk=Case(When(at_risk_q(on, then=True), then=Value(True)), default=Value(False)),
    )


def steps_total() -> Coalesce:
    """The active steps of the outer learner's target level, counted, as a subquery (it
    groups only that level's steps, so a count or a page of ids leaves it out)."""
    counted = (
        LevelStep.objects.filter(level=OuterRef("target_level"), is_active=True)
        .order_by()
        .values("level")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_progress(learners: QuerySet[Learner]) -> QuerySet[Learner]:
    """Annotate the steps in all towards each learner's target level (their steps done are
    stored), their current cohort, and whether they are at risk. Meant for a page of rows
    (`learner_rows`): each row's subqueries run once per learner."""
    current_cohort = Enrolment.objects.filter(
        learner=OuterRef("pk"), status=Enrolment.Status.ENROLLED
    ).order_by("-enrolled_on", "-pk")
    return learners.annotate(
        steps_total=steps_total(),
        current_cohort_name=Subquery(current_cohort.values("cohort__name")[:1]),
        at_risk=Case(When(at_risk_q(), then=Value(True)), default=Value(False)),
    )


def learner_rows(ids) -> QuerySet[Learner]:
    """The learners with these ids (a list, or a page of ids as a subquery) as the list shows
    them (`with_progress`): the list counts and orders the plain query, slices a page of ids
    and reads only their rows."""
    return with_progress(
        Learner.objects.filter(pk__in=ids).select_related("council", "target_level")
    )


def learner_search_q(q: str) -> Q:
    """Learners whose first name, last name or email holds every word typed, in any order
    ("Ibrahim Ali", "Natalie O'Brien"), or whose council's code is a word typed.

    Every part of each word's condition is on the learner's own columns, so PostgreSQL can
    answer it from indexes (the names' and email's trigram indexes and the council's, combined):
    the council's code is matched in a subquery, not through a join to councils, which would
    make the database read every learner."""
    condition = Q()
    for word in search_words(q):
        codes = Council.objects.filter(code__iexact=word).order_by().values("pk")
        condition &= words_q(word, "first_name", "last_name", "email") | Q(
            InSubquery(F("council_id"), Subquery(codes))
        )
    return condition


class InSubquery(Lookup):
    """`field IN (subquery)`, written `field = ANY(ARRAY(subquery))` on PostgreSQL: there the
    subquery runs once, first, and the condition can use an index inside an OR, where an IN
    becomes a filter checked on every row."""

    lookup_name = "in_subquery"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


# The list's default order, and the tie-break after any other; an index holds each order.
LIST_ORDER = ("last_name", "first_name", "pk")


def learner_list(
    *, user, q: str = "", council: Council | None = None, status: str = ""
) -> QuerySet[Learner]:
    """The learners the user may see, filtered and in name order, with their steps in all (a
    subquery per row, no grouping of the table). Page it with `learner_page`, which counts and
    slices it plain and reads the page's rows with `learner_rows`; the export reads it all."""
    learners = learners_visible_to(user)
    if council is not None:
        learners = learners.filter(council=council)
    if status:
        learners = learners.filter(status=status)
    if q:
        learners = learners.filter(learner_search_q(q))
    return (
        learners.select_related("council", "target_level")
        .annotate(steps_total=steps_total())
        .order_by(*LIST_ORDER)
    )


def learner_page(request, learners: QuerySet[Learner]):
    """The page of `learners` asked for: counted and sliced as ids, then only that page's rows
    read with `learner_rows`. The learner list (staff, viewers, SROs) and the SRO's home use it."""
    return paginate(request, learners, load=learner_rows)


def learner_get(*, user, pk: int) -> Learner:
    return get_object_or_404(
        learners_visible_to(user).select_related("council", "target_level", "user", "invitation"),
        pk=pk,
    )


def remember_not_a_learner(user) -> None:
    """Note that the user has no learner record, found with the rest of who they are in one
    query (the portal's `roles_of`), so `learner_of_user` need not ask again."""
    user._cmpp_learner = None


def learner_of_user(*, user) -> Learner | None:
    """The user's own learner record, if they are a learner; cached on the user for the request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_cmpp_learner"):
        user._cmpp_learner = (
            Learner.objects.select_related("council", "target_level").filter(user=user).first()
        )
    return user._cmpp_learner


def learner_pipeline(*, learner: Learner) -> list[dict]:
    """Each active step of the learner's target level with its progress, the next one marked."""
    progress = {
        p.step_id: p for p in learner.step_progress.filter(step__level=learner.target_level_id)
    }
    steps = LevelStep.objects.filter(level=learner.target_level_id, is_active=True).order_by(
        "order"
    )
    rows, next_marked = [], False
    for step in steps:
        entry = progress.get(step.pk)
        done = entry is not None and entry.status == StepProgress.Status.COMPLETED
        is_next = not done and not next_marked
        next_marked = next_marked or is_next
        rows.append({"step": step, "progress": entry, "done": done, "is_next": is_next})
    return rows


def learner_enrolments(*, learner: Learner) -> QuerySet[Enrolment]:
    return learner.enrolments.select_related("cohort", "cohort__level").order_by("-enrolled_on")


def learner_assessments(*, learner: Learner) -> QuerySet[AssessmentAttempt]:
    """The learner's assessments, newest first, each with `result_note`: why staff last
    recorded or corrected its result by hand (a pass without every step done, a correction),
    as kept in its history, or None."""
    note = (
        AssessmentAttempt.history.filter(id=OuterRef("pk"))
        .exclude(history_change_reason__isnull=True)
        .exclude(history_change_reason="")
        .order_by("-history_date", "-history_id")
        .values("history_change_reason")[:1]
    )
    return (
        learner.assessments.select_related("level")
        .annotate(result_note=Subquery(note))
        .order_by("-booked_for")
    )


def learner_joined_on(learner: Learner) -> date:
    """The day the learner joined the programme: when their record was made, or their earliest
    enrolment if that is earlier (a record imported after they started)."""
    joined = timezone.localdate(learner.created_at)
    first_enrolment = (
        learner.enrolments.order_by("enrolled_on").values_list("enrolled_on", flat=True).first()
    )
    return min(joined, first_enrolment) if first_enrolment else joined


def steps_missing_before_assessment(
    *, learner: Learner, level_id: int, on: date
) -> list[LevelStep]:
    """The active steps of a level that a learner must do before a pass, and had not completed
    on or before `on`, in order."""
    done = StepProgress.objects.filter(
        learner=learner,
        step=OuterRef("pk"),
        status=StepProgress.Status.COMPLETED,
        completed_on__lte=on,
    )
    return list(
        LevelStep.objects.filter(level=level_id, is_active=True, required_before_assessment=True)
        .exclude(kind=LevelStep.Kind.ASSESSMENT)
        .exclude(Exists(done))
        .order_by("order")
    )


def learner_results(*, learner: Learner) -> QuerySet[AssessmentAttempt]:
    """The learner's assessments that have a result (the ones a correction can change)."""
    return learner.assessments.select_related("level").exclude(
        result=AssessmentAttempt.Result.PENDING
    )


def session_marks(*, session: CohortSession) -> dict[int, str]:
    """The register taken at a session: learner id to their mark."""
    return dict(session.attendance.values_list("learner_id", "status"))


def current_cohort(enrolments) -> Cohort | None:
    """The cohort of the learner's latest place (not a waiting-list one), from their enrolments
    newest first, as `learner_enrolments` gives them."""
    return next((e.cohort for e in enrolments if e.status == Enrolment.Status.ENROLLED), None)


def learner_sessions(*, learner: Learner) -> QuerySet[CohortSession]:
    """Sessions of the cohorts the learner is enrolled in, upcoming first."""
    cohort_ids = learner.enrolments.filter(status=Enrolment.Status.ENROLLED).values("cohort_id")
    return CohortSession.objects.filter(cohort_id__in=cohort_ids).select_related("cohort")


def learner_sessions_with_attendance(*, learner: Learner) -> list[CohortSession]:
    """The learner's cohort sessions in time order, each with `my_attendance`: the label of
    their mark on the register, or "" if none was taken."""
    mark = SessionAttendance.objects.filter(learner=learner, session=OuterRef("pk"))
    sessions = list(
        learner_sessions(learner=learner)
        .annotate(my_mark=Subquery(mark.values("status")[:1]))
        .order_by("starts_at")
    )
    labels = dict(SessionAttendance.Status.choices)
    for session in sessions:
        session.my_attendance = labels.get(session.my_mark, "")
    return sessions


def learner_cpd_entries(*, learner: Learner) -> QuerySet[CpdEntry]:
    return learner.cpd_entries.order_by("-done_on", "-pk")


def places_free(cohort: Cohort, *, enrolled: int) -> int:
    """The one rule for a cohort's free places: its capacity less the learners holding a place
    (a waiting list takes none)."""
    return max(cohort.capacity - enrolled, 0)


@dataclass(frozen=True)
class CohortPlaces:
    enrolled: int
    waiting: int
    free: int


def cohort_places(*, cohort: Cohort) -> CohortPlaces:
    return cohorts_places(cohorts=[cohort])[cohort.pk]


def cohorts_places(*, cohorts: list[Cohort]) -> dict[int, CohortPlaces]:
    """`cohort_places` of many cohorts, by id, in one query."""
    counts = {
        row["cohort"]: row
        for row in Enrolment.objects.filter(cohort__in=[cohort.pk for cohort in cohorts])
        .values("cohort")
        .annotate(
            enrolled=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
            waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITING)),
        )
        .order_by()
    }
    places = {}
    for cohort in cohorts:
        row = counts.get(cohort.pk, {"enrolled": 0, "waiting": 0})
        places[cohort.pk] = CohortPlaces(
            enrolled=row["enrolled"],
            waiting=row["waiting"],
            free=places_free(cohort, enrolled=row["enrolled"]),
        )
    return places


def cohort_roster(*, user, cohort: Cohort) -> list[Enrolment]:
    """The cohort's enrolments the user may see, each with steps done of the cohort's level."""
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort, learner__in=learners_visible_to(user))
        .annotate(queue_position=waiting_position())
        .select_related("learner", "learner__council")
        .order_by("status", "learner__last_name", "learner__first_name")
    )
    done = dict(
        StepProgress.objects.filter(
            learner__in=[e.learner_id for e in enrolments],
            step__level=cohort.level_id,
            step__is_active=True,
            status=StepProgress.Status.COMPLETED,
        )
        .values_list("learner")
        .annotate(n=Count("pk"))
    )
    total = LevelStep.objects.filter(level=cohort.level_id, is_active=True).count()
    for enrolment in enrolments:
        enrolment.steps_done = done.get(enrolment.learner_id, 0)
        enrolment.steps_total = total
    # Places first, by name; then the waiting list in the order places will be offered.
    rank = {Enrolment.Status.ENROLLED: 0, Enrolment.Status.WAITING: 1}
    enrolments.sort(
        key=lambda e: (
            rank.get(e.status, 2),
            e.queue_position
            if e.status == Enrolment.Status.WAITING
            else (e.learner.last_name, e.learner.first_name),
        )
    )
    for enrolment in enrolments:
        if enrolment.status == Enrolment.Status.WAITING:
            enrolment.waiting_position = enrolment.queue_position
    return enrolments


# The one rule for the waiting list's order: longest waiting first, then first added. Places
# that come free are offered in this order; `waiting_position` counts in the same order.
WAITING_ORDER = ("enrolled_on", "pk")


def waiting_list(*, cohort: Cohort) -> QuerySet[Enrolment]:
    """The cohort's waiting enrolments, next in line first."""
    return cohort.enrolments.filter(status=Enrolment.Status.WAITING).order_by(*WAITING_ORDER)


def waiting_position():
    """An enrolment's number on its cohort's waiting list (1 is next), among all the cohort's
    waiting enrolments whoever asks, for an annotation over enrolments (meaningful for waiting
    ones). The roster and the waiting-list email both show it."""
    ahead = (
        Enrolment.objects.filter(cohort=OuterRef("cohort"), status=Enrolment.Status.WAITING)
        .filter(
            Q(enrolled_on__lt=OuterRef("enrolled_on"))
            | Q(enrolled_on=OuterRef("enrolled_on"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1


def waiting_position_of(enrolment: Enrolment) -> int:
    return (
        Enrolment.objects.filter(pk=enrolment.pk)
        .annotate(position=waiting_position())
        .values_list("position", flat=True)
        .get()
    )


def uses_funded_place(on: date | None = None) -> Exists:
    """The one rule for funded places: a learner uses one while they hold, or have completed, a
    place in a cohort at a funded level. On a past day: a place enrolled by then that they
    still hold, completed, or left only after that day. For a filter or annotation over
    learners."""
    held = Q(status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED])
    if on is not None:
        left_later = Q(
            status__in=[Enrolment.Status.WITHDRAWN, Enrolment.Status.DEFERRED], ended_on__gt=on
        )
        held = Q(enrolled_on__lte=on) & (held | left_later)
    return Exists(Enrolment.objects.filter(held, learner=OuterRef("pk"), level__is_funded=True))


def cohort_enrolment_candidates(
    *, cohort: Cohort, council: Council | None = None, q: str = ""
) -> QuerySet[Learner]:
    """Learners working towards the cohort's level who have no place (or waiting-list place)
    at that level yet, and have not withdrawn."""
    learners = (
        Learner.objects.filter(target_level=cohort.level_id)
        .exclude(status__in=[Learner.Status.WITHDRAWN, Learner.Status.ACCREDITED])
        # One enrolment both at the level and open (an exclude() across a relation would drop
        # a learner with any open place and any place at the level, however different).
        .exclude(
            Exists(
                Enrolment.objects.filter(
                    learner=OuterRef("pk"),
                    level=cohort.level_id,
                    status__in=Enrolment.OPEN_STATUSES,
                )
            )
        )
        .select_related("council")
        .order_by("council__name", "last_name", "first_name")
    )
    if council is not None:
        learners = learners.filter(council=council)
    if q:
        learners = learners.filter(learner_search_q(q))
    return learners


def cohort_learners(*, cohort: Cohort) -> QuerySet[Learner]:
    """Learners with a place in the cohort (now or completed), for its register and roster."""
    return (
        Learner.objects.filter(
            enrolments__cohort=cohort,
            enrolments__status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
        )
        .select_related("council")
        .distinct()
        .order_by("last_name", "first_name")
    )


def council_cohorts(*, council: Council) -> QuerySet[Cohort]:
    """Cohorts in which the council's learners have (or had) a place, with how many."""
    return (
        Cohort.objects.filter(
            enrolments__learner__council=council,
            enrolments__status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
        )
        .select_related("level")
        .annotate(council_learners=Count("enrolments__learner", distinct=True))
        .order_by("-starts_on")
    )


def user_may_list_learners(user) -> bool:
    """Staff, viewers and SROs have a learner list (an SRO's holds their council's learners)."""
    return user_sees_whole_programme(user) or bool(council_ids_led_by(user))


def renewal_summary(*, learner: Learner, accreditations=None, today=None) -> list[dict]:
    """For each level the learner holds, what keeps it: the CPD hours logged in the current CPD
    year against the level's requirement, or the date by which to re-take it."""
    today = today or timezone.localdate()
    latest = {}
    if accreditations is None:
        accreditations = learner.accreditations.select_related("level")
    for accreditation in sorted(accreditations, key=lambda a: a.achieved_on, reverse=True):
        latest.setdefault(accreditation.level_id, accreditation)
    rows = []
    for accreditation in sorted(latest.values(), key=lambda a: a.level.order):
        level = accreditation.level
        if level.cpd_hours_per_year:
            year_start, year_end = cpd_year(achieved_on=accreditation.achieved_on, on=today)
            hours = (
                learner.cpd_entries.filter(done_on__gte=year_start, done_on__lt=year_end).aggregate(
                    total=Sum("hours")
                )["total"]
                or 0
            )
            rows.append(
                {
                    "level": level,
                    "kind": "cpd",
                    "hours": hours,
                    "needed": level.cpd_hours_per_year,
                    "year_start": year_start,
                    "year_end": year_end,
                    "met": hours >= level.cpd_hours_per_year,
                }
            )
        else:
            rows.append({"level": level, "kind": "renewal", "due": accreditation.renewal_due})
    return rows


def cpd_year(*, achieved_on: date, on: date) -> tuple[date, date]:
    """The one rule for a CPD year: the year from an anniversary of the accreditation that `on`
    falls in, as (its first day, the day after its last)."""
    years = on.year - achieved_on.year
    if add_months(achieved_on, 12 * years) > on:
        years -= 1
    return add_months(achieved_on, 12 * years), add_months(achieved_on, 12 * (years + 1))


# The web import's jobs ---------------------------------------------------------------------


def learner_import_get(*, user, pk: int) -> LearnerImport:
    """A learner import, for the person who checked its file only (404 for anyone else)."""
    return get_object_or_404(LearnerImport, pk=pk, created_by=user)


def learner_import_progress(job: LearnerImport) -> tuple[int, int] | None:
    """(rows written, rows in all) while the job runs; None before it starts. The job writes
    it to the cache as it goes, since its rows are not committed until the end."""
    return cache.get(job.progress_key)


def learners_by_name(*, ids: list[int]) -> list[Learner]:
    """These learners, with their councils, by name."""
    return list(
        Learner.objects.filter(pk__in=ids)
        .select_related("council")
        .order_by("last_name", "first_name", "pk")
    )
