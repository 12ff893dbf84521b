"""Celery tasks for learners: the daily renewal and CPD reminders, the nominations digest, and
each SRO's weekly digest of learners at risk."""

from celery import shared_task

from learners import services


@shared_task(time_limit=600, soft_time_limit=540)
def reminders_queue_task() -> int:
    return services.reminders_queue()


@shared_task(time_limit=600, soft_time_limit=540)
def nominations_digest_queue_task() -> int:
    return services.nominations_digest_queue()


@shared_task(time_limit=600, soft_time_limit=540)
def at_risk_digest_queue_task() -> int:
    return services.at_risk_digest_queue()
