"""Celery tasks for the PDF reports. Each takes ids (or nothing) and calls one service."""

from dataclasses import asdict

from celery import shared_task

from cmpp.reports import services


# On its own queue (CELERY_TASK_ROUTES), acknowledged only when done, so a worker killed
# mid-render leaves the report to a redelivery, which builds it again. A report still building
# after the hard limit (the worker was killed) is failed by the sweep.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=services.REPORT_BUILD_TIME_LIMIT,
    soft_time_limit=services.REPORT_BUILD_TIME_LIMIT - 60,
)
def report_build_task(report_id: int) -> str:
    return services.report_build(report_id=report_id).status


# By the beat on the 1st of each month; running it twice asks for nothing twice.
@shared_task(ignore_result=True)
def reports_monthly_task() -> int:
    return services.reports_monthly()


# By the beat every 5 minutes.
@shared_task(ignore_result=True)
def reports_sweep_task() -> dict:
    return asdict(services.reports_sweep())
