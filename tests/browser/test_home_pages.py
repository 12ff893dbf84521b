"""Each demo login signs in through the real login page and lands on its own home."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from councils.models import Council

pytestmark = pytest.mark.browser

PASSWORD = "cmpp-demo-2026"

HOMES = [
    ("staff@dluhc.example.gov.uk", "Programme overview", "staff-dluhc"),
    ("staff@localpartnerships.example.org.uk", "Programme overview", "staff-local-partnerships"),
    ("viewer@ccs.example.gov.uk", "Programme overview", "viewer-ccs"),
    ("sro@warwickshire.example.gov.uk", "Warwickshire County Council", "sro-warwickshire"),
    ("sro@reading.example.gov.uk", "Reading Borough Council", "sro-reading"),
    ("learner@reading.example.gov.uk", "My accreditation", "learner-reading"),
]


@pytest.fixture
def demo_programme(reference_data):
    call_command("seed_demo", verbosity=0)


def sign_in(page, base_url, email):
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_each_demo_login_reaches_its_home(browser, live_server, demo_programme, screenshot):
    for email, heading, name in HOMES:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url, email)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        assert "GDS Transport" in font, f"GOV.UK stylesheet not applied for {email}"
        screenshot(page, f"home-{name}")
        context.close()


def test_readings_sro_never_sees_warwickshire(page, live_server, demo_programme, screenshot):
    warwickshire = Council.objects.get(code="E10000031")
    assert warwickshire.learners.exists()
    sign_in(page, live_server.url, "sro@reading.example.gov.uk")
    page.goto(f"{live_server.url}/learners/?q=E10000031")
    caption = page.get_by_role("table").locator("caption")
    expect(caption).to_have_text("0 learners")
    page.goto(f"{live_server.url}/councils/")
    expect(page.get_by_role("link", name="Warwickshire County Council")).to_have_count(0)
    response = page.goto(f"{live_server.url}/councils/{warwickshire.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    screenshot(page, "sro-reading-warwickshire-404")
