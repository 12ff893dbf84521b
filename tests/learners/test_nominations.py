"""An SRO nominates an officer; staff approve, which invites them. A nomination is taken the same
way whoever the email belongs to, so it tells the SRO nothing about other councils."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from learners.models import Learner, Nomination
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
    assert response.redirect_chain[-1][0] == "/"
    assert "You have nominated Nia Evans" in response.text
    assert "Your recent nominations" in response.text and "Waiting for approval" in response.text
    item = Nomination.objects.get(email="nia.evans@a.test")
    assert item.council == cast.council_a and item.nominated_by == cast.sro_a
    assert not Learner.objects.filter(email="nia.evans@a.test").exists()
    assert mail.outbox == []

    client.force_login(cast.staff)
    assert "1 waiting for approval" in client.get("/").text
    assert "Nia Evans" in client.get("/learners/nominations/").text
    assert "Approve and invite" in client.get(f"/learners/nominations/{item.pk}/").text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/learners/nominations/{item.pk}/approve/")
    learner = Learner.objects.get(email="nia.evans@a.test")
    assert response.url == f"/learners/{learner.pk}/"
    assert learner.status == Learner.Status.ACTIVE and learner.council == cast.council_a
    item.refresh_from_db()
    assert item.status == Nomination.Status.APPROVED and item.learner == learner
    assert item.decided_by == cast.staff
    assert [m.to for m in mail.outbox] == [["nia.evans@a.test"]]
    assert "invitation" in mail.outbox[0].subject.lower()


def _answer(client, data):
    """What the SRO can observe of one nomination: status, where it goes, and the page shown
    (with the nominee's own name and address taken out)."""
    response = client.post("/learners/nominate/", data, follow=True)
    text = response.content.decode()
    for value in (data["email"], data["first_name"], data["last_name"]):
        if value:
            text = text.replace(value, "X")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return response.status_code, response.redirect_chain, text


@pytest.mark.parametrize("first_name", ["Karen", ""])
def test_another_councils_learner_and_an_unknown_address_get_the_same_answer(
    client, cast, first_name
):
    factories.LearnerFactory(council=cast.council_b, email="karen.bell14@b.test")
    client.force_login(cast.sro_a)
    known = _answer(client, nomination(cast, email="karen.bell14@b.test", first_name=first_name))
    taken = list(Nomination.objects.values_list("email", flat=True))
    Nomination.objects.all().delete()  # so each answer starts from the same page
    unknown = _answer(client, nomination(cast, email="nobody.new@b.test", first_name=first_name))
    assert known[:2] == unknown[:2]
    assert known[2].splitlines() == unknown[2].splitlines()
    if first_name:
        assert taken == ["karen.bell14@b.test"]
    else:
        assert "Enter the learner&#x27;s first name" in known[2]
        assert not Nomination.objects.exists()
    assert "already" not in known[2]


def test_staff_see_that_the_email_is_already_a_learner_and_can_only_decline(client, cast):
    factories.LearnerFactory(council=cast.council_b, email="karen.bell14@b.test")
    client.force_login(cast.sro_a)
    client.post("/learners/nominate/", nomination(cast, email="Karen.Bell14@b.test"))
    item = Nomination.objects.get()

    client.force_login(cast.staff)
    page = client.get(f"/learners/nominations/{item.pk}/").text
    assert "This email is already a learner at Council B" in page
    assert "Approve and invite" not in page
    response = client.post(f"/learners/nominations/{item.pk}/approve/", follow=True)
    assert "is already a learner at Council B" in response.text
    assert Learner.objects.filter(email="karen.bell14@b.test").count() == 1
    item.refresh_from_db()
    assert item.status == Nomination.Status.PENDING

    empty = client.post(f"/learners/nominations/{item.pk}/decline/", {"decision_note": ""})
    assert "Enter why the nomination is not taken forward" in empty.text
    client.post(
        f"/learners/nominations/{item.pk}/decline/",
        {"decision_note": "Already a learner at Council B"},
    )
    item.refresh_from_db()
    assert item.status == Nomination.Status.DECLINED and item.decided_by == cast.staff

    # The SRO sees the outcome, never the reason (which names another council).
    client.force_login(cast.sro_a)
    home = client.get("/").text
    assert "Not taken forward" in home and "Council B" not in home


@override_settings(CMPP_NOMINATIONS_PER_DAY=3)
def test_nominations_are_capped_per_sro_per_day(client, cast):
    client.force_login(cast.sro_a)
    for n in range(3):
        client.post("/learners/nominate/", nomination(cast, email=f"officer{n}@a.test"))
    response = client.post("/learners/nominate/", nomination(cast, email="one.more@a.test"))
    assert "You can nominate up to 3 people a day" in response.text
    assert Nomination.objects.count() == 3
    client.force_login(cast.sro_b)
    client.post("/learners/nominate/", nomination(cast, council=cast.council_b.pk))
    assert Nomination.objects.count() == 4


def test_an_sro_cannot_nominate_into_another_council(client, cast):
    client.force_login(cast.sro_a)
    response = client.post("/learners/nominate/", nomination(cast, council=cast.council_b.pk))
    assert response.status_code == 200 and "There is a problem" in response.text
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("who", ["staff", "viewer", "learner_a_user", "nobody"])
def test_only_sros_nominate(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/learners/nominate/").status_code == 403
    assert client.post("/learners/nominate/", nomination(cast)).status_code == 403
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("who", ["sro_a", "learner_a_user", "nobody"])
def test_only_staff_and_viewers_see_the_nominations(client, cast, who):
    item = factories.NominationFactory(council=cast.council_a, nominated_by=cast.sro_a)
    client.force_login(getattr(cast, who))
    assert client.get("/learners/nominations/").status_code == 403
    assert client.get(f"/learners/nominations/{item.pk}/").status_code == 403


@pytest.mark.parametrize("who", ["viewer", "sro_a"])
def test_only_staff_decide(client, cast, who):
    item = factories.NominationFactory(council=cast.council_a, nominated_by=cast.sro_a)
    client.force_login(getattr(cast, who))
    assert client.post(f"/learners/nominations/{item.pk}/approve/").status_code == 403
    assert (
        client.post(f"/learners/nominations/{item.pk}/decline/", {"decision_note": "No"})
    ).status_code == 403
    item.refresh_from_db()
    assert item.status == Nomination.Status.PENDING
    assert not Learner.objects.filter(email=item.email).exists()


@pytest.mark.parametrize("who", ["viewer", "sro_a"])
def test_only_staff_approve_a_nominated_learner_record(client, cast, who):
    learner = factories.LearnerFactory(council=cast.council_a, status=Learner.Status.NOMINATED)
    client.force_login(getattr(cast, who))
    assert client.post(f"/learners/{learner.pk}/approve/").status_code == 403
    learner.refresh_from_db()
    assert learner.status == Learner.Status.NOMINATED
