"""The shared form template draws each kind of field as its GOV.UK component."""

from django import forms
from django.template.loader import render_to_string

from cmpp.core.forms import GovukForm


class NoteForm(GovukForm):
    note = forms.CharField(label="Note", help_text="What happened", widget=forms.Textarea)
    title = forms.CharField(label="Title")


def test_a_text_area_is_a_govuk_textarea_and_a_text_field_an_input():
    page = render_to_string("includes/form_fields.html", {"form": NoteForm()})
    assert '<textarea class="govuk-textarea" name="note" id="id_note"' in page
    assert 'aria-describedby="id_note-hint"' in page
    assert 'type=""' not in page
    assert '<input class="govuk-input" type="text" name="title"' in page
