"""Learner CSV pages: import a file (upload, check, confirm) and export the learner list."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
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
    LearnerImportRefused,
    learners_import_preview,
)
from learners.selectors import learner_list, user_may_list_learners
from learners.services import learners_import

# The checked file waits here between the preview and the confirm, with its digest: the confirm
# form names the digest it was shown, so a file checked later in another tab is never imported
# in its place. Only a file with no wrong row is kept, and it goes when the session ends.
SESSION_KEY = "learner_import"


@never_cache
@programme_staff_required
@require_http_methods(["GET", "POST"])
def learner_import(request):
    """Programme staff upload a learner CSV, check what it would do, then confirm it."""
    if "digest" in request.POST:
        return _confirm(request)
    if request.method == "GET":
        return _upload_page(request, LearnerImportForm())
    form = LearnerImportForm(request.POST, request.FILES)
    if form.is_valid():
        preview = learners_import_preview(form.cleaned_data["file"])
        if not preview.file_error:
            return _show_preview(request, preview)
        form.add_error("file", preview.file_error)
    return _upload_page(request, form)


def _upload_page(request, form: LearnerImportForm):
    return render(
        request, "learners/import_upload.html", {"form": form, "max_learners": MAX_LEARNERS}
    )


def _show_preview(request, preview: ImportPreview, refused: LearnerImportRefused | None = None):
    digest = ""
    if preview.is_valid and refused is None:
        digest = hashlib.sha256(preview.data).hexdigest()
        request.session[SESSION_KEY] = {"csv": preview.data.decode("utf-8"), "digest": digest}
    return render(
        request,
        "learners/import_preview.html",
        {
            "preview": preview,
            "problems": refused.problems if refused else preview.problems,
            "refusal": str(refused) if refused and not refused.problems else "",
            "digest": digest,
            "funded_warnings": preview.funded_places_warnings() if digest else [],
        },
    )


def _confirm(request):
    stored = request.session.get(SESSION_KEY) or {}
    if not stored or stored["digest"] != request.POST["digest"]:
        messages.error(
            request,
            "The file you checked is no longer waiting to be imported. Upload it again.",
        )
        return redirect("learners:import")
    del request.session[SESSION_KEY]
    preview = learners_import_preview(stored["csv"].encode("utf-8"))
    try:
        counts = learners_import(preview=preview, acting_user=request.user)
    except LearnerImportRefused as refused:
        return _show_preview(request, preview, refused)
    return render(request, "learners/import_done.html", {"counts": counts})


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
