"""Pages under /levels/: the accreditation levels, their steps in order, and the forms with which
programme staff change them. Staff and viewers read them; only programme staff change them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff
from cmpp.core.forms import add_service_errors, posted
from cmpp.core.forms_page import action_page
from cmpp.core.history import history_entries
from cohorts import services
from cohorts.forms import LevelForm, LevelStepForm
from cohorts.selectors import (
    level_all_steps,
    level_get,
    level_list,
    level_step_get,
    user_may_list_cohorts,
)


def _readable_level(request, pk):
    if not user_may_list_cohorts(request.user):
        raise PermissionDenied
    return level_get(user=request.user, pk=pk)


@require_GET
@login_required
def level_list_view(request):
    if not user_may_list_cohorts(request.user):
        raise PermissionDenied
    return render(request, "levels/level_list.html", {"levels": level_list(user=request.user)})


@require_GET
@login_required
def level_detail_view(request, pk):
    level = _readable_level(request, pk)
    return render(
        request,
        "levels/level_detail.html",
        {
            "level": level,
            "steps": level_all_steps(level=level),
            "can_manage": user_is_programme_staff(request.user),
            "history": history_entries(level.history.all()),
        },
    )


def _level_url(level) -> str:
    return reverse("levels:detail", args=[level.pk])


@programme_staff_required
def level_edit_view(request, pk):
    level = level_get(user=request.user, pk=pk)
    initial = {name: getattr(level, name) for name in services.LEVEL_EDITABLE_FIELDS}
    form = LevelForm(posted(request), initial=initial)

    def act(data):
        services.level_update(level=level, acting_user=request.user, **data)
        return f"{data['name']} has been updated."

    return action_page(
        request,
        form=form,
        act=act,
        record_url=_level_url(level),
        caption=level.name,
        title="Edit level",
        submit="Save changes",
    )


@programme_staff_required
def level_step_create_view(request, pk):
    level = level_get(user=request.user, pk=pk)
    form = LevelStepForm(posted(request), initial={"required_before_assessment": True})

    def act(data):
        step = services.level_step_create(level=level, acting_user=request.user, **data)
        return f"{step.name} has been added to {level.name}."

    return action_page(
        request,
        form=form,
        act=act,
        record_url=_level_url(level),
        caption=level.name,
        title="Add a step",
        submit="Add step",
    )


@programme_staff_required
def level_step_edit_view(request, pk, step_pk):
    level = level_get(user=request.user, pk=pk)
    step = level_step_get(level=level, pk=step_pk)
    initial = {name: getattr(step, name) for name in services.STEP_EDITABLE_FIELDS}
    form = LevelStepForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.level_step_update(step=step, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['name']} has been updated.")
            return redirect(_level_url(level))
    return render(
        request,
        "levels/step_form.html",
        {
            "form": form,
            "level": level,
            "step": step,
            "history": history_entries(step.history.all()),
        },
    )


def _step_action(request, pk, step_pk, act):
    """A one-button change to a step (move, retire, bring back): say what happened, or why
    nothing did, and go back to the level."""
    level = level_get(user=request.user, pk=pk)
    step = level_step_get(level=level, pk=step_pk)
    try:
        message = act(step)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, message)
    return redirect(_level_url(level))


@require_POST
@programme_staff_required
def level_step_move_view(request, pk, step_pk):
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404

    def act(step):
        services.level_step_move(step=step, direction=direction, acting_user=request.user)
        return f"{step.name} has moved {direction}."

    return _step_action(request, pk, step_pk, act)


@require_POST
@programme_staff_required
def level_step_retire_view(request, pk, step_pk):
    def act(step):
        services.level_step_retire(step=step, acting_user=request.user)
        return f"{step.name} has been retired. Learners who did it keep it on their record."

    return _step_action(request, pk, step_pk, act)


@require_POST
@programme_staff_required
def level_step_restore_view(request, pk, step_pk):
    def act(step):
        services.level_step_restore(step=step, acting_user=request.user)
        return f"{step.name} is part of the level again."

    return _step_action(request, pk, step_pk, act)


@programme_staff_required
def level_step_delete_view(request, pk, step_pk):
    level = level_get(user=request.user, pk=pk)
    step = level_step_get(level=level, pk=step_pk)

    def act(data):
        services.level_step_delete(step=step, acting_user=request.user)
        return f"{step.name} has been deleted."

    return action_page(
        request,
        form=forms.Form(posted(request)),
        act=act,
        record_url=_level_url(level),
        caption=level.name,
        title=f"Delete {step.name}?",
        submit="Delete step",
    )
