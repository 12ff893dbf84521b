"""The outbox's part of /healthz, registered with cmpp.core.health (core may not import it)."""

from django.conf import settings
from django.utils import timezone

from cmpp.notifications.selectors import email_oldest_waiting_since


def check_outbox() -> str:
    """An error when an email has waited longer than CMPP_HEALTH_EMAIL_MAX_WAIT to go: the
    workers, the mail server or the sweep are not keeping up."""
    since = email_oldest_waiting_since()
    if since is None:
        return "ok"
    waited = (timezone.now() - since).total_seconds()
    if waited > settings.CMPP_HEALTH_EMAIL_MAX_WAIT:
        return f"error: an email has waited {waited:.0f}s"
    return "ok"
