"""An SRO nominates an officer; staff approve, which invites them. Nobody else nominates."""

import pytest
from django.core import mail

from learners.models import Learner
from tests import factories

pytestmark = pytest.mark.django_db


def nomination(cast, **overrides):
    return {
        "council": cast.council_a.pk,
        "first_name": "Nia",
        "last_name": "Evans",
        "email": "nia.evans@a.test",
        "job_title": "Commissioning officer",
        "target_level": factories.level("practitioner").pk,
        **overrides,
    }


def test_an_sro_nominates_and_staff_approve_which_sends_the_invitation(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.sro_a)
    assert "Nominate a learner" in client.get("/").text
    page = client.get("/learners/nominate/").text
    assert 'type="hidden" name="council"' in page  # one council: nothing to choose
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/learners/nominate/", nomination(cast), follow=True)
    assert "You have nominated Nia Evans" in response.text
    learner = Learner.objects.get(email="nia.evans@a.test")
    assert learner.status == Learner.Status.NOMINATED and learner.council == cast.council_a
    assert mail.outbox == []

    client.force_login(cast.staff)
    assert "1 waiting for approval" in client.get("/").text
    assert "Approve nomination" in client.get(f"/learners/{learner.pk}/").text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/learners/{learner.pk}/approve/")
    learner.refresh_from_db()
    assert learner.status == Learner.Status.ACTIVE
    assert [m.to for m in mail.outbox] == [["nia.evans@a.test"]]
    assert "invitation" in mail.outbox[0].subject.lower()


def test_an_sro_cannot_nominate_into_another_council(client, cast):
    client.force_login(cast.sro_a)
    response = client.post("/learners/nominate/", nomination(cast, council=cast.council_b.pk))
    assert response.status_code == 200 and "There is a problem" in response.text
    assert not Learner.objects.filter(email="nia.evans@a.test").exists()


def test_a_known_person_cannot_be_nominated_twice(client, cast):
    client.force_login(cast.sro_a)
    response = client.post("/learners/nominate/", nomination(cast, email="LEARNER@B.TEST"))
    assert "already on the programme" in response.text


@pytest.mark.parametrize("who", ["staff", "viewer", "learner_a_user", "nobody"])
def test_only_sros_nominate(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/learners/nominate/").status_code == 403
    assert client.post("/learners/nominate/", nomination(cast)).status_code == 403


@pytest.mark.parametrize("who", ["viewer", "sro_a"])
def test_only_staff_approve(client, cast, who):
    learner = factories.LearnerFactory(council=cast.council_a, status=Learner.Status.NOMINATED)
    client.force_login(getattr(cast, who))
    assert client.post(f"/learners/{learner.pk}/approve/").status_code == 403
    learner.refresh_from_db()
    assert learner.status == Learner.Status.NOMINATED
