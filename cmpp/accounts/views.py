"""Accepting an invitation: open the link, set a password (or sign in and confirm, for someone who
already has one), arrive signed in."""

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from cmpp.accounts import services
from cmpp.accounts.forms import SetPasswordForm
from cmpp.accounts.selectors import user_must_have_mfa
from cmpp.core.forms import posted

SESSION_KEY = "_invitation_token"
SET_PASSWORD_PATH_TOKEN = "set-password"  # noqa: S105 - a path segment, not a secret


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request, token):
    """The link from the email. Like Django's password reset, the token moves into the session
    and the browser is sent to a URL without it, so it cannot leak through the Referer header."""
    if token != SET_PASSWORD_PATH_TOKEN:
        request.session[SESSION_KEY] = token
        return redirect("invitation_accept", token=SET_PASSWORD_PATH_TOKEN)
    token = request.session.get(SESSION_KEY, "")
    try:
        invitation = services.invitation_get_open(token=token)
    except services.InvitationUnusable as exc:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"reason": exc.reason},
            status=410 if token else 404,
        )
    if not services.user_needs_invitation(invitation.user):
        return _accept_signed_in(request, token, invitation)

    form = SetPasswordForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error("password1", exc)
        except services.InvitationUnusable as exc:
            return render(
                request, "accounts/invitation_unusable.html", {"reason": exc.reason}, status=410
            )
        else:
            request.session.pop(SESSION_KEY, None)
            # As allauth does after a password reset: the new password counts as a fresh
            # authentication (so setting up MFA next needs no second password prompt).
            record_authentication(request, user, method="password", email=user.email)
            return perform_login(request, user, redirect_url=reverse("home"))
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


def _accept_signed_in(request, token, invitation):
    """The link went to someone who already has a password: they sign in, then confirm."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            services.invitation_accept_signed_in(token=token, user=request.user)
        except services.InvitationUnusable as exc:
            return render(
                request, "accounts/invitation_unusable.html", {"reason": exc.reason}, status=410
            )
        request.session.pop(SESSION_KEY, None)
        messages.success(request, "Your learner record is now part of your account.")
        return redirect("home")
    if invitation.user_id != request.user.pk:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {
                "reason": "This link was sent to a different account. Sign out, then sign in "
                "with the email address the invitation was sent to."
            },
            status=403,
        )
    return render(request, "accounts/invitation_link.html", {"invitation": invitation})


@login_required
def account_home(request):
    """Your account: the password, the authenticator app and signing out, in one place."""
    return render(
        request,
        "accounts/account_home.html",
        {"has_mfa": is_mfa_enabled(request.user), "mfa_required": user_must_have_mfa(request.user)},
    )


def email_change_closed(request):
    """allauth's page for adding and changing addresses, closed for everyone."""
    raise Http404
