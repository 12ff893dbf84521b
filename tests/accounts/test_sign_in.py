"""Signing in with an email address, and what the portal does to keep sessions short."""

import re
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from cmpp.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from cmpp.notifications.models import OutboundEmail
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_login_page_is_a_gov_uk_form_without_a_sign_up_route(client):
    page = client.get("/accounts/login/").text
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in page
    assert "govuk-input" in page
    assert "/accounts/signup/" not in page


def test_staff_sign_in_with_their_email_in_any_case_and_land_home(client, cast):
    response = sign_in(client, "STAFF@DLUHC.TEST")
    assert response.status_code == 302 and response.url == "/"
    assert "Programme overview" in client.get("/").text


def test_a_wrong_password_is_refused_with_an_error_summary(client, cast):
    response = sign_in(client, "staff@dluhc.test", "not-the-password")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "_auth_user_id" not in client.session


def test_there_is_no_public_sign_up(client, db):
    response = client.post(
        "/accounts/signup/", {"email": "new@example.test", "password1": "x" * 12}
    )
    assert "Accounts come by invitation" in response.text
    from cmpp.accounts.models import User

    assert not User.objects.filter(email="new@example.test").exists()


def test_password_reset_emails_a_link_through_the_outbox_and_the_link_sets_a_new_password(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "sro@a.test"})
    assert len(mail.outbox) == 1
    row = OutboundEmail.objects.get(purpose="account")
    assert row.to_email == "sro@a.test" and row.status == "sent"
    link = re.search(r"http://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link).url
    response = client.post(
        form_url, {"password1": "a new long passphrase", "password2": "a new long passphrase"}
    )
    assert response.status_code == 302
    assert client.login(username="sro@a.test", password="a new long passphrase")


def test_a_mail_server_fault_does_not_break_the_reset_page(
    client, cast, django_capture_on_commit_callbacks
):
    mail_server_down = mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("mail server down"),
    )
    with mail_server_down, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "sro@a.test"})
    assert response.status_code == 302
    row = OutboundEmail.objects.get(purpose="account")
    assert row.status == "pending" and "mail server down" in row.last_error


def test_password_reset_does_not_reveal_unknown_addresses(client, cast):
    response = client.post(
        "/accounts/password/reset/", {"email": "stranger@example.test"}, follow=True
    )
    assert response.status_code == 200
    assert "stranger@example.test" not in [m for message in mail.outbox for m in message.to]


def test_signing_out_needs_a_post(client, cast):
    client.force_login(cast.staff)
    client.get("/accounts/logout/")
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_sessions_end_after_30_minutes_idle_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_using_the_portal_renews_the_idle_expiry(client, cast):
    sign_in(client, "staff@dluhc.test")
    session = client.session
    session[LAST_SEEN_AT] = int(time.time()) - 5 * 60
    session.save()
    expiry_before = client.session.get_expiry_date()
    client.get("/councils/")
    assert client.session[LAST_SEEN_AT] > int(time.time()) - 5
    assert client.session.get_expiry_date() >= expiry_before


def test_a_session_ends_12_hours_after_sign_in_however_active(client, cast):
    sign_in(client, "staff@dluhc.test")
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = client.get("/councils/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_session_within_12_hours_carries_on(client, cast):
    sign_in(client, "staff@dluhc.test")
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 11 * 3600
    session.save()
    assert client.get("/councils/").status_code == 200


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip,3/5m/key"})
def test_repeated_failed_sign_ins_are_rate_limited(client, cast):
    for _ in range(3):
        sign_in(client, "staff@dluhc.test", "wrong-password")
    response = sign_in(client, "staff@dluhc.test")
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.text


def test_login_rate_limits_are_on_outside_tests():
    from cmpp import settings as production_settings

    assert production_settings.ACCOUNT_RATE_LIMITS["login_failed"]


def test_allauth_pages_speak_in_sentence_case_like_the_rest_of_gov_uk(client, cast):
    client.force_login(cast.staff)
    page = client.get("/accounts/password/change/").text
    assert '<h1 class="govuk-heading-l">Change password</h1>' in page
    assert "<title>Change password – Contract Management Pioneer Programme – GOV.UK</title>" in page
    assert "Change Password" not in page


def test_your_account_page_links_password_and_authenticator_app(client, cast):
    client.force_login(cast.learner_a_user)
    page = client.get("/accounts/").text
    assert "learner@a.test" in page
    assert 'href="/accounts/password/change/"' in page
    assert 'href="/accounts/2fa/totp/activate/"' in page and "Not set up" in page
