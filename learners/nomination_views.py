"""Nominations: an SRO puts an officer forward; programme staff approve or decline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff, user_sees_whole_programme
from cmpp.core.forms import add_service_errors, posted
from cmpp.core.forms_page import action_page
from cmpp.core.history import history_entries
from cmpp.core.pagination import paginate
from councils.selectors import councils_led_by
from learners import services
from learners.forms import NominateForm, NominationDeclineForm
from learners.models import Nomination
from learners.selectors import learner_with_email, nominations_visible_to


@login_required
def nominate_view(request):
    """An SRO nominates an officer from their council. Every valid nomination gets the same
    answer, whoever the email belongs to: the SRO learns nothing about other councils."""
    councils = councils_led_by(request.user)
    if not councils:
        raise PermissionDenied
    form = NominateForm(posted(request), councils=councils)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nomination_create(**form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"You have nominated {nomination.full_name}. The programme team will check the "
                "nomination and email them an invitation.",
            )
            return redirect("home")
    return render(request, "learners/nominate.html", {"form": form})


def _whole_programme_only(request):
    # The detail says whether the email is already a learner somewhere: staff and viewers only.
    if not user_sees_whole_programme(request.user):
        raise PermissionDenied


@require_GET
@login_required
def nomination_list_view(request):
    _whole_programme_only(request)
    status = request.GET.get("status", Nomination.Status.PENDING)
    if status not in Nomination.Status.values:
        status = Nomination.Status.PENDING
    nominations = (
        nominations_visible_to(request.user)
        .filter(status=status)
        .select_related("council", "target_level", "nominated_by")
    )
    return render(
        request,
        "learners/nomination_list.html",
        {
            "page": paginate(request, nominations),
            "status": status,
            "statuses": Nomination.Status.choices,
        },
    )


def _nomination(request, pk) -> Nomination:
    return get_object_or_404(
        nominations_visible_to(request.user).select_related(
            "council", "target_level", "nominated_by", "decided_by", "learner"
        ),
        pk=pk,
    )


@require_GET
@login_required
def nomination_detail_view(request, pk):
    _whole_programme_only(request)
    nomination = _nomination(request, pk)
    existing = None
    if nomination.status == Nomination.Status.PENDING:
        existing = learner_with_email(nomination.email)
    return render(
        request,
        "learners/nomination_detail.html",
        {
            "nomination": nomination,
            "existing": existing,
            "can_manage": user_is_programme_staff(request.user),
            "history": history_entries(nomination.history.all()),
        },
    )


@require_POST
@programme_staff_required
def nomination_approve_view(request, pk):
    nomination = _nomination(request, pk)
    try:
        learner = services.nomination_approve(nomination=nomination, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learners:nomination_detail", pk=nomination.pk)
    messages.success(
        request, f"{learner.full_name}'s nomination is approved and they have been invited."
    )
    return redirect("learners:detail", pk=learner.pk)


@programme_staff_required
def nomination_decline_view(request, pk):
    nomination = _nomination(request, pk)
    form = NominationDeclineForm(posted(request))

    def act(data):
        services.nomination_decline(
            nomination=nomination, reason=data["decision_note"], acting_user=request.user
        )
        return f"The nomination of {nomination.full_name} is not taken forward."

    return action_page(
        request,
        form=form,
        act=act,
        record_url=reverse("learners:nomination_detail", args=[nomination.pk]),
        caption=f"Nomination of {nomination.full_name}",
        title="Decline the nomination",
        submit="Decline nomination",
    )
