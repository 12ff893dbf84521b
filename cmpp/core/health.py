"""The parts /healthz checks beyond the database, the cache and the broker.

Beat's heartbeat: beat queues `beat_heartbeat_task` every minute and a worker records when it
ran, so a recent time proves both are alive. An app above cmpp.core, which core may not import,
registers its own check here (the outbox's oldest email, from cmpp.notifications).

A check returns "ok", "inline" (no broker: tasks run in the request, so there is no beat or
worker to wait for) or "error: why"; /healthz answers 503 on any error."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "cmpp:beat-heartbeat"

_registered: dict[str, Callable[[], str]] = {}


def health_check_register(name: str, check: Callable[[], str]) -> None:
    """Add a check to /healthz, under `name` (an app's AppConfig.ready calls it)."""
    _registered[name] = check


def health_checks_registered() -> dict[str, Callable[[], str]]:
    return dict(_registered)


def heartbeat_record() -> None:
    # The cache is Redis, which the web and the workers share; kept until the next one.
    cache.set(HEARTBEAT_KEY, timezone.now(), timeout=None)


def check_beat() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "inline"
    ran_at = cache.get(HEARTBEAT_KEY)
    if ran_at is None:
        return "error: no heartbeat yet"
    age = (timezone.now() - ran_at).total_seconds()
    if age > settings.CMPP_HEALTH_BEAT_MAX_AGE:
        return f"error: last heartbeat {age:.0f}s ago"
    return "ok"
