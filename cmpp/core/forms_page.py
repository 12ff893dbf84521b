"""One page pattern for every "change one record" form: show the form, call one service on
valid input, say what happened, go back to the record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from cmpp.core.forms import add_service_errors


def action_page(request, *, form, act, record_url: str, caption: str, title: str, submit: str):
    """`act(cleaned_data)` calls the service and returns the success message. A refusal from the
    service (ValidationError) is shown on the form, field by field where it can be, and changes
    nothing. The page is `action_form.html`, with a back link and a cancel link to the record."""
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
        },
    )
