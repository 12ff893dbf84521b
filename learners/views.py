"""Learner pages: the list, a learner's record, and a learner's own accreditation status."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.pagination import paginate
from councils.selectors import council_ids_led_by
from learners.models import Learner
from learners.selectors import (
    at_risk_cutoff,
    learner_current_cohort,
    learner_enrolments,
    learner_get,
    learner_list,
    learner_of_user,
    learner_pipeline,
    learner_sessions,
)


@require_GET
@login_required
def learner_list_view(request):
    if not (user_sees_whole_programme(request.user) or council_ids_led_by(request.user)):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in Learner.Status.values:
        status = ""
    page = paginate(request, learner_list(user=request.user, q=q, status=status))
    return render(
        request,
        "learners/learner_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": Learner.Status.choices,
            "at_risk_cutoff": at_risk_cutoff(),
        },
    )


def _learner_record_context(learner: Learner) -> dict:
    return {
        "learner": learner,
        "pipeline": learner_pipeline(learner=learner),
        "enrolments": learner_enrolments(learner=learner),
        "assessments": learner.assessments.select_related("level").order_by("-booked_for"),
        "accreditations": learner.accreditations.select_related("level"),
    }


@require_GET
@login_required
def learner_detail(request, pk):
    learner = learner_get(user=request.user, pk=pk)
    context = _learner_record_context(learner)
    context["history"] = learner.history.select_related("history_user")[:20]
    return render(request, "learners/learner_detail.html", context)


@require_GET
@login_required
def me(request):
    learner = learner_of_user(user=request.user)
    if learner is None:
        raise Http404("You are not registered as a learner on the programme.")
    now = timezone.now()
    sessions = learner_sessions(learner=learner)
    context = _learner_record_context(learner)
    context.update(
        {
            "cohort": learner_current_cohort(learner=learner),
            "upcoming_sessions": sessions.filter(starts_at__gte=now).order_by("starts_at"),
            "past_sessions": sessions.filter(starts_at__lt=now).order_by("-starts_at"),
        }
    )
    return render(request, "learners/me.html", context)
