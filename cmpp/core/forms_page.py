"""One page pattern for every "change one record" form: show the form, call one service on
valid input, say what happened, go back to the record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from cmpp.core.forms import add_service_errors


def safe_next(request) -> str:
    """The `next` address the page was opened with (query string or form), if it is a path on
    this site; "" otherwise, so a link from elsewhere cannot send anyone off the portal."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def action_page(
    request,
    *,
    form,
    act,
    record_url: str,
    caption: str,
    title: str,
    submit: str,
    back_label: str = "",
):
    """`act(cleaned_data)` calls the service and returns the success message. A refusal from the
    service (ValidationError) is shown on the form, field by field where it can be, and changes
    nothing. The page is `action_form.html`, with a back link and a cancel link to the record
    (`back_label` names where the back link goes when that is not the record: "the cohort")."""
    if request.method == "POST" and form.is_valid():
        try:
            message = act(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(record_url)
    return render(
        request,
        "action_form.html",
        {
            "form": form,
            "record_url": record_url,
            "caption": caption,
            "title": title,
            "submit": submit,
            "back_label": back_label or caption,
        },
    )
