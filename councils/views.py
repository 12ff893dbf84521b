"""Council pages owned by this app: the list and onboarding. The council page itself is composed
in reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff
from cmpp.core.forms import add_service_errors, posted
from cmpp.core.forms_page import action_page
from cmpp.core.pagination import paginate
from councils import services
from councils.filters import CouncilFilter
from councils.forms import CouncilEditForm, CouncilOnboardForm, CouncilWithdrawForm, HandOverForm
from councils.selectors import (
    council_get,
    council_list,
    council_managing_body_history,
    user_may_list_councils,
)


@require_GET
@login_required
def council_list_view(request):
    if not user_may_list_councils(request.user):
        raise PermissionDenied
    filterset = CouncilFilter(request.GET, queryset=council_list(user=request.user))
    return render(
        request,
        "councils/council_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "can_manage": user_is_programme_staff(request.user),
        },
    )


@programme_staff_required
def council_onboard_view(request):
    """Programme staff add a council with its managing body and SRO, who is emailed a welcome."""
    form = CouncilOnboardForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            council = services.council_onboard(**form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{council.name} has been onboarded. We have emailed its SRO, "
                f"{form.cleaned_data['sro_email']}.",
            )
            return redirect("councils:detail", pk=council.pk)
    return render(request, "councils/council_onboard.html", {"form": form})


def _staff_council(request, pk):
    return council_get(user=request.user, pk=pk)


def _council_action(request, council, form, title, submit, act):
    return action_page(
        request,
        form=form,
        act=act,
        record_url=reverse("councils:detail", args=[council.pk]),
        caption=council.name,
        title=title,
        submit=submit,
    )


@programme_staff_required
def council_edit_view(request, pk):
    council = _staff_council(request, pk)
    initial = {name: getattr(council, name) for name in services.COUNCIL_EDITABLE_FIELDS}
    form = CouncilEditForm(posted(request), initial=initial)

    def act(data):
        services.council_update(council=council, acting_user=request.user, **data)
        return f"{council.name}'s details have been updated."

    return _council_action(request, council, form, "Edit council", "Save changes", act)


@programme_staff_required
def council_hand_over_view(request, pk):
    council = _staff_council(request, pk)
    current = council_managing_body_history(council=council).filter(ends_on__isnull=True).first()
    form = HandOverForm(posted(request), current_start=current.starts_on if current else None)

    def act(data):
        services.council_hand_over(
            council=council,
            to_organisation=data["to_organisation"],
            on=data["on"],
            acting_user=request.user,
        )
        return f"{data['to_organisation'].name} manages {council.name} from {data['on']:%-d %B %Y}."

    title = "Hand over to another managing body"
    return _council_action(request, council, form, title, "Hand over", act)


@programme_staff_required
def council_withdraw_view(request, pk):
    council = _staff_council(request, pk)
    form = CouncilWithdrawForm(posted(request))

    def act(data):
        services.council_withdraw(council=council, reason=data["reason"], acting_user=request.user)
        return f"{council.name} has withdrawn from the programme."

    title = "Withdraw the council from the programme"
    return _council_action(request, council, form, title, "Withdraw council", act)
