"""Networks: members see the networks they are in; staff and viewers see both."""

import pytest

from networks.models import Network
from networks.selectors import networks_visible_to
from tests.networks.factories import joined, learners_network, sro_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(cast):
    """Council A joined both networks; council B none."""
    joined(sro_network(), cast.council_a, users=[cast.sro_a])
    joined(learners_network(), cast.council_a, users=[cast.learner_a_user])


def audiences(user):
    return set(networks_visible_to(user).values_list("audience", flat=True))


def test_staff_and_viewers_see_both_networks(cast):
    assert audiences(cast.staff) == audiences(cast.viewer) == {"learners", "sros"}


def test_an_sro_sees_the_sro_network_and_a_learner_the_learners_network(cast, members):
    assert audiences(cast.sro_a) == {"sros"}
    assert audiences(cast.learner_a_user) == {"learners"}
    assert audiences(cast.nobody) == set()


def test_only_members_see_a_network_not_everyone_of_its_audience(client, cast, members):
    """Council B never joined: its SRO and learner see neither network, its files or its links."""
    assert audiences(cast.sro_b) == set() and audiences(cast.learner_b_user) == set()
    client.force_login(cast.sro_b)
    assert client.get(f"/networks/{sro_network().pk}/").status_code == 404
    page = client.get("/networks/")
    assert page.status_code == 200 and "You are not in a network yet" in page.text


def test_a_learner_gets_404_for_the_sro_network_page(client, cast, members):
    client.force_login(cast.learner_a_user)
    sro_network = Network.objects.get(audience="sros")
    learners_network = Network.objects.get(audience="learners")
    assert client.get(f"/networks/{sro_network.pk}/").status_code == 404
    page = client.get(f"/networks/{learners_network.pk}/")
    assert page.status_code == 200 and "Learners Network" in page.text
