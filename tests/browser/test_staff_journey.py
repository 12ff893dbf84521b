"""Programme staff run a cohort end to end in the browser: create it, enrol three learners, take
the register at the first workshop, record a pass, and see the accreditation on the dashboard."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.browser


def accreditations_on_dashboard(page, base_url) -> int:
    page.goto(f"{base_url}/")
    figure = page.locator(".cmpp-figure", has_text="accreditations")
    return int(figure.locator(".cmpp-figure__number").inner_text().replace(",", ""))


def test_staff_run_a_practitioner_cohort(browser, live_server, reference_data, screenshot):
    staff = factories.StaffMembershipFactory(user__email="staff@dluhc.test").user
    reading = factories.CouncilFactory(name="Reading Borough Council", code="E06000038")
    for first, last in [("Amira", "Khan"), ("Ben", "Okoro"), ("Cara", "Lewis")]:
        factories.LearnerFactory(council=reading, first_name=first, last_name=last)
    today = timezone.localdate()
    # The cohort began a month ago; its first workshop was yesterday, so its register is open.
    starts, ends, yesterday = (
        today - timedelta(days=30),
        today + timedelta(days=200),
        today - timedelta(days=1),
    )
    base = live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    before = accreditations_on_dashboard(page, base)

    # Create the cohort and start it.
    page.goto(f"{base}/cohorts/")
    page.get_by_role("button", name="Create a cohort").click()
    page.get_by_label("Name", exact=True).fill("Practitioner cohort 12")
    page.get_by_label("Code").fill("PRAC-2026-12")
    page.get_by_label("Level").select_option(label="Practitioner")
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill(str(starts.day))
    start.get_by_label("Month").fill(str(starts.month))
    start.get_by_label("Year").fill(str(starts.year))
    end = page.get_by_role("group", name="End date")
    end.get_by_label("Day").fill(str(ends.day))
    end.get_by_label("Month").fill(str(ends.month))
    end.get_by_label("Year").fill(str(ends.year))
    page.get_by_label("Places").fill("24")
    page.get_by_label("Delivered by").select_option(index=1)
    screenshot(page, "journey-1-create-cohort")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been created")
    page.get_by_role("button", name="Start cohort").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Running")

    # Its first workshop, held yesterday.
    page.get_by_role("button", name="Add a session").click()
    page.get_by_label("Title").fill("Workshop 1: contract management planning")
    step = page.get_by_label("Step it completes (optional)")
    step.select_option(label=step.locator("option", has_text="Workshop 1").inner_text())
    on = page.get_by_role("group", name="Date")
    on.get_by_label("Day").fill(str(yesterday.day))
    on.get_by_label("Month").fill(str(yesterday.month))
    on.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Start time").fill("9:30am")
    page.get_by_label("End time").fill("12:30pm")
    page.get_by_label("Where (optional)").fill("Reading Civic Offices")
    page.get_by_role("button", name="Add session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been added")

    # Enrol the three learners.
    page.get_by_role("button", name="Enrol learners").click()
    for name in ("Amira Khan", "Ben Okoro", "Cara Lewis"):
        page.get_by_label(re.compile(f"^{name}")).check()
    screenshot(page, "journey-2-enrol")
    page.get_by_role("button", name="Enrol selected learners").click()
    expect(page.locator(".govuk-panel")).to_contain_text("3 learners enrolled")
    screenshot(page, "journey-3-enrolled")
    page.get_by_role("link", name="Go to Practitioner cohort 12").click()

    # The register: two present, one sends apologies.
    page.get_by_role("link", name=re.compile("Attendance")).click()
    page.get_by_role("group", name=re.compile("Amira Khan")).get_by_label("Present").check()
    page.get_by_role("group", name=re.compile("Ben Okoro")).get_by_label("Present").check()
    page.get_by_role("group", name=re.compile("Cara Lewis")).get_by_label("Apologies").check()
    screenshot(page, "journey-4-register")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 present")
    screenshot(page, "journey-5-cohort")

    # Amira's assessment: booked, then passed.
    page.get_by_role("link", name="Amira Khan", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("Workshop 1"))).to_contain_text("Completed")
    page.get_by_role("link", name="Book an assessment").click()
    booked = page.get_by_role("group", name="Assessment date")
    booked.get_by_label("Day").fill(str(today.day))
    booked.get_by_label("Month").fill(str(today.month))
    booked.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Book assessment").click()
    page.get_by_role("link", name=re.compile("Record result")).click()
    page.get_by_label("Pass", exact=True).check()
    result = page.get_by_role("group", name="Date of the result")
    result.get_by_label("Day").fill(str(today.day))
    result.get_by_label("Month").fill(str(today.month))
    result.get_by_label("Year").fill(str(today.year))
    # The College passed her; her other steps are recorded there, so staff say why.
    page.get_by_label("Record the pass without every step done").check()
    page.get_by_label("Why is the pass recorded without every step done?").fill(
        "Steps recorded by the College"
    )
    page.get_by_role("button", name="Record result").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Pass recorded")
    screenshot(page, "journey-6-accredited")

    assert accreditations_on_dashboard(page, base) == before + 1
    screenshot(page, "journey-7-dashboard")
