"""Health checks for the containers (docker-compose.yml's `healthcheck`, the Dockerfile's
HEALTHCHECK): `python -m cmpp.core.probe web|worker|beat` exits 0 when that process is healthy,
1 (with the reason on stderr) when not. The smoke test (tests/stack/test_smoke_stack.py, `make
smoke`) runs each, as CI does.

- web: /healthz/web answers 200 on this container's PORT: the database and cache work. A beat or
  outbox that is late (which /healthz reports, with 503) is the worker's or beat's ill health,
  not the web process's: restarting web would not mend it. The request names the first of
  ALLOWED_HOSTS as its host, as the TLS proxy does: Django refuses any other (a 400).
- worker: this container's worker (named worker@ its host name, as docker-compose.yml names it)
  answers a ping through the broker.
- beat: beat's heartbeat task ran recently, so beat is scheduling and a worker is running what it
  schedules.
"""

import json
import os
import socket
import sys
import urllib.error
import urllib.request


def _host() -> str:
    """The first host the portal serves (ALLOWED_HOSTS, comma-separated), without the leading dot
    of a domain and its subdomains; "localhost" where it allows any."""
    first = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
    return first if first and first != "*" else "localhost"


def web() -> str | None:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz/web"
    request = urllib.request.Request(url, headers={"Host": _host()})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 - loopback
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except OSError as error:
        return f"{url} did not answer: {error}"
    try:
        checks = json.loads(body)
    except ValueError:
        return f"{url} answered {status}, not JSON (is {_host()!r} in ALLOWED_HOSTS?)"
    return None if status == 200 else f"{url} answered {status}: {checks}"


def worker() -> str | None:
    from cmpp.celery import app

    name = f"worker@{socket.gethostname()}"
    replies = app.control.ping(destination=[name], timeout=5)
    return None if replies else f"{name} did not answer a ping"


def beat() -> str | None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmpp.settings")
    django.setup()
    from cmpp.core.health import check_beat

    result = check_beat()
    return None if result in ("ok", "inline") else f"beat: {result}"


PROBES = {"web": web, "worker": worker, "beat": beat}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in PROBES:
        print(f"usage: python -m cmpp.core.probe {'|'.join(PROBES)}", file=sys.stderr)
        return 2
    problem = PROBES[argv[0]]()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
