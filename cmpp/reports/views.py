"""The reports page: ask for a progress report, follow it while it builds, download it; and
a learner's subject access request."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff, user_sees_whole_programme
from cmpp.core.forms import add_service_errors, posted
from cmpp.reports import services, subject_access
from cmpp.reports.forms import ReportRequestForm
from cmpp.reports.models import ProgressReport
from cmpp.reports.selectors import reports_visible_to, user_may_use_reports
from councils.selectors import councils_led_by, councils_visible_to
from learners.selectors import learner_get

# Who exported whose data, by id only (the log holds no personal data): a subject access
# export is rare, so a line in the log, kept with the rest, is its audit trail.
audit = logging.getLogger("cmpp.audit")


@login_required
def report_list(request):
    """Every report the user may see, newest first, and the form to ask for another. The page
    refreshes itself while a report is being built."""
    if not user_may_use_reports(request.user):
        raise Http404
    whole = user_sees_whole_programme(request.user)
    councils = councils_visible_to(request.user) if whole else councils_led_by(request.user)
    form = ReportRequestForm(
        posted(request),
        councils=councils,
        whole_programme=whole,
        initial={"as_at": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_request(
                **form.report_subject(), as_at=form.cleaned_data["as_at"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Your report on {report.subject_name} is being built.")
            return redirect("reports:list")
    reports = list(
        reports_visible_to(request.user).select_related("organisation", "council", "requested_by")[
            :50
        ]
    )
    building = any(
        r.status in (ProgressReport.Status.QUEUED, ProgressReport.Status.BUILDING) for r in reports
    )
    return render(
        request,
        "reports/report_list.html",
        {
            "form": form,
            "reports": reports,
            "building": building,
            "can_manage": user_is_programme_staff(request.user),
        },
    )


def _report(request, pk) -> ProgressReport:
    return get_object_or_404(
        reports_visible_to(request.user).select_related("organisation", "council"), pk=pk
    )


@require_GET
@login_required
def report_download(request, pk):
    """The PDF as an attachment with a clear name, after checking access every time."""
    report = _report(request, pk)
    if report.status != ProgressReport.Status.READY or not report.file:
        raise Http404
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.download_name,
        content_type="application/pdf",
    )


@require_GET
@login_required
def report_data(request, pk):
    """The figures in the report's tables as CSV, with the same access check as the PDF."""
    report = _report(request, pk)
    if report.status != ProgressReport.Status.READY or not report.data:
        raise Http404
    return FileResponse(
        report.data.open("rb"),
        as_attachment=True,
        filename=report.data_name,
        content_type="text/csv; charset=utf-8",
    )


@require_POST
@programme_staff_required
def report_retry_view(request, pk):
    try:
        services.report_retry(report=_report(request, pk), acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The report is being built again.")
    return redirect("reports:list")


@require_POST
@programme_staff_required
def report_delete_view(request, pk):
    report = _report(request, pk)
    services.report_delete(report=report, acting_user=request.user)
    messages.success(request, f"The report on {report.subject_name} has been deleted.")
    return redirect("reports:list")


@require_GET
@never_cache
@programme_staff_required
def subject_access_download(request, pk):
    """Everything held about one learner, as a ZIP of CSV files and a PDF summary. Programme
    staff only: viewers, SROs and learners themselves get 403 (a learner asks the programme)."""
    learner = learner_get(user=request.user, pk=pk)
    content = subject_access.subject_access_zip(
        learner=learner, author=request.user.get_full_name()
    )
    audit.info("Subject access export of learner %s by user %s", learner.pk, request.user.pk)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{subject_access.download_name(learner)}"'
    )
    return response
