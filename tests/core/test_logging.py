"""Log lines: one per request and one per task, in JSON, with ids and never personal data."""

import copy
import json
import logging
import logging.config
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from cmpp.celery import app as celery_app
from cmpp.core.tasks import beat_heartbeat_task


def json_line(record: logging.LogRecord) -> dict:
    """The record as production writes it: through the JSON formatter settings.LOGGING names."""
    formatter = logging.config.DictConfigurator({}).configure_formatter(
        copy.deepcopy(settings.LOGGING["formatters"]["json"])  # it takes keys out as it reads
    )
    line = formatter.format(record)
    assert "\n" not in line
    return json.loads(line)


def lines_of(caplog, logger: str) -> list[dict]:
    return [json_line(record) for record in caplog.records if record.name == logger]


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def test_a_request_makes_one_line_with_the_user_id_and_no_query_string(client, cast, log):
    client.force_login(cast.staff)
    response = client.get(f"/learners/?q={cast.learner_a.email}&page=1")
    assert response.status_code == 200

    [line] = lines_of(log, "cmpp.request")
    assert line["user_id"] == cast.staff.pk
    assert line["method"] == "GET"
    assert line["path"] == "/learners/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["level"] == "INFO"
    assert line["logger"] == "cmpp.request"
    assert "time" in line
    written = json.dumps(line)
    for personal in (cast.learner_a.email, cast.staff.email, cast.staff.first_name, "q="):
        assert personal not in written


def test_an_anonymous_request_has_no_user_id(client, db, log):
    client.get("/healthz?probe=1")
    [line] = lines_of(log, "cmpp.request")
    assert line["user_id"] is None
    assert line["path"] == "/healthz"


def test_a_sign_in_link_s_secret_is_not_logged(client, db, log):
    client.get("/accounts/invitation/s3cret-invitation-token/")
    [line] = lines_of(log, "cmpp.request")
    assert line["path"] == "/accounts/invitation/[secret]/"
    assert "s3cret" not in json.dumps(line)


def test_static_files_make_no_line(client, db, log):
    # (Under the test runner, WhiteNoise serves only collected files, which a checkout need not
    # have: the answer may be 404; what matters is that a static path makes no line.)
    client.get("/static/css/cmpp.css")
    client.get("/healthz")
    assert [line["path"] for line in lines_of(log, "cmpp.request")] == ["/healthz"]


def test_django_s_own_warnings_leave_out_the_request_and_its_query_string(db, log):
    """A refused form (no CSRF token): Django logs it with the request attached as an extra."""
    Client(enforce_csrf_checks=True).post("/accounts/login/?email=amira.khan@example.gov.uk")
    [warning] = lines_of(log, "django.security.csrf")
    assert warning["message"] == "Forbidden (CSRF cookie not set.): /accounts/login/"
    assert "amira" not in json.dumps(warning)
    # A 404 or a refused form is in the request line already: Django's "Not Found" is not.
    assert lines_of(log, "django.request") == []
    assert [line["status"] for line in lines_of(log, "cmpp.request")] == [403]


@celery_app.task(name="tests.core.test_logging.refuse_task")
def refuse_task(email: str) -> None:
    raise ValueError("refused")


@celery_app.task(bind=True, name="tests.core.test_logging.retry_task", max_retries=1)
def retry_task(self, email: str) -> str:
    if not self.request.retries:
        raise self.retry(countdown=0)
    return "sent"


def test_a_task_makes_one_line_with_its_name_id_state_and_duration(db, log):
    result = beat_heartbeat_task.apply()
    [line] = lines_of(log, "cmpp.task")
    assert line["task"] == "cmpp.core.tasks.beat_heartbeat_task"
    assert line["task_id"] == result.id
    assert line["state"] == "succeeded"
    assert isinstance(line["duration_ms"], float)


def test_a_failed_task_s_lines_hold_no_argument(db, log):
    # As a worker runs it: the failure is recorded, not raised.
    result = refuse_task.apply(("amira.khan@example.gov.uk",), throw=False)
    [line] = lines_of(log, "cmpp.task")
    assert (line["task_id"], line["state"], line["level"]) == (result.id, "failed", "ERROR")
    # Celery logs the failure with its traceback, and the arguments as an extra: not written.
    every_line = [json_line(record) for record in log.records]
    assert any(line["logger"] == "celery.app.trace" for line in every_line)
    assert "amira" not in json.dumps(every_line)


def test_a_task_raised_inline_is_logged_as_failed(db, log):
    with pytest.raises(ValueError):
        refuse_task.apply(("amira.khan@example.gov.uk",))
    [line] = lines_of(log, "cmpp.task")
    assert line["state"] == "failed"


def test_a_retried_task_is_logged_as_retried_then_succeeded(db, log):
    retry_task.apply(("amira.khan@example.gov.uk",), throw=False)
    assert [line["state"] for line in lines_of(log, "cmpp.task")] == ["retried", "succeeded"]


def log_from_a_fresh_process(**environment) -> list[str]:
    """What a production process writes on stderr: its settings and logging set up afresh."""
    code = "\n".join(
        [
            "import django, logging",
            "django.setup()",
            "logging.getLogger('cmpp.request').info('GET / 200', extra={'user_id': 7})",
            "logging.getLogger('django.server').warning('\"GET /learners/?q=amira HTTP/1.1\" 404')",
            "try:",
            "    1 / 0",
            "except ZeroDivisionError:",
            "    logging.getLogger('django.request').exception('Internal Server Error: /')",
        ]
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LOG_FORMAT"}}
    result = subprocess.run(  # noqa: S603 - the arguments are this module's own
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "cmpp.settings", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr.splitlines()


def test_production_logs_one_json_object_a_line():
    lines = log_from_a_fresh_process(DEBUG="false", SECRET_KEY="x" * 50)
    records = [json.loads(line) for line in lines]
    assert [(r["logger"], r["level"]) for r in records] == [
        ("cmpp.request", "INFO"),
        ("django.request", "ERROR"),
    ]
    assert records[0]["user_id"] == 7
    assert "ZeroDivisionError" in records[1]["exc_info"]  # the traceback, inside its line
    assert "amira" not in "\n".join(lines)  # runserver's line, with its query string, is dropped


def test_a_person_running_the_portal_locally_reads_plain_text():
    [line, error, *traceback] = log_from_a_fresh_process(DEBUG="true")
    assert line.endswith(" INFO cmpp.request: GET / 200")
    assert error.endswith(" ERROR django.request: Internal Server Error: /")
    assert traceback[-1] == "ZeroDivisionError: division by zero"


def test_a_redirect_to_https_is_logged_without_its_query_string(client, db, log, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/learners/?q=amira").status_code == 301
    [line] = lines_of(log, "cmpp.request")
    assert (line["path"], line["status"]) == ("/learners/", 301)
