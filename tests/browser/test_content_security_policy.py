"""Under the Content Security Policy the browser blocks nothing the portal itself sends: GOV.UK
Frontend's scripts still start its components, and drawn progress bars keep their length."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.browser

# Records every violation the browser reports, before any of the page's own scripts run.
LISTEN = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_pages_run_under_the_policy_with_nothing_blocked(browser, live_server, reference_data):
    staff = factories.StaffMembershipFactory(user__email="staff@dluhc.test").user
    cohort = factories.CohortFactory()
    learner = factories.LearnerFactory(first_name="Ada", last_name="Steps")
    factories.EnrolmentFactory(learner=learner, cohort=cohort)
    factories.StepProgressFactory(learner=learner)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme overview")

    for path in ["/", "/learners/", f"/cohorts/{cohort.pk}/", "/accounts/2fa/totp/activate/"]:
        page.goto(f"{base}{path}")
        if "/reauthenticate/" in page.url:
            page.get_by_label("Password").fill(factories.PASSWORD)
            page.get_by_role("button", name="Continue").click()
            expect(page).to_have_url(f"{base}{path}")
        # The inline js-enabled line ran, and GOV.UK Frontend's module started the components.
        expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
        expect(page.locator("[data-govuk-skip-link-init]")).to_have_count(1)
        assert page.evaluate("window.cspViolations") == [], path
    assert not [text for text in console if "Content Security Policy" in text]

    # The QR code for an authenticator app is a data: image, and it is drawn.
    qr = page.get_by_role("img", name=re.compile("QR code"))
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")

    # A progress bar is as long as its class says, with no style attribute to set it.
    page.goto(f"{base}/learners/")
    bar = page.locator(".cmpp-progress__bar").first
    percent = int(re.search(r"cmpp-progress__bar--(\d+)", bar.get_attribute("class")).group(1))
    assert percent > 0
    share = bar.evaluate("bar => bar.offsetWidth / bar.parentElement.clientWidth * 100")
    assert share == pytest.approx(percent, abs=2)
    context.close()
