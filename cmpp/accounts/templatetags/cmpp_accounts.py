"""Template filters for account pages, each calling the one function that holds its rule."""

from django import template

from cmpp.accounts.selectors import user_must_have_mfa

register = template.Library()


@register.filter
def must_have_mfa(user) -> bool:
    """Whether the user must use an authenticator app (optional for everyone else)."""
    return user.is_authenticated and user_must_have_mfa(user)
