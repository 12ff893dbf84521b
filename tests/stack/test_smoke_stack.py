"""The whole stack, as docker-compose.yml (with compose.demo.yml's seed) runs it: migrate, seed,
gunicorn, a Celery worker and beat, each started with the compose file's own command, against
this machine's PostgreSQL (a database of the test's own) and Redis (a database of its own), with
a local SMTP server for the mail server. Everything is then done over HTTP, as people do it:

1. Programme staff sign in through the sign-in form with MFA required: the first time they set
   up an authenticator with the secret the page shows, then sign in again with a code from it.
2. They import a CSV file of 50 learners: the file is checked, confirmed and imported by the
   worker, and the SMTP server receives 50 invitations, one to each learner.
3. They ask for DLUHC's programme report, wait for it, download it and read its first page.
4. An SRO (MFA too) asks for and downloads their council's report.
5. The worker is killed with SIGKILL while it draws a report; started again, it builds the
   report, which staff then download.
6. Each service's health check (the compose file's) passes.

Everything started is stopped at the end. Run by `make smoke` (CI, after `make test`); the
suite leaves it out unless `-m stack` asks for it.
"""

import html
import os
import re
import secrets
import time
import urllib.request
import uuid
from datetime import date
from io import BytesIO

import psycopg
import pytest
from pypdf import PdfReader

from bench.scratch import drop_database, recreate_database, with_database
from bench.serve import CSRF_FIELD, Browser, totp_code
from tests.integration.smtp_sink import SmtpSink
from tests.integration.support import ProcessGroup, free_port, isolated_redis_db
from tests.stack import compose

pytestmark = pytest.mark.stack

DATABASE = "cmpp_smoke_stack"
DEMO_PASSWORD = "cmpp-demo-2026"  # noqa: S105 - the demo's published password (README)
STAFF = "staff@dluhc.example.gov.uk"
SRO = "sro@reading.example.gov.uk"
IMPORTED = 50
SECRET_ON_PAGE = re.compile(r'id="authenticator_secret">\s*([A-Z2-7]+)\s*<')


@pytest.fixture
def stack(tmp_path):
    """The stack's settings and a place for its processes; stops every process it started and
    drops its database and Redis keys, however the test ends."""
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        pytest.fail("The stack test needs DATABASE_URL (PostgreSQL) and REDIS_URL, as in CI")
    database_url = with_database(database_url, DATABASE)
    recreate_database(database_url, DATABASE)
    sink = SmtpSink(port=free_port())
    sink.start()
    started: list[ProcessGroup] = []
    port = free_port()
    try:
        with isolated_redis_db(redis_url) as stack_redis:
            env = {
                "PATH": compose.venv_path(),
                "HOME": str(tmp_path),
                "LANG": "C.UTF-8",
                # The compose file's variables, with this machine's addresses.
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                # The service's own name first, as a deployment writes it: web's health check
                # asks for that host, not loopback's (which this test's requests use).
                "ALLOWED_HOSTS": "cmpp.example.gov.uk,127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": "",
                "SITE_URL": f"http://127.0.0.1:{port}",
                "DATABASE_URL": database_url,
                "REDIS_URL": stack_redis,
                "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
                "DEFAULT_FROM_EMAIL": "CMPP portal <noreply@cmpp.example.gov.uk>",
                "CMPP_PROGRAMME_CONTACT_EMAIL": "cmpp@communities.example.gov.uk",
                "CMPP_REQUIRE_MFA": "true",
                # Plain HTTP on loopback, with no TLS proxy in front.
                "SECURE_COOKIES": "false",
                "SECURE_SSL_REDIRECT": "false",
                "SECURE_HSTS_SECONDS": "0",
                "ALLAUTH_TRUSTED_PROXY_COUNT": "0",
                "ADMIN_URL": "admin/",
                "LOG_LEVEL": "INFO",
                "LOG_FORMAT": "json",
                "CMPP_HEALTH_BEAT_MAX_AGE": "300",
                "CMPP_HEALTH_EMAIL_MAX_WAIT": "900",
                "CMPP_ANONYMISE_AFTER_YEARS": "6",
                "CMPP_AT_RISK_WEEKS": "8",
                "CMPP_NOMINATIONS_PER_DAY": "25",
                "MEDIA_ROOT": str(tmp_path / "media"),
                # The image's static files, collected for this run only (not var/staticfiles,
                # which the suite's WhiteNoise would then read at every test client).
                "STATIC_ROOT": str(tmp_path / "static"),
                "PORT": str(port),
                "WEB_CONCURRENCY": "2",
                "WORKER_CONCURRENCY": "2",
            }
            missing = compose.app_environment_names() - set(env)
            assert not missing, f"The smoke test does not set {missing}"

            def start(name: str, *, log: str | None = None) -> ProcessGroup:
                service = compose.compose_services()[name]
                process = ProcessGroup(
                    name=name,
                    command=compose.command_of(service),
                    env=env,
                    log_path=tmp_path / f"{log or name}.log",
                ).start()
                started.append(process)
                return process

            yield {
                "env": env,
                "base": f"http://127.0.0.1:{port}",
                "database_url": database_url,
                "sink": sink,
                "start": start,
            }
    finally:
        for process in started:
            process.stop()
        sink.stop()
        drop_database(database_url, DATABASE)
    leftovers = [p.name for p in started if p.running()]
    assert not leftovers, f"still running: {leftovers}"


def sign_in_first_time(browser: Browser, email: str) -> str:
    """Sign in with the password, set up the authenticator the portal then asks for (reading
    the secret the page shows, as someone types it into an app), and return the secret."""
    status, _, headers, _ = browser.post_form(
        "/accounts/login/", {"login": email, "password": DEMO_PASSWORD}
    )
    assert status == 302, f"signing in as {email} answered {status}"
    status, _, headers, _ = browser.get("/")
    assert status == 302 and "/2fa/totp/activate/" in headers["Location"], (
        "MFA is required: the portal asks for an authenticator before anything else"
    )
    activate = headers["Location"]
    status, page, headers, _ = browser.get(activate)
    if status == 302 and "/reauthenticate/" in headers["Location"]:
        # Setting up an authenticator asks for the password again, as allauth does.
        status, _, headers, _ = browser.post_form(headers["Location"], {"password": DEMO_PASSWORD})
        assert status == 302, f"reauthenticating answered {status}"
        status, page, headers, _ = browser.get(activate)
    found = SECRET_ON_PAGE.search(page)
    assert status == 200 and found, f"no secret on the page: {status} {headers}\n{page[:3000]}"
    secret = found.group(1)
    # Posted with this page's form: showing the page again would make a new secret.
    token = html.unescape(CSRF_FIELD.search(page).group(1))
    status, page, headers, _ = browser.request(
        activate, {"csrfmiddlewaretoken": token, "code": totp_code(secret)}
    )
    errors = re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>', page, re.S)
    assert status == 302, f"the authenticator code was refused: {status} {errors}"
    return secret


def sign_in(base: str, email: str, secret: str) -> Browser:
    """A new browser signed in through the form: password, then the authenticator's code."""
    browser = Browser(base)
    browser.sign_in(email, DEMO_PASSWORD, totp_secret=secret)
    return browser


def upload(browser: Browser, path: str, *, filename: str, content: bytes):
    """POST the form at `path` with a file in its `file` field, as a browser sends it."""
    _, page, _, _ = browser.get(path)
    token = html.unescape(CSRF_FIELD.search(page).group(1))
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f'name="file"; filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(  # noqa: S310 - loopback
        browser.base + path,
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": browser.base + path,
        },
    )
    with browser.opener.open(request, timeout=60) as response:
        return response.status, response.read().decode()


def ask_for_report(browser: Browser, fields: dict) -> None:
    today = date.today()
    status, page, headers, _ = browser.post_form(
        "/reports/",
        {**fields, "as_at_day": today.day, "as_at_month": today.month, "as_at_year": today.year},
    )
    assert status == 302, f"asking for a report answered {status}:\n{page[:2000]}"


def newest_report(database_url: str) -> tuple[int, str]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT id, status FROM reports_progressreport ORDER BY id DESC LIMIT 1"
        ).fetchone()


def report_status(database_url: str, report_id: int) -> str:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT status FROM reports_progressreport WHERE id = %s", [report_id]
        ).fetchone()[0]


def wait_for_report(database_url: str, report_id: int, *, what: str, processes) -> None:
    compose.wait_for(
        lambda: report_status(database_url, report_id) == "ready",
        timeout=180,
        what=what,
        processes=processes,
    )


def download_report(browser: Browser, report_id: int) -> str:
    """The report's PDF, downloaded as its owner would; the text of its first page."""
    request = urllib.request.Request(f"{browser.base}/reports/{report_id}/download/")  # noqa: S310
    with browser.opener.open(request, timeout=60) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
        pdf = PdfReader(BytesIO(response.read()))
    return pdf.pages[0].extract_text()


def test_the_compose_stack_serves_imports_emails_and_reports_and_survives_a_killed_worker(stack):
    env, base, database_url, sink = (
        stack["env"],
        stack["base"],
        stack["database_url"],
        stack["sink"],
    )
    services = compose.compose_services()

    # What the image's build runs (Dockerfile), then what `docker compose up` runs first, once:
    # migrate, then (the demo file) seed.
    compose.run(["python", "manage.py", "collectstatic", "--noinput"], env)
    compose.run(compose.command_of(services["migrate"]), env)
    compose.run(compose.command_of(services["seed"]), env)
    web, worker, beat = stack["start"]("web"), stack["start"]("worker"), stack["start"]("beat")
    processes = [web, worker, beat]
    compose.wait_for(
        lambda: " ready." in worker.log(),
        timeout=90,
        what="the worker is ready",
        processes=[worker],
    )
    started_beat_at = time.monotonic()
    compose.wait_for(
        lambda: Browser(base).get("/healthz")[0] in (200, 503),
        timeout=60,
        what="gunicorn answers",
        processes=[web],
    )

    # 1. Staff: MFA set up at the first sign-in, then a sign-in with a code.
    staff_secret = sign_in_first_time(Browser(base), STAFF)
    staff = sign_in(base, STAFF, staff_secret)

    # 2. Import 50 learners; each gets one invitation.
    with psycopg.connect(database_url) as connection:
        council_code = connection.execute(
            "SELECT code FROM councils_council WHERE name LIKE 'Reading%%'"
        ).fetchone()[0]
    addresses = [f"smoke-{n:02d}@reading.example.gov.uk" for n in range(IMPORTED)]
    rows = [
        f"{council_code},Smoke{n:02d},Learner,{address},Contract manager,foundation,"
        for n, address in enumerate(addresses)
    ]
    csv = "council_code,first_name,last_name,email,job_title,target_level,cohort_code\r\n"
    status, page = upload(
        staff,
        "/learners/import/",
        filename="learners.csv",
        content=(csv + "\r\n".join(rows) + "\r\n").encode(),
    )
    assert status == 200 and "Check the file before you import it" in page, page[:3000]
    job_path = re.search(r'action="(/learners/import/\d+/)"', page).group(1)
    token = html.unescape(CSRF_FIELD.search(page).group(1))
    status, _, headers, _ = staff.request(job_path, {"csrfmiddlewaretoken": token})
    assert status == 302
    compose.wait_for(
        lambda: "Learners imported" in staff.get(job_path)[1],
        timeout=120,
        what="the import is done",
        processes=processes,
    )
    compose.wait_for(
        lambda: {recipient for _, recipient in sink.received} >= set(addresses),
        timeout=120,
        what="every imported learner's invitation arrived",
        processes=processes,
    )
    invitations = [r for _, r in sink.received if r in addresses]
    assert sorted(invitations) == sorted(addresses), "one invitation each, none twice"

    # 3. DLUHC's programme report.
    ask_for_report(staff, {"subject": "body:dluhc"})
    dluhc_report, _ = newest_report(database_url)
    wait_for_report(database_url, dluhc_report, what="DLUHC's report is ready", processes=processes)
    first_page = download_report(staff, dluhc_report)
    assert "Progress report" in first_page and "Ministry of Housing" in first_page, first_page

    # 4. An SRO's council report.
    sro_secret = sign_in_first_time(Browser(base), SRO)
    sro = sign_in(base, SRO, sro_secret)
    with psycopg.connect(database_url) as connection:
        reading = connection.execute(
            "SELECT id FROM councils_council WHERE code = %s", [council_code]
        ).fetchone()[0]
    ask_for_report(sro, {"council": reading})
    council_report, _ = newest_report(database_url)
    wait_for_report(
        database_url, council_report, what="the council's report is ready", processes=processes
    )
    first_page = download_report(sro, council_report)
    assert "Progress report" in first_page and "Reading" in first_page, first_page

    # 5. The worker killed while drawing a report: started again, it builds the report.
    for attempt in range(3):
        ask_for_report(staff, {"subject": "body:dluhc"})
        killed_report, _ = newest_report(database_url)
        compose.wait_for(
            lambda: report_status(database_url, killed_report) != "queued",  # noqa: B023
            timeout=60,
            what="the worker takes the report",
            interval=0.02,
            processes=processes,
        )
        worker.kill()
        if report_status(database_url, killed_report) == "building":
            break
        # The report was done before the kill landed: start the worker and try again.
        worker = stack["start"]("worker", log=f"worker-{attempt + 2}")
        compose.wait_for(lambda: " ready." in worker.log(), timeout=90, what="worker ready")  # noqa: B023
    else:
        pytest.fail("Could not kill the worker while it drew a report")
    assert report_status(database_url, killed_report) == "building"
    worker = stack["start"]("worker", log="worker-after-kill")
    processes = [web, worker, beat]
    wait_for_report(
        database_url,
        killed_report,
        what="the report left building by the killed worker is built",
        processes=processes,
    )
    assert "Ministry of Housing" in download_report(staff, killed_report)

    # 6. Every service's own health check, as compose runs it (beat's needs a heartbeat, which
    # beat sends a minute after it starts).
    for name in ("web", "worker", "beat"):
        check = compose.healthcheck_of(services[name])
        if name == "beat":
            time.sleep(max(0, 75 - (time.monotonic() - started_beat_at)))
        compose.wait_for(
            lambda check=check: _passes(check, env),
            timeout=60,
            what=f"{name}'s health check passes",
            processes=processes,
        )
    status, body, _, _ = Browser(base).get("/healthz")
    assert status == 200, body


def _passes(command: list[str], env: dict) -> bool:
    try:
        compose.run(command, env, timeout=30)
    except AssertionError:
        return False
    return True
