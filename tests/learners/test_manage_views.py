"""Programme staff add a learner (who is invited at once) and resend an invitation."""

import pytest
from django.core import mail

from cmpp.accounts.models import Invitation
from learners.models import Learner
from tests import factories

pytestmark = pytest.mark.django_db


def form_data(cast, **overrides):
    return {
        "council": cast.council_a.pk,
        "first_name": "Amira",
        "last_name": "Khan",
        "email": "Amira.Khan@A.test",
        "job_title": "Contract manager",
        "grade": "",
        "target_level": factories.level("practitioner").pk,
        **overrides,
    }


def test_staff_add_a_learner_who_is_emailed_an_invitation(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    page = client.get("/learners/new/")
    assert page.status_code == 200 and "Add a learner" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/learners/new/", form_data(cast))
    learner = Learner.objects.get(email="amira.khan@a.test")
    assert response.status_code == 302 and response.url == f"/learners/{learner.pk}/"
    assert [m.to for m in mail.outbox] == [["amira.khan@a.test"]]
    page = client.get(response.url).text
    assert "Amira Khan has been added and emailed an invitation." in page
    assert "The link expires on" in page and "Send a new invitation" in page
    assert learner.history.first().history_user == cast.staff


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "Enter the learner&#x27;s first name"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"email": "LEARNER@A.TEST"}, "A learner with this email address is already registered"),
        ({"target_level": ""}, "Choose the level the learner is working towards"),
        ({"first_name": "A" * 101}, "First name must be 100 characters or fewer"),
        ({"last_name": "K" * 101}, "Last name must be 100 characters or fewer"),
        ({"job_title": "J" * 201}, "Job title must be 200 characters or fewer"),
        ({"grade": "G" * 101}, "Grade must be 100 characters or fewer"),
        ({"last_name": "Kh\x00an"}, "Last name must not include hidden control characters"),
        ({"job_title": "Lead\x07"}, "Job title must not include hidden control characters"),
    ],
)
def test_bad_input_is_explained_and_adds_nobody(client, cast, overrides, message):
    client.force_login(cast.staff)
    before = Learner.objects.count()
    response = client.post("/learners/new/", form_data(cast, **overrides))
    assert response.status_code == 200
    assert "There is a problem" in response.text and message in response.text
    assert "<title>Error: " in response.text
    assert Learner.objects.count() == before
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["viewer", "sro_a", "learner_a_user"])
def test_only_programme_staff_add_learners(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/learners/new/").status_code == 403
    assert client.post("/learners/new/", form_data(cast)).status_code == 403
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_staff_resend_an_invitation_and_only_the_new_link_works(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/learners/new/", form_data(cast))
    learner = Learner.objects.get(email="amira.khan@a.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/learners/{learner.pk}/invitation/", follow=True)
    assert "A new invitation has been emailed to amira.khan@a.test" in response.text
    assert len(mail.outbox) == 2 and mail.outbox[0].body != mail.outbox[1].body
    learner.refresh_from_db()
    account = learner.invitation.user
    assert Invitation.objects.filter(user=account, revoked_at__isnull=True).get() == (
        learner.invitation
    )


def test_no_invitation_for_someone_who_already_signs_in(client, cast):
    client.force_login(cast.staff)
    response = client.post(f"/learners/{cast.learner_a.pk}/invitation/", follow=True)
    assert "already signs in to the portal" in response.text
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["viewer", "sro_a"])
def test_others_cannot_resend_invitations(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.post(f"/learners/{cast.learner_a.pk}/invitation/").status_code == 403
