"""Council pages owned by this app: the list. The council page itself is composed in reports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cmpp.accounts.selectors import user_sees_whole_programme
from cmpp.core.pagination import paginate
from councils.selectors import council_ids_led_by, council_list


@require_GET
@login_required
def council_list_view(request):
    if not (user_sees_whole_programme(request.user) or council_ids_led_by(request.user)):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()
    page = paginate(request, council_list(user=request.user, q=q))
    return render(request, "councils/council_list.html", {"page": page, "q": q})
