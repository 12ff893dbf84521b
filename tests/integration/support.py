"""Shared by the integration tests, the stack test and the benchmark: ports, waiting, a Redis
database to oneself, pointing this process's Celery publisher at a real broker, and processes
started in groups of their own."""

import contextlib
import os
import random
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import kombu.pools
import redis

# Databases the integration runs take turns on, so two runs on one Redis never share a queue.
ISOLATED_REDIS_DBS = (14, 13, 12, 11)


BASE_DIR = Path(__file__).resolve().parents[2]


@dataclass
class ProcessGroup:
    """A process started in a process group of its own (so a kill reaches every child it
    starts), from the repository's folder, its output in `log_path`."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> "ProcessGroup":
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the tests' own commands
                self.command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """SIGKILL the whole group at once: no warm shutdown, nothing handed back."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, as `docker compose stop` sends, then SIGKILL after `timeout`."""
        if not self.running():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # Whatever the group's leader left behind (a gunicorn or Celery child) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def free_port() -> int:
    """A free port on 127.0.0.1 below the kernel's ephemeral range, so that no outgoing
    connection is given it while a test has switched its listener off."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    while True:
        port = random.randint(max(1024, low - 12000), low - 1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def wait_until(
    condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.05
) -> None:
    """Poll `condition` until it is true; fail saying `what` was awaited if `timeout` passes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f}s waiting until {what}")
        time.sleep(interval)


def with_redis_db(url: str, db: int | str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def with_host_port(url: str, host: str, port: int) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


@contextmanager
def isolated_redis_db(base_url: str, *, hold_for: int = 900) -> Iterator[str]:
    """A Redis database of one's own, emptied, as a URL. A lock key in `base_url`'s database says
    whose it is, so concurrent runs (CI, a colleague) take different ones or wait."""
    client = redis.Redis.from_url(base_url)
    token = secrets.token_hex(8)
    deadline = time.monotonic() + 600
    try:
        while True:
            for db in ISOLATED_REDIS_DBS:
                lock = f"cmpp:integration:redis-db:{db}"
                if client.set(lock, token, nx=True, ex=hold_for):
                    url = with_redis_db(base_url, db)
                    redis.Redis.from_url(url).flushdb()
                    try:
                        yield url
                    finally:
                        if client.get(lock) == token.encode():
                            client.delete(lock)
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"Redis databases {ISOLATED_REDIS_DBS} stayed in use")
            time.sleep(1)
    finally:
        client.close()


def postgres_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (in a test, the test database)."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}" if password else user
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


class Publisher:
    """Makes this process queue tasks on a real broker, as the web process does, instead of
    running them inline (the test settings make Celery eager).

    Celery reads `broker_url` once, when it first builds its connection and producer pools; after
    that a changed URL is silently ignored (the task goes to the old broker). So every switch
    drops those caches. Like production, there is no result backend: the outbox row is the result.
    """

    def __init__(self, app):
        self.app = app
        conf = app.conf
        self._saved = (conf.task_always_eager, conf.broker_url, conf.result_backend)

    def use(self, url: str) -> None:
        self.app.conf.task_always_eager = False
        self.app.conf.broker_url = url
        self.app.conf.result_backend = None
        self._drop_connections()

    def restore(self) -> None:
        self._drop_connections()
        conf = self.app.conf
        conf.task_always_eager, conf.broker_url, conf.result_backend = self._saved

    def _drop_connections(self) -> None:
        kombu.pools.reset()
        self.app._pool = None
        self.app.amqp._producer_pool = None
        backend = getattr(self.app._local, "backend", None)
        if backend is not None:
            consumer = getattr(backend, "result_consumer", None)
            if consumer is not None:
                consumer.stop()
            del self.app._local.backend
