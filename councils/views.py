"""Council pages owned by this app: the list and onboarding. The council page itself is composed
in reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cmpp.accounts.selectors import user_is_programme_staff, user_sees_whole_programme
from cmpp.core.forms import posted
from cmpp.core.pagination import paginate
from councils import services
from councils.forms import CouncilOnboardForm
from councils.selectors import council_ids_led_by, council_list


@require_GET
@login_required
def council_list_view(request):
    if not (user_sees_whole_programme(request.user) or council_ids_led_by(request.user)):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()
    page = paginate(request, council_list(user=request.user, q=q))
    return render(
        request,
        "councils/council_list.html",
        {"page": page, "q": q, "can_manage": user_is_programme_staff(request.user)},
    )


@login_required
def council_onboard_view(request):
    """Programme staff add a council with its managing body and SRO, who is emailed a welcome."""
    if not user_is_programme_staff(request.user):
        raise PermissionDenied
    form = CouncilOnboardForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            council = services.council_onboard(**form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{council.name} has been onboarded. We have emailed its SRO, "
                f"{form.cleaned_data['sro_email']}.",
            )
            return redirect("council_detail", pk=council.pk)
    return render(request, "councils/council_onboard.html", {"form": form})
