"""Network pages: the networks a user belongs to, their meetings and shared resources."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from networks.selectors import network_get, network_list, network_meetings, network_resources


@require_GET
@login_required
def network_list_view(request):
    return render(
        request, "networks/network_list.html", {"networks": network_list(user=request.user)}
    )


@require_GET
@login_required
def network_detail(request, pk):
    network = network_get(user=request.user, pk=pk)
    return render(
        request,
        "networks/network_detail.html",
        {
            "network": network,
            "meetings": network_meetings(network=network),
            "resources": network_resources(network=network),
        },
    )
