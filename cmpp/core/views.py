"""The health checks: /healthz for the whole service, /healthz/web for one web process (used by
load balancers and `docker compose`; the other parts' checks: cmpp.core.health)."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cmpp.celery import app as celery_app
from cmpp.core.health import check_beat, health_checks_registered


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_cache() -> str:
    cache.set("healthz", "ok", timeout=5)
    return "ok" if cache.get("healthz") == "ok" else "error"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "inline"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _answer(parts) -> JsonResponse:
    checks = {}
    for name, check in parts:
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means the part is down
            checks[name] = f"error: {exc.__class__.__name__}"
    healthy = all(value in ("ok", "inline") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


@never_cache
@require_GET
def healthz(request):
    """The whole service: what alerts watch. 503 when any part is down or late."""
    return _answer(
        [
            ("database", _check_database),
            ("cache", _check_cache),
            ("broker", _check_broker),
            ("beat", check_beat),
            *health_checks_registered().items(),
        ]
    )


@never_cache
@require_GET
def healthz_web(request):
    """This web process alone, for its container's health check and a load balancer's: what a
    restart of web could mend. A late beat or outbox is not web's ill health (it is /healthz's),
    and must not take every web process out of service."""
    return _answer([("database", _check_database), ("cache", _check_cache)])
