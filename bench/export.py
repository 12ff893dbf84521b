"""Benchmark: the learner CSV export of every learner, at national scale: time and memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp_bench_pages \\
        .venv/bin/python bench/export.py [--runs 5]

It reads a database already seeded at national scale (`seed_demo` then `seed_scale`; for
example the one `bench/pages.py --keep` leaves), and asks for `/learners/export.csv` as the demo's
programme staff login, through Django's test client in this process, reading the streamed
response to its end. Each run is timed; one more run with tracemalloc on gives the most memory
Python held at once while streaming, and the process's resident memory is read before and after.
Goal: under 2 s, in flat memory (the whole file is never held). Recorded in docs/benchmarks.md.
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))  # run as a script: `bench` and the project must import

from bench.record import write_section  # noqa: E402
from bench.scratch import django_on_seeded_database  # noqa: E402

SECTION = "## Learner export"
GOAL_SECONDS = 2
STAFF = "staff@dluhc.example.gov.uk"
BEFORE = "6.1 s and 3.75 MB at 20,000 learners before it streamed; 4.2 s streamed, reading models"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed exports")
    parser.add_argument(
        "--no-record", action="store_true", help="print the figures only; leave the docs alone"
    )
    args = parser.parse_args()
    django_on_seeded_database(parser, ALLOWED_HOSTS="testserver", CMPP_REQUIRE_MFA="false")
    from django.test import Client

    from cmpp.accounts.models import User
    from learners.models import Learner

    client = Client()
    client.force_login(User.objects.get(email=STAFF))

    def export() -> tuple[int, int]:
        response = client.get("/learners/export.csv")
        assert response.status_code == 200 and response.streaming
        size = lines = 0
        for piece in response.streaming_content:
            size += len(piece)
            lines += piece.count(b"\n")
        return size, lines - 1

    export()  # warm-up: connections, templates, the query's plan
    rss_before = _rss_mib()
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        size, rows = export()
        times.append(time.perf_counter() - started)
    rss_after = _rss_mib()
    tracemalloc.start()
    export()
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    learners = Learner.objects.count()
    median = statistics.median(times)
    verdict = (
        f"{'Met' if median < GOAL_SECONDS else 'Missed'}: {rows:,} learners exported in "
        f"{median:.2f} s (median of {args.runs}; goal under {GOAL_SECONDS} s; before: {BEFORE}), "
        f"with at most {python_peak / 2**20:.1f} MiB held by Python while streaming "
        f"{size / 2**20:.1f} MiB, and the process's peak resident memory grew "
        f"{rss_after - rss_before:+.0f} MiB over the runs."
    )
    print(verdict)
    if not args.no_record:
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        path = write_section(
            SECTION,
            f"""
The learner CSV (`/learners/export.csv`, every learner, as programme staff) over a database
seeded at national scale ({learners:,} learners), read to its end through Django's test client
in the benchmark's process: the time of each whole export, the most memory Python held at once
during one more (tracemalloc), and the process's peak resident memory before and after the timed runs.

Command (any database seeded with `seed_demo` then `seed_scale`, e.g. the one
`bench/pages.py --keep` leaves):

```
DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp_bench_pages \\
    .venv/bin/python bench/export.py --runs {args.runs}
```

| learners | rows | size (MiB) | median (s) | slowest (s) | Python peak (MiB) | peak resident memory growth (MiB) | machine | date |
|---|---|---|---|---|---|---|---|---|
| {learners:,} | {rows:,} | {size / 2**20:.1f} | {median:.2f} | {max(times):.2f} | {python_peak / 2**20:.1f} | {rss_after - rss_before:+.0f} | {machine} | {date.today().isoformat()} |

- {verdict}
""",  # noqa: E501 - a Markdown table row
        )
        print(f"Recorded in {path.relative_to(BASE_DIR)}")
    return 0


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
