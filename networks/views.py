"""Network pages: the networks a user belongs to, their meetings and shared resources; and, for
programme staff, running them: councils invited, joining and leaving, meetings scheduled,
changed and cancelled, and each meeting's register."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cmpp.accounts.decorators import programme_staff_required
from cmpp.accounts.selectors import user_is_programme_staff, user_sees_whole_programme
from cmpp.core.forms import add_service_errors, posted
from cmpp.core.forms_page import action_page
from cmpp.core.pagination import paginate
from networks import services
from networks.forms import InviteCouncilForm, MeetingForm, RegisterForm
from networks.resources import user_may_delete_resource, user_may_share_resources
from networks.selectors import (
    council_members,
    councils_to_invite,
    meeting_get,
    meeting_marks,
    meeting_register_open,
    network_council_get,
    network_councils,
    network_get,
    network_list,
    network_meetings,
    network_participation,
    network_resources,
    register_members,
)


@require_GET
@login_required
def network_list_view(request):
    return render(
        request, "networks/network_list.html", {"networks": network_list(user=request.user)}
    )


@require_GET
@login_required
def network_detail(request, pk):
    """The network's meetings and resources for its members; for staff and viewers also the
    councils invited to it, a page at a time, each with its number of members and how well it
    attends (its members are named on a page of their own: at national scale a network has
    hundreds of councils and well over a thousand members)."""
    network = network_get(user=request.user, pk=pk)
    resources = list(network_resources(network=network))
    for resource in resources:
        resource.may_delete = user_may_delete_resource(request.user, resource)
    context = {
        "network": network,
        "meetings": network_meetings(network=network),
        "resources": resources,
        "may_share": user_may_share_resources(request.user, network),
        "may_run": user_is_programme_staff(request.user),
        "sees_all": user_sees_whole_programme(request.user),
    }
    if context["sees_all"]:
        places = _in_councils_tab(paginate(request, network_councils(network=network)))
        participation = network_participation(network=network)
        for place in places:
            place.participation = participation["by_council"].get(place.council_id)
        context |= {"places": places, "participation": participation}
    return render(request, "networks/network_detail.html", context)


def _in_councils_tab(page):
    """The page links open the councils' tab, where the list is, not the first tab."""
    for link in page.page_links:
        if "href" in link:
            link["href"] += "#councils"
    page.previous_href += "#councils"
    page.next_href += "#councils"
    return page


@require_GET
@login_required
def network_council_members(request, pk, membership_pk):
    """One council's members of the network and its attendance, for staff and viewers: those
    who see every council's members (a network they cannot see answers 404, as its page does;
    one they can but may not see the members of, 403)."""
    network = network_get(user=request.user, pk=pk)
    if not user_sees_whole_programme(request.user):
        raise PermissionDenied
    place = network_council_get(network=network, pk=membership_pk)
    participation = network_participation(network=network, councils=[place.council_id])
    return render(
        request,
        "networks/council_members.html",
        {
            "network": network,
            "place": place,
            "members": paginate(request, council_members(place=place)),
            "participation": participation,
            "part": participation["by_council"].get(place.council_id),
        },
    )


def network_staff_page(view):
    """A page that runs a network: signed in; a network the user cannot see answers 404 (so
    does a record of another network in the address); then programme staff only (403)."""

    @login_required
    @wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        network = network_get(user=request.user, pk=pk)
        return programme_staff_required(view)(request, network, *args, **kwargs)

    return wrapped


def _detail_url(network) -> str:
    return reverse("networks:detail", args=[network.pk])


# Councils -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@network_staff_page
def network_invite(request, network):
    form = InviteCouncilForm(posted(request), councils=councils_to_invite(network=network))

    def act(data):
        services.network_council_invite(
            network=network, council=data["council"], acting_user=request.user
        )
        return f"{data['council'].name} has been invited to the {network.name}."

    return action_page(
        request,
        form=form,
        act=act,
        record_url=_detail_url(network),
        caption=network.name,
        title="Invite a council",
        submit="Invite council",
    )


def _council_action(request, network, membership_pk, act, done: str):
    place = network_council_get(network=network, pk=membership_pk)
    try:
        result = act(place=place, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done.format(council=place.council.name, result=result))
    return redirect(_detail_url(network))


@require_POST
@network_staff_page
def network_council_joined(request, network, membership_pk):
    return _council_action(
        request,
        network,
        membership_pk,
        services.network_council_join,
        "{council} has joined. {result} of its people are now members.",
    )


@require_POST
@network_staff_page
def network_council_declined(request, network, membership_pk):
    return _council_action(
        request,
        network,
        membership_pk,
        services.network_council_decline,
        "{council} has declined the invitation.",
    )


@require_POST
@network_staff_page
def network_council_remove(request, network, membership_pk):
    return _council_action(
        request,
        network,
        membership_pk,
        services.network_council_remove,
        "{council} has been removed. {result} of its people are no longer members; what "
        "they attended stays on record.",
    )


# Meetings -------------------------------------------------------------------------------------


def _emailed(count: int) -> str:
    return f"{count} member{'' if count == 1 else 's'} emailed"


def _meeting_form_page(request, network, meeting=None):
    initial = MeetingForm.initial_for(meeting) if meeting else None
    form = MeetingForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if meeting is None:
                meeting, sent = services.meeting_create(
                    network=network, fields=form.meeting_fields(), acting_user=request.user
                )
                message = f"{meeting.title} has been scheduled: {_emailed(sent)}."
                if not sent:
                    message = f"{meeting.title} has been added. It has already started, or the "
                    message += "network has no members yet, so nobody was emailed."
            else:
                changed, sent = services.meeting_update(
                    meeting=meeting, changes=form.meeting_fields(), acting_user=request.user
                )
                message = (
                    f"{meeting.title} has been updated: {_emailed(sent)}."
                    if changed
                    else "Nothing was changed, so nobody was emailed."
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(_detail_url(network))
    return render(
        request,
        "networks/meeting_form.html",
        {"form": form, "network": network, "meeting": meeting},
    )


@require_http_methods(["GET", "POST"])
@network_staff_page
def meeting_new(request, network):
    return _meeting_form_page(request, network)


@require_http_methods(["GET", "POST"])
@network_staff_page
def meeting_edit(request, network, meeting_pk):
    meeting = meeting_get(network=network, pk=meeting_pk)
    if meeting.is_cancelled:
        messages.error(request, f"{meeting.title} was cancelled, so it cannot be changed.")
        return redirect(_detail_url(network))
    return _meeting_form_page(request, network, meeting)


@require_http_methods(["GET", "POST"])
@network_staff_page
def meeting_cancel(request, network, meeting_pk):
    """Ask to confirm, then cancel: members are sent the cancellation once."""
    meeting = meeting_get(network=network, pk=meeting_pk)
    if meeting.is_cancelled:
        messages.error(request, f"{meeting.title} has already been cancelled.")
        return redirect(_detail_url(network))
    if request.method == "POST":
        try:
            sent = services.meeting_cancel(meeting=meeting, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{meeting.title} has been cancelled: {_emailed(sent)}.")
        return redirect(_detail_url(network))
    return render(request, "networks/meeting_cancel.html", {"network": network, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@network_staff_page
def register(request, network, meeting_pk):
    """A meeting's register: each member, by council, present, sent apologies or absent."""
    meeting = meeting_get(network=network, pk=meeting_pk)
    context = {"network": network, "meeting": meeting}
    if not meeting_register_open(meeting):
        context["not_open"] = services.register_opens_message(meeting)
        return render(request, "networks/register.html", context)
    form = RegisterForm(
        posted(request),
        members=register_members(meeting=meeting),
        marks=meeting_marks(meeting=meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            present = services.attendance_record(
                meeting=meeting, marks=form.marks(), acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if form.marked_all:
                messages.success(
                    request,
                    f"Everyone is marked present at {meeting.title}. Change anyone who was not "
                    "there, then save the register.",
                )
                return redirect("networks:register", pk=network.pk, meeting_pk=meeting.pk)
            messages.success(request, f"Register saved for {meeting.title}: {present} present.")
            return redirect(_detail_url(network))
    return render(request, "networks/register.html", context | {"form": form})
