"""The cohort page with its roster, and the actions on it that change learners' places and
progress: enrolling, closing the cohort, the attendance register and recording a step for many
learners. The cohort's own records (details, sessions) are edited in cohorts.views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff
from cmpp.core.forms import add_service_errors, posted
from cmpp.core.history import history_entries
from cohorts.models import Cohort
from cohorts.selectors import cohort_get, cohort_sessions, level_steps, session_register_open
from councils.selectors import councils_visible_to
from learners import services
from learners.forms import AttendanceForm, CouncilEnrolForm, EnrolForm, StepsForm
from learners.selectors import (
    cohort_enrolment_candidates,
    cohort_learners,
    cohort_places,
    cohort_roster,
    session_marks,
)

CANDIDATES_SHOWN = 200


@require_GET
@login_required
def cohort_detail(request, pk):
    cohort = cohort_get(user=request.user, pk=pk)
    sessions = list(cohort_sessions(cohort=cohort))
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "roster": cohort_roster(user=request.user, cohort=cohort),
            "places": cohort_places(cohort=cohort),
            # Cancelled sessions are listed apart, and never offered for a register.
            "sessions": [s for s in sessions if not s.is_cancelled],
            "cancelled_sessions": [s for s in sessions if s.is_cancelled],
            "can_manage": user_is_programme_staff(request.user),
            "history": history_entries(cohort.history.all()),
        },
    )


def _staff_cohort(request, pk) -> Cohort:
    return cohort_get(user=request.user, pk=pk)


def _enrolled_page(request, cohort, result):
    return render(request, "cohorts/enrol_done.html", {"cohort": cohort, "result": result})


@programme_staff_required
@require_http_methods(["GET", "POST"])
def cohort_enrol(request, pk):
    """Choose learners from a filtered list, or take a whole council's learners, and enrol them.
    Past the cohort's capacity they join its waiting list in the order given."""
    cohort = _staff_cohort(request, pk)
    if cohort.status == Cohort.Status.COMPLETED:
        messages.error(request, f"{cohort.name} has closed, so nobody can be enrolled.")
        return redirect("cohorts:detail", pk=cohort.pk)
    council = None
    councils = councils_visible_to(request.user).order_by("name")
    council_id = request.GET.get("council", "")
    if council_id.isdigit():
        council = councils.filter(pk=council_id).first()
    q = request.GET.get("q", "").strip()
    candidates = cohort_enrolment_candidates(cohort=cohort, council=council, q=q)
    form = EnrolForm(eligible=candidates)
    council_form = CouncilEnrolForm()
    if request.method == "POST" and "whole_council" in request.POST:
        council_form = CouncilEnrolForm(request.POST)
        if council_form.is_valid():
            whole = cohort_enrolment_candidates(
                cohort=cohort, council=council_form.cleaned_data["council"]
            )
            result = services.enrolments_create(
                learners=list(whole), cohort=cohort, acting_user=request.user
            )
            return _enrolled_page(request, cohort, result)
    elif request.method == "POST":
        form = EnrolForm(request.POST, eligible=cohort_enrolment_candidates(cohort=cohort))
        if form.is_valid():
            chosen = sorted(form.cleaned_data["learners"], key=lambda x: (x.last_name, x.pk))
            result = services.enrolments_create(
                learners=chosen, cohort=cohort, acting_user=request.user
            )
            return _enrolled_page(request, cohort, result)
    total = candidates.count()
    return render(
        request,
        "cohorts/enrol.html",
        {
            "cohort": cohort,
            "form": form,
            "council_form": council_form,
            "candidates": candidates[:CANDIDATES_SHOWN],
            "total": total,
            "shown": min(total, CANDIDATES_SHOWN),
            "councils": councils.only("pk", "name"),
            "council": council,
            "q": q,
            "places_free": cohort_places(cohort=cohort).free,
        },
    )


@programme_staff_required
@require_http_methods(["GET", "POST"])
def cohort_close_view(request, pk):
    cohort = _staff_cohort(request, pk)
    if request.method == "POST":
        try:
            services.cohort_close(cohort=cohort, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{cohort.name} has closed.")
        return redirect("cohorts:detail", pk=cohort.pk)
    places = cohort_places(cohort=cohort)
    return render(
        request,
        "cohorts/cohort_close.html",
        {
            "cohort": cohort,
            "enrolled": places.enrolled,
            "waiting": places.waiting,
        },
    )


@programme_staff_required
@require_http_methods(["GET", "POST"])
def cohort_attendance(request, pk, session_pk):
    """The register for one session: present, absent or apologies for each learner."""
    cohort = _staff_cohort(request, pk)
    session = get_object_or_404(
        cohort.sessions.select_related("step"), pk=session_pk, is_cancelled=False
    )
    if not session_register_open(session):
        # Not started yet: say when the register opens instead of showing it.
        return render(
            request,
            "cohorts/attendance.html",
            {
                "cohort": cohort,
                "session": session,
                "not_open": services.register_opens_message(session),
            },
        )
    form = AttendanceForm(
        posted(request),
        learners=cohort_learners(cohort=cohort),
        marks=session_marks(session=session),
    )
    if request.method == "POST" and not form.marked_all and form.is_valid():
        try:
            present = services.attendance_record(
                session=session, marks=form.marks(), acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            step = f" They have completed {session.step.name}." if session.step and present else ""
            messages.success(
                request,
                f"Attendance saved for {session.title}: {present} present.{step}",
            )
            return redirect("cohorts:detail", pk=cohort.pk)
    return render(
        request,
        "cohorts/attendance.html",
        {"cohort": cohort, "session": session, "form": form},
    )


@programme_staff_required
@require_http_methods(["GET", "POST"])
def cohort_steps(request, pk):
    """Record that several learners on the roster completed a step."""
    cohort = _staff_cohort(request, pk)
    form = StepsForm(
        posted(request),
        steps=level_steps(level_id=cohort.level_id),
        learners=cohort_learners(cohort=cohort),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        learners = sorted(data["learners"], key=lambda x: (x.last_name, x.first_name))
        try:
            done = services.steps_complete(
                learners=learners, step=data["step"], on=data["on"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(
                request, "cohorts/cohort_steps_done.html", {"cohort": cohort, "done": done}
            )
    return render(request, "cohorts/cohort_steps.html", {"cohort": cohort, "form": form})
