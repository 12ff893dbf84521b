"""Learner pages: the list, a learner's record, and a learner's own accreditation status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff
from cmpp.core.forms import add_service_errors, posted
from cmpp.core.forms_page import action_page, safe_next
from cmpp.core.history import history_entries
from cohorts.selectors import cohorts_open_at_level, level_steps
from learners import services
from learners.filters import LearnerFilter
from learners.forms import (
    AssessmentBookForm,
    AssessmentCorrectForm,
    AssessmentResultForm,
    CpdForm,
    EnrolmentMoveForm,
    LearnerForm,
    LearnerStatusForm,
    LearnerStepForm,
    ReasonForm,
)
from learners.models import Enrolment, Learner
from learners.selectors import (
    current_cohort,
    learner_assessments,
    learner_cpd_entries,
    learner_enrolments,
    learner_get,
    learner_list,
    learner_of_user,
    learner_page,
    learner_pipeline,
    learner_results,
    learner_sessions_with_attendance,
    renewal_summary,
    user_may_list_learners,
)


@require_GET
@login_required
def learner_list_view(request):
    if not user_may_list_learners(request.user):
        raise PermissionDenied
    filterset = LearnerFilter(
        request.GET, queryset=learner_list(user=request.user), user=request.user
    )
    return render(
        request,
        "learners/learner_list.html",
        {
            "filterset": filterset,
            "page": learner_page(request, filterset.qs),
            "can_manage": user_is_programme_staff(request.user),
            "export_query": filterset.valid_query(),
        },
    )


def _learner_record_context(learner: Learner) -> dict:
    return {
        "learner": learner,
        "pipeline": learner_pipeline(learner=learner),
        "enrolments": list(learner_enrolments(learner=learner)),
        "assessments": learner_assessments(learner=learner),
        "accreditations": list(learner.accreditations.select_related("level")),
    }


@require_GET
@login_required
def learner_detail(request, pk):
    learner = learner_get(user=request.user, pk=pk)
    context = _learner_record_context(learner)
    context["history"] = history_entries(learner.history.all())
    context["can_manage"] = user_is_programme_staff(request.user)
    context["invitation"] = learner.invitation
    return render(request, "learners/learner_detail.html", context)


@programme_staff_required
def learner_create_view(request):
    """Programme staff add a learner; the learner is emailed an invitation to the portal."""
    form = LearnerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            learner = services.learner_create(**form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{learner.full_name} has been added and emailed an invitation."
            )
            return redirect("learners:detail", pk=learner.pk)
    return render(request, "learners/learner_form.html", {"form": form})


@require_POST
@programme_staff_required
def learner_invite_view(request, pk):
    """Send a learner a new invitation; the link in the earlier one stops working."""
    learner = learner_get(user=request.user, pk=pk)
    try:
        services.learner_invitation_resend(learner=learner, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
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
    learner = _own_learner(request)
    now = timezone.now()
    sessions = learner_sessions_with_attendance(learner=learner)
    context = _learner_record_context(learner)
    context.update(
        {
            "cohort": current_cohort(context["enrolments"]),
            "upcoming_sessions": [s for s in sessions if s.starts_at >= now],
            "past_sessions": [s for s in sessions if s.starts_at < now][::-1],
            "renewals": renewal_summary(learner=learner, accreditations=context["accreditations"]),
            "cpd_entries": learner_cpd_entries(learner=learner),
        }
    )
    return render(request, "learners/me.html", context)


def _own_learner(request) -> Learner:
    learner = learner_of_user(user=request.user)
    if learner is None:
        raise Http404("You are not registered as a learner on the programme.")
    return learner


def _cpd_page(request, learner, form, entry=None):
    if request.method == "POST" and form.is_valid():
        try:
            if entry is None:
                services.cpd_entry_create(
                    learner=learner, acting_user=request.user, **form.cleaned_data
                )
                messages.success(request, f"{form.cleaned_data['hours']} hours of CPD logged.")
            else:
                services.cpd_entry_update(
                    entry=entry, acting_user=request.user, **form.cleaned_data
                )
                messages.success(request, "Your CPD entry has been updated.")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"{reverse('me')}#cpd")
    return render(request, "learners/cpd_form.html", {"form": form, "entry": entry})


@login_required
def cpd_create_view(request):
    learner = _own_learner(request)
    return _cpd_page(request, learner, CpdForm(posted(request)))


@login_required
def cpd_edit_view(request, pk):
    learner = _own_learner(request)
    entry = get_object_or_404(learner.cpd_entries, pk=pk)
    initial = {name: getattr(entry, name) for name in services.CPD_EDITABLE_FIELDS}
    return _cpd_page(request, learner, CpdForm(posted(request), initial=initial), entry)


@login_required
def cpd_delete_view(request, pk):
    learner = _own_learner(request)
    entry = get_object_or_404(learner.cpd_entries, pk=pk)
    if request.method == "POST":
        services.cpd_entry_delete(entry=entry, acting_user=request.user)
        messages.success(request, "Your CPD entry has been deleted.")
        return redirect(f"{reverse('me')}#cpd")
    return render(request, "learners/cpd_delete.html", {"entry": entry})


# Staff actions on one learner's record ---------------------------------------------------------


def _staff_learner(request, pk) -> Learner:
    return learner_get(user=request.user, pk=pk)


def _action_page(request, learner, form, title, submit, act, *, back_label=""):
    """`back_label` names the page a safe `next` returns to (the cohort page's roster opens the
    enrolment actions with one); without `next` the page returns to the learner."""
    back = safe_next(request) if back_label else ""
    return action_page(
        request,
        form=form,
        act=act,
        record_url=back or reverse("learners:detail", args=[learner.pk]),
        caption=learner.full_name,
        title=title,
        submit=submit,
        back_label=back_label if back else "",
    )


@programme_staff_required
def learner_edit_view(request, pk):
    learner = _staff_learner(request, pk)
    initial = {name: getattr(learner, name) for name in services.LEARNER_EDITABLE_FIELDS}
    form = LearnerForm(posted(request), initial=initial, learner=learner)

    def act(data):
        services.learner_update(learner=learner, acting_user=request.user, **data)
        return f"{learner.full_name}'s details have been updated."

    return _action_page(request, learner, form, "Edit details", "Save changes", act)


@programme_staff_required
def learner_status_view(request, pk):
    learner = _staff_learner(request, pk)
    form = LearnerStatusForm(posted(request), initial={"status": learner.status})

    def act(data):
        services.learner_set_status(
            learner=learner, status=data["status"], reason=data["reason"], acting_user=request.user
        )
        return f"{learner.full_name} is now {learner.get_status_display().lower()}."

    return _action_page(request, learner, form, "Change status", "Save status", act)


@programme_staff_required
def learner_step_view(request, pk):
    learner = _staff_learner(request, pk)
    form = LearnerStepForm(posted(request), steps=level_steps(level_id=learner.target_level_id))

    def act(data):
        services.steps_complete(
            learners=[learner], step=data["step"], on=data["on"], acting_user=request.user
        )
        return f"{data['step'].name} recorded as completed."

    return _action_page(request, learner, form, "Record a completed step", "Record step", act)


@programme_staff_required
def assessment_book_view(request, pk):
    learner = _staff_learner(request, pk)
    form = AssessmentBookForm(posted(request), initial={"level": learner.target_level_id})

    def act(data):
        services.assessment_book(
            learner=learner,
            level=data["level"],
            booked_for=data["booked_for"],
            acting_user=request.user,
        )
        return f"{data['level'].name} assessment booked for {data['booked_for']:%-d %B %Y}."

    return _action_page(request, learner, form, "Book an assessment", "Book assessment", act)


@programme_staff_required
def assessment_result_view(request, pk, attempt_pk):
    learner = _staff_learner(request, pk)
    attempt = get_object_or_404(
        learner.assessments.select_related("level"), pk=attempt_pk, result="pending"
    )
    form = AssessmentResultForm(posted(request))

    def act(data):
        accreditation = services.assessment_record_result(
            attempt=attempt,
            result=data["result"],
            result_on=data["result_on"],
            override_reason=data["override_reason"],
            acting_user=request.user,
        )
        if accreditation is None:
            return "Fail recorded. You can book a resit."
        return (
            f"Pass recorded: {learner.full_name} is accredited at {attempt.level.name} and "
            "has been emailed their congratulations."
        )

    title = f"Record the {attempt.level.name} assessment result"
    return _action_page(request, learner, form, title, "Record result", act)


@programme_staff_required
def assessment_correct_view(request, pk, attempt_pk):
    """Correct a recorded result: pass to fail, fail to pass, or its date. The accreditation
    follows the correction."""
    learner = _staff_learner(request, pk)
    attempt = get_object_or_404(learner_results(learner=learner), pk=attempt_pk)
    form = AssessmentCorrectForm(
        posted(request), initial={"result": attempt.result, "result_on": attempt.result_on}
    )

    def act(data):
        accreditation = services.assessment_correct_result(
            attempt=attempt,
            result=data["result"],
            result_on=data["result_on"],
            reason=data["reason"],
            override_steps=data["override"],
            acting_user=request.user,
        )
        if accreditation is None:
            return (
                f"Result corrected to a fail on {data['result_on']:%-d %B %Y}. "
                f"{learner.full_name} does not hold {attempt.level.name} from this assessment."
            )
        return (
            f"Result corrected to a pass on {data['result_on']:%-d %B %Y}. "
            f"{learner.full_name} is accredited at {attempt.level.name}."
        )

    title = f"Correct the {attempt.level.name} assessment result"
    return _action_page(request, learner, form, title, "Correct result", act)


def _open_enrolment(learner, enrolment_pk) -> Enrolment:
    return get_object_or_404(
        learner.enrolments.select_related("cohort"),
        pk=enrolment_pk,
        status__in=Enrolment.OPEN_STATUSES,
    )


@programme_staff_required
def enrolment_withdraw_view(request, pk, enrolment_pk):
    learner = _staff_learner(request, pk)
    enrolment = _open_enrolment(learner, enrolment_pk)
    form = ReasonForm(
        posted(request),
        label="Why are they leaving the cohort?",
        required_message="Enter why the learner is leaving the cohort",
    )

    def act(data):
        promoted = services.enrolment_withdraw(
            enrolment=enrolment, reason=data["reason"], acting_user=request.user
        )
        message = f"{learner.full_name} has left {enrolment.cohort.name}."
        if promoted is not None:
            message += (
                f" Their place has gone to {promoted.learner.full_name}, who has been emailed."
            )
        return message

    title = f"Withdraw from {enrolment.cohort.name}"
    return _action_page(
        request, learner, form, title, "Withdraw from cohort", act, back_label=enrolment.cohort.name
    )


@programme_staff_required
def enrolment_move_view(request, pk, enrolment_pk):
    learner = _staff_learner(request, pk)
    enrolment = _open_enrolment(learner, enrolment_pk)
    cohorts = cohorts_open_at_level(level_id=enrolment.level_id, other_than=enrolment.cohort_id)
    form = EnrolmentMoveForm(posted(request), cohorts=cohorts)

    def act(data):
        moved = services.enrolment_move(
            enrolment=enrolment,
            to_cohort=data["to_cohort"],
            reason=data["reason"],
            acting_user=request.user,
        )
        where = "has a place in" if moved.status == Enrolment.Status.ENROLLED else "is waiting for"
        return (
            f"{learner.full_name} {where} {moved.cohort.name}. "
            "Their earlier enrolment is kept as deferred."
        )

    title = f"Move from {enrolment.cohort.name} to another cohort"
    return _action_page(
        request, learner, form, title, "Move learner", act, back_label=enrolment.cohort.name
    )


@require_POST
@programme_staff_required
def learner_approve_view(request, pk):
    learner = _staff_learner(request, pk)
    try:
        services.learner_approve(learner=learner, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{learner.full_name}'s nomination is approved and they have been invited."
        )
    return redirect("learners:detail", pk=learner.pk)
