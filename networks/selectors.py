"""Reads of the networks, scoped to the asking user's audience."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cmpp.accounts.selectors import user_sees_whole_programme
from councils.selectors import council_ids_led_by
from learners.selectors import learner_of_user
from networks.models import MeetingAttendance, Network, NetworkMeeting, NetworkResource


def user_may_list_networks(user) -> bool:
    """Staff and viewers, SROs and learners each have at least one network."""
    return (
        user_sees_whole_programme(user)
        or bool(council_ids_led_by(user))
        or learner_of_user(user=user) is not None
    )


def networks_visible_to(user) -> QuerySet[Network]:
    """Staff and viewers see both networks; SROs the SRO Network; learners the Learners Network."""
    if user_sees_whole_programme(user):
        return Network.objects.all()
    audiences = []
    if council_ids_led_by(user):
        audiences.append(Network.Audience.SROS)
    if learner_of_user(user=user) is not None:
        audiences.append(Network.Audience.LEARNERS)
    return Network.objects.filter(audience__in=audiences)


def network_list(*, user) -> QuerySet[Network]:
    return (
        networks_visible_to(user)
        .annotate(
            member_count=Count("memberships", distinct=True),
            meeting_count=Count("meetings", distinct=True),
        )
        .order_by("name")
    )


def network_get(*, user, pk: int) -> Network:
    return get_object_or_404(networks_visible_to(user), pk=pk)


def network_meetings(*, network: Network) -> dict[str, QuerySet[NetworkMeeting]]:
    now = timezone.now()
    meetings = network.meetings.annotate(
        attended=Count("attendance", filter=Q(attendance__status=MeetingAttendance.Status.ATTENDED))
    )
    return {
        "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at"),
        "past": meetings.filter(starts_at__lt=now).order_by("-starts_at"),
    }


def network_resources(*, network: Network) -> QuerySet[NetworkResource]:
    return network.resources.order_by("-published_on")
