"""Celery tasks for the outbox: send one row (retrying SMTP faults), and the sweep."""

import random

from celery import shared_task

from cmpp.notifications import services

MAX_RETRIES = 6


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    time_limit=60,
    soft_time_limit=45,
)
def email_send_task(self, email_id: int) -> None:
    try:
        services.email_send(email_id=email_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            services.email_mark_failed(email_id=email_id, error=services.describe_error(exc))
            return
        # Exponential backoff with full jitter: 30s, 60s, 120s ... spread so retries don't pile up.
        delay = random.uniform(0, 30 * 2**self.request.retries)  # noqa: S311
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task(time_limit=60, soft_time_limit=45)
def email_sweep_task() -> int:
    return services.email_sweep()
