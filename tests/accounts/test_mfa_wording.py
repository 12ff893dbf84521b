"""Setting up an authenticator app, in GOV.UK words: the recovery codes are shown once it is set
up, a learner is not told they need one, and allauth's own wording does not show through."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.accounts.test_mfa import SETUP, code_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REAUTHENTICATE = "/accounts/reauthenticate/"


def sign_in_and_open_setup(client, user):
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.get(SETUP)
    assert response.url.startswith(REAUTHENTICATE)
    return response.url


def test_asking_for_the_password_again_is_in_plain_words(client, cast):
    url = sign_in_and_open_setup(client, cast.staff)
    page = client.get(url).text
    assert "Enter your password again to continue" in page
    assert "Please reauthenticate" not in page and "Confirm access" not in page
    wrong = client.post(url, {"password": "not-the-password"}).text
    assert "The password is not right. Enter your password again" in wrong
    assert "Incorrect password." not in wrong
    assert client.get(SETUP).url.startswith(REAUTHENTICATE)  # still asked
    right = client.post(url, {"password": PASSWORD})
    assert right.status_code == 302 and client.get(SETUP).status_code == 200


def test_a_wrong_code_says_what_to_do_and_sets_nothing_up(client, cast):
    url = sign_in_and_open_setup(client, cast.staff)
    client.post(url, {"password": PASSWORD})
    wrong = client.post(SETUP, {"code": "123456"}).text
    assert "The code is not right. Enter the 6-digit code from your authenticator app" in wrong
    assert "Incorrect code." not in wrong
    assert not Authenticator.objects.filter(user=cast.staff).exists()


def test_setting_up_the_app_shows_the_recovery_codes(client, cast):
    url = sign_in_and_open_setup(client, cast.staff)
    client.post(url, {"password": PASSWORD})
    page = client.get(SETUP).text
    secret = re.search(r'id="authenticator_secret">([A-Z2-7]+)<', page).group(1)
    response = client.post(SETUP, {"code": code_for(secret)}, follow=True)
    page = response.text
    assert "Your recovery codes" in page
    codes = Authenticator.objects.get(
        user=cast.staff, type=Authenticator.Type.RECOVERY_CODES
    ).wrap()
    unused = codes.get_unused_codes()
    assert len(unused) == 10
    for code in unused:
        assert f'<li class="govuk-!-font-weight-bold">{code}</li>' in page


@pytest.mark.parametrize(
    ("who", "said", "not_said"),
    [
        ("learner_a_user", "You do not have to set up an authenticator app", "You need an"),
        ("staff", "You need an authenticator app", "You do not have to"),
    ],
)
def test_the_setup_page_says_whether_the_app_is_needed(client, cast, who, said, not_said):
    user = getattr(cast, who)
    url = sign_in_and_open_setup(client, user)
    client.post(url, {"password": PASSWORD})
    page = client.get(SETUP).text
    assert said in page and not_said not in page


def test_a_learners_account_page_does_not_say_they_need_an_app(client, cast):
    client.force_login(cast.learner_a_user)
    page = client.get("/accounts/").text
    assert "Not set up. You do not have to use one" in page
    assert "you need one" not in page


def test_the_authenticator_app_page_is_in_plain_words(client, cast):
    TOTP.activate(cast.learner_a_user, generate_totp_secret())
    RecoveryCodes.activate(cast.learner_a_user)
    client.force_login(cast.learner_a_user)
    page = client.get("/accounts/2fa/").text
    assert "Your authenticator app is set up" in page
    assert "You have 10 of 10 codes left" in page
    assert "Two-factor authentication" not in page and "Deactivate" not in page
    assert "You need an authenticator app" not in page


def test_getting_new_codes_and_stopping_the_app_are_asked_in_plain_words(client, cast):
    user = cast.learner_a_user
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    old_codes = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    secret = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code_for(secret)})
    client.post(REAUTHENTICATE, {"password": PASSWORD})

    page = client.get("/accounts/2fa/recovery-codes/generate/").text
    assert "Get new recovery codes" in page and "Your old codes will stop working" in page
    new = client.post("/accounts/2fa/recovery-codes/generate/", follow=True).text
    assert "Your recovery codes" in new and old_codes[0] not in new

    page = client.get("/accounts/2fa/totp/deactivate/").text
    assert "Are you sure you want to stop using your authenticator app?" in page
    assert "Deactivate" not in page
    client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_allauths_forms_ask_for_what_is_missing_in_govuk_words(client, cast):
    def errors(url, data):
        page = client.post(url, data).text
        assert "This field is required." not in page and "Enter a valid" not in page
        return re.findall(r"Error:</span> ([^<]*)<", page)

    assert errors("/accounts/login/", {"login": "", "password": ""}) == [
        "Enter your email address",
        "Enter your password",
    ]
    assert errors("/accounts/login/", {"login": "nope", "password": "x"}) == [
        "Enter an email address in the correct format, like name@example.com"
    ]
    assert "_auth_user_id" not in client.session
    assert errors("/accounts/password/reset/", {"email": ""}) == ["Enter your email address"]
    client.post("/accounts/login/", {"login": cast.staff.email, "password": PASSWORD})
    assert errors(REAUTHENTICATE, {"password": ""}) == ["Enter your password"]
    client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert errors(SETUP, {"code": ""}) == ["Enter the 6-digit code from your authenticator app"]
    assert not Authenticator.objects.filter(user=cast.staff).exists()
