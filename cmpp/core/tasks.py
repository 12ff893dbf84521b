"""Celery tasks of cmpp.core: none of the programme's, only the portal's own upkeep."""

from celery import shared_task

from cmpp.core.health import heartbeat_record


@shared_task(ignore_result=True, time_limit=30, soft_time_limit=20)
def beat_heartbeat_task() -> None:
    """Queued by beat every minute; /healthz reads the time a worker ran it."""
    heartbeat_record()
