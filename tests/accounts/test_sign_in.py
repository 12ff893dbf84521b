"""Signing in with an email address, and what the portal does to keep sessions short."""

import importlib.util
import re
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

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


def reset_work(client, email, django_capture_on_commit_callbacks):
    """What asking for a reset does in the request (not in the send after it): the templates it
    renders and the rows it writes. (The queries are counted before the callbacks run.)"""
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    writes = [
        query["sql"].split("(")[0].strip()
        for query in queries.captured_queries
        if query["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    return sorted(template.name for template in response.templates), writes


def test_a_reset_for_an_unknown_address_does_the_same_work_and_sends_nothing(
    client, cast, django_capture_on_commit_callbacks
):
    """The page must take as long for an address with no account as for one with an account,
    or its timing tells who has one. Both render the reset email and write it to the outbox;
    for the unknown address the row is undone, so nothing is kept or sent."""
    # allauth records the account's address on its first reset; compare the later ones.
    reset_work(client, "sro@a.test", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    rows_before = OutboundEmail.objects.count()

    known = reset_work(client, "sro@a.test", django_capture_on_commit_callbacks)
    unknown = reset_work(client, "stranger@example.test", django_capture_on_commit_callbacks)

    assert "account/email/password_reset_key_message.txt" in known[0]
    assert unknown == known
    assert [m.to for m in mail.outbox] == [["sro@a.test"]]
    assert OutboundEmail.objects.count() == rows_before + 1
    assert not OutboundEmail.objects.filter(to_email="stranger@example.test").exists()


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


def load_settings(monkeypatch, **environ):
    """cmpp/settings.py read afresh from the given environment (the running settings are left
    alone)."""
    for name in ("ALLAUTH_TRUSTED_PROXY_COUNT", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "fresh_settings", Path(settings.BASE_DIR) / "cmpp" / "settings.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_proxies_to_trust_for_the_client_address_come_from_the_environment(monkeypatch):
    default = load_settings(monkeypatch)
    assert default.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert default.ALLAUTH_TRUSTED_CLIENT_IP_HEADER is None
    behind_proxy = load_settings(
        monkeypatch,
        ALLAUTH_TRUSTED_PROXY_COUNT="1",
        ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP",
    )
    assert behind_proxy.ALLAUTH_TRUSTED_PROXY_COUNT == 1
    assert behind_proxy.ALLAUTH_TRUSTED_CLIENT_IP_HEADER == "X-Real-IP"


def failed_sign_in_from(client, address):
    return client.post(
        "/accounts/login/",
        {"login": "staff@dluhc.test", "password": "wrong-password"},
        headers={"X-Forwarded-For": address},
    )


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "2/m/ip"}, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_sign_ins_are_limited_per_forwarded_address(client, cast):
    cache.clear()
    for _ in range(2):
        failed_sign_in_from(client, "203.0.113.7")
    assert "Too many failed login attempts" in failed_sign_in_from(client, "203.0.113.7").text
    other = failed_sign_in_from(client, "198.51.100.9")
    assert "Too many failed login attempts" not in other.text


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "2/m/ip"})
def test_with_no_proxy_trusted_a_forged_forwarded_address_does_not_dodge_the_limit(client, cast):
    cache.clear()
    for n in range(2):
        failed_sign_in_from(client, f"203.0.113.{n}")
    assert "Too many failed login attempts" in failed_sign_in_from(client, "198.51.100.9").text
