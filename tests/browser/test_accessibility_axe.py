"""axe-core checks every page each role can open, and each form with its errors shown.

The pages come from the access matrix (tests/access/test_matrix.py): every route a role may GET,
its URL filled from the access tests' world (tests/access/world.py), so that a new route, which
the matrix makes someone give a row, is checked here too without a second list. Each role signs in
once, through the sign-in form (staff with an authenticator code, so the code pages are checked),
in one browser context, and opens its pages in turn. A page with forms is sent each form with its
fields emptied and checked with that form's errors shown: the same page, with its error summary
and messages too (see check_page). Local Partnerships staff see the same pages as DLUHC staff;
only the dashboard's choice of managing body differs, and that is checked as an extra page.

axe-core comes from npm (package.json) and is put into every page by Playwright's init script,
which the Content Security Policy does not apply to. A violation of impact serious or critical
fails the test; the minor and moderate ones are printed in the test output.
"""

import re
from pathlib import Path

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests import factories
from tests.access.test_matrix import TABLE, url_for
from tests.access.world import build_world
from tests.accounts.test_mfa import code_for

pytestmark = pytest.mark.browser

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what public sector websites must meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}

# One of each kind of person: the B side of the world sees the same pages with other records.
ROLES = ("anonymous", "learner_a", "sro_a", "viewer", "staff")
# Your account's pages (allauth's) are checked for these roles only: see pages_of.
ACCOUNT_PAGES_FOR = {"anonymous", "learner_a", "staff"}
# Routes whose answer is a file or JSON, not a page.
NOT_PAGES = {
    "healthz",
    "healthz_web",
    "learners:export",
    "reports:download",
    "reports:data",
    "networks:resource_download",
    "reports:subject_access",
    "mfa_download_recovery_codes",
}
# Pages the matrix cannot give: they need an authenticator (staff sign in with one here) or are
# the pages someone sees when refused, and the managing-body view of the programme dashboard.
EXTRA_PAGES = {
    "staff": [
        ("home, one managing body", "/?body=local-partnerships"),
        ("mfa_view_recovery_codes", "/accounts/2fa/recovery-codes/"),
        ("mfa_deactivate_totp", "/accounts/2fa/totp/deactivate/"),
    ],
    "learner_a": [("refused (403)", "/cohorts/"), ("not found (404)", "/councils/0/")],
}

# One finding comes from GOV.UK Frontend's own script, not from the portal's markup; it is
# listed but does not fail the test: a radio or checkbox that reveals a question is marked
# aria-expanded, which ARIA does not allow on them; the Design System keeps it on purpose,
# because screen readers announce it (https://github.com/alphagov/govuk-frontend/issues/979).
# (The file upload's enhanced drop zone failed WCAG 2.5.3, label in name: its script puts a
# hidden comma inside the button's text. The portal uses the plain file input instead.)
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
    preload: false,  // no fetching the stylesheets again for each page
  });
  const element = (node) => node.target.length === 1 && document.querySelector(node.target[0]);
  const govukReveal = (violation, node) =>
    violation.id === "aria-allowed-attr" &&
    element(node)?.matches(
      ".govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]") &&
    node.all.every((check) =>
      check.data.values.every((attribute) => attribute.startsWith("aria-expanded=")));
  const govuk = govukReveal;
  return results.violations.flatMap((v) => {
    const known = v.nodes.filter((node) => govuk(v, node));
    const others = v.nodes.filter((node) => !govuk(v, node));
    const summary = (nodes, impact) => ({
      id: v.id,
      impact,
      help: v.help,
      targets: nodes.slice(0, 3).map((node) => node.target.join(" ")),
    });
    return [
      ...(others.length ? [summary(others, v.impact)] : []),
      ...(known.length ? [summary(known, "known GOV.UK Frontend issue")] : []),
    ];
  });
}"""

# The forms on the page that someone fills in: sent with POST, with a field a person can see.
FORMS_WITH_FIELDS = """
() => [...document.querySelectorAll("form")].filter((form) =>
  form.method.toLowerCase() === "post" &&
  [...form.elements].some((el) =>
    ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) &&
    !["hidden", "submit", "button"].includes(el.type) &&
    el.checkVisibility()))
"""

# Empty every field of the form-th such form and send it with its first button, as someone who
# pressed the button without filling anything in. Selects with no blank choice keep theirs.
SEND_EMPTY = f"""(index) => {{
  const form = ({FORMS_WITH_FIELDS})()[index];
  for (const el of form.elements) {{
    if (el.type === "checkbox" || el.type === "radio") el.checked = false;
    else if (el.tagName === "SELECT") {{
      if ([...el.options].some((option) => option.value === "")) el.value = "";
    }} else if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" &&
        !["hidden", "submit", "button", "file"].includes(el.type))) el.value = "";
  }}
  form.noValidate = true;
  form.requestSubmit(form.querySelector("button:not([type]), button[type=submit], " +
    "input[type=submit]") || undefined);
}}"""


class Audit:
    """What axe found on each page, kept for the report at the end."""

    def __init__(self, role: str):
        self.role = role
        self.checked: list[str] = []
        self.found: list[tuple[str, dict]] = []

    def check(self, page, name: str):
        violations = page.evaluate(RUN_AXE, WCAG_TAGS)
        where = f"{name} ({page.url.split('//', 1)[1].split('/', 1)[-1] or '/'})"
        self.checked.append(where)
        self.found += [(where, violation) for violation in violations]

    def lines(self, impacts) -> list[str]:
        return [
            f"  {where}: [{v['impact']}] {v['id']}: {v['help']} at {', '.join(v['targets'])}"
            for where, v in self.found
            if v["impact"] in impacts
        ]


def pages_of(role: str, world) -> list[tuple[str, str]]:
    """(what, URL) of every page the role may open, from the access matrix. The pages anyone
    may open signed out are checked signed out; your account's pages are the same for everyone
    signed in, so they are checked for the learner and for staff (who have an authenticator)."""
    anyone = {route for route, cells in TABLE.items() if cells["GET"]["anonymous"].answer == 200}
    pages = [
        (route, url_for(route, world))
        for route, cells in TABLE.items()
        if route.split(":")[0] != "admin"
        and route not in NOT_PAGES
        and cells["GET"][role].answer in (200, 302)
        and (role == "anonymous" or route not in anyone)
        and (role in ACCOUNT_PAGES_FOR or not _account_page(route))
    ]
    return pages + EXTRA_PAGES.get(role, [])


def _account_page(route: str) -> bool:
    return route.startswith(("account_", "mfa_"))


def sign_in(page, user, audit: Audit, secret: str | None = None):
    page.goto(reverse("account_login"))
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if secret:
        expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
        audit.check(page, "mfa_authenticate")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        audit.check(page, "mfa_authenticate (errors shown)")
        page.get_by_label(re.compile("code", re.I)).fill(code_for(secret))
        page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile("/accounts/"))


def check_page(page, name: str, url: str, audit: Audit, accepted: list[str]):
    """Check the page open in `page`. Where it has forms, send each empty and check the page
    with that form's errors shown instead: the same page, with its error summary and messages
    too. A form that takes no answer as an answer is noted, and the page checked as it came."""
    shown = False
    for index in range(page.evaluate(f"() => ({FORMS_WITH_FIELDS})().length")):
        if index:
            page.goto(url, wait_until="domcontentloaded")
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.evaluate(SEND_EMPTY, index)
        if page.locator(".govuk-error-summary").count():
            audit.check(page, f"{name}, form {index + 1} (errors shown)")
            shown = True
        else:
            accepted.append(f"{name}, form {index + 1}")
            page.goto(url, wait_until="domcontentloaded")
    if not shown:
        audit.check(page, name)


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_or_critical_accessibility_problem_on_any_page(
    role, browser, live_server, reference_data, capsys
):
    if not AXE_SOURCE.exists():
        pytest.fail("axe-core is not installed: run make install (npm ci)")
    world = build_world()
    cache.clear()
    user = world.user(role)
    secret = None
    if role == "staff":  # staff sign in with an authenticator, so its pages are checked too
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.add_init_script(path=str(AXE_SOURCE))
    page = context.new_page()
    # Every page is also watched for the Content Security Policy refusing something it uses.
    refused = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and refused.append(f"{page.url}: {message.text}")
        ),
    )
    audit, accepted = Audit(role), []
    if user is not None:
        sign_in(page, user, audit, secret)

    seen = set()
    for name, url in pages_of(role, world):
        try:
            response = page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError as error:  # a file: a new download route not in NOT_PAGES
            if "Download is starting" not in error.message:
                raise
            continue
        # Some pages refuse on purpose (an invitation that cannot be used is 410 Gone).
        assert response.status < 500, f"{url} answered {response.status} as {role}"
        assert response.headers["content-type"].startswith("text/html"), url
        if page.url in seen:  # a redirect to a page already checked
            continue
        seen.add(page.url)
        if response.ok:
            check_page(page, name, page.url, audit, accepted)
        else:
            audit.check(page, name)
    context.close()

    with capsys.disabled():
        print(f"\naxe, as {role}: {len(seen)} pages, {len(audit.checked)} checks")
        minor = audit.lines({"minor", "moderate", "known GOV.UK Frontend issue"})
        if minor:
            print("Minor and moderate problems:", *minor, sep="\n")
        if accepted:
            print("Forms that took no answer as an answer:", *accepted, sep="\n  ")
    serious = audit.lines(BLOCKING)
    assert not serious, "Serious or critical accessibility problems:\n" + "\n".join(serious)
    assert not refused, "The Content Security Policy refused:\n" + "\n".join(refused)
