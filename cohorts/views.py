"""Cohort pages owned by this app: the list, creating and editing cohorts, starting them, and
their sessions. The cohort page with its roster is composed in reports (it shows learners), and
the actions that change enrolments live in learners."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff
from cmpp.core.forms import add_service_errors, posted
from cmpp.core.pagination import paginate
from cohorts import services
from cohorts.filters import CohortFilter
from cohorts.forms import CohortForm, SessionForm
from cohorts.selectors import cohort_get, cohort_list, cohort_years, user_may_list_cohorts


@require_GET
@login_required
def cohort_list_view(request):
    if not user_may_list_cohorts(request.user):
        raise PermissionDenied
    filterset = CohortFilter(
        request.GET, queryset=cohort_list(user=request.user), years=cohort_years()
    )
    return render(
        request,
        "cohorts/cohort_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "can_manage": user_is_programme_staff(request.user),
        },
    )


def _cohort_form_page(request, form, cohort=None):
    if request.method == "POST" and form.is_valid():
        try:
            if cohort is None:
                cohort = services.cohort_create(**form.cleaned_data, acting_user=request.user)
                messages.success(request, f"{cohort.name} has been created.")
            else:
                cohort = services.cohort_update(
                    cohort=cohort, **form.cleaned_data, acting_user=request.user
                )
                messages.success(request, f"{cohort.name} has been updated.")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("cohorts:detail", pk=cohort.pk)
    return render(request, "cohorts/cohort_form.html", {"form": form, "cohort": cohort})


@programme_staff_required
def cohort_create_view(request):
    return _cohort_form_page(request, CohortForm(posted(request)))


@programme_staff_required
def cohort_edit_view(request, pk):
    cohort = cohort_get(user=request.user, pk=pk)
    initial = {name: getattr(cohort, name) for name in services.COHORT_EDITABLE_FIELDS}
    form = CohortForm(posted(request), initial=initial, cohort=cohort)
    return _cohort_form_page(request, form, cohort)


@require_POST
@programme_staff_required
def cohort_start_view(request, pk):
    cohort = cohort_get(user=request.user, pk=pk)
    try:
        services.cohort_start(cohort=cohort, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{cohort.name} has started.")
    return redirect("cohorts:detail", pk=cohort.pk)


def _session_form_page(request, cohort, session=None):
    initial = SessionForm.initial_for(session) if session else None
    form = SessionForm(posted(request), cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if session is None:
                session = services.session_create(
                    cohort=cohort, **form.session_fields(), acting_user=request.user
                )
                messages.success(request, f"{session.title} has been added.")
            else:
                services.session_update(
                    session=session, **form.session_fields(), acting_user=request.user
                )
                messages.success(request, f"{session.title} has been updated.")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("cohorts:detail", pk=cohort.pk)
    return render(
        request,
        "cohorts/session_form.html",
        {"form": form, "cohort": cohort, "session": session},
    )


@programme_staff_required
def session_create_view(request, pk):
    return _session_form_page(request, cohort_get(user=request.user, pk=pk))


@programme_staff_required
def session_edit_view(request, pk, session_pk):
    cohort = cohort_get(user=request.user, pk=pk)
    session = get_object_or_404(cohort.sessions, pk=session_pk, is_cancelled=False)
    return _session_form_page(request, cohort, session)


@programme_staff_required
@require_http_methods(["GET", "POST"])
def session_cancel_view(request, pk, session_pk):
    """Ask to confirm, then cancel: learners see it as cancelled and it keeps no register."""
    cohort = cohort_get(user=request.user, pk=pk)
    session = get_object_or_404(cohort.sessions, pk=session_pk, is_cancelled=False)
    if request.method == "POST":
        try:
            services.session_cancel(session=session, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{session.title} has been cancelled.")
        return redirect("cohorts:detail", pk=cohort.pk)
    return render(request, "cohorts/session_cancel.html", {"cohort": cohort, "session": session})
