"""Benchmark: a 10,000-row learner import at national scale, as the web import's job runs it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp_bench_imports \\
        .venv/bin/python bench/imports.py [--rows 10000] [--runs 3] [--demo-only]

It seeds a database of its own (`cmpp_bench_imports`, created with migrate and dropped at the
end; DATABASE_URL names the server) with the demo and `seed_scale` (400 councils, 20,000
learners and their accounts), writes a CSV of --rows new learners spread over the councils, half
of them with a cohort at their level, and then, --runs times, checks it (what the upload's
request does) and imports it through `learners_import` (what the job does), each run rolled back
so the next starts from the same data. It counts the queries and the rows written (learners,
their history, invitations, invitation emails, places) and records the medians in
docs/benchmarks.md. The goal: 10,000 rows in under 15 s, with one history row and one
invitation per new learner.
"""

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))  # run as a script: `bench` and the project must import

from bench.record import write_section  # noqa: E402
from bench.scratch import drop_database, manage, recreate_database, with_database  # noqa: E402

SECTION = "## Learner import"
SCRATCH_DATABASE = "cmpp_bench_imports"
GOAL_SECONDS = 15
BEFORE = "491 s (49 ms and 29 queries a row), before the bulk import"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="new learners in the file")
    parser.add_argument("--runs", type=int, default=3, help="imports, each rolled back")
    parser.add_argument(
        "--demo-only", action="store_true", help="seed the demo only (no seed_scale)"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="print the figures only; leave the docs alone"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _measure(rows=args.rows, runs=args.runs, record=not args.no_record)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to a PostgreSQL server")
    recreate_database(database_url, SCRATCH_DATABASE)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cmpp.settings",
        "DATABASE_URL": with_database(database_url, SCRATCH_DATABASE),
        "REDIS_URL": "",  # no broker: nothing is committed, so nothing would be sent anyway
    }
    try:
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "seed_demo")
        if not args.demo_only:
            print("Seeding national scale (about two minutes)...", flush=True)
            manage(env, "seed_scale", "--councils", "400", "--learners", "20000")
        command = [sys.executable, __file__, "--child", "--rows", str(args.rows)]
        command += ["--runs", str(args.runs)] + (["--no-record"] if args.no_record else [])
        return subprocess.run(command, env=env, cwd=BASE_DIR, check=False).returncode  # noqa: S603
    finally:
        drop_database(database_url, SCRATCH_DATABASE)


def _csv(rows: int) -> bytes:
    """`rows` new learners over every council, half with a cohort at their level that has not
    finished."""
    from cohorts.models import AccreditationLevel, Cohort
    from councils.models import Council
    from learners.imports import COLUMNS

    picker = random.Random(2026)  # noqa: S311 - test data
    codes = list(Council.objects.values_list("code", flat=True))
    levels = list(AccreditationLevel.objects.values_list("slug", "pk"))
    cohorts = {
        pk: list(
            Cohort.objects.filter(level=pk)
            .exclude(status=Cohort.Status.COMPLETED)
            .values_list("code", flat=True)
        )
        for _, pk in levels
    }
    lines = [",".join(COLUMNS)]
    for n in range(rows):
        slug, level_pk = levels[n % len(levels)]
        cohort = picker.choice(cohorts[level_pk]) if cohorts[level_pk] and n % 2 else ""
        lines.append(
            f"{picker.choice(codes)},Bench,Importee{n:05d},bench.importee{n:05d}@import.example,"
            f"Contract manager,{slug},{cohort}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def _time_phases() -> dict:
    """Time the import's bulk steps by wrapping the functions it calls (their totals over a run,
    in seconds, by name; the emails are timed inside the steps that queue them)."""
    from cmpp.accounts import services as accounts
    from learners.services import enrolments, imports

    spent: dict[str, float] = {}

    def timed(module, name, label):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        setattr(module, name, wrapper)

    timed(imports, "learners_invite", "invite")
    timed(imports, "bulk_create_with_history", "learners")
    timed(imports, "enrolments_place", "places")
    timed(accounts, "emails_queue", "invitation emails")
    timed(enrolments, "emails_queue", "place emails")
    return spent


def _phase_split(spent: dict) -> dict:
    """The phases without the emails they contain."""
    return {
        "accounts and invitations": spent.get("invite", 0) - spent.get("invitation emails", 0),
        "invitation emails (rendered and written)": spent.get("invitation emails", 0),
        "learners and their history": spent.get("learners", 0),
        "places and their history": spent.get("places", 0) - spent.get("place emails", 0),
        "place emails": spent.get("place emails", 0),
    }


def _measure(*, rows: int, runs: int, record: bool) -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count

    from cmpp.accounts.models import Invitation
    from cmpp.notifications.models import OutboundEmail
    from learners.imports import learners_import_preview
    from learners.models import Enrolment, Learner
    from learners.services import learners_import

    data = _csv(rows)
    learners_before = Learner.objects.count()
    phases = _time_phases()
    results = []
    for run in range(runs):
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql.split(" ", 1)[0])
            return execute(sql, params, many, context)

        with transaction.atomic():
            started = time.perf_counter()
            preview = learners_import_preview(data)
            checked = time.perf_counter()
            with connection.execute_wrapper(count):
                counts = learners_import(preview=preview, acting_user=None)
            imported = time.perf_counter()
            # The process's peak resident memory so far (tracemalloc would slow the run).
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            new = Learner.objects.filter(email__endswith="@import.example")
            written = {
                "learners": new.count(),
                "history rows": Learner.history.filter(email__endswith="@import.example").count(),
                "invitations": Invitation.objects.filter(
                    user__email__endswith="@import.example"
                ).count(),
                "invitation emails": OutboundEmail.objects.filter(
                    purpose="invitation", to_email__endswith="@import.example"
                ).count(),
                "places": dict(
                    Enrolment.objects.filter(learner__in=new)
                    .values_list("status")
                    .annotate(n=Count("pk"))
                ),
            }
            transaction.set_rollback(True)
        spent = dict(phases)
        phases.clear()
        results.append(
            {
                "phases": spent,
                "check": checked - started,
                "import": imported - checked,
                "queries": len(queries),
                "peak": peak / 2**20,
                "counts": counts,
                "written": written,
            }
        )
        print(
            f"run {run + 1}: check {checked - started:.2f} s, import {imported - checked:.2f} s, "
            f"{len(queries)} queries, peak RSS {peak / 2**20:.0f} MiB; {written}",
            flush=True,
        )
    assert Learner.objects.count() == learners_before, "a run was not rolled back"

    check = statistics.median(r["check"] for r in results)
    total = statistics.median(r["import"] for r in results)
    queries = results[0]["queries"]
    written = results[0]["written"]
    once_each = (
        written["learners"]
        == written["history rows"]
        == written["invitations"]
        == written["invitation emails"]
        == rows
    )
    verdict = (
        f"{'Met' if total + check < GOAL_SECONDS else 'Missed'}: {rows:,} rows checked in "
        f"{check:.1f} s and imported in {total:.1f} s (goal: under {GOAL_SECONDS} s together; "
        f"before: {BEFORE}). {'Met' if once_each else 'Missed'}: one history row, one "
        f"invitation and one invitation email per new learner."
    )
    where = ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in _phase_split(results[-1]["phases"]).items()
    )
    verdict += f" Where the import's time went (last run): {where}."
    print(verdict)
    if record:
        places = ", ".join(f"{n:,} {status}" for status, n in sorted(written["places"].items()))
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        path = write_section(
            SECTION,
            f"""
A file of {rows:,} new learners imported at national scale ({learners_before:,} learners and
their accounts already there: `seed_demo` then `seed_scale`), as the web import's job imports
it: the file checked (`learners_import_preview`, what the upload's request does) then imported
(`learners_import`: accounts, invitations, learners with their history, places and emails,
written in batches of 1,000 in one transaction). Half the rows name a cohort. Each of
{runs} runs is rolled back so the next starts from the same data; medians.

Command (it creates and drops its own database, `{SCRATCH_DATABASE}`):

```
DATABASE_URL=postgres://postgres@127.0.0.1:5432/{SCRATCH_DATABASE} \\
    .venv/bin/python bench/imports.py --rows {rows} --runs {runs}
```

| rows | check (s) | import (s) | queries | peak RSS (MiB) | learners / history / invitations / emails | places | machine | date |
|---|---|---|---|---|---|---|---|---|
| {rows:,} | {check:.2f} | {total:.2f} | {queries} | {statistics.median(r["peak"] for r in results):.0f} | {written["learners"]:,} / {written["history rows"]:,} / {written["invitations"]:,} / {written["invitation emails"]:,} | {places} | {machine} | {date.today().isoformat()} |

- {verdict}
""",  # noqa: E501 - a Markdown table row
        )
        print(f"Recorded in {path.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
