"""Cohort pages owned by this app: the list. The cohort page with its roster is composed in
reports, since the roster is learners' data."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.pagination import paginate
from cohorts.selectors import cohort_list


@require_GET
@login_required
def cohort_list_view(request):
    if not user_sees_whole_programme(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()
    page = paginate(request, cohort_list(user=request.user, q=q))
    return render(request, "cohorts/cohort_list.html", {"page": page, "q": q})
