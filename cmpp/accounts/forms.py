"""Forms for accounts: setting a password from an invitation, and asking for a reset."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms


class SetPasswordForm(forms.Form):
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


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's form (settings.ACCOUNT_FORMS). allauth does nothing more for an address with no
    account, so the page would answer sooner and tell who has one; here the adapter does a reset
    email's work for it too, and sends nothing."""

    def save(self, request, **kwargs) -> str:
        email = super().save(request, **kwargs)
        if not self.users:
            get_adapter(request).rehearse_password_reset_mail(email)
        return email
