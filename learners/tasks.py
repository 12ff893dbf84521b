"""Celery tasks for learners: the daily renewal and CPD reminders."""

from celery import shared_task

from learners import services


@shared_task(time_limit=600, soft_time_limit=540)
def reminders_queue_task() -> int:
    return services.reminders_queue()
