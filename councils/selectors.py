"""Reads of councils, already scoped to what the asking user may see."""

from datetime import date

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from cmpp.accounts.models import Organisation
from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.text import words_q
from councils.models import Council, CouncilRole, ManagingBodyPeriod


def councils_led_by(user) -> list[Council]:
    """The councils the user is SRO or deputy SRO of, by name: read once, cached on the user for
    the request (every access rule asks)."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_cmpp_led_councils"):
        roles = CouncilRole.objects.filter(user=user).select_related("council")
        user._cmpp_led_councils = sorted(
            {role.council for role in roles}, key=lambda council: council.name
        )
    return user._cmpp_led_councils


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
    body = council_managing_body(council) if council is not None else None
    return (body.contact_email if body else "") or settings.CMPP_PROGRAMME_CONTACT_EMAIL


def council_roles(*, council: Council) -> QuerySet[CouncilRole]:
    return council.roles.select_related("user").order_by("role", "user__email")
