"""The Django admin signs in through allauth's page, so MFA and the rate limits apply to it."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import override_settings

from cmpp.accounts.selectors import user_must_have_mfa
from tests import factories
from tests.accounts.test_mfa import code_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    user = factories.UserFactory(email="admin@dluhc.test", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return user


def test_the_admins_own_password_form_signs_nobody_in(client, admin_user):
    response = client.post(
        "/admin/login/", {"username": admin_user.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    for url in ("/admin/", "/learners/", "/emails/", "/learners/export.csv"):
        assert client.get(url).status_code == 302
        assert "_auth_user_id" not in client.session


def test_wrong_passwords_at_the_admin_never_reach_a_password_check(client, admin_user):
    for _ in range(15):
        client.post("/admin/login/", {"username": admin_user.email, "password": "wrong"})
    client.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip,3/5m/key"})
def test_the_sign_in_the_admin_sends_people_to_is_rate_limited(client, admin_user):
    login_url = client.get("/admin/", follow=True).redirect_chain[-1][0]
    assert login_url.startswith("/accounts/login/?next=")
    for _ in range(3):
        client.post(login_url, {"login": admin_user.email, "password": "wrong"})
    response = client.post(login_url, {"login": admin_user.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_the_admin_opens_after_allauths_sign_in_with_a_code(client, admin_user):
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": admin_user.email, "password": PASSWORD}
    )
    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": code_for(admin_user.totp_secret)}
    )
    assert client.session["_auth_user_id"] == str(admin_user.pk)
    assert client.get("/admin/").status_code == 200


def test_people_without_admin_access_are_refused_by_the_admin(client, cast):
    client.force_login(cast.staff)
    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code in (302, 403)


def test_anyone_the_admin_lets_in_must_use_mfa(db):
    assert user_must_have_mfa(factories.UserFactory(is_staff=True))
    assert not user_must_have_mfa(factories.UserFactory())
