"""Pages composed from several apps: each role's home, and the council and cohort pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cmpp.core.pagination import paginate
from cmpp.reports.selectors import council_overview, programme_overview, roles_of, sro_councils
from cohorts.selectors import cohort_get, cohort_sessions
from councils.selectors import council_get, council_managing_body_history, council_roles
from learners.selectors import cohort_roster, learner_list


@require_GET
@login_required
def home(request):
    roles = roles_of(request.user)
    if roles.sees_whole_programme:
        return render(
            request,
            "reports/home_programme.html",
            {"overview": programme_overview(user=request.user), "roles": roles},
        )
    if roles.is_sro:
        councils = list(sro_councils(user=request.user))
        council = councils[0]
        learners = paginate(request, learner_list(user=request.user, council=council))
        return render(
            request,
            "reports/home_sro.html",
            {
                "council": council,
                "other_councils": councils[1:],
                "overview": council_overview(council=council, user=request.user),
                "learners": learners,
                "roles": roles,
            },
        )
    if roles.is_learner:
        return redirect("me")
    return render(request, "reports/home_no_role.html")


@require_GET
@login_required
def council_detail(request, pk):
    council = council_get(user=request.user, pk=pk)
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "roles": council_roles(council=council),
            "periods": council_managing_body_history(council=council),
            "overview": council_overview(council=council, user=request.user),
            "history": council.history.select_related("history_user")[:20],
        },
    )


@require_GET
@login_required
def cohort_detail(request, pk):
    cohort = cohort_get(user=request.user, pk=pk)
    roster = cohort_roster(user=request.user, cohort=cohort)
    enrolled = sum(1 for e in roster if e.status == e.Status.ENROLLED)
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "roster": roster,
            "enrolled_count": enrolled,
            "places_free": max(cohort.capacity - enrolled, 0),
            "waiting_count": sum(1 for e in roster if e.status == e.Status.WAITING),
            "sessions": cohort_sessions(cohort=cohort),
        },
    )
