"""Celery tasks for the PDF reports. Each takes ids (or nothing) and calls one service."""

from dataclasses import asdict

from celery import shared_task
from celery.signals import worker_ready

from cmpp.reports import services


# On its own queue (CELERY_TASK_ROUTES), acknowledged only when done. A pool process killed
# mid-render is noticed by its worker, which hands the task back at once (reject_on_worker_lost);
# a whole worker killed builds again, when it starts, what it left building (on_worker_ready).
# A report still building after the hard limit (its worker never came back) is failed by the
# sweep.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=services.REPORT_BUILD_TIME_LIMIT,
    soft_time_limit=services.REPORT_BUILD_TIME_LIMIT - 60,
)
def report_build_task(self, report_id: int) -> str:
    return services.report_build(report_id=report_id, worker=self.request.hostname or "").status


@worker_ready.connect
def on_worker_ready(sender, **kwargs) -> None:
    """A worker that takes the reports queue, starting: queue again the reports it was building
    when it was last stopped (a worker keeps its name across restarts: celery@ its host)."""
    queues = {queue.name for queue in sender.task_consumer.queues} if sender.task_consumer else {}
    if "reports" in queues:
        services.reports_resume(worker=sender.hostname)


# By the beat on the 1st of each month; running it twice asks for nothing twice.
@shared_task(ignore_result=True)
def reports_monthly_task() -> int:
    return services.reports_monthly()


# By the beat every 5 minutes.
@shared_task(ignore_result=True)
def reports_sweep_task() -> dict:
    return asdict(services.reports_sweep())
