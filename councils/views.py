"""Council pages owned by this app: the list and onboarding, the council's transformation
support and its maturity self-assessments. The council page itself is composed in the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff
from cmpp.core.forms import add_service_errors, posted
from cmpp.core.forms_page import action_page
from cmpp.core.history import history_entries
from cmpp.core.pagination import paginate
from councils import services
from councils.filters import CouncilFilter, MaturityFilter, SupportFilter
from councils.forms import (
    SCORE_CHOICES,
    CouncilEditForm,
    CouncilOnboardForm,
    CouncilWithdrawForm,
    HandOverForm,
    MaturityForm,
    MaturityReviewForm,
    SupportForm,
)
from councils.models import MaturityAssessment
from councils.selectors import (
    assessment_scores,
    council_get,
    council_list,
    council_managing_body_history,
    maturity_areas,
    maturity_assessment_get,
    maturity_list,
    specialist_load,
    support_get,
    support_list,
    user_may_edit_assessment,
    user_may_fill_in_maturity,
    user_may_list_councils,
    user_may_list_support,
    user_may_manage_support,
    user_may_review_assessment,
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


# Transformation support ----------------------------------------------------------------------


def _council_for_support(request, pk):
    """The council, if the user may see it (404 otherwise), for a page only staff use (403 for
    others who see it)."""
    council = council_get(user=request.user, pk=pk)
    if not user_may_manage_support(request.user):
        raise PermissionDenied
    return council


def _support_page(request, council, form, act, *, title, submit, history=None):
    """The engagement form: on valid input, `act(data)` calls the service and returns the
    success message; back to the council page."""
    record_url = reverse("councils:detail", args=[council.pk])
    if request.method == "POST" and form.is_valid():
        try:
            message = act(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(f"{record_url}#support")
    return render(
        request,
        "councils/support_form.html",
        {
            "council": council,
            "form": form,
            "title": title,
            "submit": submit,
            "record_url": record_url,
            "history": history,
        },
    )


@login_required
def support_new_view(request, pk):
    """Programme staff record support for a council."""
    council = _council_for_support(request, pk)
    form = SupportForm(posted(request))

    def act(data):
        engagement = services.support_create(council=council, acting_user=request.user, **data)
        return f"Support \u2018{engagement.title}\u2019 has been added."

    return _support_page(request, council, form, act, title="Add support", submit="Add support")


@login_required
def support_edit_view(request, pk, engagement_pk):
    """Programme staff change an engagement as it goes; its history is shown under the form."""
    council = _council_for_support(request, pk)
    engagement = support_get(user=request.user, council=council, pk=engagement_pk)
    initial = {name: getattr(engagement, name) for name in services.SUPPORT_EDITABLE_FIELDS}
    form = SupportForm(posted(request), initial=initial, specialist=engagement.specialist)

    def act(data):
        services.support_update(engagement=engagement, acting_user=request.user, **data)
        return f"Support \u2018{engagement.title}\u2019 has been updated."

    return _support_page(
        request,
        council,
        form,
        act,
        title="Change support",
        submit="Save changes",
        history=history_entries(engagement.history.all()),
    )


@require_GET
@login_required
def support_list_view(request):
    """Staff and viewers follow every council's support, and each specialist's load."""
    if not user_may_list_support(request.user):
        raise PermissionDenied
    filterset = SupportFilter(request.GET, queryset=support_list(user=request.user))
    return render(
        request,
        "councils/support_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "load": specialist_load(filterset.qs),
            "can_manage": user_may_manage_support(request.user),
        },
    )


# Maturity self-assessments -------------------------------------------------------------------


@require_POST
@login_required
def maturity_new_view(request, pk):
    """The council's SRO starts its baseline, or a follow-up once it has one."""
    council = council_get(user=request.user, pk=pk)
    if not user_may_fill_in_maturity(request.user, council):
        raise PermissionDenied
    assessment, created = services.maturity_start(council=council, acting_user=request.user)
    if not created:
        messages.info(
            request,
            f"{council.name} already has a {assessment.get_kind_display().lower()} assessment "
            "in progress: this is it.",
        )
    return redirect("councils:maturity_detail", pk=council.pk, assessment_pk=assessment.pk)


SCORE_LABELS = dict(SCORE_CHOICES)


def _maturity_page(request, assessment, *, form=None, review_form=None):
    """The assessment: a form for its SRO while it can change, the answers otherwise, and for
    staff the review form once it is submitted."""
    areas = maturity_areas()
    scores = assessment_scores(assessment)
    can_edit = user_may_edit_assessment(request.user, assessment)
    can_review = user_may_review_assessment(request.user, assessment)
    if can_edit and form is None:
        form = MaturityForm(areas=areas, scores=scores)
    if can_review and review_form is None:
        review_form = MaturityReviewForm()
    errors = (form is not None and form.errors) or (review_form is not None and review_form.errors)
    return render(
        request,
        "councils/maturity_detail.html",
        {
            "council": assessment.council,
            "assessment": assessment,
            "rows": [
                {
                    "area": area,
                    "score": scores.get(area.pk),
                    "label": SCORE_LABELS.get(getattr(scores.get(area.pk), "score", None), ""),
                }
                for area in areas
            ],
            "form": form if can_edit else None,
            "review_form": review_form if can_review else None,
            "has_errors": bool(errors),
            "history": history_entries(assessment.history.all()),
        },
    )


@login_required
def maturity_detail_view(request, pk, assessment_pk):
    """The SRO fills in the assessment and saves it as a draft or submits it; staff and viewers
    read it."""
    council = council_get(user=request.user, pk=pk)
    assessment = maturity_assessment_get(user=request.user, council=council, pk=assessment_pk)
    if request.method != "POST":
        return _maturity_page(request, assessment)
    if not user_may_edit_assessment(request.user, assessment):
        raise PermissionDenied
    submitting = "submit" in request.POST
    form = MaturityForm(
        request.POST,
        areas=maturity_areas(),
        scores=assessment_scores(assessment),
        submitting=submitting,
    )
    if form.is_valid():
        try:
            services.maturity_save(
                assessment=assessment,
                answers=form.answers(),
                submit=submitting,
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if submitting:
                messages.success(
                    request,
                    "Your assessment has been submitted. The programme team will review it.",
                )
            else:
                messages.success(request, "Your draft has been saved.")
            return redirect("councils:maturity_detail", pk=council.pk, assessment_pk=assessment.pk)
    return _maturity_page(request, assessment, form=form)


@require_POST
@login_required
def maturity_review_view(request, pk, assessment_pk):
    """Programme staff accept a submitted assessment or return it with a note."""
    council = council_get(user=request.user, pk=pk)
    assessment = maturity_assessment_get(user=request.user, council=council, pk=assessment_pk)
    if not user_may_manage_support(request.user):
        raise PermissionDenied
    if not user_may_review_assessment(request.user, assessment):
        messages.error(
            request,
            f"This assessment is {assessment.get_status_display().lower()}, so it cannot be "
            "reviewed.",
        )
        return redirect("councils:maturity_detail", pk=council.pk, assessment_pk=assessment.pk)
    form = MaturityReviewForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.maturity_review(
                assessment=assessment,
                accept=accept,
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            word = "accepted" if accept else "returned to the council"
            messages.success(
                request,
                f"{council.name}'s {assessment.get_kind_display().lower()} assessment has been "
                f"{word}.",
            )
            return redirect("councils:detail", pk=council.pk)
    return _maturity_page(request, assessment, review_form=form)


@require_GET
@login_required
def maturity_list_view(request):
    """Staff and viewers follow every council's self-assessments, those waiting for review
    first."""
    if not user_may_list_support(request.user):
        raise PermissionDenied
    filterset = MaturityFilter(request.GET, queryset=maturity_list(user=request.user))
    return render(
        request,
        "councils/maturity_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "waiting": MaturityAssessment.Status.SUBMITTED,
        },
    )
