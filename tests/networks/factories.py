"""Records of the networks for tests: the two networks come by migration."""

from datetime import timedelta

import factory
from django.utils import timezone

from networks.models import Network, NetworkCouncil, NetworkMeeting, NetworkMembership
from tests import factories


def sro_network() -> Network:
    return Network.objects.get(audience=Network.Audience.SROS)


def learners_network() -> Network:
    return Network.objects.get(audience=Network.Audience.LEARNERS)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMeeting

    network = factory.LazyFunction(sro_network)
    title = factory.Sequence(lambda n: f"Network meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    online_url = "https://meet.example.gov.uk/network"


def joined(network: Network, council, *, users=()) -> NetworkCouncil:
    """A council that joined the network, with these people as members."""
    place = NetworkCouncil.objects.create(
        network=network,
        council=council,
        status=NetworkCouncil.Status.JOINED,
        invited_on=timezone.localdate(),
        joined_on=timezone.localdate(),
    )
    for user in users:
        NetworkMembership.objects.create(
            network=network, council=council, user=user, joined_on=timezone.localdate()
        )
    return place


def council_with_sros(network: Network, count: int):
    """A joined council with `count` SROs and deputies, each a member of the SRO Network."""
    council = factories.CouncilFactory()
    users = [factories.CouncilRoleFactory(council=council).user for _ in range(count)]
    return joined(network, council, users=users), users
