"""Importing a checked CSV of learners: all rows or none, in bulk."""

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from simple_history.utils import bulk_create_with_history

from cmpp.accounts.models import User
from learners.imports import (
    ImportCounts,
    ImportPreview,
    LearnerImportRefused,
    LearnerRow,
    learners_import_preview,
)
from learners.models import Learner, LearnerImport
from learners.services.enrolments import enrolments_place
from learners.services.learners import learners_invite, learners_update

logger = logging.getLogger(__name__)

IMPORT_RACE = (
    "Nothing was imported because someone changed these learners while the file was being "
    "imported. Upload the file again to check it"
)
# Rows are written this many at a time (each batch in a few queries), and progress is told
# after each.
BATCH_ROWS = 1000

Progress = Callable[[int, int], None]


def learners_import(
    *, preview: ImportPreview, acting_user: User | None, progress: Progress | None = None
) -> ImportCounts:
    """Import a file whose preview had no wrong row (see `learners_import_file`); a preview with
    wrong rows imports nothing (LearnerImportRefused)."""
    if not preview.is_valid:
        raise LearnerImportRefused.of(preview)
    return learners_import_file(data=preview.data, acting_user=acting_user, progress=progress)


def learners_import_file(
    *, data: bytes, acting_user: User | None, progress: Progress | None = None
) -> ImportCounts:
    """Add and update a learner CSV's learners and enrol them in their cohorts, all or nothing.

    The file is checked inside the transaction, so an old preview cannot let a wrong or
    duplicate row through. Any wrong row imports nothing (LearnerImportRefused). New learners are
    invited by email, once each. A learner already in the row's cohort is not enrolled again,
    so importing the same file twice adds and enrols nobody the second time.

    Rows are written in batches of BATCH_ROWS in file order: each batch's accounts, invitations,
    learners, changes, places and emails in bulk, with one history row per learner changed, so
    the queries grow with the batches and cohorts, not the rows. `progress(done, total)` is
    called after each batch (the rows written so far, inside the transaction).

    The check's rules are the model's (lengths from its fields, the email validator, the
    foreign keys it looked up), so rows are not checked again one by one with `full_clean`.
    """
    added, updated = [], []
    try:
        with transaction.atomic():
            checked = learners_import_preview(data)
            if not checked.is_valid:
                raise LearnerImportRefused.of(checked)
            rows = sorted(checked.to_add + checked.to_update, key=lambda row: row.line)
            for start in range(0, len(rows), BATCH_ROWS):
                batch = rows[start : start + BATCH_ROWS]
                batch_added, batch_updated = _import_batch(batch, acting_user)
                added += batch_added
                updated += batch_updated
                if progress is not None:
                    progress(start + len(batch), len(rows))
    except (IntegrityError, ValidationError) as exc:
        # A learner, account or place for the same person was saved by someone else meanwhile.
        raise LearnerImportRefused(IMPORT_RACE) from exc
    return replace(
        checked.counts,
        added_learners=tuple(sorted(added, key=_by_name)),
        updated_learners=tuple(sorted(updated, key=_by_name)),
    )


def _by_name(learner: Learner) -> tuple[str, str]:
    return (learner.last_name, learner.first_name)


def _import_batch(
    rows: list[LearnerRow], acting_user: User | None
) -> tuple[list[Learner], list[Learner]]:
    """Write one batch of good rows; returns the learners added and those changed."""
    new = {
        row.line: Learner(
            council=row.council,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            job_title=row.job_title,
            target_level=row.target_level,
            status=Learner.Status.ACTIVE,
        )
        for row in rows
        if row.learner is None
    }
    learners_invite(learners=list(new.values()), acting_user=acting_user)
    bulk_create_with_history(
        list(new.values()), Learner, batch_size=BATCH_ROWS, default_user=acting_user
    )
    changed = [row for row in rows if row.learner is not None and row.updates]
    learners_update(
        changes=[(row.learner, row.updates) for row in changed], acting_user=acting_user
    )
    enrolments_place(
        places=[(new.get(row.line) or row.learner, row.cohort) for row in rows if row.enrol],
        acting_user=acting_user,
    )
    return list(new.values()), [row.learner for row in changed]


# The web import: the checked file stored, confirmed once, imported by a Celery job --------------

# The job's hard time limit in seconds (tasks.py): 20,000 rows take well under a minute.
IMPORT_TIME_LIMIT = 600
# A job still queued this long after it was confirmed was never taken by a worker (the broker
# was down, or the worker was killed and its message lost): the sweep queues it again.
QUEUED_TOO_LONG = timedelta(seconds=IMPORT_TIME_LIMIT + 60)
# A checked file nobody confirmed is deleted after this.
CHECKED_KEPT_FOR = timedelta(days=1)


def learner_import_check(
    *, source, acting_user: User
) -> tuple[ImportPreview, LearnerImport | None]:
    """Check an uploaded file; a file with no wrong row is stored, waiting for the person who
    checked it to confirm it (`learner_import_start`)."""
    preview = learners_import_preview(source)
    if not preview.is_valid:
        return preview, None
    job = LearnerImport.objects.create(
        created_by=acting_user,
        file=preview.data,
        rows=len(preview.to_add) + len(preview.to_update),
    )
    return preview, job


def learner_import_start(*, job: LearnerImport) -> bool:
    """Confirm a checked file: the job is queued once, however often this is called (a second
    click, a second tab). True if this call queued it."""
    now = timezone.now()
    started = LearnerImport.objects.filter(pk=job.pk, status=LearnerImport.Status.CHECKED).update(
        status=LearnerImport.Status.QUEUED, queued_at=now, updated_at=now
    )
    if started:
        transaction.on_commit(lambda: _queue_import(job.pk))
    return bool(started)


def _queue_import(import_id: int) -> None:
    """Hand the job to its task. If the broker is down the job stays queued for the sweep."""
    from learners.tasks import learner_import_task

    try:
        learner_import_task.delay(import_id)
    except OperationalError:
        logger.warning("Could not queue learner import %s; the sweep will retry it", import_id)


def learner_import_run(*, import_id: int) -> LearnerImport | None:
    """Import a confirmed file, once: the job's row stays locked while it runs, so a second
    delivery of the task skips it, and it is marked done in the same commit as the learners it
    added (a worker killed mid-import leaves nothing imported and the job queued, to run again).
    A file that is wrong now (someone changed the learners since it was checked) imports
    nothing, and the job says why. Returns None when there was nothing to do."""
    with transaction.atomic():
        job = (
            LearnerImport.objects.select_for_update(skip_locked=True)
            .filter(pk=import_id, status=LearnerImport.Status.QUEUED)
            .select_related("created_by")
            .first()
        )
        if job is None:
            return None
        try:
            counts = learners_import_file(
                data=bytes(job.file),
                acting_user=job.created_by,
                progress=lambda done, total: cache.set(
                    job.progress_key, (done, total), timeout=IMPORT_TIME_LIMIT
                ),
            )
        except LearnerImportRefused as refused:
            job.status = LearnerImport.Status.FAILED
            job.error = str(refused)
            job.problems = [[problem.line, problem.reason] for problem in refused.problems]
        else:
            job.status = LearnerImport.Status.DONE
            job.added, job.updated, job.enrolled = counts.added, counts.updated, counts.enrolled
            job.added_ids = [learner.pk for learner in counts.added_learners]
            job.updated_ids = [learner.pk for learner in counts.updated_learners]
        job.file = b""
        job.finished_at = timezone.now()
        job.save()
    cache.delete(job.progress_key)
    return job


def learner_imports_sweep() -> int:
    """Queue again the jobs no worker took, and delete checked files nobody confirmed. Returns
    how many jobs were queued."""
    now = timezone.now()
    LearnerImport.objects.filter(
        status=LearnerImport.Status.CHECKED, created_at__lt=now - CHECKED_KEPT_FOR
    ).delete()
    stuck = list(
        LearnerImport.objects.filter(
            status=LearnerImport.Status.QUEUED, queued_at__lt=now - QUEUED_TOO_LONG
        ).values_list("pk", flat=True)
    )
    for import_id in stuck:
        # A job still running holds its lock, so the run this queues finds nothing to do.
        _queue_import(import_id)
    return len(stuck)
