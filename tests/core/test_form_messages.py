"""Every form of the portal refuses input in GOV.UK words: none of Django's own messages shows
through, each error shows once in the summary and once by its field, and a date marks only the
box that is wrong."""

import importlib
import inspect
import re
from datetime import date
from html import unescape

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape

from cmpp.core.forms import GovukDateField, GovukForm
from cohorts.models import LevelStep
from councils.models import Council
from learners.models import Learner
from networks.models import Network, NetworkMembership

pytestmark = pytest.mark.django_db

DJANGO_WORDING = ["Ensure this value", "This field is required.", "Enter a valid", "valid choice"]
APPS = ["cmpp", "councils", "cohorts", "learners", "networks"]


def from_allauth(cls) -> bool:
    # allauth's forms, reworded in cmpp/accounts/forms.py, need its request context: their
    # pages are checked in tests/accounts/test_mfa_wording.py.
    return any(base.__module__.startswith("allauth.") for base in cls.__mro__)


def project_forms() -> list[type[forms.BaseForm]]:
    """Every form class defined in a forms.py (or a *_forms.py) of the project (allauth's
    aside)."""
    found = []
    for app in APPS:
        for path in sorted((settings.BASE_DIR / app).rglob("*forms.py")):
            module_name = ".".join(path.relative_to(settings.BASE_DIR).with_suffix("").parts)
            module = importlib.import_module(module_name)
            found += [
                cls
                for _, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, forms.BaseForm)
                and cls.__module__ == module_name
                and not from_allauth(cls)
            ]
    return found


def arguments_for(form_class, cast) -> dict:
    """What each form needs beyond its data (a cohort, the choices the view allows)."""
    steps = LevelStep.objects.filter(level=cast.cohort.level)
    learners = Learner.objects.filter(pk__in=[cast.learner_a.pk, cast.learner_b.pk])
    needs = {
        "cohort": cast.cohort,
        "eligible": learners,
        "steps": steps,
        "learners": learners,
        "cohorts": type(cast.cohort).objects.all(),
        "councils": Council.objects.filter(pk__in=[cast.council_a.pk, cast.council_b.pk]),
        "members": [
            NetworkMembership.objects.get_or_create(
                network=Network.objects.get(audience=Network.Audience.SROS),
                user=cast.sro_a,
                defaults={"council": cast.council_a, "joined_on": date(2026, 1, 5)},
            )[0]
        ],
        "whole_programme": True,
    }
    required = {
        name
        for cls in form_class.__mro__
        if "__init__" in vars(cls)
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
        and parameter.default is inspect.Parameter.empty
    }
    return {name: value for name, value in needs.items() if name in required}


def bad_inputs(form) -> list[dict]:
    """Nothing at all; then far too much or the wrong kind of thing in every box; then numbers
    far too small and far too big."""
    junk, small, big = {}, {}, {}
    for name, field in form.fields.items():
        names = [f"{name}_{part}" for part in ("day", "month", "year")]
        if not isinstance(field, GovukDateField):
            names = [form.add_prefix(name)]
        for key in names:
            junk[key] = "zz<>" * 3000
            small[key] = "-999999999"
            big[key] = "999999999999"
    return [{}, junk, small, big]


def rendered_errors(form) -> tuple[str, list[str]]:
    html = render_to_string("includes/form_fields.html", {"form": form})
    messages = [str(m) for m in form.non_field_errors()]
    messages += [str(m) for name in form.fields for m in form[name].errors]
    return html, messages


def test_the_project_has_forms_to_check():
    names = {cls.__name__ for cls in project_forms()}
    assert {"LearnerForm", "CohortForm", "SessionForm", "CouncilEditForm", "CpdForm"} <= names


@pytest.mark.parametrize("form_class", project_forms(), ids=lambda cls: cls.__name__)
def test_no_form_shows_djangos_own_messages(cast, form_class):
    unbound = form_class(**arguments_for(form_class, cast))
    refused = 0
    for data in bad_inputs(unbound):
        form = form_class(data, **arguments_for(form_class, cast))
        refused += not form.is_valid()
        html, messages = rendered_errors(form)
        for message in messages:
            for words in DJANGO_WORDING:
                assert words not in message, (form_class.__name__, message)
        for words in DJANGO_WORDING:
            assert words not in html
    assert refused or not unbound.fields


@pytest.mark.parametrize("form_class", project_forms(), ids=lambda cls: cls.__name__)
def test_each_error_shows_once_in_the_summary_and_once_by_its_field(cast, form_class):
    unbound = form_class(**arguments_for(form_class, cast))
    for data in bad_inputs(unbound):
        form = form_class(data, **arguments_for(form_class, cast))
        form.is_valid()
        html = render_to_string("includes/form_fields.html", {"form": form})
        for name in form.fields:
            if form[name].is_hidden:
                continue
            for message in set(form[name].errors):
                # The summary's macro (Jinja) escapes quotes as &#39;, Django as &#x27;, and ends
                # each link's item on a line of its own.
                in_summary = len(re.findall(rf">{re.escape(message)}</a>\s*</li>", unescape(html)))
                by_field = html.count(f"Error:</span> {escape(message)}</p>")
                assert (in_summary, by_field) == (1, 1), (form_class.__name__, name, message)
            assert len(form[name].errors) == len(set(form[name].errors)), (name, form[name].errors)


class WhenForm(GovukForm):
    on = GovukDateField(label="Date", noun="the date of the session")


def date_boxes(data: dict) -> tuple[list[str], dict[str, bool]]:
    form = WhenForm(data)
    form.is_valid()
    html = render_to_string("includes/form_fields.html", {"form": form})
    marked = {}
    for part in ("day", "month", "year"):
        tag = re.search(rf'<input [^>]*id="id_on_{part}"[^>]*>', html)[0]
        marked[part] = "govuk-input--error" in tag
    return form["on"].errors, marked


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "wrong"),
    [
        ("5", "", "2027", "The date of the session must include a month", {"month"}),
        ("", "", "2027", "The date of the session must include a day and month", {"day", "month"}),
        ("31", "2", "2027", "The date of the session must be a real date", {"day"}),
        ("5", "13", "2027", "The date of the session must be a real date", {"month"}),
        ("5", "x", "2027", "The date of the session must be a real date", {"month"}),
        ("5", "1", "26", "Year must include 4 numbers", {"year"}),
        ("5", "1", "3027", "The date of the session must be a real date", {"year"}),
        ("", "", "", "Enter the date of the session", {"day", "month", "year"}),
    ],
)
def test_a_date_marks_only_the_box_that_is_wrong(day, month, year, message, wrong):
    errors, marked = date_boxes({"on_day": day, "on_month": month, "on_year": year})
    assert errors == [message]
    assert {part for part, is_marked in marked.items() if is_marked} == wrong


def test_a_right_date_is_accepted_and_marks_nothing():
    form = WhenForm({"on_day": "5", "on_month": "1", "on_year": "2027"})
    assert form.is_valid() and str(form.cleaned_data["on"]) == "2027-01-05"
    assert date_boxes({"on_day": "5", "on_month": "1", "on_year": "2027"})[1] == {
        "day": False,
        "month": False,
        "year": False,
    }


def test_field_messages_name_the_field_in_govuk_words():
    class PlacesForm(GovukForm):
        name = forms.CharField(label="Cohort name", max_length=10)
        places = forms.IntegerField(label="Places", min_value=1, max_value=500)
        email = forms.EmailField(label="Email address", required=False)

    form = PlacesForm({"name": "x" * 11, "places": "0", "email": "nope"})
    assert not form.is_valid()
    assert form.errors == {
        "name": ["Cohort name must be 10 characters or fewer"],
        "places": ["Places must be 1 or more"],
        "email": ["Enter an email address in the correct format, like name@example.com"],
    }
    assert PlacesForm({"name": "", "places": "501"}).errors == {
        "name": ["Enter cohort name"],
        "places": ["Places must be 500 or less"],
    }
    assert PlacesForm({"name": "Spring", "places": "30"}).is_valid()
