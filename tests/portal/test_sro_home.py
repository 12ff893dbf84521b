"""An SRO's home: their learners with cohort, progress and an at-risk flag, and the figures an
SRO watches, all from their own council only."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.html import escape

from learners.models import Learner
from networks.models import MeetingAttendance, Network, NetworkMeeting, NetworkMembership
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stalled(cast):
    learner = factories.LearnerFactory(
        council=cast.council_a,
        first_name="Stan",
        last_name="Still",
        last_progress_on=timezone.localdate() - timedelta(weeks=9),
    )
    factories.LearnerFactory(
        council=cast.council_b,
        first_name="Other",
        last_name="Councilperson",
        last_progress_on=timezone.localdate() - timedelta(weeks=20),
    )
    return learner


def test_the_sro_sees_their_learners_with_cohort_progress_and_at_risk_flag(client, cast, stalled):
    client.force_login(cast.sro_a)
    page = client.get("/").text
    assert "Stan Still" in page and "Councilperson" not in page
    row = page[page.index("Stan Still") :].split("</tr>")[0]
    assert "At risk" in row
    learner_row = page[page.index(escape(cast.learner_a.full_name)) :].split("</tr>")[0]
    assert cast.cohort.name in learner_row and "At risk" not in learner_row
    assert '<span class="cmpp-figure__number">1</span> at risk' in page


def test_the_at_risk_threshold_is_a_setting(client, cast, stalled):
    client.force_login(cast.sro_a)
    with override_settings(CMPP_AT_RISK_WEEKS=12):
        page = client.get("/").text
    assert '<span class="cmpp-figure__number">0</span> at risk: no progress for 12 weeks' in page


def test_withdrawn_learners_are_never_at_risk(client, cast, stalled):
    Learner.objects.filter(pk=stalled.pk).update(status=Learner.Status.WITHDRAWN)
    client.force_login(cast.sro_a)
    assert '<span class="cmpp-figure__number">0</span> at risk' in client.get("/").text


def test_the_sro_sees_upcoming_sessions_and_network_attendance(client, cast):
    factories.CohortSessionFactory(
        cohort=cast.cohort,
        title="Workshop 3: commercial management",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
    )
    network = Network.objects.get(audience=Network.Audience.SROS)
    meeting = NetworkMeeting.objects.create(
        network=network,
        title="Autumn meeting",
        starts_at=timezone.now() - timedelta(days=20),
    )
    mine = NetworkMembership.objects.create(
        network=network, user=cast.sro_a, council=cast.council_a, joined_on=timezone.localdate()
    )
    theirs = NetworkMembership.objects.create(
        network=network, user=cast.sro_b, council=cast.council_b, joined_on=timezone.localdate()
    )
    for membership in (mine, theirs):
        MeetingAttendance.objects.create(
            meeting=meeting, membership=membership, status=MeetingAttendance.Status.ATTENDED
        )
    client.force_login(cast.sro_a)
    page = client.get("/").text
    assert "Workshop 3: commercial management" in page
    row = page[page.index(network.name, page.index("Network meetings")) :].split("</tr>")[0]
    assert row.count('govuk-table__cell--numeric">1<') == 2  # one meeting, one attendance
