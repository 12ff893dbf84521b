"""Forms for accounts: setting a password from an invitation, asking for a reset, and
allauth's own forms (settings.ACCOUNT_FORMS, MFA_FORMS) in GOV.UK words."""

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms

from cmpp.core.forms import GovukErrorMessages, GovukForm


class SetPasswordForm(GovukForm):
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Use at least 8 characters. Three random words together make a strong password.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match")
        return cleaned


class GovukAllauthMessages(GovukErrorMessages):
    """An allauth form with GOV.UK messages: `messages` says, field by field, what to say where
    allauth would say "This field is required.", and `replaced` rewords allauth's own."""

    messages: dict[str, dict[str, str]] = {}
    replaced = {"You must type the same password each time.": "The passwords do not match"}

    def full_clean(self):
        for name, by_code in self.messages.items():
            if name in self.fields:
                self.fields[name].error_messages.update(by_code)
        super().full_clean()
        for errors in (self._errors or {}).values():
            for index, error in enumerate(errors.data):
                text = " ".join(error) if isinstance(error, forms.ValidationError) else str(error)
                if text in self.replaced:
                    errors.data[index] = forms.ValidationError(self.replaced[text])


ENTER_PASSWORD = {"password": {"required": "Enter your password"}}
NEW_PASSWORDS = {
    "password1": {"required": "Enter a new password"},
    "password2": {"required": "Enter the new password again"},
}
ENTER_CODE = {"code": {"required": "Enter the 6-digit code from your authenticator app"}}


class ResetPasswordForm(GovukAllauthMessages, AllauthResetPasswordForm):
    """allauth's form (settings.ACCOUNT_FORMS). allauth does nothing more for an address with no
    account, so the page would answer sooner and tell who has one; here the adapter does a reset
    email's work for it too, and sends nothing."""

    messages = {"email": {"required": "Enter your email address"}}

    def save(self, request, **kwargs) -> str:
        email = super().save(request, **kwargs)
        if not self.users:
            get_adapter(request).rehearse_password_reset_mail(email)
        return email


class LoginForm(GovukAllauthMessages, allauth_forms.LoginForm):
    messages = {"login": {"required": "Enter your email address"}, **ENTER_PASSWORD}


class ReauthenticateForm(GovukAllauthMessages, allauth_forms.ReauthenticateForm):
    messages = ENTER_PASSWORD


class ChangePasswordForm(GovukAllauthMessages, allauth_forms.ChangePasswordForm):
    messages = {"oldpassword": {"required": "Enter your current password"}, **NEW_PASSWORDS}


class ResetPasswordKeyForm(GovukAllauthMessages, allauth_forms.ResetPasswordKeyForm):
    messages = NEW_PASSWORDS


class MfaAuthenticateForm(GovukAllauthMessages, mfa_forms.AuthenticateForm):
    messages = ENTER_CODE


class MfaReauthenticateForm(GovukAllauthMessages, mfa_forms.ReauthenticateForm):
    messages = ENTER_CODE


class ActivateTotpForm(GovukAllauthMessages, totp_forms.ActivateTOTPForm):
    messages = ENTER_CODE
