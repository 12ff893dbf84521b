"""Learner CSV pages: import a file (upload, check, confirm) and export the learner list."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cmpp.accounts.decorators import programme_staff_required
from cmpp.core.csv import csv_stream
from learners.exports import EXPORT_COLUMNS, learner_export_rows
from learners.filters import LearnerFilter
from learners.forms import LearnerImportForm
from learners.imports import (
    MAX_LEARNERS,
    ImportPreview,
    RowProblem,
    learners_import_preview,
)
from learners.models import LearnerImport
from learners.selectors import (
    learner_import_get,
    learner_import_progress,
    learner_list,
    learners_by_name,
    user_may_list_learners,
)
from learners.services import learner_import_check, learner_import_start

# The preview and the result pages list at most this many learners and problems each: a file
# may hold 20,000, and a page of them all would be megabytes that nobody reads.
SHOWN = 200


@never_cache
@programme_staff_required
@require_http_methods(["GET", "POST"])
def learner_import(request):
    """Programme staff upload a learner CSV and see what it would do; a good file is kept for
    them to confirm on its own page (`learner_import_job`)."""
    if request.method == "GET":
        return _upload_page(request, LearnerImportForm())
    form = LearnerImportForm(request.POST, request.FILES)
    if form.is_valid():
        preview, job = learner_import_check(
            source=form.cleaned_data["file"], acting_user=request.user
        )
        if not preview.file_error:
            return _show_preview(request, preview, job)
        form.add_error("file", preview.file_error)
    return _upload_page(request, form)


def _upload_page(request, form: LearnerImportForm):
    return render(
        request, "learners/import_upload.html", {"form": form, "max_learners": MAX_LEARNERS}
    )


def _show_preview(request, preview: ImportPreview, job: LearnerImport | None):
    return render(
        request,
        "learners/import_preview.html",
        {
            "preview": preview,
            "counts": preview.counts,
            "to_add": preview.to_add[:SHOWN],
            "to_update": preview.to_update[:SHOWN],
            "problems": preview.problems[:SHOWN],
            "problems_count": len(preview.problems),
            "shown": SHOWN,
            "job": job,
            "funded_warnings": preview.funded_places_warnings() if job else [],
        },
    )


@never_cache
@programme_staff_required
@require_http_methods(["GET", "POST"])
def learner_import_job(request, pk: int):
    """A checked file's page: confirm it (POST, once however often it is sent), watch it import
    (the page refreshes itself while the job runs), then its result or why nothing was
    imported. Only the person who checked the file sees it."""
    job = learner_import_get(user=request.user, pk=pk)
    if request.method == "POST":
        learner_import_start(job=job)
        return redirect("learners:import_job", pk=job.pk)
    if job.status == LearnerImport.Status.CHECKED:
        return _show_preview(request, learners_import_preview(bytes(job.file)), job)
    if job.status == LearnerImport.Status.QUEUED:
        return render(
            request,
            "learners/import_progress.html",
            {"job": job, "progress": learner_import_progress(job)},
        )
    if job.status == LearnerImport.Status.FAILED:
        problems = [RowProblem(line, reason) for line, reason in job.problems]
        return render(
            request,
            "learners/import_failed.html",
            {
                "job": job,
                "problems": problems[:SHOWN],
                "problems_count": len(problems),
                "shown": SHOWN,
            },
        )
    return render(
        request,
        "learners/import_done.html",
        {
            "job": job,
            "added_learners": learners_by_name(ids=job.added_ids[:SHOWN]),
            "updated_learners": learners_by_name(ids=job.updated_ids[:SHOWN]),
            "shown": SHOWN,
        },
    )


@never_cache
@require_GET
@login_required
def learner_export(request):
    """The learner list as a CSV, filtered exactly as the page is (the same LearnerFilter)."""
    if not user_may_list_learners(request.user):
        raise PermissionDenied
    filterset = LearnerFilter(
        request.GET, queryset=learner_list(user=request.user), user=request.user
    )
    if filterset.errors:
        # A stale or mistyped link: the list says which filter it could not use, rather than
        # a file of learners that filter would have left out.
        return redirect(f"{reverse('learners:list')}?{request.GET.urlencode()}")
    response = StreamingHttpResponse(
        csv_stream(
            header=EXPORT_COLUMNS,
            rows=learner_export_rows(learners=filterset.qs),
        ),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"learners-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
