"""Health checks for the containers (docker-compose.yml's `healthcheck`, the Dockerfile's
HEALTHCHECK): `python -m cmpp.core.probe web|worker|beat` exits 0 when that process is healthy,
1 (with the reason on stderr) when not. scripts/smoke_stack.py runs each as CI.

- web: /healthz answers on this container's PORT and reports the database and cache working. A
  beat or outbox that is late (which /healthz also reports, with 503) is the worker's or beat's
  ill health, not the web process's: restarting web would not mend it.
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


def web() -> str | None:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=8) as response:  # noqa: S310 - loopback
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    except OSError as error:
        return f"{url} did not answer: {error}"
    try:
        checks = json.loads(body)
    except ValueError:
        return f"{url} did not answer JSON"
    failing = [part for part in ("database", "cache") if checks.get(part) != "ok"]
    return f"{', '.join(failing)} not ok: {checks}" if failing else None


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
