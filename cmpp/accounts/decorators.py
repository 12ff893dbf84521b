"""View decorators for the programme's one staff-only rule."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from cmpp.accounts.selectors import user_is_programme_staff


def programme_staff_required(view):
    """Pages that change the programme: sign in first, then programme staff only (others 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not user_is_programme_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
