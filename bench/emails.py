"""Benchmark: how long one worker (prefork, concurrency 2) takes to deliver N invitation emails.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/emails.py [--count 10000] [--via emails_queue]

It queues N invitations in transactions of --batch-size, through `email_queue` (the outbox alone,
one email at a time: its rows, and the tasks each commit queues on Redis), through `emails_queue`
(the outbox alone, each transaction's emails in one call, as the learner import queues them) or
through `learner_create` (as a learner added by hand: the learner, account and invitation too).
A real `celery worker` with beat embedded and the production outbox clocks, started beforehand,
sends them to a local SMTP server (aiosmtpd). It reports the time to queue them and the time
until the server has them all, checks that none arrived twice, and records the run in
docs/benchmarks.md. It works in a database of its own (`cmpp_bench`, or --database; created with
migrate and dropped at the end) and an emptied Redis database of its own (one free of the
integration tests', or --redis-db).
"""

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))  # run as a script: `bench` and the project must import

from bench.scratch import drop_database, recreate_database, with_database  # noqa: E402

BENCHMARKS = BASE_DIR / "docs" / "benchmarks.md"
SECTION = "## Email outbox: delivering invitations"
SCRATCH_DATABASE = "cmpp_bench"
WAYS = ("email_queue", "emails_queue", "learner_create")
TABLE_HEADER = (
    "| queued through | run on | emails | queueing (s) | until all arrived (s) "
    "| of which after queueing (s) | emails/s | arrived twice | never arrived | machine |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="invitations to send")
    parser.add_argument("--via", choices=WAYS, default=WAYS[0], help="how they are queued")
    parser.add_argument("--batch-size", type=int, default=500, help="emails per transaction")
    parser.add_argument(
        "--database", default=SCRATCH_DATABASE, help="the scratch database (created, then dropped)"
    )
    parser.add_argument(
        "--redis-db", type=int, help="use (and empty) this Redis database instead of a free one"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="print the figures only; leave the docs alone"
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        parser.error("set REDIS_URL and a PostgreSQL DATABASE_URL")

    recreate_database(database_url, args.database)
    try:
        with _redis_db(redis_url, args.redis_db) as bench_redis_url:
            figures = _run(
                count=args.count,
                via=args.via,
                batch_size=args.batch_size,
                database_url=with_database(database_url, args.database),
                redis_url=bench_redis_url,
            )
    finally:
        drop_database(database_url, args.database)

    for name, value in figures.items():
        print(f"{name:>24}: {value}")
    if not args.no_record:
        _record(figures)
        print(f"Recorded in {BENCHMARKS.relative_to(BASE_DIR)}")
    faults = figures["duplicates"] + figures["missing"] + figures["unexpected"]
    return 0 if faults == 0 else 1


@contextmanager
def _redis_db(redis_url: str, db: int | None) -> Iterator[str]:
    """The Redis database the run queues on, emptied: `db` if given, else one taken in turn with
    the integration tests."""
    import redis

    from tests.integration.support import isolated_redis_db, with_redis_db

    if db is None:
        with isolated_redis_db(redis_url, hold_for=4 * 3600) as url:
            yield url
        return
    url = with_redis_db(redis_url, db)
    redis.Redis.from_url(url).flushdb()
    yield url


def _run(*, count: int, via: str, batch_size: int, database_url: str, redis_url: str) -> dict:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cmpp.settings", DATABASE_URL=database_url, REDIS_URL=redis_url
    )
    import django
    import redis

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction

    from cmpp.notifications.models import OutboundEmail
    from cmpp.notifications.services import EmailRequest, email_queue, emails_queue
    from cohorts.models import AccreditationLevel
    from councils.models import Council
    from learners.services import learner_create
    from tests.integration.smtp_sink import SmtpSink
    from tests.integration.support import free_port, wait_until
    from tests.integration.worker import CeleryWorker, worker_environment

    call_command("migrate", verbosity=0)
    council = Council.objects.create(
        name="Benchmark Borough Council",
        code="E09999999",
        council_type=Council.CouncilType.UNITARY,
        region=Council.Region.SOUTH_EAST,
        status=Council.Status.ACTIVE,
        onboarded_on=date(2022, 1, 10),
    )
    level = AccreditationLevel.objects.get(slug="practitioner")

    def invitation(n: int) -> EmailRequest:
        return EmailRequest(
            key=f"invitation:bench:{n}",
            purpose="invitation",
            to_email=f"officer{n}@bench.example.gov.uk",
            template="notifications/email/invitation",
            context={
                "first_name": "Bench",
                "council_name": council.name,
                "level_name": level.name,
                "accept_url": f"http://127.0.0.1:8000/accounts/invitation/bench-{n}/",
                "expires_on": date.today() + timedelta(days=7),
            },
        )

    def invite(numbers: range) -> None:
        if via == "emails_queue":
            emails_queue([invitation(n) for n in numbers])
            return
        for n in numbers:
            if via == "learner_create":
                learner_create(
                    council=council,
                    first_name="Bench",
                    last_name=f"Officer {n}",
                    email=f"officer{n}@bench.example.gov.uk",
                    target_level=level,
                    acting_user=None,
                )
            else:
                email_queue(**vars(invitation(n)))

    sink = SmtpSink(port=free_port())
    sink.start()
    with tempfile.TemporaryDirectory() as workdir:
        # The production outbox clocks: only the database, broker and mail server are local.
        env = worker_environment(
            database_url=database_url, redis_url=redis_url, smtp_port=sink.port, clocks={}
        )
        worker = CeleryWorker(env=env, workdir=Path(workdir), name="cmpp-bench")
        try:
            worker.start()
            started = time.monotonic()
            for first in range(0, count, batch_size):
                with transaction.atomic():
                    invite(range(first, min(first + batch_size, count)))
            queued = time.monotonic()
            wait_until(
                lambda: sink.count() >= count,
                timeout=3600,
                what=f"the mail server has {count} emails",
                interval=0.02,
            )
            arrived = time.monotonic()
            wait_until(
                lambda: OutboundEmail.objects.filter(status="sent").count() == count,
                timeout=300,
                what="every row is marked sent",
            )
        except BaseException:
            print(worker.log()[-5000:], file=sys.stderr)
            raise
        finally:
            worker.kill()
            sink.stop()

    expected = {(email.message_id, email.to_email) for email in OutboundEmail.objects.all()}
    received = Counter(sink.received)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres_version = cursor.fetchone()[0].split()[0]
    connection.close()
    return {
        "via": via,
        "emails": count,
        "queue seconds": round(queued - started, 1),
        "all arrived seconds": round(arrived - started, 1),
        "after queueing seconds": round(arrived - queued, 1),
        "emails per second": round(count / (arrived - started), 1),
        "duplicates": sum(n - 1 for n in received.values()),
        "missing": len(expected - set(received)),
        "unexpected": len(set(received) - expected),
        "machine": (
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"PostgreSQL {postgres_version}, "
            f"Redis {redis.Redis.from_url(redis_url).info('server')['redis_version']}"
        ),
    }


def _record(figures: dict) -> None:
    """Write this run's row into the benchmark's section, keeping the other way's latest row."""
    row = (
        f"| {figures['via']} | {date.today().isoformat()} | {figures['emails']:,} "
        f"| {figures['queue seconds']} | {figures['all arrived seconds']} "
        f"| {figures['after queueing seconds']} | {figures['emails per second']} "
        f"| {figures['duplicates']} | {figures['missing']} | {figures['machine']} |"
    )
    text = (
        BENCHMARKS.read_text()
        if BENCHMARKS.exists()
        else "# Benchmarks\n\nFigures from scripts run by hand, not timed tests. Each section says "
        "what was measured,\nhow to run it again, and on what machine it last ran.\n"
    )
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    found = pattern.search(text)
    rows = [
        line
        for line in (found.group(0).splitlines() if found else [])
        if line.startswith(tuple(f"| {way} |" for way in WAYS))
        and not line.startswith(f"| {figures['via']} |")
    ]
    rows = sorted([*rows, row])
    # Notes written under the table by hand stay.
    notes = ""
    if found and TABLE_HEADER in found.group(0):
        below = found.group(0).split(TABLE_HEADER, 1)[1].strip("\n").splitlines()
        notes = "\n".join(line for line in below if not line.startswith("|")).strip()
    section = f"""{SECTION}

How fast one worker delivers a large batch of invitations, as after a big learner import.
The invitations are queued in transactions of 500, each commit putting its emails' tasks on
Redis, through `email_queue` (the outbox alone, one email at a time, one task per email),
`emails_queue` (the outbox alone, each transaction's 500 emails in one call: rendered and
inserted together, one task per 50 emails, each sent over one SMTP connection) or
`learner_create` (as a learner added by hand: learner, account, invitation and email). One
`celery worker` (prefork, concurrency 2, beat embedded, the production outbox clocks), started
beforehand, sends them over SMTP to a local aiosmtpd server. The clock runs from the first
email queued to the server having every email. The queueing process, the worker, PostgreSQL,
Redis and the SMTP server share the machine.

Command (it creates and drops its own database, `{SCRATCH_DATABASE}` unless `--database` names
another; `--via emails_queue` or `--via learner_create` for the other rows):

```
DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python bench/emails.py --count 10000
```

{TABLE_HEADER}
{chr(10).join(rows)}
""" + (f"\n{notes}\n" if notes else "")
    text = pattern.sub(lambda _: section + "\n", text) if found else f"{text.rstrip()}\n\n{section}"
    BENCHMARKS.parent.mkdir(exist_ok=True)
    BENCHMARKS.write_text(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main())
