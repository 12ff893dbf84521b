"""Celery task for the PDF reports. It takes the report's id and calls one service."""

from celery import shared_task

from cmpp.reports import services


# On its own queue (CELERY_TASK_ROUTES), acknowledged only when done, so a worker killed
# mid-render leaves the report to a redelivery, which builds it again.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=600,
    soft_time_limit=540,
)
def report_build_task(report_id: int) -> str:
    return services.report_build(report_id=report_id).status
