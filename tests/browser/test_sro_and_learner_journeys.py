"""Issue 5's journeys: an SRO signs in with MFA, finds a learner at risk and nominates a new one;
a learner accepts their invitation and logs CPD using the keyboard alone."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
)
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from learners.models import CpdEntry, Nomination
from learners.services import learner_create
from tests import factories
from tests.accounts.test_mfa import code_for

pytestmark = pytest.mark.browser


def test_an_sro_signs_in_with_mfa_finds_a_learner_at_risk_and_nominates(
    browser, live_server, reference_data, settings, screenshot
):
    settings.CMPP_REQUIRE_MFA = True
    reading = factories.CouncilFactory(name="Reading Borough Council", code="E06000038")
    sro = factories.CouncilRoleFactory(council=reading, user__email="sro@reading.test").user
    secret = generate_totp_secret()
    TOTP.activate(sro, secret)
    factories.LearnerFactory(
        council=reading,
        first_name="Stan",
        last_name="Still",
        last_progress_on=timezone.localdate() - timedelta(weeks=10),
    )
    factories.LearnerFactory(
        council=reading, first_name="Mo", last_name="Moving", last_progress_on=timezone.localdate()
    )
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Email address").fill("sro@reading.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    screenshot(page, "sro-mfa-code")
    page.get_by_label(re.compile("code", re.I)).fill(code_for(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading Borough Council")
    screenshot(page, "sro-home")

    page.get_by_role("link", name="See learners at risk").click()
    expect(page.get_by_role("link", name="Stan Still")).to_be_visible()
    expect(page.get_by_role("link", name="Mo Moving")).to_have_count(0)
    page.get_by_role("link", name="Stan Still").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stan Still")
    expect(page.get_by_role("button", name="Edit details")).to_have_count(0)

    page.goto(f"{base}/")
    page.get_by_role("button", name="Nominate a learner").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Evans")
    page.get_by_label("Work email address").fill("nia.evans@reading.test")
    page.get_by_label("Accreditation level they will work towards").select_option(
        label="Practitioner"
    )
    page.get_by_role("button", name="Send nomination").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You have nominated Nia Evans"
    )
    expect(page.get_by_role("table", name="Your recent nominations")).to_contain_text(
        "Waiting for approval"
    )
    screenshot(page, "sro-nominated")
    assert Nomination.objects.get(email="nia.evans@reading.test").status == "pending"


def tab_to(page, name: str, limit: int = 80):
    """Press Tab until the focused element's accessible name (label text, button text or
    link text) contains `name`; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el) return "";
                const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
                const legend = el.closest("fieldset")?.querySelector("legend")?.innerText || "";
                return [label, legend, el.innerText || "", el.value || ""].join(" | ");
            }"""
        )
        if name in focused:
            return
    pytest.fail(f"Could not reach {name!r} with the Tab key")


def test_a_learner_accepts_and_logs_cpd_by_keyboard_alone(
    browser, live_server, reference_data, screenshot
):
    reading = factories.CouncilFactory(name="Reading Borough Council", code="E06000038")
    learner = learner_create(
        council=reading,
        first_name="Amira",
        last_name="Khan",
        email="amira.khan@reading.test",
        target_level=factories.level("practitioner"),
        acting_user=None,
    )
    factories.AccreditationFactory(
        learner=learner, achieved_on=timezone.localdate() - timedelta(days=100)
    )
    link = re.search(r"http://\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + link.split("127.0.0.1:8000", 1)[1])
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()

    tab_to(page, "Create a password")
    page.keyboard.type("three random words")
    tab_to(page, "Confirm your password")
    page.keyboard.type("three random words")
    tab_to(page, "Set password and sign in")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.get_by_text("0 of 30 hours logged this year")).to_be_visible()

    tab_to(page, "Log CPD")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log CPD")).to_be_visible()
    today = timezone.localdate()
    for part, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
        tab_to(page, part)
        page.keyboard.type(str(value))
    tab_to(page, "Hours")
    page.keyboard.type("3")
    tab_to(page, "What did you do?")
    page.keyboard.type("Contract review workshop")
    tab_to(page, "What did you learn?")
    page.keyboard.type("Agree change control before the contract starts.")
    screenshot(page, "learner-cpd-form-keyboard")
    tab_to(page, "Log CPD")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("3 hours of CPD logged")
    expect(page.get_by_text("3 of 30 hours logged this year")).to_be_visible()
    screenshot(page, "learner-cpd-logged")
    assert CpdEntry.objects.get(learner=learner).hours == 3
