"""allauth adapters: accounts come by invitation only, so public sign-up is closed; allauth's
own emails (password reset) go through the outbox like every other email; and allauth's messages
are in GOV.UK words."""

import secrets
import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.db import transaction
from django.utils.html import strip_tags

from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_store

# allauth's messages that people here meet, in GOV.UK words (what went wrong, what to do).
WRONG_CODE = "The code is not right. Enter the 6-digit code from your authenticator app"
ACCOUNT_MESSAGES = {
    "email_password_mismatch": "The email address or password is not right. Enter them again",
    "enter_current_password": "Enter your current password",
    "incorrect_code": "The code is not right. Enter the code from the email",
    "incorrect_password": "The password is not right. Enter your password again",
    "invalid_password_reset": "The link to reset your password has expired or been used. "
    "Ask for a new one",
    "rate_limited": "You have tried too many times. Wait a few minutes, then try again",
    "same_as_current": "Enter a password different from your current one",
}
MFA_MESSAGES = {
    "incorrect_code": WRONG_CODE,
}


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    error_messages = DefaultAccountAdapter.error_messages | ACCOUNT_MESSAGES

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email as it would, then queue it in the outbox instead of sending it
        in the request, so a mail server fault neither fails the page nor loses the email."""
        message = self.render_mail(template_prefix, email, {"email": email, **context})
        if message.content_subtype == "html":
            body_text, body_html = strip_tags(message.body), message.body
        else:
            alternatives = getattr(message, "alternatives", [])
            body_html = next((c for c, mimetype in alternatives if mimetype == "text/html"), "")
            body_text = message.body
        email_store(
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4()}",
            purpose=OutboundEmail.Purpose.ACCOUNT,
            to_email=email,
            subject=message.subject,
            body_text=body_text,
            body_html=body_html,
            sensitive=True,
        )

    def rehearse_password_reset_mail(self, email: str) -> None:
        """For an address with no account: render a password reset email and write it to the
        outbox as for an account, then undo the write, so that nothing is kept or sent. The page
        then takes as long either way, and its timing does not tell who has an account."""
        url = self.get_reset_password_from_key_url(f"0-{secrets.token_urlsafe(30)}")
        with transaction.atomic():
            self.send_mail("account/email/password_reset_key", email, {"password_reset_url": url})
            # Undoes the row and the send queued after the commit with it.
            transaction.set_rollback(True)


class GovukMfaAdapter(DefaultMFAAdapter):
    error_messages = DefaultMFAAdapter.error_messages | MFA_MESSAGES
