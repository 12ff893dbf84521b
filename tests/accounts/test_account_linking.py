"""A learner record is linked to an account only when the person accepts an invitation sent for
it: the token proves they read that learner's mailbox. Nobody changes their own address."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from learners.models import Learner
from learners.services import learner_create
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LAURA = "laura.clark29@b.test"


def link_in(message) -> str:
    url = re.search(r"http://\S+/accounts/invitation/\S+/", message.body).group(0)
    return url.split("127.0.0.1:8000", 1)[1]


@pytest.fixture
def laura(cast, django_capture_on_commit_callbacks):
    """A learner at council B whom staff added and who has not accepted her invitation yet."""
    with django_capture_on_commit_callbacks(execute=True):
        learner = learner_create(
            council=cast.council_b,
            first_name="Laura",
            last_name="Clark",
            email=LAURA,
            job_title="Zebra contracts lead",
            target_level=factories.level("practitioner"),
            acting_user=cast.staff,
        )
    mail.outbox.clear()
    return learner


def resend_invitation(client, cast, learner, capture):
    client.force_login(cast.staff)
    with capture(execute=True):
        response = client.post(f"/learners/{learner.pk}/invitation/")
    assert response.status_code == 302
    client.logout()


def assert_sro_a_cannot_see(client, cast, learner):
    client.force_login(cast.sro_a)
    assert client.get(f"/learners/{learner.pk}/").status_code == 404
    assert client.get("/me/").status_code == 404
    export = client.get("/learners/export.csv")
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert LAURA.encode() not in body and b"Zebra contracts lead" not in body
    learner.refresh_from_db()
    assert learner.user is None


def test_the_reported_sequence_no_longer_links_another_councils_learner_to_an_sro(
    client, cast, laura, django_capture_on_commit_callbacks
):
    client.force_login(cast.sro_a)
    added = client.post("/accounts/email/", {"action_add": "", "email": LAURA})
    primary = client.post("/accounts/email/", {"action_primary": "", "email": LAURA})
    assert added.status_code == 404 and primary.status_code == 404
    cast.sro_a.refresh_from_db()
    assert cast.sro_a.email == "sro@a.test"
    assert not EmailAddress.objects.filter(email__iexact=LAURA).exists()
    client.logout()

    resend_invitation(client, cast, laura, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[LAURA]]
    assert_sro_a_cannot_see(client, cast, laura)


def test_an_account_that_already_holds_the_address_is_still_not_linked_by_matching_it(
    client, cast, laura, django_capture_on_commit_callbacks
):
    # As if the SRO had taken the address before the email page closed and before Laura had an
    # account: the portal now finds the SRO's account when it looks the address up.
    laura.invitation.user.delete()
    cast.sro_a.email = LAURA
    cast.sro_a.save(update_fields=["email"])
    resend_invitation(client, cast, laura, django_capture_on_commit_callbacks)
    assert_sro_a_cannot_see(client, cast, laura)


@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_can_add_or_change_an_email_address(client, cast, method):
    client.force_login(cast.learner_a_user)
    response = getattr(client, method)("/accounts/email/", {"email": "new@a.test"})
    assert response.status_code == 404
    cast.learner_a_user.refresh_from_db()
    assert cast.learner_a_user.email == "learner@a.test"
    assert not EmailAddress.objects.filter(email="new@a.test").exists()


def test_your_account_says_who_changes_the_address(client, cast):
    client.force_login(cast.learner_a_user)
    page = client.get("/accounts/").text
    assert "learner@a.test" in page and "/accounts/email/" not in page
    assert "To change your email address, contact the programme team" in page


def test_a_new_learner_is_linked_only_when_they_accept(
    client, cast, laura, django_capture_on_commit_callbacks
):
    resend_invitation(client, cast, laura, django_capture_on_commit_callbacks)
    laura.refresh_from_db()
    assert laura.user is None
    client.get(link_in(mail.outbox[-1]))
    client.post(
        "/accounts/invitation/set-password/",
        {"password1": "three random words", "password2": "three random words"},
    )
    laura.refresh_from_db()
    assert laura.user is not None and laura.user.email == LAURA
    assert client.get("/me/").status_code == 200


def test_someone_who_already_signs_in_is_invited_to_link_by_token_not_linked_silently(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        learner = learner_create(
            council=cast.council_a,
            first_name="Sam",
            last_name="Rowe",
            email="SRO@a.test",
            target_level=factories.level("practitioner"),
            acting_user=cast.staff,
        )
    learner.refresh_from_db()
    assert learner.user is None
    [message] = mail.outbox
    assert message.to == ["sro@a.test"] and "already have an account" in message.body
    link = link_in(message)

    # Opening it signed out asks them to sign in first; the token waits in the session.
    response = client.get(link, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    client.post("/accounts/login/", {"login": "sro@a.test", "password": PASSWORD})
    page = client.get("/accounts/invitation/set-password/")
    assert "Add your learner record to your account" in page.text
    learner.refresh_from_db()
    assert learner.user is None  # nothing happens until they confirm
    response = client.post("/accounts/invitation/set-password/")
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.user == cast.sro_a


def test_a_link_for_one_account_does_nothing_for_another(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        learner = learner_create(
            council=cast.council_a,
            first_name="Sam",
            last_name="Rowe",
            email="sro@a.test",
            target_level=factories.level("practitioner"),
            acting_user=cast.staff,
        )
    link = link_in(mail.outbox[-1])
    client.force_login(cast.sro_b)
    client.get(link)
    page = client.get("/accounts/invitation/set-password/")
    assert page.status_code == 403 and "sent to a different account" in page.text
    refused = client.post("/accounts/invitation/set-password/")
    assert refused.status_code == 410
    learner.refresh_from_db()
    assert learner.user is None
    assert not Learner.objects.filter(user=cast.sro_b).exists()


def test_changing_a_learners_address_stops_the_old_link_from_linking(
    client, cast, laura, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/learners/{laura.pk}/invitation/")
    old_link = link_in(mail.outbox[-1])
    from learners.services import learner_update

    learner_update(learner=laura, acting_user=cast.staff, email="laura.clark@b.test")
    client.logout()
    client.get(old_link)
    client.post(
        "/accounts/invitation/set-password/",
        {"password1": "three random words", "password2": "three random words"},
    )
    laura.refresh_from_db()
    assert laura.user is None
