"""Staff, an SRO and a learner do their main journey with the keyboard alone: no click and no
mouse event, only Tab, Enter, arrow keys and typing. At every Tab stop on the way, the element
with focus must show GOV.UK Frontend's focus style, whose colour is the focus yellow #ffdd00
(govuk-frontend 6: settings/_colours-functional.scss, "focus" is the palette's yellow primary,
drawn by helpers/_focused.scss as a background, a box shadow or an outline)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learners.models import StepProgress
from tests import factories
from tests.access.world import build_world

pytestmark = pytest.mark.browser

# What the focused element (or the part of it that GOV.UK Frontend draws focus on) looks like.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: true, what: "the page"};
  const yellow = "rgb(255, 221, 0)";
  const styles = [getComputedStyle(el)];
  // A radio or checkbox shows focus on its label's drawn box; a button or summary on its parts.
  for (const label of el.labels || []) styles.push(getComputedStyle(label, "::before"));
  for (const part of el.querySelectorAll("*")) styles.push(getComputedStyle(part));
  const visible = styles.some((s) =>
    s.backgroundColor === yellow ||
    s.boxShadow.includes(yellow) ||
    (s.outlineStyle !== "none" && s.outlineColor === yellow && parseFloat(s.outlineWidth) >= 3));
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const legend = el.closest("fieldset")?.querySelector("legend")?.innerText || "";
  const what = [label, legend, el.innerText || "", el.getAttribute("aria-label") || ""]
    .join(" | ");
  return {visible, what: `<${el.tagName.toLowerCase()}> ${what}`};
}"""


def tab_to(page, name: str, limit: int = 120):
    """Press Tab until the focused element's name (its label, legend or text) contains `name`,
    checking at every stop on the way that the focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus["visible"], f"no visible focus on {focus['what']} at {page.url}"
        if name in focus["what"]:
            return
    pytest.fail(f"Could not reach {name!r} with the Tab key at {page.url}")


def sign_in_by_keyboard(page, email: str):
    page.goto("/accounts/login/")
    tab_to(page, "Email address")
    page.keyboard.type(email)
    tab_to(page, "Password")
    page.keyboard.type(factories.PASSWORD)
    tab_to(page, "Sign in")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


@pytest.fixture
def keyboard_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    # No mouse: a mouse event, even one sent by mistake, fails the test. Kept in the tab's
    # session storage, so that one on a page left since is remembered too. (A key that presses a
    # button sends a click too, but one with no mouse detail.)
    page.add_init_script(
        """["click", "mousedown", "mouseup", "pointerdown", "mousemove"].forEach((type) =>
          document.addEventListener(type, (event) => {
            if (type !== "click" || event.detail > 0) sessionStorage.setItem("mouseUsed", type);
          }, true));"""
    )
    yield page
    assert page.evaluate("sessionStorage.getItem('mouseUsed')") is None, "the mouse was used"
    context.close()


def test_staff_find_a_learner_and_record_a_step_by_keyboard(keyboard_page, reference_data):
    page = keyboard_page
    world = build_world()
    learner = world.a.learner
    sign_in_by_keyboard(page, world.staff.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme overview")

    tab_to(page, "Learners")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners")
    tab_to(page, "Name, email or council code")
    page.keyboard.type(learner.last_name)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"q={learner.last_name}"))
    tab_to(page, learner.full_name)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(learner.full_name)

    tab_to(page, "Record a completed step")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/learners/{learner.pk}/steps/"))
    tab_to(page, "Step")
    page.keyboard.press("ArrowDown")  # the first step, after "Choose a step"
    today = timezone.localdate()
    for part, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
        tab_to(page, part)
        page.keyboard.type(str(value))
    tab_to(page, "Record step")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded as completed")
    assert StepProgress.objects.filter(learner=learner, completed_on=today).exists()


def test_an_sro_opens_one_of_their_learners_by_keyboard(keyboard_page, reference_data):
    page = keyboard_page
    world = build_world()
    sign_in_by_keyboard(page, world.a.sro.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(world.a.council.name)

    tab_to(page, "Learners")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners")
    expect(page.get_by_role("link", name=world.b.learner.full_name)).to_have_count(0)
    tab_to(page, world.a.learner.full_name)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.a.learner.full_name)


def test_a_learner_sees_their_accreditation_by_keyboard(keyboard_page, reference_data):
    page = keyboard_page
    world = build_world()
    sign_in_by_keyboard(page, world.a.learner.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("My accreditation")
    status = page.locator(".govuk-summary-list__row", has_text="Working towards")
    expect(status).to_contain_text("Practitioner")

    # Through every link and button on the page and back to the top, each focus seen.
    tab_to(page, "Log CPD")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log CPD")
    tab_to(page, "My accreditation")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My accreditation")
