"""A network's resource library: share a file or a link, download a file, remove a resource.
Every view starts from the networks and resources the user may see, so anything else is 404."""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cmpp.core.forms import add_service_errors, posted
from networks import resources
from networks.resource_forms import ResourceForm
from networks.selectors import network_get


@login_required
def resource_new(request, pk):
    """Staff, and SROs in the SRO Network, share a file or a link; others who see the network
    are refused (403), and anyone who does not see it gets 404."""
    network = network_get(user=request.user, pk=pk)
    if not resources.user_may_share_resources(request.user, network):
        raise PermissionDenied
    form = ResourceForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resource = resources.resource_share(
                network=network,
                acting_user=request.user,
                title=data["title"],
                description=data["description"],
                tags=data["tags"],
                url=data["url"],
                upload=data["file"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"‘{resource.title}’ has been shared with {network.name}.")
            return redirect("networks:detail", pk=network.pk)
    return render(
        request,
        "networks/resource_form.html",
        {"network": network, "form": form, "max_size": resources.max_size_text()},
    )


@require_GET
@login_required
def resource_download(request, pk, resource_pk):
    """The file as an attachment with the name it was shared as and the type its content was
    checked to be, after checking access every time."""
    resource = resources.resource_get(user=request.user, network_pk=pk, resource_pk=resource_pk)
    if not resource.file:
        raise Http404
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=resource.file_name or os.path.basename(resource.file.name),
        content_type=resource.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def resource_delete(request, pk, resource_pk):
    """Programme staff, or the person who shared it, remove a resource (its file goes after the
    commit)."""
    resource = resources.resource_get(user=request.user, network_pk=pk, resource_pk=resource_pk)
    if not resources.user_may_delete_resource(request.user, resource):
        raise PermissionDenied
    resources.resource_delete(resource=resource, acting_user=request.user)
    messages.success(request, f"‘{resource.title}’ has been removed.")
    return redirect("networks:detail", pk=resource.network_id)
