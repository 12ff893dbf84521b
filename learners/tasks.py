"""Celery tasks for learners: the daily renewal and CPD reminders, the nominations digest, and
each SRO's weekly digest of learners at risk, the imports, and the monthly anonymisation."""

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


# Acknowledged only when done, so a worker killed mid-import leaves the job to a redelivery
# (the import rolled back with the worker's connection, and the job is still queued).
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=services.IMPORT_TIME_LIMIT,
    soft_time_limit=services.IMPORT_TIME_LIMIT - 60,
)
def learner_import_task(import_id: int) -> str | None:
    job = services.learner_import_run(import_id=import_id)
    return job.status if job else None


# By the beat every 5 minutes.
@shared_task(ignore_result=True, time_limit=60, soft_time_limit=45)
def learner_imports_sweep_task() -> int:
    return services.learner_imports_sweep()


# By the beat on the 1st of each month: personal data of learners withdrawn long ago.
@shared_task(ignore_result=True, time_limit=1800, soft_time_limit=1740)
def learners_anonymise_due_task() -> int:
    return services.learners_anonymise_due()
