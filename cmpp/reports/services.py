"""Writes to progress reports: ask for one (built after the commit by a Celery task), and build
it, which is safe to run twice for the same report; the monthly schedule, which asks for each
managing body's report and emails its staff when it is ready; and the sweep, which fails reports
stuck building and queues again those the broker never took."""

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from cmpp.accounts.models import Organisation, User
from cmpp.accounts.selectors import managing_bodies, programme_staff_of
from cmpp.core.dates import month_end_before
from cmpp.core.records import record_save
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue
from cmpp.reports import printing
from cmpp.reports.models import ProgressReport
from councils.models import Council
from councils.selectors import councils_managed_by

logger = logging.getLogger(__name__)

# The build task's hard time limit, in seconds (tasks.py); the sweep fails a report building
# longer than this, plus a minute's grace for the worker's and the sweep's clocks.
REPORT_BUILD_TIME_LIMIT = 600
STUCK_GRACE = timedelta(minutes=1)
STUCK_ERROR = (
    f"The report took longer than {REPORT_BUILD_TIME_LIMIT // 60} minutes to build and was "
    "stopped. Try again."
)
# A report still queued after this was never taken by a worker (the broker was down).
QUEUED_TOO_LONG = timedelta(minutes=15)


def _queue_build(report_id: int) -> None:
    """Hand the report to the build task. If the broker is down the report stays queued, and
    the sweep queues it again."""
    from cmpp.reports.tasks import report_build_task

    try:
        report_build_task.delay(report_id)
    except OperationalError:
        logger.warning("Could not queue report %s; the sweep will retry it", report_id)


@transaction.atomic
def report_request(
    *,
    organisation: Organisation | None = None,
    council: Council | None = None,
    as_at: date,
    acting_user: User | None,
) -> ProgressReport:
    """Queue a managing body's programme report, or a council's report, as at a date; the task
    builds it after the commit."""
    if as_at > timezone.localdate():
        raise ValidationError({"as_at": "The date must be today or in the past"})
    kind = ProgressReport.Kind.PROGRAMME if organisation else ProgressReport.Kind.COUNCIL
    report = record_save(
        ProgressReport(
            kind=kind,
            organisation=organisation,
            council=council,
            as_at=as_at,
            requested_by=acting_user,
        ),
        acting_user=acting_user,
    )
    transaction.on_commit(lambda: _queue_build(report.pk))
    return report


def report_render(report: ProgressReport) -> printing.RenderedReport:
    """The report's PDF, drawn now."""
    author = report.requested_by.get_full_name() if report.requested_by else "the CMPP portal"
    if report.kind == ProgressReport.Kind.PROGRAMME:
        template = "reports/print/programme.html"
        context = printing.programme_context(organisation=report.organisation, as_at=report.as_at)
    else:
        template = "reports/print/council.html"
        context = printing.council_context(council=report.council, as_at=report.as_at)
    return printing.render(template=template, context=context, author=author)


@transaction.atomic
def report_retry(*, report: ProgressReport, acting_user: User) -> ProgressReport:
    """Staff try a failed report again."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ProgressReport.Status.FAILED:
        raise ValidationError("Only a report that failed can be tried again.")
    report.status = ProgressReport.Status.QUEUED
    report.error = ""
    report.save(update_fields=["status", "error", "updated_at"])
    transaction.on_commit(lambda: _queue_build(report.pk))
    return report


@transaction.atomic
def report_delete(*, report: ProgressReport, acting_user: User) -> None:
    """Staff delete a report and its files (after the commit, so a rollback keeps them)."""
    stored = [(f.storage, f.name) for f in (report.file, report.data) if f]
    report.delete()
    for storage, name in stored:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def report_build(*, report_id: int, worker: str = "") -> ProgressReport:
    """Build the report's PDF and store it, noting which `worker` builds it. A report already
    built is left as it is; one that fails is marked failed with the reason in words. Running it
    again replaces any file a killed run left, so a report has one file. A scheduled report's
    staff are emailed, in the commit that marks it ready, once each however often it is built."""
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report_id)
        if report.status == ProgressReport.Status.READY:
            return report
        report.status = ProgressReport.Status.BUILDING
        report.started_at = timezone.now()
        report.built_by = worker
        report.error = ""
        report.save(update_fields=["status", "started_at", "built_by", "error", "updated_at"])
    run = (worker, report.started_at)
    started = time.monotonic()
    try:
        rendered = report_render(report)
    except Exception as exc:  # noqa: BLE001 - any failure is reported on the row, in words
        with transaction.atomic():
            current = _locked_if_still_building(report_id, run)
            if current is None:
                # Queued again, built by another run, or deleted, meanwhile.
                return ProgressReport.objects.filter(pk=report_id).first() or report
            # A failed report keeps no file: an earlier build's may name someone anonymised.
            earlier = [stored.name for stored in (current.file, current.data) if stored]
            current.file = current.data = ""
            current.status = ProgressReport.Status.FAILED
            current.error = f"The report could not be drawn: {type(exc).__name__}: {exc}"[:2000]
            current.finished_at = timezone.now()
            current.save(
                update_fields=["file", "data", "status", "error", "finished_at", "updated_at"]
            )
        _files_delete(report.file.storage, earlier)
        return current
    previous = [stored.name for stored in (report.file, report.data) if stored]
    for stored, name, content in (
        (report.file, report.download_name, rendered.pdf),
        (report.data, report.data_name, rendered.csv),
    ):
        stored.save(name, ContentFile(content), save=False)
    drawn = [report.file.name, report.data.name]
    try:
        with transaction.atomic():
            current = _locked_if_still_building(report_id, run)
            if current is not None:
                report.pages = rendered.pages
                report.bytes = len(rendered.pdf)
                report.seconds = round(time.monotonic() - started, 2)
                report.status = ProgressReport.Status.READY
                report.finished_at = timezone.now()
                report.save()
                if report.is_scheduled:
                    _report_ready_emails_queue(report)
    except BaseException:
        _files_delete(report.file.storage, drawn)  # the row never took them
        raise
    if current is None:
        # Queued again while it was drawn (its learners anonymised), built meanwhile by another
        # run, or deleted: this run's files are not the report's.
        _files_delete(report.file.storage, drawn)
        return ProgressReport.objects.filter(pk=report_id).first() or report
    # The files of an earlier build, once the new ones are the report's.
    _files_delete(report.file.storage, set(previous) - set(drawn))
    return report


def _files_delete(storage, names) -> None:
    for name in names:
        storage.delete(name)


def _locked_if_still_building(report_id: int, run: tuple[str, object]) -> ProgressReport | None:
    """The report, locked, if it is still there and being built by this run (worker, start);
    else None."""
    current = ProgressReport.objects.select_for_update().filter(pk=report_id).first()
    if current is None or current.status != ProgressReport.Status.BUILDING:
        return None
    return current if (current.built_by, current.started_at) == run else None


def _report_ready_emails_queue(report: ProgressReport) -> int:
    """Email each of the body's programme staff that its scheduled report is ready: a link to
    the reports page, never the PDF. The key (report, person) sends it once each."""
    body = report.organisation
    staff = sorted({m.user for m in programme_staff_of([body])}, key=lambda user: user.email)
    for user in staff:
        email_queue(
            key=f"report_ready:{report.pk}:{user.pk}",
            purpose=OutboundEmail.Purpose.REPORT_READY,
            to_email=user.email,
            template="notifications/email/report_ready",
            context={
                "first_name": user.first_name or "colleague",
                "organisation_name": body.name,
                "as_at": report.as_at,
                "site_url": settings.SITE_URL,
                "contact_email": body.contact_email,
            },
        )
    return len(staff)


# The monthly schedule -------------------------------------------------------------------------


def _scheduled_report_get_or_create(*, organisation: Organisation, as_at: date) -> bool:
    """Ask for the body's scheduled report as at the date, unless it exists. The record's check
    (`record_save`) refuses one that exists; two runs at the same moment can both pass it, and
    then the database's constraint refuses the second insert. Either way the run goes on, having
    asked for nothing. Returns whether a report was asked for."""
    subject = {
        "kind": ProgressReport.Kind.PROGRAMME,
        "organisation": organisation,
        "as_at": as_at,
        "is_scheduled": True,
    }
    try:
        with transaction.atomic():
            report = record_save(ProgressReport(**subject), acting_user=None)
            transaction.on_commit(lambda: _queue_build(report.pk))
    except (ValidationError, IntegrityError):
        if not ProgressReport.objects.filter(**subject).exists():
            raise  # refused for another reason: a bug, not a second run
        return False
    return True


def reports_monthly(*, today: date | None = None) -> int:
    """Ask for each managing body's programme report as at the end of last month (the beat runs
    it on the 1st), nobody's request; a body that managed no council then gets none. Running it
    again for the same month asks for nothing more. Returns how many reports were asked for."""
    today = today or timezone.localdate()
    as_at = month_end_before(today)
    asked = 0
    for body in managing_bodies().order_by("slug"):
        if councils_managed_by(body, on=as_at).exists():
            asked += _scheduled_report_get_or_create(organisation=body, as_at=as_at)
    return asked


# The sweep ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepOutcome:
    failed: int
    queued: int


def council_reports_rebuild(*, council_since: dict[int, date]) -> int:
    """Build again the ready council reports that may name learners since anonymised: those of
    each council as at the first day one of them had joined there, or later. Built from today's
    records as at the same day, they keep every figure and name nobody who has been anonymised.
    (A programme report names no learner.) How many were queued again."""
    if not council_since:
        return 0
    naming = Q()
    for council_id, since in council_since.items():
        naming |= Q(council_id=council_id, as_at__gte=since)
    # A report being built now may have read the names before this commit: it is queued again
    # too, and the run under way, finding it no longer its own, throws its file away.
    drawn = [ProgressReport.Status.READY, ProgressReport.Status.BUILDING]
    naming_reports = ProgressReport.objects.filter(
        naming, kind=ProgressReport.Kind.COUNCIL, status__in=drawn
    )
    ids = list(naming_reports.values_list("pk", flat=True))
    ProgressReport.objects.filter(pk__in=ids, status__in=drawn).update(
        status=ProgressReport.Status.QUEUED, built_by="", updated_at=timezone.now()
    )
    for report_id in ids:
        transaction.on_commit(lambda report_id=report_id: _queue_build(report_id))
    return len(ids)


def reports_resume(*, worker: str) -> int:
    """Queue again the reports `worker` was building when it stopped; called as it starts. A
    worker killed mid-build (SIGKILL, out of memory, the machine restarted) never acknowledged
    its task, but Redis hands such a task to another worker only after the broker's visibility
    timeout (an hour), so without this the report would wait that long, then fail at the sweep.
    A worker starting has nothing building, so whatever its name left building is orphaned.
    How many were queued again."""
    if not worker:
        return 0
    resumed = list(
        ProgressReport.objects.filter(
            status=ProgressReport.Status.BUILDING, built_by=worker
        ).values_list("pk", flat=True)
    )
    ProgressReport.objects.filter(
        pk__in=resumed, status=ProgressReport.Status.BUILDING, built_by=worker
    ).update(status=ProgressReport.Status.QUEUED, updated_at=timezone.now())
    for report_id in resumed:
        _queue_build(report_id)
    if resumed:
        logger.warning("Worker %s queued again %s report(s) it left building", worker, len(resumed))
    return len(resumed)


def reports_sweep(*, now: datetime | None = None) -> SweepOutcome:
    """Fail the reports building past the task's time limit (the worker was killed, so nothing
    else will), with the reason in words so staff can try again; and queue again the reports
    still queued after QUEUED_TOO_LONG (the broker was down when they were asked for). Each
    update repeats its condition, so a report that moved on meanwhile is left as it is."""
    now = now or timezone.now()
    failed = ProgressReport.objects.filter(
        status=ProgressReport.Status.BUILDING,
        started_at__lt=now - timedelta(seconds=REPORT_BUILD_TIME_LIMIT) - STUCK_GRACE,
    ).update(
        status=ProgressReport.Status.FAILED, error=STUCK_ERROR, finished_at=now, updated_at=now
    )
    waiting = list(
        ProgressReport.objects.filter(
            status=ProgressReport.Status.QUEUED, updated_at__lt=now - QUEUED_TOO_LONG
        ).values_list("pk", flat=True)
    )
    # Restart each report's clock, so one the broker still cannot take is not queued again at
    # every sweep.
    ProgressReport.objects.filter(pk__in=waiting, status=ProgressReport.Status.QUEUED).update(
        updated_at=now
    )
    for report_id in waiting:
        _queue_build(report_id)
    if failed or waiting:
        logger.warning(
            "Report sweep: %s stuck building failed, %s queued again", failed, len(waiting)
        )
    return SweepOutcome(failed=failed, queued=len(waiting))
