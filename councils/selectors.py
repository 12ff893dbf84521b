"""Reads of councils, already scoped to what the asking user may see."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404

from cmpp.accounts.models import Organisation
from cmpp.accounts.selectors import (
    programme_staff_of,
    user_is_programme_staff,
    user_sees_whole_programme,
)
from cmpp.core.dates import start_of_next_day
from cmpp.core.text import words_q
from councils.models import (
    Council,
    CouncilRole,
    ManagingBodyPeriod,
    MaturityArea,
    MaturityAssessment,
    MaturityScore,
    SupportEngagement,
)


def councils_led_by(user) -> list[Council]:
    """The councils the user is SRO or deputy SRO of, by name: read once, cached on the user for
    the request (every access rule asks)."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_cmpp_led_councils"):
        roles = CouncilRole.objects.filter(user=user).select_related("council")
        _remember_led_councils(user, roles)
    return user._cmpp_led_councils


def _remember_led_councils(user, roles) -> None:
    user._cmpp_led_councils = sorted({role.council for role in roles}, key=lambda c: c.name)


def remember_leads_no_council(user) -> None:
    """Note that the user leads no council, found with the rest of who they are in one query
    (the portal's `roles_of`), so the rules need not ask again."""
    user._cmpp_led_councils = []


def council_ids_led_by(user) -> set[int]:
    return {council.pk for council in councils_led_by(user)}


def user_may_list_councils(user) -> bool:
    """Staff, viewers and SROs have a council list (an SRO's holds their own councils)."""
    return user_sees_whole_programme(user) or bool(council_ids_led_by(user))


def councils_visible_to(user) -> QuerySet[Council]:
    """The one access rule for councils: programme staff and viewers see all, SROs their own."""
    if user_sees_whole_programme(user):
        return Council.objects.all()
    return Council.objects.filter(pk__in=council_ids_led_by(user))


def _with_current_body(queryset: QuerySet[Council]) -> QuerySet[Council]:
    open_period = ManagingBodyPeriod.objects.filter(council=OuterRef("pk"), ends_on__isnull=True)
    return queryset.annotate(
        current_body_name=Subquery(open_period.values("organisation__short_name")[:1]),
        current_body_slug=Subquery(open_period.values("organisation__slug")[:1]),
    )


def council_search_q(q: str) -> Q:
    """Councils whose name holds every word typed, in any order, or whose ONS code is one."""
    return words_q(q, "name", exact=("code",))


def council_list(*, user, q: str = "") -> QuerySet[Council]:
    councils = councils_visible_to(user)
    if q:
        councils = councils.filter(council_search_q(q))
    return _with_current_body(councils).order_by("name")


def council_get(*, user, pk: int) -> Council:
    return get_object_or_404(_with_current_body(councils_visible_to(user)), pk=pk)


def council_managing_body_history(*, council: Council) -> QuerySet[ManagingBodyPeriod]:
    return council.managing_body_periods.select_related("organisation").order_by("-starts_on")


def period_covers(on: date) -> Q:
    """The one rule for which managing-body period covers a day: it starts on or before it and
    has not ended by it (a hand-over day belongs to the new body)."""
    return Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gt=on))


def council_managing_body(council: Council, on: date | None = None) -> Organisation | None:
    """The organisation managing the council: its open period's, or on a past date the period
    that covered it. None if it has none."""
    periods = council.managing_body_periods.select_related("organisation")
    if on is None:
        period = periods.filter(ends_on__isnull=True).first()
    else:
        period = periods.filter(period_covers(on)).first()
    return period.organisation if period else None


def councils_managed_by(organisation: Organisation, *, on: date) -> QuerySet[Council]:
    """The councils the organisation managed on a day, by name."""
    periods = ManagingBodyPeriod.objects.filter(period_covers(on), organisation=organisation)
    return Council.objects.filter(pk__in=periods.values("council_id")).order_by("name")


def council_contact_email(council: Council | None) -> str:
    """The programme team address an email to the council's people names: its managing body's,
    or the programme's own (a setting) when it has none."""
    if council is None:
        return settings.CMPP_PROGRAMME_CONTACT_EMAIL
    return council_contact_emails(council_ids=[council.pk])[council.pk]


def council_contact_emails(*, council_ids) -> dict[int, str]:
    """`council_contact_email` of many councils, by id, in one query."""
    ids = set(council_ids)
    bodies = dict(
        ManagingBodyPeriod.objects.filter(council__in=ids, ends_on__isnull=True).values_list(
            "council_id", "organisation__contact_email"
        )
    )
    return {pk: bodies.get(pk) or settings.CMPP_PROGRAMME_CONTACT_EMAIL for pk in ids}


def council_roles(*, council: Council) -> QuerySet[CouncilRole]:
    return council.roles.select_related("user").order_by("role", "user__email")


def council_roles_with_users_own(*, user, pk: int) -> list[CouncilRole]:
    """A council's roles (as `council_roles` orders them), read in the same query as the user's
    own council roles, which the council page's access rules ask about (`councils_led_by`, kept
    for them): one read of CouncilRole for the page, not two."""
    rows = list(
        CouncilRole.objects.filter(Q(council_id=pk) | Q(user=user))
        .select_related("council", "user")
        .order_by("role", "user__email")
    )
    if not hasattr(user, "_cmpp_led_councils"):
        _remember_led_councils(user, [role for role in rows if role.user_id == user.pk])
    return [role for role in rows if role.council_id == pk]


# Evaluation: contract-management maturity ---------------------------------------------------


@dataclass(frozen=True)
class Improvement:
    """A council's maturity then and now: its accepted baseline and its latest accepted
    follow-up (None until it has one), each area's scores and their change, and the overall
    change (the mean over the areas scored in both)."""

    council_id: int
    baseline: MaturityAssessment
    latest: MaturityAssessment | None
    areas: list[
        dict
    ]  # {"area": MaturityArea, "baseline": int|None, "latest": int|None, "change": int|None}
    overall: float | None

    @property
    def improved(self) -> bool:
        return self.overall is not None and self.overall > 0


def _accepted_scores(councils: QuerySet[Council], on: date | None, *, full: bool = False):
    """Per council with an accepted baseline: (the baseline, its scores by area id, the latest
    accepted follow-up or None, its scores), in one query. Plain ids and numbers (the dashboard
    reads every council's at national scale); with `full`, the assessments and areas as objects
    (a council's own page): (baseline, scores, latest, scores, areas by id)."""
    rows = MaturityScore.objects.filter(
        assessment__council__in=councils,
        assessment__status=MaturityAssessment.Status.ACCEPTED,
    ).order_by("assessment__assessed_on", "assessment_id")
    if on is not None:
        # As at a past day: assessed, and accepted, by its end (a report keeps its figures).
        # (Accepted before reviews were recorded: counted by the day it was assessed.)
        rows = rows.filter(
            Q(assessment__reviewed_at__lt=start_of_next_day(on))
            | Q(assessment__reviewed_at__isnull=True),
            assessment__assessed_on__lte=on,
        )
    if full:
        scores = (
            (s.assessment.council_id, s.assessment, s.assessment.kind, s.area, s.score)
            for s in rows.select_related("assessment", "area")
        )
    else:
        scores = rows.values_list(
            "assessment__council_id", "assessment_id", "assessment__kind", "area_id", "score"
        )
    found: dict[int, dict] = {}
    for council_id, assessment, kind, area, score in scores:
        council = found.setdefault(
            council_id, {"baseline": None, "latest": None, "scores": {}, "areas": {}}
        )
        slot = "baseline" if kind == MaturityAssessment.Kind.BASELINE else "latest"
        council[slot] = assessment  # in date order, so the last follow-up wins
        area_id = area.pk if full else area
        council["areas"][area_id] = area
        council["scores"].setdefault(assessment, {})[area_id] = score
    return {
        council_id: (
            council["baseline"],
            council["scores"].get(council["baseline"], {}),
            council["latest"],
            council["scores"].get(council["latest"], {}) if council["latest"] else {},
            *([council["areas"]] if full else []),
        )
        for council_id, council in found.items()
        if council["baseline"] is not None
    }


def _overall(before: dict, after: dict) -> float | None:
    """The mean change over the areas scored in both, or None if there are none."""
    changes = [after[area] - before[area] for area in before if area in after]
    return round(sum(changes) / len(changes), 2) if changes else None


def maturity_improvements(
    councils: QuerySet[Council], *, on: date | None = None
) -> dict[int, Improvement]:
    """The one rule for improvement: per council with an accepted baseline, the latest accepted
    follow-up (assessed by the day, if given) against that baseline, per area scored in either
    and overall. Only accepted assessments count. By council id, in one query."""
    found = {}
    for council_id, (baseline, before, latest, after, areas) in _accepted_scores(
        councils, on, full=True
    ).items():
        rows = [
            {
                "area": area,
                "baseline": before.get(area.pk),
                "latest": after.get(area.pk),
                "change": (
                    after[area.pk] - before[area.pk]
                    if area.pk in before and area.pk in after
                    else None
                ),
            }
            for area in sorted(areas.values(), key=lambda area: area.order)
        ]
        found[council_id] = Improvement(
            council_id=council_id,
            baseline=baseline,
            latest=latest,
            areas=rows,
            overall=_overall(before, after),
        )
    return found


def improvement_summary(councils: QuerySet[Council], *, on: date | None = None) -> dict:
    """How many of these councils have both an accepted baseline and follow-up, and how many
    (and what share) of those improved overall: one of the programme's two outcomes."""
    overall = [
        _overall(before, after) for _, before, _, after in _accepted_scores(councils, on).values()
    ]
    measured = [change for change in overall if change is not None]
    improved = sum(1 for change in measured if change > 0)
    return {
        "measured": len(measured),
        "improved": improved,
        "percent": round(100 * improved / len(measured)) if measured else None,
    }


# Transformation support and maturity: who may do what, and the records they read ------------


def user_may_read_council_support(user, council: Council) -> bool:
    """The one rule for who reads a council's transformation support and maturity
    self-assessments: programme staff and viewers, every council's; its SRO or deputy, their
    own council's; nobody else."""
    return user_sees_whole_programme(user) or council.pk in council_ids_led_by(user)


def user_may_list_support(user) -> bool:
    """Programme staff and viewers have the lists of engagements and of assessments."""
    return user_sees_whole_programme(user)


def user_may_manage_support(user) -> bool:
    """Programme staff record support engagements and review maturity assessments."""
    return user_is_programme_staff(user)


def user_may_fill_in_maturity(user, council: Council) -> bool:
    """The council's SRO (or deputy) starts and fills in its maturity self-assessments."""
    return council.pk in council_ids_led_by(user)


def user_may_edit_assessment(user, assessment: MaturityAssessment) -> bool:
    """An assessment is changed by its council's SRO while it is a draft or has been returned;
    once submitted or accepted it is read-only."""
    return assessment.status in ASSESSMENT_OPEN_STATUSES and user_may_fill_in_maturity(
        user, assessment.council
    )


def user_may_review_assessment(user, assessment: MaturityAssessment) -> bool:
    """Programme staff accept or return an assessment the SRO has submitted."""
    return assessment.status == MaturityAssessment.Status.SUBMITTED and user_may_manage_support(
        user
    )


ASSESSMENT_OPEN_STATUSES = (MaturityAssessment.Status.DRAFT, MaturityAssessment.Status.RETURNED)


def support_engagements_visible_to(user) -> QuerySet[SupportEngagement]:
    """The engagements of the councils the user may read support for."""
    if user_sees_whole_programme(user):
        return SupportEngagement.objects.all()
    return SupportEngagement.objects.filter(council_id__in=council_ids_led_by(user))


def council_support(*, council: Council) -> QuerySet[SupportEngagement]:
    """A council's engagements as a timeline, newest first."""
    return council.support_engagements.select_related("specialist").order_by("-starts_on", "-pk")


def support_get(*, user, council: Council, pk: int) -> SupportEngagement:
    return get_object_or_404(
        support_engagements_visible_to(user).select_related("specialist"), council=council, pk=pk
    )


def support_list(*, user) -> QuerySet[SupportEngagement]:
    """Every engagement the user may read, newest first, with its council's current managing
    body's short name (`current_body_name`)."""
    open_period = ManagingBodyPeriod.objects.filter(
        council=OuterRef("council_id"), ends_on__isnull=True
    )
    return (
        support_engagements_visible_to(user)
        .select_related("council", "specialist")
        .annotate(current_body_name=Subquery(open_period.values("organisation__short_name")[:1]))
        .order_by("-starts_on", "council__name", "-pk")
    )


def support_specialists(*, keep=None) -> QuerySet:
    """Who can be a council's support specialist: Local Partnerships' programme staff (it gives
    the programme's transformation support), and `keep` (a specialist already chosen)."""
    staff = programme_staff_of(Organisation.objects.filter(slug="local-partnerships"))
    chosen = Q(pk__in=staff.values("user_id"))
    if keep is not None:
        chosen |= Q(pk=keep.pk)
    return get_user_model().objects.filter(chosen).order_by("first_name", "last_name", "email")


def specialists_with_engagements() -> QuerySet:
    """The people a list of engagements can be filtered by: every specialist named on one, and
    Local Partnerships' programme staff."""
    staff = programme_staff_of(Organisation.objects.filter(slug="local-partnerships"))
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=staff.values("user_id"))
            | Q(pk__in=SupportEngagement.objects.values("specialist_id"))
        )
        .order_by("first_name", "last_name", "email")
    )


def specialist_load(engagements: QuerySet[SupportEngagement]) -> list[dict]:
    """How many of these engagements each specialist has, and how many are planned or active,
    busiest first (one query). Engagements with no specialist are one row, `specialist` None."""
    open_statuses = [SupportEngagement.Status.PLANNED, SupportEngagement.Status.ACTIVE]
    rows = (
        engagements.order_by()
        .values("specialist_id", "specialist__first_name", "specialist__last_name")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status__in=open_statuses)))
        .order_by("-open", "-total", "specialist__first_name", "specialist__last_name")
    )
    return [
        {
            "specialist_id": row["specialist_id"],
            "name": (
                f"{row['specialist__first_name']} {row['specialist__last_name']}".strip()
                if row["specialist_id"]
                else ""
            ),
            "total": row["total"],
            "open": row["open"],
        }
        for row in rows
    ]


def maturity_assessments_visible_to(user) -> QuerySet[MaturityAssessment]:
    """The assessments of the councils the user may read maturity for."""
    if user_sees_whole_programme(user):
        return MaturityAssessment.objects.all()
    return MaturityAssessment.objects.filter(council_id__in=council_ids_led_by(user))


def council_assessments(*, council: Council) -> QuerySet[MaturityAssessment]:
    """A council's self-assessments, newest first."""
    return council.maturity_assessments.order_by("-assessed_on", "-pk")


def maturity_assessment_get(*, user, council: Council, pk: int) -> MaturityAssessment:
    return get_object_or_404(
        maturity_assessments_visible_to(user).select_related(
            "council", "submitted_by", "reviewed_by"
        ),
        council=council,
        pk=pk,
    )


def maturity_list(*, user) -> QuerySet[MaturityAssessment]:
    """Every assessment the user may read: submitted ones first (they wait for staff), then the
    newest."""
    waiting_first = Case(
        When(status=MaturityAssessment.Status.SUBMITTED, then=Value(0)), default=Value(1)
    )
    return (
        maturity_assessments_visible_to(user)
        .select_related("council", "submitted_by")
        .order_by(waiting_first, "-assessed_on", "council__name", "-pk")
    )


def maturity_areas() -> list[MaturityArea]:
    return list(MaturityArea.objects.order_by("order"))


def assessment_scores(assessment: MaturityAssessment) -> dict[int, MaturityScore]:
    """The assessment's scores by area id."""
    return {score.area_id: score for score in assessment.scores.all()}


def council_improvement(council: Council) -> Improvement | None:
    """The council's improvement, by the one rule (`maturity_improvements`); None until it has
    an accepted baseline."""
    return maturity_improvements(Council.objects.filter(pk=council.pk)).get(council.pk)
