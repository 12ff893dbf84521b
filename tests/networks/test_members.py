"""Councils in a network and the people in them: invited, joined, declined, removed, and people
who gain their role later joining by themselves."""

import pytest
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from councils.models import CouncilRole
from networks.models import MeetingAttendance, NetworkCouncil, NetworkMembership
from tests import factories
from tests.networks.factories import MeetingFactory, joined, learners_network, sro_network

pytestmark = pytest.mark.django_db


def invite(client, network, council):
    return client.post(f"/networks/{network.pk}/councils/invite/", {"council": council.pk})


def place_of(network, council) -> NetworkCouncil:
    return NetworkCouncil.objects.get(network=network, council=council)


def active_members(network) -> set[str]:
    return set(
        NetworkMembership.objects.filter(network=network, left_on__isnull=True).values_list(
            "user__email", flat=True
        )
    )


def test_staff_invite_a_council_and_its_sro_is_emailed_once(client, cast):
    client.force_login(cast.staff)
    network = sro_network()
    assert invite(client, network, cast.council_a).status_code == 302
    place = place_of(network, cast.council_a)
    assert place.status == "invited" and place.invited_on == timezone.localdate()
    emails = OutboundEmail.objects.filter(purpose="network_invitation")
    assert list(emails.values_list("to_email", flat=True)) == ["sro@a.test"]
    assert "Council A is invited to the SRO Network" in emails.get().subject
    # Asked again (a double click): refused, and nothing more is sent.
    page = invite(client, network, cast.council_a)
    assert page.status_code == 200 and "Choose the council to invite" in page.text
    assert emails.count() == 1


def test_a_council_that_joins_brings_its_people_in(client, cast):
    client.force_login(cast.staff)
    sros, learners = sro_network(), learners_network()
    for network in (sros, learners):
        invite(client, network, cast.council_a)
        place = place_of(network, cast.council_a)
        response = client.post(f"/networks/{network.pk}/councils/{place.pk}/joined/")
        assert response.status_code == 302
        place.refresh_from_db()
        assert place.status == "joined" and place.joined_on == timezone.localdate()
    assert active_members(sros) == {"sro@a.test"}
    assert active_members(learners) == {"learner@a.test"}
    page = client.get(f"/networks/{sros.pk}/")
    members_url = f"/networks/{sros.pk}/councils/{place_of(sros, cast.council_a).pk}/members/"
    assert "Council A" in page.text and members_url in page.text
    members = client.get(members_url)
    assert cast.sro_a.get_full_name() in members.text and "sro@a.test" in members.text


def test_a_council_can_decline(client, cast):
    client.force_login(cast.staff)
    network = sro_network()
    invite(client, network, cast.council_b)
    place = place_of(network, cast.council_b)
    client.post(f"/networks/{network.pk}/councils/{place.pk}/declined/")
    place.refresh_from_db()
    assert place.status == "declined" and place.declined_on == timezone.localdate()
    assert active_members(network) == set()
    # A declined council cannot then be recorded as joined without a new invitation.
    client.post(f"/networks/{network.pk}/councils/{place.pk}/joined/")
    place.refresh_from_db()
    assert place.status == "declined"


def test_someone_who_gains_the_role_later_joins_by_themselves(cast):
    network = sro_network()
    joined(network, cast.council_a)
    deputy = factories.CouncilRoleFactory(
        council=cast.council_a, role=CouncilRole.Role.DEPUTY_SRO, user__email="deputy@a.test"
    )
    assert "deputy@a.test" in active_members(network)
    # Someone given a role at a council outside the network does not.
    factories.CouncilRoleFactory(council=cast.council_b, user__email="other@b.test")
    assert "other@b.test" not in active_members(network)
    # Losing their last role there ends the membership.
    deputy.delete()
    assert "deputy@a.test" not in active_members(network)


def test_a_learner_who_links_their_account_later_joins_the_learners_network(cast):
    network = learners_network()
    joined(network, cast.council_a)
    learner = factories.LearnerFactory(council=cast.council_a, email="late@a.test")
    assert "late@a.test" not in active_members(network)
    learner.user = factories.UserFactory(email="late@a.test")
    learner.save(update_fields=["user", "updated_at"])
    assert "late@a.test" in active_members(network)


def test_removing_a_council_ends_its_memberships_and_keeps_attendance(client, cast):
    network = sro_network()
    place = joined(network, cast.council_a, users=[cast.sro_a])
    membership = NetworkMembership.objects.get(user=cast.sro_a)
    meeting = MeetingFactory(network=network, starts_at=timezone.now())
    MeetingAttendance.objects.create(meeting=meeting, membership=membership, status="attended")
    client.force_login(cast.staff)
    client.post(f"/networks/{network.pk}/councils/{place.pk}/remove/")
    place.refresh_from_db()
    membership.refresh_from_db()
    assert place.status == "removed" and place.removed_on == timezone.localdate()
    assert membership.left_on == timezone.localdate()
    assert MeetingAttendance.objects.filter(membership=membership).exists()
    # Invited again and joined: the same person is a member again.
    invite(client, network, cast.council_a)
    client.post(f"/networks/{network.pk}/councils/{place.pk}/joined/")
    assert active_members(network) == {"sro@a.test"}


def test_only_staff_run_the_councils_and_others_cannot_see_them(client, cast):
    network = sro_network()
    place = joined(network, cast.council_b, users=[cast.sro_b])
    joined(network, cast.council_a, users=[cast.sro_a])
    url = f"/networks/{network.pk}/councils/{place.pk}/remove/"
    for user, status in (
        (cast.viewer, 403),
        (cast.sro_a, 403),
        (cast.learner_a_user, 404),
        (cast.nobody, 404),
    ):
        client.force_login(user)
        assert client.post(url).status_code == status
        assert client.get(f"/networks/{network.pk}/councils/invite/").status_code == status
    place.refresh_from_db()
    assert place.status == "joined"
    # A council's place in another network is not found through this one.
    other = learners_network()
    client.force_login(cast.staff)
    assert client.post(f"/networks/{other.pk}/councils/{place.pk}/remove/").status_code == 404
    # SRO A sees the network's meetings but not who is in it.
    client.force_login(cast.sro_a)
    page = client.get(f"/networks/{network.pk}/")
    assert page.status_code == 200 and "Council B" not in page.text
    client.force_login(cast.viewer)
    page = client.get(f"/networks/{network.pk}/")
    assert "Council B" in page.text and "Remove" not in page.text


def test_the_network_page_counts_each_councils_members_and_names_them_on_their_own_page(
    client, cast
):
    network = sro_network()
    deputy = factories.UserFactory(email="deputy@a.test", first_name="Dee", last_name="Puty")
    place_a = joined(network, cast.council_a, users=[cast.sro_a, deputy])
    joined(network, cast.council_b, users=[cast.sro_b])
    client.force_login(cast.viewer)
    page = client.get(f"/networks/{network.pk}/").text
    # Council A's row says 2 members; nobody is named on the network's page.
    row_a = page[page.index("Council A<span") : page.index("Council B<span")]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in row_a
    assert "Dee Puty" not in page and cast.sro_b.get_full_name() not in page
    members = client.get(f"/networks/{network.pk}/councils/{place_a.pk}/members/")
    assert members.status_code == 200
    assert "Dee Puty" in members.text and cast.sro_a.get_full_name() in members.text
    assert cast.sro_b.get_full_name() not in members.text  # another council's member
    # Only those who see every council's members: SRO A sees the network, not its members.
    client.force_login(cast.sro_a)
    assert client.get(f"/networks/{network.pk}/councils/{place_a.pk}/members/").status_code == 403


def test_the_network_page_lists_its_councils_a_page_at_a_time(client, cast, settings):
    settings.CMPP_PAGE_SIZE = 2
    network = sro_network()
    for council in (cast.council_a, cast.council_b):
        joined(network, council, users=[])
    joined(network, factories.CouncilFactory(name="Council C", code="E09000977"), users=[])
    client.force_login(cast.staff)
    first = client.get(f"/networks/{network.pk}/").text
    assert "Council A" in first and "Council B" in first and "Council C" not in first
    assert "?page=2#councils" in first  # the link opens the councils' tab
    second = client.get(f"/networks/{network.pk}/?page=2").text
    assert "Council C" in second and "Council A<span" not in second
