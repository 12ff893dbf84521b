"""What the page and load benchmarks share: the portal served by gunicorn as production runs it,
signing in through the real forms (with an authenticator code where MFA asks for one), and the
bench accounts they sign in as.

The bench accounts live only in the scratch database: the demo logins get an authenticator with
a known secret (production requires MFA of staff, viewers and SROs, so the benchmark pays for it
as they do), and the load test adds pools of people with the demo password, so that no two
simulated sessions share an account (allauth refuses a TOTP code its account has just used).
"""

import base64
import hashlib
import hmac
import html
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
DEMO_PASSWORD = "cmpp-demo-2026"  # noqa: S105 - the demo's published password (README)
# Every bench account's authenticator: base32, known to the scripts, only in scratch databases.
BENCH_TOTP_SECRET = "CMPPBENCHCMPPBENCHCMPPBENCHCMPPB"  # noqa: S105
DEMO_LOGINS = {
    "staff": "staff@dluhc.example.gov.uk",
    "viewer": "viewer@ccs.example.gov.uk",
    "sro": "sro@reading.example.gov.uk",
    "learner": "learner@reading.example.gov.uk",
}
# The load test's extra staff and viewers, at these addresses (the demo's organisations).
POOL_DOMAINS = {"staff": "dluhc.example.gov.uk", "viewer": "ccs.example.gov.uk"}


def server_environment(database_url: str, redis_url: str, *, port: int) -> dict:
    """Production settings, but for what only a public deployment needs: DEBUG off, MFA required,
    Redis for the cache, sessions and Celery; cookies not marked Secure (plain HTTP on loopback);
    static files named without the collected manifest (no page here asks for an asset); emails
    dropped; the client's address read from X-Forwarded-For, as behind one proxy, so each
    simulated person has a sign-in rate limit of their own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cmpp.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_COOKIES": "false",
        "CMPP_REQUIRE_MFA": "true",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "EMAIL_URL": "dummymail://",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict, *, port: int, workers: int, app: str = "cmpp.wsgi", log: Path, timeout: int = 30
):
    """gunicorn serving `app` on loopback until the block ends, its sync workers killed past
    `timeout` seconds on a request (gunicorn's default, as the Dockerfile runs it); its log in
    `log`."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
        "--log-level",
        "warning",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
            command, env=env, cwd=BASE_DIR, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):  # noqa: S310
                    break
            except urllib.error.HTTPError:
                break  # it answers (503: no beat runs beside a benchmark's server)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    message = f"gunicorn did not start:\n{log.read_text()[-3000:]}"
                    raise SystemExit(message) from error
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def totp_code(secret: str = BENCH_TOTP_SECRET, *, at: float | None = None) -> str:
    """The authenticator app's six digits now (RFC 6238: 30-second steps, SHA-1)."""
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One person's browser, in the standard library alone: cookies, no redirects followed (a
    page that redirects is reported as such), the body read in full before the clock stops."""

    def __init__(self, base: str, *, client_ip: str = "127.0.0.1"):
        self.base = base
        self.cookies = CookieJar()
        self.client_ip = client_ip
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, path: str, data: dict | None = None):
        """(status, body, headers, seconds from sending to the last byte read)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.base + path,
            data=body,
            headers={"X-Forwarded-For": self.client_ip, "Referer": self.base + path},
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=120) as response:
                text = response.read()
                status, headers = response.status, response.headers
        except urllib.error.HTTPError as error:
            text, status, headers = error.read(), error.code, error.headers
        return status, text.decode(errors="replace"), headers, time.perf_counter() - started

    def get(self, path: str):
        return self.request(path)

    def post_form(self, path: str, fields: dict):
        """GET the form for its CSRF token, then POST it; the POST's answer."""
        status, text, _, _ = self.get(path)
        token = CSRF_FIELD.search(text)
        if status != 200 or not token:
            raise RuntimeError(f"GET {path} answered {status} with no form")
        return self.request(path, {"csrfmiddlewaretoken": html.unescape(token.group(1)), **fields})

    def sign_in(
        self, email: str, password: str = DEMO_PASSWORD, *, totp_secret: str = BENCH_TOTP_SECRET
    ) -> None:
        """Through the sign-in form, then the authenticator code if asked for one; a code the
        account used within its 30 seconds is refused, so that case waits for the next."""
        status, _, headers, _ = self.post_form(
            "/accounts/login/", {"login": email, "password": password}
        )
        location = headers.get("Location", "")
        if status != 302:
            raise RuntimeError(f"Signing in as {email} answered {status}")
        if "/2fa/authenticate/" in location:
            for _ in range(3):
                status, _, headers, _ = self.post_form(
                    "/accounts/2fa/authenticate/", {"code": totp_code(totp_secret)}
                )
                if status == 302:
                    break
                time.sleep(31 - time.time() % 30)
            else:
                raise RuntimeError(f"The authenticator code for {email} was refused")
        status, _, headers, _ = self.get("/")
        if status != 200 and not (status == 302 and headers["Location"] == "/me/"):
            raise RuntimeError(f"{email} is not signed in: / answered {status} {headers}")


# The bench accounts, written into the scratch database (Django set up by the caller).


def prepare_demo_logins() -> None:
    """The demo's fixed logins as production would have them: an authenticator for everyone MFA
    is required of, and the staff login let into the Django admin (`is_staff`, with the view
    permission on learners only) for the admin comparison."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Permission

    from cmpp.accounts.models import User
    from cmpp.accounts.selectors import user_must_have_mfa

    staff = User.objects.get(email=DEMO_LOGINS["staff"])
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(Permission.objects.get(codename="view_learner"))
    users = [User.objects.get(email=email) for email in DEMO_LOGINS.values()]
    _give_authenticators([user for user in users if user_must_have_mfa(user)], Authenticator)


def prepare_pools(*, staff: int, viewers: int, sros: int, learners: int) -> dict[str, list[str]]:
    """Accounts for the load test, each role's list of addresses: the demo's own logins first,
    then extra staff and viewers (members of the demo's DLUHC and CCS), the SROs of the councils
    with the most learners and the learners with accounts, given the demo password (one hash for
    all) and, where MFA is required, the bench authenticator."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from cmpp.accounts.models import Organisation, StaffMembership, User
    from councils.models import CouncilRole
    from learners.models import Learner

    password = make_password(DEMO_PASSWORD)
    pools = {}
    for role, count, demo in (
        ("staff", staff, ["staff@dluhc.example.gov.uk", "staff@localpartnerships.example.org.uk"]),
        ("viewer", viewers, [DEMO_LOGINS["viewer"]]),
    ):
        roles = StaffMembership.Role
        member_role = roles.PROGRAMME_STAFF if role == "staff" else roles.PROGRAMME_VIEWER
        organisation = Organisation.objects.get(staff_memberships__user__email=DEMO_LOGINS[role])
        emails = demo[:count] + [
            f"bench-{role}-{n:03d}@{POOL_DOMAINS[role]}" for n in range(1, count - len(demo) + 1)
        ]
        for email in emails[len(demo) :]:
            user, _ = User.objects.get_or_create(
                email=email, defaults={"first_name": "Bench", "last_name": role.title()}
            )
            StaffMembership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": member_role}
            )
        pools[role] = emails
    pools["sro"] = list(
        CouncilRole.objects.filter(role=CouncilRole.Role.SRO, user__is_active=True)
        .annotate(learners=Count("council__learners"))
        .order_by("-learners", "pk")
        .values_list("user__email", flat=True)
        .distinct()[: sros * 2]
    )
    pools["sro"] = list(dict.fromkeys(pools["sro"]))[:sros]
    pools["learner"] = [DEMO_LOGINS["learner"]] + list(
        Learner.objects.filter(user__isnull=False, user__is_active=True)
        .exclude(user__email=DEMO_LOGINS["learner"])
        .order_by("pk")
        .values_list("user__email", flat=True)[: learners - 1]
    )
    every = [email for emails in pools.values() for email in emails]
    User.objects.filter(email__in=every).update(password=password)
    users = list(User.objects.filter(email__in=every).exclude(email__in=pools["learner"]))
    _give_authenticators(users, Authenticator)
    return pools


def _give_authenticators(users, Authenticator) -> None:  # noqa: N803 - a model class
    """Each user's one TOTP authenticator, with the bench secret (replacing any other)."""
    from allauth.mfa.totp.internal.auth import TOTP

    Authenticator.objects.filter(user__in=users, type=Authenticator.Type.TOTP).delete()
    for user in users:
        TOTP.activate(user, BENCH_TOTP_SECRET)


def wrap_paragraphs(markdown: str, width: int = 100) -> str:
    """A docs section's prose wrapped at the docs' width; tables, headings and code kept as
    they are."""
    import textwrap

    blocks, fenced = [], False
    for block in markdown.split("\n\n"):
        first = block.lstrip("\n").split("\n", 1)[0]
        if block.count("```") % 2:
            fenced = not fenced
            blocks.append(block)
        elif fenced or first.startswith(("|", "```", "#", "    ")):
            blocks.append(block)
        elif first.startswith("- "):
            items = re.split(r"\n(?=- )", block)
            blocks.append(
                "\n".join(
                    textwrap.fill(
                        " ".join(item.split()),
                        width,
                        subsequent_indent="  ",
                        break_long_words=False,
                        break_on_hyphens=False,
                    )
                    for item in items
                )
            )
        else:
            blocks.append(
                textwrap.fill(
                    " ".join(block.split()), width, break_long_words=False, break_on_hyphens=False
                )
            )
    return "\n\n".join(blocks)
