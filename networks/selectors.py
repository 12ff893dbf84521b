"""Reads of the networks, scoped to the asking user's audience."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.dates import add_months
from councils.models import Council
from councils.selectors import council_ids_led_by
from learners.selectors import learner_of_user
from networks.models import (
    MeetingAttendance,
    Network,
    NetworkCouncil,
    NetworkMeeting,
    NetworkMembership,
    NetworkResource,
)


def user_may_list_networks(user) -> bool:
    """Staff and viewers, SROs and learners: the people networks are for (the list shows an
    SRO or learner the networks their council has joined, and says so when it has none)."""
    return (
        user_sees_whole_programme(user)
        or bool(council_ids_led_by(user))
        or learner_of_user(user=user) is not None
    )


def networks_visible_to(user) -> QuerySet[Network]:
    """The one access rule for networks, their meetings and resources: staff and viewers see
    both; anyone else the networks they are a member of now (an SRO or deputy through a council
    that joined the SRO Network, a learner through one that joined the Learners Network)."""
    if user_sees_whole_programme(user):
        return Network.objects.all()
    if not user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(
        pk__in=NetworkMembership.objects.filter(user=user, left_on__isnull=True).values(
            "network_id"
        )
    )


def network_list(*, user) -> QuerySet[Network]:
    return (
        networks_visible_to(user)
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            ),
            meeting_count=Count("meetings", filter=Q(meetings__is_cancelled=False), distinct=True),
        )
        .order_by("name")
    )


def network_get(*, user, pk: int) -> Network:
    return get_object_or_404(networks_visible_to(user), pk=pk)


def meeting_get(*, network: Network, pk: int) -> NetworkMeeting:
    """One meeting of the network (a meeting of another network answers 404)."""
    return get_object_or_404(network.meetings, pk=pk)


def network_council_get(*, network: Network, pk: int) -> NetworkCouncil:
    """One council's place in the network (another network's answers 404)."""
    return get_object_or_404(network.councils.select_related("council", "network"), pk=pk)


def network_meetings(*, network: Network) -> dict[str, list[NetworkMeeting]]:
    """The network's meetings to come (soonest first) and past (latest first), read in one
    query."""
    now = timezone.now()
    meetings = list(
        network.meetings.annotate(
            attended=Count(
                "attendance", filter=Q(attendance__status=MeetingAttendance.Status.ATTENDED)
            ),
            register_entries=Count("attendance"),
        ).order_by("starts_at", "pk")
    )
    return {
        "upcoming": [meeting for meeting in meetings if meeting.starts_at >= now],
        "past": [meeting for meeting in reversed(meetings) if meeting.starts_at < now],
    }


def network_resources(*, network: Network) -> QuerySet[NetworkResource]:
    return network.resources.select_related("shared_by").order_by("-published_on")


# Councils and members ------------------------------------------------------------------------


def network_councils(*, network: Network) -> QuerySet[NetworkCouncil]:
    """Every council invited to the network, whatever became of the invitation, by name, each
    with how many active members it has there (`member_count`: counted only for the rows read,
    so for a page of them)."""
    members = (
        NetworkMembership.objects.filter(
            network_id=OuterRef("network_id"),
            council_id=OuterRef("council_id"),
            left_on__isnull=True,
        )
        .order_by()
        .values("council_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        network.councils.select_related("council")
        .annotate(member_count=Coalesce(Subquery(members), 0))
        .order_by("council__name", "pk")
    )


def councils_to_invite(*, network: Network) -> QuerySet[Council]:
    """Councils staff can invite: those not in the network, or that declined or were removed."""
    taken = NetworkCouncil.objects.filter(
        network=network,
        status__in=[NetworkCouncil.Status.INVITED, NetworkCouncil.Status.JOINED],
    ).values("council_id")
    return Council.objects.exclude(pk__in=taken).order_by("name")


def active_memberships(*, network: Network) -> QuerySet[NetworkMembership]:
    """The network's members now (their membership has not ended), by council then name."""
    return (
        network.memberships.filter(left_on__isnull=True)
        .select_related("user", "council")
        .order_by("council__name", "user__last_name", "user__first_name", "user__email")
    )


def council_members(*, place: NetworkCouncil) -> QuerySet[NetworkMembership]:
    """One council's active members of the network, by name (the order `active_memberships`
    gives, ending with the id so a page of them is stable)."""
    return (
        place.network.memberships.filter(left_on__isnull=True, council_id=place.council_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    )


def members_by_council(*, network: Network) -> list[tuple[Council, list[NetworkMembership]]]:
    """The active members grouped by their council, councils by name (one query)."""
    groups: dict[int, tuple[Council, list]] = {}
    for membership in active_memberships(network=network):
        groups.setdefault(membership.council_id, (membership.council, []))[1].append(membership)
    return list(groups.values())


# Meetings and their registers -----------------------------------------------------------------


def meeting_register_open(meeting: NetworkMeeting, *, now=None) -> bool:
    """The one rule for when a meeting's register can be taken: once it has started, and never
    when it was cancelled."""
    return not meeting.is_cancelled and meeting.starts_at <= (now or timezone.now())


def register_members(*, meeting: NetworkMeeting) -> list[NetworkMembership]:
    """Who is on a meeting's register: the network's active members, and anyone already marked
    at it (who may have left since), by council then name."""
    return list(
        NetworkMembership.objects.filter(network_id=meeting.network_id)
        .filter(Q(left_on__isnull=True) | Q(attendance__meeting=meeting))
        .select_related("user", "council")
        .distinct()
        .order_by("council__name", "user__last_name", "user__first_name", "user__email")
    )


def meeting_marks(*, meeting: NetworkMeeting) -> dict[int, str]:
    """The register as saved: membership id to status."""
    return dict(meeting.attendance.values_list("membership_id", "status"))


def meeting_recipients(*, meeting: NetworkMeeting) -> QuerySet[NetworkMembership]:
    """Who hears about a meeting: the network's active members."""
    return NetworkMembership.objects.filter(
        network_id=meeting.network_id, left_on__isnull=True
    ).select_related("user", "council")


# Participation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    """Attendance of one council (or a whole network) at the meetings held in a window.

    - `meetings_held`: the network's meetings that were not cancelled and started in the
      window (and have started by now);
    - `records`: register entries for the council's members at those meetings (each person
      marked present, sent apologies or absent at one meeting is one entry);
    - `present`, `apologies`, `absent`: those entries by status;
    - `meetings_attended`: meetings at which at least one of its members was present;
    - `rate`: present ÷ records, from 0 to 1, or None when there are no register entries.
    """

    meetings_held: int
    records: int
    present: int
    apologies: int
    absent: int
    meetings_attended: int

    @property
    def rate(self) -> float | None:
        return self.present / self.records if self.records else None


@dataclass(frozen=True)
class AttendanceRates:
    """`by_council[(network_id, council_id)]` and `by_network[network_id]`, each a
    Participation. A network's total adds up its councils' entries (its `meetings_attended`
    counts meetings at which anyone was present)."""

    by_council: dict[tuple[int, int], Participation]
    by_network: dict[int, Participation]
    network_names: dict[int, str]  # every network counted, by id


def _window(since: date | datetime, until: date | datetime) -> tuple[datetime, datetime]:
    """A window of London days (dates, both included) or of moments (datetimes, until excluded)."""
    zone = timezone.get_current_timezone()
    start = since if isinstance(since, datetime) else datetime.combine(since, time(), tzinfo=zone)
    if isinstance(until, datetime):
        end = until
    else:
        end = datetime.combine(until + timedelta(days=1), time(), tzinfo=zone)
    return start, min(end, timezone.now())


def _ids(values) -> list[int] | None:
    if values is None:
        return None
    return [value if isinstance(value, int) else value.pk for value in values]


def attendance_rates(
    *,
    councils=None,
    networks=None,
    since: date | datetime,
    until: date | datetime,
    totals: bool = True,
) -> AttendanceRates:
    """How well councils attend their networks' meetings between `since` and `until`.

    `since` and `until` are London days, both included (or datetimes: from `since`, up to but
    not including `until`); meetings that have not started yet never count. `councils` and
    `networks` (records or ids; None for all) narrow what is counted.

    Returns an AttendanceRates: for each (network id, council id) a Participation, for every
    council that had joined the network (and has not been removed) or has register entries in
    the window; and for each network asked about its total. A council's rate is its members'
    present entries ÷ all its members' register entries at the meetings held in the window
    (None when it has none): people not on a register are not counted either way.

    Four queries, whatever the number of councils; three without the networks' totals
    (`totals=False`: `by_network` is then empty).
    """
    start, end = _window(since, until)
    network_ids, council_ids = _ids(networks), _ids(councils)
    meetings = NetworkMeeting.objects.filter(
        is_cancelled=False, starts_at__gte=start, starts_at__lt=end
    )
    places = NetworkCouncil.objects.filter(status=NetworkCouncil.Status.JOINED)
    if network_ids is not None:
        meetings = meetings.filter(network_id__in=network_ids)
        places = places.filter(network_id__in=network_ids)
    if council_ids is not None:
        places = places.filter(council_id__in=council_ids)
    held, network_names = {}, {}
    for network_id, name, n in (
        meetings.order_by()
        .values_list("network_id", "network__name")
        .annotate(n=Count("pk"))
        .values_list("network_id", "network__name", "n")
    ):
        held[network_id], network_names[network_id] = n, name
    entries = MeetingAttendance.objects.filter(meeting__in=meetings)
    if council_ids is not None:
        entries = entries.filter(membership__council_id__in=council_ids)
    status = MeetingAttendance.Status
    rows = (
        entries.order_by()
        .values("meeting__network_id", "membership__council_id")
        .annotate(
            records=Count("pk"),
            present=Count("pk", filter=Q(status=status.ATTENDED)),
            apologies=Count("pk", filter=Q(status=status.APOLOGIES)),
            absent=Count("pk", filter=Q(status=status.ABSENT)),
            attended=Count("meeting", filter=Q(status=status.ATTENDED), distinct=True),
        )
    )
    counts = {(row["meeting__network_id"], row["membership__council_id"]): row for row in rows}
    keys = set(counts)
    for network_id, council_id, name in places.values_list(
        "network_id", "council_id", "network__name"
    ):
        keys.add((network_id, council_id))
        network_names[network_id] = name
    by_council = {}
    for key in sorted(keys):
        row = counts.get(key, {})
        by_council[key] = Participation(
            meetings_held=held.get(key[0], 0),
            records=row.get("records", 0),
            present=row.get("present", 0),
            apologies=row.get("apologies", 0),
            absent=row.get("absent", 0),
            meetings_attended=row.get("attended", 0),
        )
    if not totals:
        return AttendanceRates(by_council=by_council, by_network={}, network_names=network_names)
    summed: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (network_id, _council_id), part in by_council.items():
        for name in ("records", "present", "apologies", "absent"):
            summed[network_id][name] += getattr(part, name)
    attended_meetings = dict(
        entries.filter(status=status.ATTENDED)
        .order_by()
        .values_list("meeting__network_id")
        .annotate(n=Count("meeting", distinct=True))
        .values_list("meeting__network_id", "n")
    )
    wanted = set(network_ids) if network_ids is not None else set(held) | set(summed)
    by_network = {
        network_id: Participation(
            meetings_held=held.get(network_id, 0),
            records=summed[network_id]["records"],
            present=summed[network_id]["present"],
            apologies=summed[network_id]["apologies"],
            absent=summed[network_id]["absent"],
            meetings_attended=attended_meetings.get(network_id, 0),
        )
        for network_id in sorted(wanted)
    }
    return AttendanceRates(
        by_council=by_council, by_network=by_network, network_names=network_names
    )


def network_participation(*, network: Network, months: int = 12, councils=None) -> dict:
    """The network's councils' attendance over the last `months` months (to today), for its
    pages: each council's Participation by council id (only these councils', if given; the
    network's page shows a page of councils at a time) and, over all its councils, the
    network's total (None when only some councils are asked about)."""
    today = timezone.localdate()
    since = attendance_window_start(today, months)
    rates = attendance_rates(
        networks=[network.pk], councils=councils, since=since, until=today, totals=councils is None
    )
    return {
        "since": since,
        "until": today,
        "by_council": {council_id: part for (_n, council_id), part in rates.by_council.items()},
        "total": rates.by_network.get(network.pk),
    }


def attendance_window_start(until: date, months: int = 12) -> date:
    """The first day of the `months` months that end on `until` (both days counted): the one
    window every attendance figure uses."""
    return add_months(until, -months) + timedelta(days=1)
