"""An invited person opens their link once, within 7 days, sets a password and is signed in."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cmpp.accounts import services
from cmpp.accounts.models import Invitation
from cmpp.notifications.models import OutboundEmail
from learners.services import learner_create
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "three random words"


def add_learner(staff, email="amira.khan@reading.example.gov.uk", **extra):
    return learner_create(
        council=extra.pop("council", None) or factories.CouncilFactory(name="Reading"),
        first_name="Amira",
        last_name="Khan",
        email=email,
        target_level=factories.level("practitioner"),
        acting_user=staff,
        **extra,
    )


def link_in(message) -> str:
    return re.search(r"http://\S+/accounts/invitation/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return url.split("127.0.0.1:8000", 1)[1]


@pytest.fixture
def invited(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        learner = add_learner(cast.staff)
    return learner, path_of(link_in(mail.outbox[-1]))


def test_adding_a_learner_emails_them_an_invitation_once(invited):
    learner, _ = invited
    assert [m.to for m in mail.outbox] == [["amira.khan@reading.example.gov.uk"]]
    email = mail.outbox[0]
    assert email.subject == "Your invitation to the Contract Management Pioneer Programme portal"
    assert "Reading has put you forward" in email.body
    assert "working towards Practitioner accreditation" in email.body
    assert OutboundEmail.objects.get(purpose="invitation").status == "sent"
    learner.refresh_from_db()
    # The record waits for the person to accept: the invitation says which account it links.
    assert learner.user is None
    assert learner.invitation.user.email == learner.email
    assert not learner.invitation.user.has_usable_password()


def test_the_token_is_stored_only_as_a_hash(invited):
    _, path = invited
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64


def test_the_link_lets_them_set_a_password_and_arrive_signed_in(client, invited):
    learner, path = invited
    response = client.get(path)
    # The token leaves the address bar before the form is shown.
    assert response.status_code == 302 and "set-password" in response.url
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Set your password" in page.text and learner.email in page.text
    response = client.post(response.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    learner.refresh_from_db()
    assert client.session["_auth_user_id"] == str(learner.user_id)
    client.logout()
    assert client.login(username=learner.email, password=NEW_PASSWORD)


def test_the_link_works_only_once(client, invited):
    _, path = invited
    form = client.get(path).url
    client.post(form, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()
    response = client.get(client.get(path).url)
    assert response.status_code == 410
    assert "already been used" in response.text


def test_the_link_expires_after_seven_days(client, invited):
    _, path = invited
    invitation = Invitation.objects.get()
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - timedelta(days=7)) < timedelta(seconds=1)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(client.get(path).url)
    assert response.status_code == 410 and "expired" in response.text


def test_an_unknown_link_is_refused_without_a_form(client, db):
    response = client.get(client.get("/accounts/invitation/not-a-real-token/").url)
    assert response.status_code == 410
    assert "not valid" in response.text and "password1" not in response.text


def test_a_weak_or_mismatched_password_is_explained_and_changes_nothing(client, invited):
    learner, path = invited
    form = client.get(path).url
    response = client.post(form, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "There is a problem" in response.text and "too common" in response.text
    response = client.post(form, {"password1": NEW_PASSWORD, "password2": "something else"})
    assert "The passwords do not match" in response.text
    learner.invitation.user.refresh_from_db()
    assert not learner.invitation.user.has_usable_password()
    assert Invitation.objects.get().accepted_at is None


def test_resending_revokes_the_old_link(client, cast, invited, django_capture_on_commit_callbacks):
    learner, old_path = invited
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(
            user=learner.invitation.user,
            invited_by=cast.staff,
            template="notifications/email/invitation",
            context={"council_name": "Reading", "level_name": "Practitioner"},
        )
    assert len(mail.outbox) == 2
    new_path = path_of(link_in(mail.outbox[1]))
    assert new_path != old_path
    response = client.get(client.get(old_path).url)
    assert response.status_code == 410 and "newer invitation" in response.text
    assert client.get(client.get(new_path).url).status_code == 200


def test_someone_who_already_signs_in_is_told_they_were_added_and_asked_to_confirm(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        learner = add_learner(cast.staff, email="SRO@A.TEST", council=cast.council_a)
    assert learner.user is None  # linked only once they confirm through the link
    assert Invitation.objects.get().user == cast.sro_a
    assert [m.subject for m in mail.outbox] == [
        "You have been added to the Contract Management Pioneer Programme"
    ]
    assert "/accounts/invitation/" in mail.outbox[0].body


def test_a_nominated_learner_is_not_invited_yet(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add_learner(cast.staff, status="nominated")
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_once_sent_the_outbox_no_longer_holds_the_working_link(invited):
    _, path = invited
    token = path.rstrip("/").rsplit("/", 1)[1]
    row = OutboundEmail.objects.get(purpose="invitation")
    assert token in mail.outbox[0].body  # the person received it
    assert token not in row.body_text and token not in row.body_html
    assert row.body_text == OutboundEmail.SENT_BODY_REMOVED


def test_an_unsent_invitation_keeps_its_text_so_it_can_be_resent(cast):
    add_learner(cast.staff)  # the test's transaction never commits, so nothing is sent
    row = OutboundEmail.objects.get(purpose="invitation")
    assert row.status == "pending" and "/accounts/invitation/" in row.body_text
