"""Every page carries a Content Security Policy that refuses inline code, and the other headers
that keep a person's data to the portal; the production settings pass Django's deploy checks."""

import base64
import hashlib
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from networks.models import Network
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

# Script types a browser runs; any other (application/json...) is data, which CSP leaves alone.
RUNNABLE_SCRIPT_TYPES = {"", "text/javascript", "module"}


class PageMarkup(HTMLParser):
    """What a strict policy would block in a page: inline scripts, <style> elements, style
    attributes and event-handler attributes (onclick=...)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.inline_scripts: list[str] = []
        self.style_elements = 0
        self.style_attributes: list[str] = []
        self.handlers: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if "style" in names:
            self.style_attributes.append(f"<{tag} style={names['style']!r}>")
        self.handlers += [f"<{tag} {name}=...>" for name in names if name.startswith("on")]
        if tag == "style":
            self.style_elements += 1
        if (
            tag == "script"
            and "src" not in names
            and (names.get("type") or "").lower() in RUNNABLE_SCRIPT_TYPES
        ):
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.inline_scripts.append("".join(self._script))
            self._script = None


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def sha256_source(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def pages(cast):
    """(who, url) for the main pages of each role; None is nobody signed in."""
    network = Network.objects.order_by("pk").first()
    learner, council, cohort = cast.learner_a.pk, cast.council_a.pk, cast.cohort.pk
    return [
        (None, reverse("account_login")),
        (None, reverse("account_reset_password")),
        ("nobody", reverse("home")),
        ("learner_a_user", reverse("me")),
        ("sro_a", reverse("home")),
        ("sro_a", reverse("councils:detail", args=[council])),
        ("sro_a", reverse("learners:detail", args=[learner])),
        ("viewer", reverse("home")),
        ("viewer", reverse("reports:list")),
        ("staff", reverse("home")),
        ("staff", reverse("learners:list")),
        ("staff", reverse("learners:detail", args=[learner])),
        ("staff", reverse("councils:detail", args=[council])),
        ("staff", reverse("cohorts:detail", args=[cohort])),
        ("staff", reverse("email_log")),
        ("staff", reverse("reports:list")),
        ("staff", reverse("networks:list")),
        ("staff", reverse("networks:detail", args=[network.pk])),
        ("staff", reverse("mfa_activate_totp")),
    ]


def fetch(client, cast, who, url):
    """The page as `who` sees it, giving the password again where allauth asks for it (before
    an authenticator app is set up)."""
    client.logout()
    if who:
        client.force_login(getattr(cast, who))
    response = client.get(url, follow=True)
    if who and response.request["PATH_INFO"] == reverse("account_reauthenticate"):
        client.post(response.redirect_chain[-1][0], {"password": PASSWORD})
        response = client.get(url, follow=True)
    assert response.status_code == 200, url
    assert response.request["PATH_INFO"] == url, response.redirect_chain
    return response


def test_every_page_runs_only_the_scripts_and_styles_the_policy_allows(client, cast):
    shown = set()
    for who, url in pages(cast):
        response = fetch(client, cast, who, url)
        directives = policy(response)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert directives["default-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        markup = PageMarkup()
        markup.feed(response.content.decode())
        # Each inline script is allowed by name, so one injected into a page would not run.
        for script in markup.inline_scripts:
            assert sha256_source(script) in directives["script-src"], (url, script)
        assert markup.style_attributes == [], url
        assert markup.style_elements == 0, url
        assert markup.handlers == [], url
        shown.add(len(markup.inline_scripts))
        if "cmpp-progress__bar" in response.content.decode():
            shown.add("progress bar")
        if 'src="data:image/' in response.content.decode():
            shown.add("QR code")
    # GOV.UK Frontend's js-enabled line is on every page; progress bars (once drawn with a style
    # attribute) and the QR code for an authenticator app (a data: image) are among the pages.
    assert shown == {1, "progress bar", "QR code"}


def test_the_progress_bar_is_as_long_as_the_share_of_steps_done(client, cast):
    from cmpp.core.templatetags.cmpp_tags import progress

    assert "cmpp-progress__bar--33" in progress(1, 3)
    assert "cmpp-progress__bar--100" in progress(5, 4)
    assert "cmpp-progress__bar--0" in progress(0, 0)


def test_the_js_enabled_line_runs_under_the_policy(client, db):
    """The hash in settings is that of the line templates/base.html carries: when GOV.UK
    Frontend changes it, this fails until settings follow."""
    response = client.get(reverse("account_login"))
    markup = PageMarkup()
    markup.feed(response.content.decode())
    assert len(markup.inline_scripts) == 1
    assert "js-enabled" in markup.inline_scripts[0]
    assert sha256_source(markup.inline_scripts[0]) == settings.GOVUK_FRONTEND_INLINE_SCRIPT_HASH


# Not named `page`: pytest-playwright would take that for its browser page, and run these tests
# with the browser tests, after which the database has been emptied.
@pytest.mark.parametrize(
    ("who", "url_name"),
    [(None, "account_login"), ("learner_a_user", "me"), ("staff", "learners:list")],
)
def test_every_page_says_where_it_may_be_sent_and_what_it_may_use(client, cast, who, url_name):
    response = fetch(client, cast, who, reverse(url_name))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_pages_for_signed_in_people_are_not_stored(client, cast):
    for who, url in pages(cast):
        if who is None:
            continue
        response = fetch(client, cast, who, url)
        assert "no-store" in response["Cache-Control"], url


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_behind_the_tls_proxy_plain_http_is_sent_to_https_but_health_checks_are_not(client, cast):
    client.force_login(cast.staff)
    response = client.get("/learners/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/learners/"
    assert "Strict-Transport-Security" not in response

    # The proxy ended TLS and says so: the page is served, and browsers told to keep to HTTPS.
    response = client.get("/learners/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")

    # A health check on loopback speaks plain HTTP.
    assert client.get("/healthz").status_code == 200


def settings_process(*argv, **environment):
    """Runs manage.py with the production settings module and the given environment, as a
    server would start, in a process of its own (settings are read once, at import)."""
    # The tests allow async-unsafe calls for Playwright; a server never does.
    names = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    names.add("DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith("SECURE_")}
    env |= {"DJANGO_SETTINGS_MODULE": "cmpp.settings"} | environment
    return subprocess.run(  # noqa: S603 - the arguments are this module's own
        [sys.executable, "manage.py", *argv],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_checks_with_no_warning():
    result = settings_process(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="cmpp.example.gov.uk",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("key", [None, "local-only-not-secret"])
def test_without_a_secret_key_of_its_own_production_refuses_to_start(key):
    environment = {"DEBUG": "false", "ALLOWED_HOSTS": "cmpp.example.gov.uk"}
    if key:
        environment["SECRET_KEY"] = key
    result = settings_process("check", **environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
