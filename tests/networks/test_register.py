"""A meeting's register, the councils' attendance rates, and what the pages cost in queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from networks.models import MeetingAttendance, NetworkMembership
from networks.selectors import attendance_rates
from tests.networks.factories import MeetingFactory, council_with_sros, joined, sro_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(cast):
    network = sro_network()
    joined(network, cast.council_a, users=[cast.sro_a])
    joined(network, cast.council_b, users=[cast.sro_b])
    return network


def started(network, **kwargs):
    return MeetingFactory(network=network, starts_at=timezone.now() - timedelta(hours=1), **kwargs)


def url(meeting) -> str:
    return f"/networks/{meeting.network_id}/meetings/{meeting.pk}/register/"


def marks(meeting) -> dict[str, str]:
    return dict(meeting.attendance.values_list("membership__user__email", "status"))


def test_a_meeting_not_started_has_no_register(client, cast, network):
    meeting = MeetingFactory(network=network)
    client.force_login(cast.staff)
    page = client.get(url(meeting))
    assert "The register opens when the meeting starts" in page.text
    membership = NetworkMembership.objects.get(user=cast.sro_a)
    page = client.post(url(meeting), {f"mark-{membership.pk}": "attended"})
    assert "The register opens when the meeting starts" in page.text
    assert not MeetingAttendance.objects.exists()


def test_a_cancelled_meeting_has_no_register(client, cast, network):
    meeting = started(network, is_cancelled=True)
    client.force_login(cast.staff)
    client.post(url(meeting), {"mark_all": "present"})
    assert "cancelled, so it has no register" in client.get(url(meeting)).text
    assert not MeetingAttendance.objects.exists()


def test_mark_everyone_present_then_change_one(client, cast, network):
    meeting = started(network)
    client.force_login(cast.staff)
    page = client.get(url(meeting))
    assert page.text.index("Council A") < page.text.index("Council B")  # grouped by council
    response = client.post(url(meeting), {"mark_all": "present"})
    assert response.status_code == 302
    assert marks(meeting) == {"sro@a.test": "attended", "sro@b.test": "attended"}
    membership = NetworkMembership.objects.get(user=cast.sro_b)
    response = client.post(url(meeting), {f"mark-{membership.pk}": "apologies"})
    assert response.status_code == 302
    assert marks(meeting) == {"sro@a.test": "attended", "sro@b.test": "apologies"}


def test_only_staff_take_the_register(client, cast, network):
    meeting = started(network)
    for user, status in ((cast.viewer, 403), (cast.sro_a, 403), (cast.learner_a_user, 404)):
        client.force_login(user)
        assert client.post(url(meeting), {"mark_all": "present"}).status_code == status
    assert not MeetingAttendance.objects.exists()


def test_attendance_rates_per_council_and_network(cast, network):
    a = NetworkMembership.objects.get(user=cast.sro_a)
    b = NetworkMembership.objects.get(user=cast.sro_b)
    held = [started(network), started(network)]
    started(network, is_cancelled=True)  # not held
    MeetingFactory(network=network)  # not yet
    old = MeetingFactory(network=network, starts_at=timezone.now() - timedelta(days=400))
    for meeting, mark_a, mark_b in (
        (held[0], "attended", "absent"),
        (held[1], "attended", "apologies"),
    ):
        MeetingAttendance.objects.create(meeting=meeting, membership=a, status=mark_a)
        MeetingAttendance.objects.create(meeting=meeting, membership=b, status=mark_b)
    MeetingAttendance.objects.create(meeting=old, membership=b, status="attended")
    today = timezone.localdate()
    rates = attendance_rates(since=today - timedelta(days=365), until=today)
    part_a = rates.by_council[(network.pk, cast.council_a.pk)]
    part_b = rates.by_council[(network.pk, cast.council_b.pk)]
    assert (part_a.meetings_held, part_a.records, part_a.present, part_a.rate) == (2, 2, 2, 1.0)
    assert (part_b.records, part_b.present, part_b.apologies, part_b.rate) == (2, 0, 1, 0.0)
    total = rates.by_network[network.pk]
    assert (total.records, total.present, total.rate) == (4, 2, 0.5)
    only_b = attendance_rates(
        councils=[cast.council_b], since=today - timedelta(days=500), until=today
    )
    assert only_b.by_council[(network.pk, cast.council_b.pk)].present == 1
    assert (network.pk, cast.council_a.pk) not in only_b.by_council
    # A council that joined but has no register entries yet has no rate.
    council, _ = council_with_sros(network, 1)
    rates = attendance_rates(networks=[network], since=today, until=today)
    assert rates.by_council[(network.pk, council.council_id)].rate is None


def test_staff_see_each_councils_rate_on_the_network_page(client, cast, network):
    meeting = started(network)
    for user, status in ((cast.sro_a, "attended"), (cast.sro_b, "absent")):
        MeetingAttendance.objects.create(
            meeting=meeting, membership=NetworkMembership.objects.get(user=user), status=status
        )
    client.force_login(cast.staff)
    page = client.get(f"/networks/{network.pk}/").text
    assert "100%" in page and "0%" in page and "50%" in page


@pytest.mark.parametrize("size", [10, 200])
def test_query_budgets_do_not_grow_with_members(
    client, cast, network, django_assert_max_num_queries, size
):
    for _ in range(size // 10):
        council_with_sros(network, 10)
    meeting = started(network)
    MeetingFactory(network=network)
    client.force_login(cast.staff)
    with django_assert_max_num_queries(20):
        assert client.get(f"/networks/{network.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(url(meeting)).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.post(url(meeting), {"mark_all": "present"}).status_code == 302
    assert meeting.attendance.count() == size + 2
    with django_assert_max_num_queries(20):
        assert client.get(f"/networks/{network.pk}/").status_code == 200
