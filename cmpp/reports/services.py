"""Writes to progress reports: ask for one (built after the commit by a Celery task), and build
it, which is safe to run twice for the same report."""

import time
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cmpp.accounts.models import Organisation, User
from cmpp.core.records import record_save
from cmpp.reports import printing
from cmpp.reports.models import ProgressReport
from councils.models import Council


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
    from cmpp.reports.tasks import report_build_task

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
    transaction.on_commit(lambda: report_build_task.delay(report.pk))
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
    from cmpp.reports.tasks import report_build_task

    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ProgressReport.Status.FAILED:
        raise ValidationError("Only a report that failed can be tried again.")
    report.status = ProgressReport.Status.QUEUED
    report.error = ""
    report.save(update_fields=["status", "error", "updated_at"])
    transaction.on_commit(lambda: report_build_task.delay(report.pk))
    return report


@transaction.atomic
def report_delete(*, report: ProgressReport, acting_user: User) -> None:
    """Staff delete a report and its file (after the commit, so a rollback keeps the file)."""
    file_name, storage = report.file.name, report.file.storage
    report.delete()
    if file_name:
        transaction.on_commit(lambda: storage.delete(file_name))


def report_build(*, report_id: int) -> ProgressReport:
    """Build the report's PDF and store it. A report already built is left as it is; one that
    fails is marked failed with the reason in words. Running it again replaces any file a killed
    run left, so a report has one file."""
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report_id)
        if report.status == ProgressReport.Status.READY:
            return report
        report.status = ProgressReport.Status.BUILDING
        report.started_at = timezone.now()
        report.error = ""
        report.save(update_fields=["status", "started_at", "error", "updated_at"])
    started = time.monotonic()
    try:
        rendered = report_render(report)
    except Exception as exc:  # noqa: BLE001 - any failure is reported on the row, in words
        report.status = ProgressReport.Status.FAILED
        report.error = f"The report could not be drawn: {type(exc).__name__}: {exc}"[:2000]
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at", "updated_at"])
        return report
    if report.file:
        report.file.delete(save=False)
    report.file.save(report.download_name, ContentFile(rendered.pdf), save=False)
    report.pages = rendered.pages
    report.bytes = len(rendered.pdf)
    report.seconds = round(time.monotonic() - started, 2)
    report.status = ProgressReport.Status.READY
    report.finished_at = timezone.now()
    report.save()
    return report
