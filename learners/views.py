"""Learner pages: the list, a learner's record, and a learner's own accreditation status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cmpp.accounts.selectors import (
    invitation_latest,
    user_is_programme_staff,
    user_sees_whole_programme,
)
from cmpp.core.pagination import paginate
from councils.selectors import council_ids_led_by
from learners import services
from learners.forms import LearnerForm
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
            "can_manage": user_is_programme_staff(request.user),
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
    context["can_manage"] = user_is_programme_staff(request.user)
    context["invitation"] = invitation_latest(user=learner.user)
    return render(request, "learners/learner_detail.html", context)


@login_required
def learner_create_view(request):
    """Programme staff add a learner; the learner is emailed an invitation to the portal."""
    if not user_is_programme_staff(request.user):
        raise PermissionDenied
    form = LearnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            learner = services.learner_create(**form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"{learner.full_name} has been added and emailed an invitation."
            )
            return redirect("learners:detail", pk=learner.pk)
    return render(request, "learners/learner_form.html", {"form": form})


@require_POST
@login_required
def learner_invite_view(request, pk):
    """Send a learner a new invitation; the link in the earlier one stops working."""
    if not user_is_programme_staff(request.user):
        raise PermissionDenied
    learner = learner_get(user=request.user, pk=pk)
    if learner.status == Learner.Status.WITHDRAWN:
        messages.error(request, f"{learner.full_name} has withdrawn, so was not invited.")
    elif services.learner_invite(learner=learner, acting_user=request.user) is None:
        messages.error(
            request, f"{learner.full_name} already signs in to the portal, so needs no invitation."
        )
    else:
        messages.success(
            request,
            f"A new invitation has been emailed to {learner.email}. "
            "The link in any earlier invitation no longer works.",
        )
    return redirect("learners:detail", pk=learner.pk)


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
