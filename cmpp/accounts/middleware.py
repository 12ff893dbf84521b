"""Session limits: signed out after 30 minutes idle, and 12 hours after sign-in however active."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver

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
