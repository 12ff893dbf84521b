"""Networks: each audience sees its own network; staff and viewers see both."""

import pytest

from networks.models import Network
from networks.selectors import networks_visible_to

pytestmark = pytest.mark.django_db


def audiences(user):
    return set(networks_visible_to(user).values_list("audience", flat=True))


def test_staff_and_viewers_see_both_networks(cast):
    assert audiences(cast.staff) == audiences(cast.viewer) == {"learners", "sros"}


def test_an_sro_sees_the_sro_network_and_a_learner_the_learners_network(cast):
    assert audiences(cast.sro_a) == {"sros"}
    assert audiences(cast.learner_a_user) == {"learners"}
    assert audiences(cast.nobody) == set()


def test_a_learner_gets_404_for_the_sro_network_page(client, cast):
    client.force_login(cast.learner_a_user)
    sro_network = Network.objects.get(audience="sros")
    learners_network = Network.objects.get(audience="learners")
    assert client.get(f"/networks/{sro_network.pk}/").status_code == 404
    page = client.get(f"/networks/{learners_network.pk}/")
    assert page.status_code == 200 and "Learners Network" in page.text
