"""The portal's own log lines: one per request and one per Celery task, holding ids, never
personal data; and the JSON format every log line takes in production (settings.LOGGING).

A log collector keeps lines longer, and shows them to more people, than the database: so a line
names a user by id, never by email or name, a request by its path without the query string (a
search holds names and email addresses), and a task by its name, never its arguments."""

import logging
import time

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

request_logger = logging.getLogger("cmpp.request")
task_logger = logging.getLogger("cmpp.task")

# Extras that Django and Celery attach to their own records, which the JSON formatter would
# otherwise write out whole: Django's `request` (its repr has the query string) and
# `server_time`, and Celery's `data` (a task's arguments, which hold email addresses).
DROPPED_EXTRAS = ("request", "server_time", "data")

# A URL argument that signs someone in or resets their password: a log reader must not be able
# to use it. The path is logged with its value replaced.
SECRET_URL_ARGUMENTS = ("token", "key")


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter, leaving out the extras above whatever a logger passes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *DROPPED_EXTRAS])
        super().__init__(*args, **kwargs)


def logged_path(request) -> str:
    """The request's path without its query string, and with any sign-in secret taken out."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name in SECRET_URL_ARGUMENTS:
            value = match.kwargs.get(name)
            if value:
                path = path.replace(str(value), "[secret]")
    return path


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)  # absent when a middleware answered before sign-in's
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except Exception:  # noqa: BLE001 - the session could not be read: log the request anyway
        return None


class RequestLogMiddleware:
    """One line per request: the user's id, the method, the path, the status and how long the
    portal took, in milliseconds. Static files (WhiteNoise's) make none: a page's stylesheet,
    scripts and fonts would make several lines of each page view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = logged_path(request)
        request_logger.info(
            "%s %s %s %sms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "user_id": _user_id(request),
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


# When each task running in this process started, by task id (a worker process runs one at a
# time; run inline, a task may start another before it ends).
_task_started: dict[str, float] = {}

# Run inline with CELERY_TASK_EAGER_PROPAGATES (no broker), a task's exception goes straight to
# its caller and the state stays None: it failed.
TASK_STATES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried", None: "failed"}
TASK_LEVELS = {"succeeded": logging.INFO, "retried": logging.WARNING, "failed": logging.ERROR}


def _task_start(task_id=None, **kwargs):
    _task_started[task_id] = time.perf_counter()


def _task_end(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    duration_ms = None if started is None else round((time.perf_counter() - started) * 1000, 1)
    outcome = TASK_STATES.get(state, str(state).lower())
    task_logger.log(
        TASK_LEVELS.get(outcome, logging.INFO),
        "%s %s %s in %sms",
        task.name,
        task_id,
        outcome,
        duration_ms,
        extra={"task": task.name, "task_id": task_id, "state": outcome, "duration_ms": duration_ms},
    )


def task_logging_connect() -> None:
    """One line per task a worker (or an inline run) finishes: its name, id, outcome and time."""
    task_prerun.connect(_task_start, weak=False, dispatch_uid="cmpp-task-log-start")
    task_postrun.connect(_task_end, weak=False, dispatch_uid="cmpp-task-log-end")
