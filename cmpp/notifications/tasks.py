"""Celery tasks for the outbox. They take ids and call a service; the services hold the rules."""

import logging
import time

from celery import shared_task
from django.conf import settings

from cmpp.notifications import services
from cmpp.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

# Both send tasks: a row is never held longer than the task may live (services.py's clocks).
SEND_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": None,  # the row counts its attempts; services.MAX_ATTEMPTS decides
    "ignore_result": True,  # the row is the result; and publishing must not wait on a result store
    "time_limit": settings.CMPP_EMAIL_TASK_TIME_LIMIT,
    "soft_time_limit": settings.CMPP_EMAIL_TASK_TIME_LIMIT * 3 // 4,
}


@shared_task(bind=True, **SEND_TASK_OPTIONS)
def email_send_task(self, email_id: int) -> str | None:
    outcome = services.email_send(email_id=email_id)
    if outcome is None:
        return None
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    # Run inline (no broker), a row to retry waits pending for the sweep instead of blocking.
    return outcome.status


@shared_task(bind=True, **SEND_TASK_OPTIONS)
def email_send_batch_task(self, email_ids: list[int]) -> int:
    """Send up to services.SEND_BATCH_SIZE rows over one connection; returns how many were sent.

    A row to retry goes back to the broker on its own, with its delay, as `email_send_task`
    would retry it; rows the claim window left unreached go back as a batch. Run inline (no
    broker), both wait pending for the sweep instead.
    """
    claim_until = time.monotonic() + (
        settings.CMPP_EMAIL_TASK_TIME_LIMIT * services.SEND_BATCH_CLAIM_WINDOW
    )
    outcomes = services.emails_send(email_ids, claim_until=claim_until)
    if not self.request.is_eager:
        try:
            for email_id, outcome in outcomes.items():
                if outcome is not None and outcome.retry_in is not None:
                    email_send_task.apply_async((email_id,), countdown=outcome.retry_in)
            unreached = [email_id for email_id in email_ids if email_id not in outcomes]
            if unreached:
                email_send_batch_task.delay(unreached)
        except Exception:  # noqa: BLE001 - the rows are pending with their time; the sweep has them
            logger.warning("Could not queue emails again; the sweep will", exc_info=True)
    return sum(
        1
        for outcome in outcomes.values()
        if outcome is not None and outcome.status == OutboundEmail.Status.SENT
    )


@shared_task(time_limit=60, soft_time_limit=45, ignore_result=True)
def email_sweep_task() -> int:
    return services.email_sweep()
