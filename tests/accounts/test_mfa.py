"""With CMPP_REQUIRE_MFA on, staff, viewers and SROs set up an authenticator app before anything
else, and give a code at every sign-in. Learners are not made to."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import override_settings

from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mfa_required")]

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mfa_required():
    with override_settings(CMPP_REQUIRE_MFA=True):
        yield


def code_for(secret: str) -> str:
    """The authenticator's current code, taken with at least 5 seconds of its 30 left, so that
    the portal (which accepts only the current window) checks it in the same window."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize("who", ["staff", "viewer", "sro_a"])
@pytest.mark.parametrize("url", ["/", "/learners/", "/councils/", "/emails/", "/me/"])
def test_without_mfa_staff_and_sros_can_only_set_it_up(client, cast, who, url):
    client.force_login(getattr(cast, who))
    response = client.get(url)
    assert response.status_code == 302 and response.url == SETUP


@pytest.mark.parametrize("who", ["staff", "sro_a"])
def test_the_set_up_and_sign_out_pages_stay_open(client, cast, who):
    user = getattr(cast, who)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.url == "/"
    # allauth asks for the password again before an authenticator is added.
    response = client.get(SETUP)
    assert response.url.startswith("/accounts/reauthenticate/")
    assert client.get(response.url).status_code == 200
    client.post(response.url, {"password": PASSWORD})
    page = client.get(SETUP)
    assert page.status_code == 200 and "Set up an authenticator app" in page.text
    assert client.get("/accounts/logout/").status_code == 200
    secret = re.search(r'id="authenticator_secret">([A-Z2-7]+)<', page.text).group(1)
    wrong = client.post(SETUP, {"code": "123456"})
    assert "There is a problem" in wrong.text and client.get("/").status_code == 302
    client.post(SETUP, {"code": code_for(secret)})
    assert client.get("/").status_code == 200


def test_a_learner_is_not_made_to_set_up_mfa(client, cast):
    client.force_login(cast.learner_a_user)
    assert client.get("/me/").status_code == 200


def test_setting_up_totp_opens_the_portal_and_sign_in_then_asks_for_a_code(client, cast):
    client.post("/accounts/login/", {"login": cast.staff.email, "password": PASSWORD})
    assert client.get("/").url == SETUP
    secret = generate_totp_secret()
    TOTP.activate(cast.staff, secret)
    assert client.get("/").status_code == 200
    client.logout()

    response = client.post("/accounts/login/", {"login": cast.staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": code_for(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.staff.pk)
    assert client.get("/").status_code == 200
