"""Session limits: signed out after 30 minutes idle, and 12 hours after sign-in however active."""

import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from cmpp.accounts.selectors import user_must_have_mfa

SIGNED_IN_AT = "cmpp_signed_in_at"
LAST_SEEN_AT = "cmpp_last_seen_at"
# Saving the session renews its 30-minute expiry. Doing it at most once a minute keeps a
# database write off most requests, at the cost of up to a minute's slack in the idle limit.
TOUCH_EVERY_SECONDS = 60


@receiver(user_logged_in)
def _remember_sign_in_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.get(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.CMPP_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - session.get(LAST_SEEN_AT, 0) >= TOUCH_EVERY_SECONDS:
                session[SIGNED_IN_AT] = signed_in_at
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


# While a user who must have MFA has none, these are the only pages they may open.
MFA_SETUP_URL_NAMES = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_logout",
    "account_home",
    "invitation_accept",
    "healthz",
    "healthz_web",
    # the footer's pages, public to everyone
    "accessibility",
    "privacy",
}
MFA_CHECKED = "cmpp_mfa_checked"


class MfaRequiredMiddleware:
    """With CMPP_REQUIRE_MFA on, staff and SROs set up an authenticator app before anything else.

    allauth then asks for a code at every sign-in. Once a session has passed the check it is
    remembered there, so the check costs nothing on later requests.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.CMPP_REQUIRE_MFA
            and user.is_authenticated
            and not request.session.get(MFA_CHECKED)
        ):
            if is_mfa_enabled(user) or not user_must_have_mfa(user):
                request.session[MFA_CHECKED] = True
            elif not self._allowed(request):
                messages.info(
                    request,
                    "Set up an authenticator app before you continue. You will need it, "
                    "with your password, each time you sign in.",
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _allowed(request) -> bool:
        if request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return True
        try:
            return resolve(request.path_info).url_name in MFA_SETUP_URL_NAMES
        except Resolver404:
            return False
