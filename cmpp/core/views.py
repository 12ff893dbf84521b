"""The health check used by load balancers and `docker compose` (its checks: cmpp.core.health)."""

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


@never_cache
@require_GET
def healthz(request):
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("broker", _check_broker),
        ("beat", check_beat),
        *health_checks_registered().items(),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means the part is down
            checks[name] = f"error: {exc.__class__.__name__}"
    healthy = all(value in ("ok", "inline") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
