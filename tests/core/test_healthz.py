"""/healthz: beat's heartbeat and the outbox's oldest email, beside the database, cache and broker.

With a broker (CELERY_TASK_ALWAYS_EAGER off) beat queues a heartbeat every minute; without one
there is no beat, and the check says "inline" instead of failing."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from cmpp.core.health import HEARTBEAT_KEY
from cmpp.core.tasks import beat_heartbeat_task
from cmpp.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_broker(settings):
    """As in production: tasks go through the broker (the in-memory one), so beat must run."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CMPP_HEALTH_BEAT_MAX_AGE = 300
    settings.CMPP_HEALTH_EMAIL_MAX_WAIT = 900
    cache.delete(HEARTBEAT_KEY)
    yield
    cache.delete(HEARTBEAT_KEY)


def waiting_email(*, minutes: int, **fields) -> OutboundEmail:
    email = OutboundEmail.objects.create(
        key=f"test:{minutes}",
        purpose=OutboundEmail.Purpose.ACCOUNT,
        to_email="amira.khan@reading.example.gov.uk",
        subject="Reset your password",
        body_text="...",
        **fields,
    )
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    return email


def test_without_a_broker_beat_is_inline_and_all_is_well(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "inline",
        "beat": "inline",
        "emails": "ok",
    }


def test_a_heartbeat_within_the_last_minutes_is_healthy(client, with_broker):
    beat_heartbeat_task.apply()  # as a worker runs what beat queued
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"] == "ok"
    assert response.json()["status"] == "ok"


def test_a_heartbeat_older_than_the_limit_answers_503(client, with_broker):
    cache.set(HEARTBEAT_KEY, timezone.now() - timedelta(minutes=6))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["beat"].startswith("error: last heartbeat 36")  # 360s and a little


def test_no_heartbeat_at_all_answers_503(client, with_broker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "error: no heartbeat yet"


def test_the_beat_limit_is_a_setting(client, with_broker, settings):
    cache.set(HEARTBEAT_KEY, timezone.now() - timedelta(minutes=6))
    settings.CMPP_HEALTH_BEAT_MAX_AGE = 600
    assert client.get("/healthz").status_code == 200


def test_an_email_waiting_a_few_minutes_is_healthy(client, with_broker):
    beat_heartbeat_task.apply()
    waiting_email(minutes=14)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["emails"] == "ok"


def test_an_email_waiting_longer_than_the_limit_answers_503(client, with_broker):
    beat_heartbeat_task.apply()
    waiting_email(minutes=16)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["emails"].startswith("error: an email has waited 96")
    assert response.json()["beat"] == "ok"


def test_an_email_left_waiting_fails_the_check_even_without_a_broker(client):
    """Run inline there is no sweep to send it again: it would wait for ever."""
    waiting_email(minutes=16)
    assert client.get("/healthz").status_code == 503


def test_sent_and_failed_emails_are_not_waiting(client, with_broker):
    beat_heartbeat_task.apply()
    waiting_email(minutes=60, status=OutboundEmail.Status.FAILED)
    waiting_email(minutes=61, status=OutboundEmail.Status.SENT, sent_at=timezone.now())
    assert client.get("/healthz").status_code == 200


def test_an_old_email_staff_just_resent_has_waited_only_since_then(client, with_broker):
    beat_heartbeat_task.apply()
    waiting_email(minutes=60 * 24, resent_at=timezone.now() - timedelta(minutes=1))
    assert client.get("/healthz").status_code == 200


def test_web_health_is_the_database_and_cache_alone_so_a_late_beat_keeps_web_in_service(
    client, with_broker
):
    assert client.get("/healthz").status_code == 503  # no heartbeat yet: the service is late
    response = client.get("/healthz/web")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )


def test_web_health_fails_when_the_database_does(client, monkeypatch):
    from cmpp.core import views

    def broken():
        raise ConnectionError

    monkeypatch.setattr(views, "_check_database", broken)
    response = client.get("/healthz/web")
    assert response.status_code == 503
    assert response.json()["database"] == "error: ConnectionError"
