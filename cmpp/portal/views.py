"""Pages that combine apps: each role's home, the council page and the email log (notifications
sits below accounts, so the staff check that guards the log lives here); and the accessibility
statement and privacy notice, which belong to no app. The cohort page and its roster actions are
in cohort_views."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import managing_bodies, user_is_programme_staff
from cmpp.core.charts import Bar, bar_chart
from cmpp.core.history import history_entries
from cmpp.core.pagination import paginate
from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.selectors import email_counts, email_get, email_log
from cmpp.notifications.services import email_resend
from cmpp.portal.selectors import roles_of
from cmpp.reports.selectors import (
    council_overview,
    programme_overview,
    sro_home_figures,
)
from cohorts.selectors import user_may_list_cohorts
from councils.models import MaturityAssessment
from councils.selectors import (
    Improvement,
    council_assessments,
    council_get,
    council_improvement,
    council_managing_body_history,
    council_roles_with_users_own,
    council_support,
    councils_led_by,
    user_may_fill_in_maturity,
    user_may_manage_support,
    user_may_read_council_support,
)
from learners.selectors import (
    council_cohorts,
    learner_list,
    learner_page,
    learner_with_email,
    nominations_visible_to,
)


@require_GET
@login_required
def home(request):
    roles = roles_of(request.user)
    if roles.sees_whole_programme:
        bodies = list(managing_bodies().order_by("name"))
        body = next((b for b in bodies if b.slug == request.GET.get("body")), None)
        return render(
            request,
            "portal/home_programme.html",
            {
                "overview": programme_overview(user=request.user, organisation=body),
                "bodies": bodies,
                "body": body,
                "roles": roles,
                "email_counts": email_counts() if roles.is_programme_staff else None,
            },
        )
    if roles.is_sro:
        councils = councils_led_by(request.user)
        council = councils[0]
        learners = learner_page(request, learner_list(user=request.user, council=council))
        return render(
            request,
            "portal/home_sro.html",
            {
                "council": council,
                "other_councils": councils[1:],
                "figures": sro_home_figures(council=council, user=request.user),
                "at_risk_weeks": settings.CMPP_AT_RISK_WEEKS,
                "learners": learners,
                "nominations": nominations_visible_to(request.user)
                .filter(council=council)
                .select_related("target_level")[:10],
                "roles": roles,
            },
        )
    if roles.is_learner:
        return redirect("me")
    return render(request, "portal/home_no_role.html")


@require_GET
@login_required
def council_detail(request, pk):
    roles_of(request.user)  # who the user is, in one query, before the rules below ask
    roles = council_roles_with_users_own(user=request.user, pk=pk)
    council = council_get(user=request.user, pk=pk)
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "roles": roles,
            "periods": council_managing_body_history(council=council),
            "overview": council_overview(council=council, user=request.user),
            "cohorts": council_cohorts(council=council),
            "sees_cohorts": user_may_list_cohorts(request.user),
            "can_manage": user_is_programme_staff(request.user),
            "history": history_entries(council.history.all()),
            **_council_support_and_maturity(request.user, council),
        },
    )


def _council_support_and_maturity(user, council) -> dict:
    """The council page's support timeline and maturity section, for those who may read them."""
    if not user_may_read_council_support(user, council):
        return {"reads_support": False}
    assessments = list(council_assessments(council=council).select_related("submitted_by"))
    accepted = MaturityAssessment.Status.ACCEPTED
    # Improvement is measured from an accepted baseline: without one, no need to ask.
    baseline_accepted = any(
        a.kind == MaturityAssessment.Kind.BASELINE and a.status == accepted for a in assessments
    )
    improvement = council_improvement(council) if baseline_accepted else None
    return {
        "reads_support": True,
        "engagements": list(council_support(council=council)),
        "can_manage_support": user_may_manage_support(user),
        "assessments": assessments,
        "open_assessment": next((a for a in assessments if a.status != accepted), None),
        "has_baseline": any(a.kind == MaturityAssessment.Kind.BASELINE for a in assessments),
        "can_start_assessment": user_may_fill_in_maturity(user, council),
        "improvement": improvement,
        "maturity_chart": _maturity_chart(improvement),
    }


def _maturity_chart(improvement: Improvement | None):
    """Each area's latest accepted score (the baseline's until there is a follow-up), out of 5:
    the table beside it gives the same figures with the change."""
    if improvement is None:
        return None
    latest = improvement.latest is not None
    bars = [
        Bar(label=row["area"].name, value=(row["latest"] if latest else row["baseline"]) or 0)
        for row in improvement.areas
    ]
    which = "latest follow-up" if latest else "baseline"
    return bar_chart(
        bars,
        maximum=5,
        title=f"Chart of each area's score at the {which}, out of 5: "
        "the table after it gives the same scores",
    )


@require_GET
def accessibility_view(request):
    """The accessibility statement the regulations require, linked from every page's footer. Open
    to everyone: someone who cannot sign in must still be able to read how to get help."""
    return render(
        request,
        "portal/accessibility.html",
        {"contact_email": settings.CMPP_PROGRAMME_CONTACT_EMAIL},
    )


@require_GET
def privacy_view(request):
    """The privacy notice, linked from every page's footer and open to everyone: people read it
    before they accept an invitation, not only after."""
    return render(
        request,
        "portal/privacy.html",
        {
            "contact_email": settings.CMPP_PROGRAMME_CONTACT_EMAIL,
            "at_risk_weeks": settings.CMPP_AT_RISK_WEEKS,
        },
    )


@require_GET
@programme_staff_required
def email_log_view(request):
    """Programme staff follow every email the portal owes people, and resend failed ones."""
    status = request.GET.get("status", "")
    status = status if status in OutboundEmail.Status.values else ""
    purpose = request.GET.get("purpose", "")
    purpose = purpose if purpose in OutboundEmail.Purpose.values else ""
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "portal/email_log.html",
        {
            "page": paginate(request, email_log(status=status, purpose=purpose, q=q)),
            "status": status,
            "purpose": purpose,
            "q": q,
            "statuses": OutboundEmail.Status.choices,
            "purposes": OutboundEmail.Purpose.choices,
            "counts": email_counts(),
        },
    )


@require_GET
@programme_staff_required
def email_detail_view(request, pk):
    """One email as staff see it: its words (unless it holds a sign-in link) and what became of
    it; the recipient links to their learner page when the address is a learner's."""
    email = email_get(pk=pk)
    return render(
        request,
        "portal/email_detail.html",
        {"email": email, "learner": learner_with_email(email.to_email)},
    )


@require_POST
@programme_staff_required
def email_resend_view(request, pk):
    email = get_object_or_404(OutboundEmail, pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("email_log")
    try:
        email_resend(email=email, acting_user=request.user)
    except ValueError:
        messages.error(
            request, f"The email to {email.to_email} has not failed, so it was not resent."
        )
    else:
        messages.success(request, f"The email to {email.to_email} will be sent again.")
    return redirect(back)
