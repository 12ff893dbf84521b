"""The GOV.UK header, navigation and footer render from one shared Jinja environment."""

import re

import pytest
from django.conf import settings
from govuk_frontend_django.components import base

from cmpp.core.templatetags.cmpp_tags import TAG_COLOURS

pytestmark = pytest.mark.django_db


def test_components_share_one_environment_and_still_render(client, cast):
    assert base.Environment() is base.Environment()
    client.force_login(cast.staff)
    page = client.get("/").text
    assert 'class="govuk-header' in page and 'class="govuk-service-navigation' in page
    assert 'class="govuk-footer' in page


def test_a_component_is_compiled_once_and_renders_each_call_with_its_own_data():
    from govuk_frontend_django.components.tag import GovUKTag

    def tag(text):
        component = GovUKTag(text=text)
        component.set_jinja2_template("govuk_frontend_jinja/components/tag/macro.html")
        component.set_macro_name("govukTag")
        return component

    environment = base.Environment()
    source = tag("x").build_jinja_template()
    assert environment.from_string(source) is environment.from_string(source)
    # Remembering the compiled template must not remember a row's data: each renders its own.
    assert tag("Withdrawn").render().split() == [
        "<strong",
        'class="govuk-tag">',
        "Withdrawn",
        "</strong>",
    ]
    assert "Active" in tag("Active").render() and "Withdrawn" not in tag("Active").render()
    assert "&lt;b&gt;" in tag("<b>").render()


GOVUK = settings.BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
# A govuk- class inside a class attribute, or a widget's "class" attribute, whole (not one that a
# template builds from a variable, like govuk-grid-column-{{ width }}).
CLASS_ATTRIBUTE = re.compile(r"""class(?:es)?=["']([^"']*)["']|["']class["']:\s*["']([^"']*)["']""")
GOVUK_CLASS = re.compile(r"govuk-[a-zA-Z0-9_!-]*[a-zA-Z0-9_](?![{a-zA-Z0-9_!-])")


def govuk_frontend_classes() -> set[str]:
    """Every class the installed govuk-frontend defines: in its stylesheet or its components'
    templates (a few, such as JavaScript hooks, have no style of their own)."""
    css = (GOVUK / "govuk-frontend.min.css").read_text()
    classes = {name.replace("\\", "") for name in re.findall(r"\.(govuk-(?:[\w-]|\\.)+)", css)}
    for template in GOVUK.glob("components/*/template.njk"):
        classes |= set(re.findall(r"govuk-[\w-]*\w", template.read_text()))
    return classes


def classes_used() -> dict[str, set[str]]:
    sources = [*(settings.BASE_DIR / "templates").rglob("*.html")]
    for app in ["cmpp", "councils", "cohorts", "learners", "networks"]:
        sources += (settings.BASE_DIR / app).rglob("*.py")
    used: dict[str, set[str]] = {}
    for path in sources:
        for attribute in CLASS_ATTRIBUTE.finditer(path.read_text()):
            for name in GOVUK_CLASS.findall(attribute[1] or attribute[2] or ""):
                used.setdefault(name, set()).add(str(path.relative_to(settings.BASE_DIR)))
    for colour in set(TAG_COLOURS.values()) - {"blue"}:
        used.setdefault(f"govuk-tag--{colour}", set()).add("cmpp_tags.TAG_COLOURS")
    return used


@pytest.mark.skipif(not GOVUK.exists(), reason="govuk-frontend is not installed (npm install)")
def test_every_govuk_class_the_pages_use_exists_in_the_installed_govuk_frontend():
    used = classes_used()
    assert len(used) > 50  # the scan finds the pages' classes
    defined = govuk_frontend_classes()
    missing = {name: sorted(paths) for name, paths in used.items() if name not in defined}
    assert missing == {}


def test_breadcrumbs_are_the_govuk_component(client, cast):
    client.force_login(cast.staff)
    page = client.get(f"/learners/{cast.learner_a.pk}/").text
    assert '<nav class="govuk-breadcrumbs" aria-label="Breadcrumb">' in page
    assert re.search(
        r'<li class="govuk-breadcrumbs__list-item">\s*'
        r'<a class="govuk-breadcrumbs__link" href="/learners/">Learners</a>',
        page,
    )
