"""Celery tasks for the outbox. They take ids and call a service; the services hold the rules."""

from celery import shared_task
from django.conf import settings

from cmpp.notifications import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the row counts its attempts; services.MAX_ATTEMPTS decides
    ignore_result=True,  # the row is the result; and publishing must not wait on a result store
    time_limit=settings.CMPP_EMAIL_TASK_TIME_LIMIT,
    soft_time_limit=settings.CMPP_EMAIL_TASK_TIME_LIMIT * 3 // 4,
)
def email_send_task(self, email_id: int) -> str | None:
    outcome = services.email_send(email_id=email_id)
    if outcome is None:
        return None
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    # Run inline (no broker), a row to retry waits pending for the sweep instead of blocking.
    return outcome.status


@shared_task(time_limit=60, soft_time_limit=45, ignore_result=True)
def email_sweep_task() -> int:
    return services.email_sweep()
