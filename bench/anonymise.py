"""Benchmark: one batch of the monthly anonymisation at national scale, its locks held.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp_bench_pages \\
        .venv/bin/python bench/anonymise.py [--runs 3]

It reads a database already seeded at national scale (`seed_demo` then `seed_scale`; for
example the one `bench/pages.py --keep` leaves), and anonymises one batch of learners (the
task's batch size, the lowest ids) inside a transaction it rolls back, so the database is left
as it was. The seed writes a year's emails or so; the outbox keeps every email ever written, and
nobody is due before six years have passed, so the outbox is first filled to `--outbox` rows
with copies of the seeded ones, in the same transaction (not timed). Each run is timed whole and
query by query; the slowest kinds of query are listed.
The batch is one transaction holding its learners' rows locked, so it must end in seconds.
Goal: a batch in under 5 s. Recorded in docs/benchmarks.md.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))  # run as a script: `bench` and the project must import

from bench.record import write_section  # noqa: E402
from bench.scratch import django_on_seeded_database  # noqa: E402

SECTION = "## Anonymising a batch of learners"
GOAL_SECONDS = 5
BEFORE = "before: batches of 500, 92 s each at 500,000 outbox rows, 91 s of it the outbox"
MISSED_BECAUSE = (
    "each learner's name is looked for in every outbox row, one UPDATE per name: the cost is "
    "names times rows"
)


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed batches")
    parser.add_argument(
        "--outbox", type=int, default=500_000, help="outbox rows during the runs (default 500,000)"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="print the figures only; leave the docs alone"
    )
    args = parser.parse_args()
    django_on_seeded_database(parser)
    from django.db import connection, transaction

    from cmpp.notifications.models import OutboundEmail
    from learners.models import Learner
    from learners.services.anonymise import ANONYMISE_BATCH, learners_anonymise

    ids = list(
        Learner.objects.filter(anonymised_on__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:ANONYMISE_BATCH]
    )
    learners = Learner.objects.count()
    by_kind: dict[str, list[float]] = defaultdict(list)

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            by_kind[_kind(sql)].append(time.perf_counter() - started)

    times = []
    queries = 0
    for _ in range(args.runs):
        by_kind.clear()
        _outbox_vacuum(connection, OutboundEmail)
        try:
            with transaction.atomic():
                outbox = _outbox_fill(connection, OutboundEmail, args.outbox)
                started = time.perf_counter()
                with connection.execute_wrapper(timed):
                    done = learners_anonymise(learner_ids=ids)
                elapsed = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
        times.append(elapsed)
        queries = sum(len(v) for v in by_kind.values())
    _outbox_vacuum(connection, OutboundEmail)
    median = statistics.median(times)
    slowest = sorted(by_kind.items(), key=lambda item: -sum(item[1]))[:4]
    met = median < GOAL_SECONDS
    verdict = (
        f"{'Met' if met else 'Missed'}: a batch of {done:,} learners anonymised in "
        f"{median:.2f} s (median of {args.runs}; goal under {GOAL_SECONDS} s) in {queries} "
        f"queries, beside {outbox:,} outbox rows ({BEFORE})"
        + ("." if met else f"; missed because {MISSED_BECAUSE}.")
    )
    print(verdict)
    for kind, spent in slowest:
        print(f"  {sum(spent):7.3f} s  {len(spent):4d} x  {kind}")
    if not args.no_record:
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        rows = "\n".join(
            f"| `{kind}` | {len(spent)} | {sum(spent):.3f} |" for kind, spent in slowest
        )
        path = write_section(
            SECTION,
            f"""
The monthly task anonymises learners withdrawn more than six years ago a batch at a time, each
batch one transaction that holds its learners locked. One batch ({done:,} learners, the lowest
ids, whatever their status) over a database seeded at national scale ({learners:,} learners),
its outbox filled to {outbox:,} rows with copies of the seed's emails (nobody is due before six
years of emails), in a transaction rolled back at its end, the table rewritten between runs.

Most of a batch's time is the outbox: emails to other people can name a learner (an SRO's at-risk
digest lists them; a meeting's description, written by staff, may), so each name is looked for
in the subject and text of every email, one UPDATE per name. One pattern of all the names
(PostgreSQL's `~`) was tried: it costs as much (60 s for 500 names at 500,000 rows; 2.4 s for
20, against 2.6 s by name). Recording whom each digest names would find those by index, but not
the free text. So the batch is small instead: each transaction takes seconds, and the monthly
run's total grows with the learners due (about 0.2 s each at 500,000 emails), who come a few at
a time.

Command (any database seeded with `seed_demo` then `seed_scale`):

```
DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp_bench_pages \\
    .venv/bin/python bench/anonymise.py --runs {args.runs}
```

| learners in the batch | outbox rows | median (s) | slowest (s) | queries | machine | date |
|---|---|---|---|---|---|---|
| {done:,} | {outbox:,} | {median:.2f} | {max(times):.2f} | {queries} | {machine} | {date.today().isoformat()} |

The slowest kinds of query in the last run:

| query | times | seconds |
|---|---|---|
{rows}

- {verdict}
""",  # noqa: E501 - a Markdown table row
        )
        print(f"Recorded in {path.relative_to(BASE_DIR)}")
    return 0


def _outbox_vacuum(connection, model) -> None:
    """Rewrite the outbox without the copies a run rolled back: left as dead rows, they would
    be read by every later run's scans (one run's 480,000 made the next 1.8 times slower)."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL ANALYZE {model._meta.db_table}")


def _outbox_fill(connection, model, rows: int) -> int:
    """Copy the outbox's rows (new keys, the rest as it was) until it holds `rows`."""
    have = model.objects.count()
    if have == 0 or rows <= have:
        return have
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    copied = ", ".join(
        f"{column} || ':copy:' || copy" if column == "key" else column for column in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - names
            f"SELECT {copied} FROM {model._meta.db_table}, generate_series(1, %s) AS copy "
            "LIMIT %s",
            [-(-(rows - have) // have), rows - have],
        )
    return model.objects.count()


def _kind(sql: str) -> str:
    """The statement's verb and first table: what the figures group by."""
    words = sql.split()
    upper = [word.upper() for word in words]
    for index, word in enumerate(upper[:-1]):
        if word in ("FROM", "UPDATE", "INTO"):
            return f"{upper[0]} {words[index + 1].strip(chr(34))}"
    return upper[0] if upper else "?"


if __name__ == "__main__":
    sys.exit(main())
