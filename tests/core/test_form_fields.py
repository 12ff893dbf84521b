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


class ChoiceForm(GovukForm):
    council = forms.ChoiceField(
        label="Council",
        choices=[("", "Any council"), ("E1", 'Bath & "North" <East>'), ("E2", "Bristol")],
    )


def test_a_select_marks_the_chosen_option_and_escapes_every_label():
    page = render_to_string("includes/form_fields.html", {"form": ChoiceForm({"council": "E2"})})
    assert '<option value="">Any council</option>' in page
    assert '<option value="E1">Bath &amp; &#34;North&#34; &lt;East&gt;</option>' in page
    assert '<option value="E2" selected>Bristol</option>' in page
    assert page.count(" selected") == 1
