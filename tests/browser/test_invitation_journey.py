"""Staff add a learner in the browser; the learner follows the emailed link, sets a password and
arrives signed in at their own accreditation page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.browser


def test_a_learner_added_by_staff_accepts_the_invitation(
    browser, live_server, reference_data, screenshot
):
    staff = factories.StaffMembershipFactory(user__email="staff@dluhc.test").user
    factories.CouncilFactory(name="Reading Borough Council", code="E06000038")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/learners/")
    page.get_by_role("button", name="Add a learner").click()
    page.get_by_role("button", name="Add learner and send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the learner's first name")
    screenshot(page, "add-learner-errors")
    page.get_by_label("Council").select_option(label="Reading Borough Council")
    page.get_by_label("First name").fill("Amira")
    page.get_by_label("Last name").fill("Khan")
    page.get_by_label("Email address").fill("amira.khan@reading.example.gov.uk")
    page.get_by_label("Accreditation level they are working towards").select_option(
        label="Practitioner"
    )
    page.get_by_role("button", name="Add learner and send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Amira Khan has been added and emailed an invitation."
    )
    expect(page.get_by_text("The link expires on")).to_be_visible()
    screenshot(page, "learner-added")
    context.close()

    [email] = mail.outbox
    link = re.search(r"http://\S+/accounts/invitation/\S+/", email.body).group(0)
    path = link.split("127.0.0.1:8000", 1)[1]
    learner_context = browser.new_context(viewport={"width": 390, "height": 844})
    page = learner_context.new_page()
    page.goto(f"{live_server.url}{path}")
    expect(page).to_have_url(re.compile(r"/accounts/invitation/set-password/$"))
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    page.get_by_label("Create a password").fill("three random words")
    page.get_by_label("Confirm your password").fill("three random words")
    screenshot(page, "set-password-mobile")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My accreditation")
    screenshot(page, "invited-learner-me-mobile")

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="This invitation link cannot be used")).to_be_visible()
    learner_context.close()
