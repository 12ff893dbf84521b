"""Fixtures that give a test a real broker, a real worker process and a local SMTP server."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from cmpp import celery_app
from tests.browser.conftest import reference_data  # noqa: F401 - a transactional test needs it
from tests.integration.broker_proxy import TcpProxy
from tests.integration.smtp_sink import SmtpSink
from tests.integration.support import Publisher, free_port, isolated_redis_db, postgres_url
from tests.integration.worker import FAST_CLOCKS, CeleryWorker, worker_environment

LOG_TAIL_LINES = 150


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for worker in getattr(item, "celery_workers", []):
            tail = "\n".join(worker.log().splitlines()[-LOG_TAIL_LINES:])
            report.sections.append((f"worker {worker.name} log (last lines)", tail))
    return report


@pytest.fixture
def redis_url():
    """A Redis database of the test's own, emptied, on the Redis that REDIS_URL names."""
    with isolated_redis_db(settings.REDIS_URL) as url:
        yield url


@pytest.fixture
def broker_proxy(redis_url):
    """A relay in front of the test's Redis that can be switched off and on."""
    upstream = urlsplit(redis_url)
    proxy = TcpProxy(upstream=(upstream.hostname, upstream.port or 6379), port=free_port())
    proxy.on()
    yield proxy
    proxy.off()


@pytest.fixture
def smtp_sink():
    sink = SmtpSink(port=free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def publisher(redis_url):
    """This process queues tasks on the test's Redis, as the web process does (`use` switches)."""
    publisher = Publisher(celery_app)
    publisher.use(redis_url)
    yield publisher
    publisher.restore()


@pytest.fixture
def start_worker(request, transactional_db, reference_data, redis_url, smtp_sink, tmp_path):  # noqa: F811
    """Start a real worker on the test database; every worker started is killed at teardown,
    before the test database is flushed. A failing test shows the end of each worker's log."""
    workers: list[CeleryWorker] = []
    request.node.celery_workers = workers

    def start(*, broker_url: str | None = None) -> CeleryWorker:
        env = worker_environment(
            database_url=postgres_url(connection.settings_dict),
            redis_url=broker_url or redis_url,
            smtp_port=smtp_sink.port,
            clocks=FAST_CLOCKS,
        )
        worker = CeleryWorker(env=env, workdir=tmp_path, name=f"cmpp-int-{len(workers) + 1}")
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.kill()
