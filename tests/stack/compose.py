"""docker-compose.yml and compose.demo.yml read as the smoke test runs them: each service's
command and health check, run as processes on this machine (which has no Docker engine) against
its own PostgreSQL database and Redis database, with a local SMTP sink for the mail server."""

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILES = ("docker-compose.yml", "compose.demo.yml")


def compose_services() -> dict[str, dict]:
    """Every service of the production file, with the demo file's services added (as `docker
    compose -f docker-compose.yml -f compose.demo.yml` merges them: a service the demo file only
    adds to keeps the production file's command and health check)."""
    services: dict[str, dict] = {}
    for name in COMPOSE_FILES:
        document = yaml.safe_load((BASE_DIR / name).read_text())
        for service, definition in document["services"].items():
            services[service] = {**services.get(service, {}), **definition}
    return services


def app_environment_names() -> set[str]:
    """The variables the production file gives web, worker and beat."""
    document = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    return set(document["x-app"]["environment"])


def command_of(service: dict) -> list[str]:
    command = service["command"]
    assert isinstance(command, list), "commands are in exec form, so nothing reinterprets them"
    return [str(part) for part in command]


def healthcheck_of(service: dict) -> list[str]:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD", "health checks are in exec form"
    return [str(part) for part in test[1:]]


def run(command: list[str], env: dict[str, str], *, timeout: float = 300) -> str:
    """A one-off command (migrate, seed, a health check) to its end; its output. Fails the test
    with the output if it fails."""
    done = subprocess.run(  # noqa: S603 - the compose file's own command
        command,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )
    return done.stdout


def venv_path() -> str:
    """PATH with this interpreter's folder first, as the image puts /app/.venv/bin first: the
    compose file's `python`, `gunicorn` and `celery` are the locked environment's."""
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.25, processes=()):
    """Poll `condition` until it returns something true, and return that; fail naming `what`,
    or a process of the stack that died meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        for process in processes:
            assert process.running(), f"{process.name} exited:\n{process.log()[-4000:]}"
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f}s waiting until {what}")
        time.sleep(interval)
