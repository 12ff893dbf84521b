"""A real `celery worker` process (prefork, with beat embedded), started and stopped by the
integration tests and the benchmark."""

import os
import sys
from pathlib import Path

from tests.integration.support import ProcessGroup, wait_until

# Short outbox clocks, in the order settings.py demands: EMAIL_TIMEOUT < task limit < claim timeout.
FAST_CLOCKS = {
    "EMAIL_TIMEOUT": "2",
    "CMPP_EMAIL_TASK_TIME_LIMIT": "5",
    "CMPP_EMAIL_CLAIM_TIMEOUT": "8",
    "CMPP_EMAIL_STALE_AFTER": "2",
    "CMPP_EMAIL_SWEEP_EVERY": "1",
    "CMPP_EMAIL_RETRY_BASE": "0.5",
}


def worker_environment(
    *, database_url: str, redis_url: str, smtp_port: int, clocks: dict[str, str]
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_")}
    env.update(
        DJANGO_SETTINGS_MODULE="cmpp.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **clocks,
    )
    return env


class CeleryWorker:
    """One worker: `--concurrency` prefork children and an embedded beat, in its own process
    group so that a kill reaches every process it started. Its output goes to `log_path`."""

    def __init__(self, *, env: dict[str, str], workdir: Path, name: str, concurrency: int = 2):
        self.env = env
        self.name = name
        self.concurrency = concurrency
        self.log_path = workdir / f"{name}.log"
        self.schedule_path = workdir / f"{name}-beat-schedule"
        self.group: ProcessGroup | None = None

    def start(self, *, ready_within: float = 60) -> "CeleryWorker":
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cmpp",
            "worker",
            "--beat",
            f"--schedule={self.schedule_path}",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            f"--hostname={self.name}@%h",
        ]
        self.group = ProcessGroup(
            name=self.name, command=command, env=self.env, log_path=self.log_path
        ).start()
        wait_until(
            lambda: not self.group.running() or " ready." in self.log(),
            timeout=ready_within,
            what=f"worker {self.name} is ready",
            interval=0.1,
        )
        if not self.group.running():
            raise AssertionError(f"Worker {self.name} exited at start (its log follows the test)")
        return self

    def log(self) -> str:
        return self.group.log() if self.group else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: main process, children and beat die at once."""
        if self.group is not None:
            self.group.kill()
