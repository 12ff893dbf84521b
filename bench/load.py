"""Benchmark: the portal under load, at national scale: 50 people for 5 minutes, then stepped up
until it breaks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/load.py [--users 50 --minutes 5] [--steps 50,100,200,400] \\
        [--step-seconds 90] [--workers 3] [--reuse --database cmpp_bench_pages] \\
        [--locust PATH]

Locust is in the `bench` extra (`pip install -e ".[bench]"`); give --locust the `locust` of the
environment it is in, if not this one (locust brings a pytest plugin, so keeping it out of the
test environment is wise). It seeds a database of its own (`cmpp_bench_load`: migrate,
`seed_demo`, `seed_scale --councils 400 --learners 20000`, dropped at the end; `--reuse
--database NAME` takes one seeded before, such as `bench/pages.py --keep`'s, and keeps it),
and adds the accounts the simulated people sign in as (`bench.serve.prepare_pools`: the demo
password for a pool of each role, extra staff and viewers, an authenticator where MFA is
required). It serves the portal as production does (`gunicorn cmpp.wsgi`, --workers sync
workers, its default 30 s timeout, DEBUG off, MFA required; `bench.serve.server_environment`)
beside a Celery worker (concurrency 2) on an emptied Redis database of its own, and runs
`bench/locustfile.py` headless on loopback: staff, viewers, SROs and learners in proportions
5 : 2 : 40 : 200, each signing in once, then reading their usual pages one to five seconds
apart. Sign-ins are reported apart from browsing.

First a steady run (--users for --minutes), then a stepped one (--steps, --step-seconds each)
that stops after the first stage whose browsing p95 passes 2 s or that has errors: the breaking
point. Every 5 seconds it reads the CPU used by gunicorn, PostgreSQL, the Celery worker, locust
and everything else, and the database's connections (pg_stat_activity), to say why it broke. The
run is recorded in docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))  # run as a script: `bench` and the project must import

from bench.record import BENCHMARKS, write_section  # noqa: E402
from bench.scratch import (  # noqa: E402
    drop_database,
    manage,
    recreate_database,
    stop_on_sigterm,
    vacuum_analyze,
    with_database,
)
from bench.serve import (  # noqa: E402
    free_port,
    gunicorn,
    server_environment,
    wrap_paragraphs,
)

SECTION = "## Load"
DATABASE = "cmpp_bench_load"
SCALE_ARGUMENTS = ("--councils", "400", "--learners", "20000")
WEIGHTS = {"staff": 5, "viewer": 2, "sro": 40, "learner": 200}
BREAK_P95_MS = 2000
SAMPLE_SECONDS = 5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TABLE_HEADER = (
    "| run | browsing requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | errors "
    "| sign-in p50 / p95 (ms) | CPU: gunicorn / PostgreSQL / locust / else (%) "
    "| DB connections (active) |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)

warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="people in the steady run")
    parser.add_argument("--minutes", type=float, default=5, help="the steady run's length")
    parser.add_argument("--steps", default="50,100,200,400", help="people at each stage, or ''")
    parser.add_argument("--step-seconds", type=float, default=120, help="each stage's length")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=2,
        help="people signing in a second as a run or stage starts (a sign-in hashes a password)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--reuse", action="store_true", help="a database seeded before")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--locust", help="the locust command (default: beside this python)")
    parser.add_argument(
        "--no-record", action="store_true", help="print the figures only; leave the docs alone"
    )
    args = parser.parse_args()
    stop_on_sigterm()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        parser.error("set REDIS_URL and a PostgreSQL DATABASE_URL")
    locust = args.locust or str(Path(sys.executable).with_name("locust"))
    if not Path(locust).exists():
        parser.error(f'no locust at {locust}: pip install -e ".[bench]", or give --locust')
    steps = [int(n) for n in args.steps.split(",") if n]

    from tests.integration.support import isolated_redis_db

    keep = args.keep or args.reuse
    if not args.reuse:
        recreate_database(database_url, args.database)
    try:
        with isolated_redis_db(redis_url, hold_for=3 * 3600) as bench_redis_url:
            port = free_port()
            env = server_environment(
                with_database(database_url, args.database), bench_redis_url, port=port
            )
            if not args.reuse:
                _seed(env)
            vacuum_analyze(env["DATABASE_URL"])
            results = _run(args, env, port=port, locust=locust, steps=steps)
    finally:
        if not keep:
            drop_database(database_url, args.database)

    _print(results)
    figures_file = Path(tempfile.gettempdir()) / "cmpp-bench-load.json"
    figures_file.write_text(json.dumps(results, indent=1, default=str))
    print(f"Every figure: {figures_file}")
    if not args.no_record:
        _record(results)
        print(f"Recorded in {BENCHMARKS.relative_to(BASE_DIR)}")
    return 0


def _seed(env: dict) -> None:
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    print("Seeding the demo and the national-scale programme (about 2 minutes)...")
    manage(env, "seed_demo")
    manage(env, "seed_scale", *SCALE_ARGUMENTS)


def _pools(most_users: int) -> dict:
    """Enough accounts of each role for the most people at once, and the records they open."""
    import django

    django.setup()
    from django.db import connection

    from bench.serve import prepare_pools
    from cohorts.models import Cohort
    from councils.models import Council
    from learners.models import Learner
    from networks.models import Network, NetworkMembership

    total = sum(WEIGHTS.values())
    sizes = {role: -(-most_users * weight // total) + 2 for role, weight in WEIGHTS.items()}
    emails = prepare_pools(
        staff=sizes["staff"] + 2,
        viewers=sizes["viewer"] + 1,
        sros=sizes["sro"],
        learners=sizes["learner"],
    )
    learners_network = Network.objects.get(audience="learners")
    sro_network = Network.objects.get(audience="sros")
    members = set(
        NetworkMembership.objects.filter(
            network=learners_network, left_on__isnull=True, user__email__in=emails["learner"]
        ).values_list("user__email", flat=True)
    )
    sros = []
    for email in emails["sro"]:
        council = Council.objects.filter(roles__user__email=email).order_by("pk").first()
        learners = list(council.learners.order_by("pk").values_list("pk", flat=True)[:40])
        sros.append({"email": email, "council": council.pk, "learners": learners})
    rng = random.Random(13)
    learner_ids = list(Learner.objects.values_list("pk", flat=True))
    pools = {
        "staff": [{"email": email} for email in emails["staff"]],
        "viewer": [{"email": email} for email in emails["viewer"]],
        "sro": sros,
        "learner": [{"email": email, "member": email in members} for email in emails["learner"]],
        "learner_ids": rng.sample(learner_ids, min(2000, len(learner_ids))),
        "council_ids": list(Council.objects.values_list("pk", flat=True)),
        "cohort_ids": list(Cohort.objects.values_list("pk", flat=True)),
        "network_ids": [learners_network.pk, sro_network.pk],
        "learners_network": learners_network.pk,
        "sro_network": sro_network.pk,
    }
    connection.close()
    return pools


def _run(args, env: dict, *, port: int, locust: str, steps: list[int]) -> dict:
    os.environ.update(env)
    pools = _pools(max([args.users, *steps]))
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        (work / "pools.json").write_text(json.dumps(pools))
        log = work / "gunicorn.log"
        with gunicorn(env, port=port, workers=args.workers, log=log, timeout=30) as server:
            worker = subprocess.Popen(  # noqa: S603 - the venv's celery
                [
                    str(Path(sys.executable).with_name("celery")),
                    "-A",
                    "cmpp",
                    "worker",
                    "-Q",
                    "celery,reports",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "WARNING",
                ],
                env=env,
                cwd=BASE_DIR,
                stdout=(work / "celery.log").open("w"),
                stderr=subprocess.STDOUT,
            )
            try:
                runs = {}
                base = f"http://127.0.0.1:{port}"
                print(f"Steady run: {args.users} people for {args.minutes:g} minutes...")
                runs["steady"] = _locust(
                    locust,
                    env,
                    work,
                    base,
                    name="steady",
                    extra=["-u", str(args.users), "-r", str(args.spawn_rate)],
                    seconds=args.minutes * 60,
                    server=server,
                    worker=worker,
                )
                if steps:
                    print(f"Stepped run: {steps}, {args.step_seconds:g} s each...")
                    runs["steps"] = _locust(
                        locust,
                        env,
                        work,
                        base,
                        name="steps",
                        extra=[],
                        seconds=args.step_seconds * len(steps),
                        server=server,
                        worker=worker,
                        steps=steps,
                        step_seconds=args.step_seconds,
                        spawn_rate=args.spawn_rate,
                    )
            finally:
                worker.terminate()
                worker.wait(timeout=30)
            server_log = log.read_text()
    return {
        "runs": runs,
        "args": vars(args),
        "steps": steps,
        "machine": _machine(),
        "pools": {role: len(pools[role]) for role in WEIGHTS},
        "server_errors": server_log.count("WORKER TIMEOUT"),
    }


def _locust(locust, env, work, base, *, name, extra, seconds, server, worker, **shape) -> dict:
    """One headless locust run, watched every few seconds; its figures by stage."""
    results = work / f"{name}.json"
    locust_env = {
        **env,
        "CMPP_BENCH_POOLS": str(work / "pools.json"),
        "CMPP_BENCH_RESULTS": str(results),
    }
    if shape.get("steps"):
        locust_env.update(
            CMPP_BENCH_STEPS=",".join(str(n) for n in shape["steps"]),
            CMPP_BENCH_STEP_SECONDS=str(shape["step_seconds"]),
            CMPP_BENCH_SPAWN_RATE=str(shape["spawn_rate"]),
        )
    command = [
        locust,
        "-f",
        str(BASE_DIR / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        base,
        "--run-time",
        f"{int(seconds) + 5}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
        *extra,
    ]
    started = time.monotonic()
    with (work / f"{name}-locust.log").open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - the given locust
            command, env=locust_env, cwd=BASE_DIR, stdout=output, stderr=subprocess.STDOUT
        )
        watcher = _Watcher(
            database=env["DATABASE_URL"],
            groups={"gunicorn": server.pid, "celery worker": worker.pid, "locust": process.pid},
        )
        watcher.start()
        process.wait()
        watcher.stop()
    if not results.exists():
        raise SystemExit(f"locust wrote no figures:\n{(work / f'{name}-locust.log').read_text()}")
    figures = json.loads(results.read_text())
    step_seconds = shape.get("step_seconds")
    for stage, summary in figures["stages"].items():
        if step_seconds:
            index = shape["steps"].index(int(stage))
            window = (index * step_seconds, (index + 1) * step_seconds)
        else:
            window = (0, float("inf"))
        summary["watched"] = watcher.summary(*window)
    figures["elapsed"] = time.monotonic() - started
    return figures


class _Watcher(threading.Thread):
    """Every few seconds: the CPU each group of processes used since the last look (gunicorn,
    Celery and locust with their children; PostgreSQL's every process, so other databases' work
    too), the machine's, and this database's connections by state."""

    def __init__(self, *, database: str, groups: dict[str, int]):
        super().__init__(daemon=True)
        self.database = database.rsplit("/", 1)[1]
        self.url = database
        self.groups = groups
        self.samples = []
        self.done = threading.Event()
        self.started_at = time.monotonic()

    def stop(self):
        self.done.set()
        self.join()

    def run(self):
        import psycopg

        connection = psycopg.connect(self.url, autocommit=True)
        before, machine_before = self._ticks(), _machine_ticks()
        while not self.done.wait(SAMPLE_SECONDS):
            now, machine_now = self._ticks(), _machine_ticks()
            elapsed_ticks = SAMPLE_SECONDS * CLOCK_TICKS
            cpu = {
                group: (now.get(group, 0) - before.get(group, 0)) / elapsed_ticks * 100
                for group in now
            }
            busy = machine_now[0] - machine_before[0]
            total = machine_now[1] - machine_before[1]
            cpu["machine"] = busy / total * 100 * os.cpu_count() if total else 0.0
            rows = connection.execute(
                "SELECT coalesce(state, ''), count(*), count(*) FILTER (WHERE wait_event_type = "
                "'Lock') FROM pg_stat_activity WHERE datname = %s GROUP BY 1",
                [self.database],
            ).fetchall()
            self.samples.append(
                {
                    "at": time.monotonic() - self.started_at,
                    "cpu": cpu,
                    "connections": {state: count for state, count, _ in rows},
                    "waiting on locks": sum(locked for _, _, locked in rows),
                }
            )
            before, machine_before = now, machine_now
        connection.close()

    def _ticks(self) -> dict[str, int]:
        processes = _processes()
        ticks = {}
        for group, pid in self.groups.items():
            family = _family(pid, processes)
            ticks[group] = sum(processes[p][1] for p in family if p in processes)
        ticks["postgres"] = sum(t for name, t, _ in processes.values() if name == "postgres")
        return ticks

    def summary(self, start: float, end: float) -> dict:
        """Mean CPU per group (100 = one CPU) and the most connections, over a window."""
        inside = [s for s in self.samples if start + SAMPLE_SECONDS <= s["at"] <= end + 1]
        inside = inside or self.samples[-1:]
        if not inside:
            return {}
        groups = inside[0]["cpu"].keys()
        cpu = {group: statistics.mean(s["cpu"].get(group, 0) for s in inside) for group in groups}
        ours = sum(v for k, v in cpu.items() if k != "machine")
        cpu["everything else"] = max(cpu["machine"] - ours, 0.0)
        return {
            "cpu": cpu,
            "connections": max(sum(s["connections"].values()) for s in inside),
            "active": max(s["connections"].get("active", 0) for s in inside),
            "waiting on locks": max(s["waiting on locks"] for s in inside),
        }


def _processes() -> dict[int, tuple[str, int, int]]:
    """Every process: (name, CPU ticks used by it and its children it has waited for, parent).
    With its children's: a backend that PostgreSQL starts for one request and reaps before the
    next look still counts."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = sum(int(fields[n]) for n in (11, 12, 13, 14))
        found[int(entry.name)] = (name, ticks, int(fields[1]))
    return found


def _family(pid: int, processes) -> set[int]:
    family, grew = {pid}, True
    while grew:
        children = {p for p, (_, _, parent) in processes.items() if parent in family} - family
        family |= children
        grew = bool(children)
    return family


def _machine_ticks() -> tuple[int, int]:
    """The machine's CPU time: (busy, all), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _machine() -> str:
    import gunicorn as gunicorn_package
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
        cursor.execute("SHOW max_connections")
        max_connections = cursor.fetchone()[0]
    connection.close()
    return (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {postgres} "
        f"(max_connections {max_connections}), gunicorn {gunicorn_package.__version__}"
    )


# Reporting.


def _breaking_point(results: dict) -> tuple[str | None, dict | None]:
    stages = results["runs"].get("steps", {}).get("stages", {})
    for users in results["steps"]:
        stage = stages.get(str(users))
        if stage is None:
            continue
        browsing = stage["browsing"]
        if browsing["failures"] or (browsing["p95"] or 0) > BREAK_P95_MS:
            return str(users), stage
    return None, None


def _cause(stage: dict, workers: int) -> str:
    """Why a stage was slow, from what the watcher saw."""
    watched = stage.get("watched") or {}
    cpu = watched.get("cpu", {})
    if not cpu:
        return "not watched"
    cpus = os.cpu_count()
    parts = ", ".join(
        f"{group} {share:.0f}%"
        for group, share in sorted(cpu.items(), key=lambda item: -item[1])
        if group != "machine"
    )
    saturated = cpu["machine"] >= 90 * cpus
    verdict = (
        f"the machine's {cpus} CPUs were saturated ({cpu['machine']:.0f}% of {100 * cpus}%: "
        f"{parts})"
        if saturated
        else f"CPU {cpu['machine']:.0f}% of {100 * cpus}% ({parts})"
    )
    gunicorn_share = cpu.get("gunicorn", 0)
    if gunicorn_share >= 0.8 * 100 * min(workers, cpus):
        verdict += f"; the {workers} gunicorn workers were CPU-bound"
    verdict += (
        f"; at most {watched['connections']} connections to the database "
        f"({watched['active']} active, {watched['waiting on locks']} waiting on a lock), so "
        f"connections were not the limit (each sync worker holds at most one)"
    )
    return verdict


def _line(stage: dict, kind: str = "browsing") -> str:
    figures = stage[kind]

    def ms(value):
        return "-" if value is None else f"{value:.0f}"

    return (
        f"{figures['requests']:,} requests, p50 {ms(figures['p50'])} / p95 "
        f"{ms(figures['p95'])} / p99 {ms(figures['p99'])} ms, {figures['failures']} errors"
    )


def _stages_run(results: dict) -> dict:
    """The stepped run's stages up to the one it stopped after (the next one barely began)."""
    stages = results["runs"].get("steps", {}).get("stages", {})
    users, _ = _breaking_point(results)
    if users is None:
        return stages
    last = results["steps"].index(int(users))
    return {s: f for s, f in stages.items() if results["steps"].index(int(s)) <= last}


def _print(results: dict) -> None:
    for run, figures in results["runs"].items():
        stages = _stages_run(results) if run == "steps" else figures["stages"]
        for stage, summary in stages.items():
            label = f"{run} {stage} people" if run == "steps" else run
            print(f"{label}: browsing {_line(summary)}; sign-in {_line(summary, 'sign-in')}")
            if summary["errors"]:
                print(f"  errors: {summary['errors']}")
            print(f"  {_cause(summary, results['args']['workers'])}")
    users, stage = _breaking_point(results)
    print(f"breaking point: {users or 'not reached'}")
    if results["server_errors"]:
        print(f"gunicorn worker timeouts: {results['server_errors']}")


def _record(results: dict) -> None:
    args = results["args"]
    today = date.today().isoformat()
    steady = results["runs"]["steady"]["stages"].get("steady")
    rows = []
    if steady:
        rows.append(_row(f"steady: {args['users']} people, {args['minutes']:g} min", steady, args))
    for users, stage in _stages_run(results).items():
        rows.append(_row(f"step: {users} people, {args['step_seconds']:g} s", stage, args))
    users, stage = _breaking_point(results)
    if users:
        broke = (
            f"**Breaking point: {users} people** (the first stage whose browsing p95 passed "
            f"{BREAK_P95_MS / 1000:g} s or had errors). Errors there: "
            f"{stage['errors'] or 'none'}. Why: {_cause(stage, args['workers'])}."
        )
    else:
        broke = f"No stage up to {max(results['steps'], default=0)} people broke."
    pools = ", ".join(f"{n} {role}" for role, n in results["pools"].items())
    where = ""
    if steady and steady.get("pages"):
        total = sum(page["total_ms"] for page in steady["pages"]) or 1
        where = (
            "Where the steady run's waiting went (each kind of request's share of all response "
            "time; its count, p50 and p95 in ms): "
            + "; ".join(
                f"`{page['name']}` {100 * page['total_ms'] / total:.0f}% ({page['requests']:,}, "
                f"{page['p50']:.0f} / {page['p95']:.0f})"
                for page in steady["pages"][:8]
            )
            + "."
        )
    section = f"""{SECTION}

`bench/locustfile.py`, run by `bench/load.py`: staff, viewers, SROs and learners in proportions
5:2:40:200, each signing in once through the sign-in form (an authenticator code where MFA
asks for one) with an account of their own ({pools}), then reading their usual pages one to
five seconds apart (staff: dashboard, learner list pages and sorts, learner, council and cohort
pages, emails, networks, reports; SROs: their home, council, learners and network; learners:
`/me/`, their network, CPD, account); people start {args["spawn_rate"]:g} a second (each
sign-in hashes a password, about half a second of CPU, on purpose), and someone signed out
(a sign-in that timed out) signs in again. Over the demo and
`seed_scale {" ".join(SCALE_ARGUMENTS)}`,
served by `gunicorn cmpp.wsgi` with {args["workers"]} sync workers (the Dockerfile's number; 30 s
timeout), a Celery worker (concurrency 2), PostgreSQL and Redis, with locust, all on the one
machine over loopback: {results["machine"]}. Times are locust's (client) response times;
sign-ins (which hash a password on purpose) are counted apart. CPU is a mean over the run or
stage, 100% being one CPU; PostgreSQL's includes every database on the server, and "everything
else" is whatever else the machine ran (other work shared it). Run on {today}.

Command (it creates `{DATABASE}`, seeds it in about 2 minutes and drops it; `--reuse --database
cmpp_bench_pages` uses the one `bench/pages.py --keep` left; `--minutes` and `--step-seconds`
shorten a trial):

```
DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python bench/load.py --users 50 --minutes 5 --steps 50,100,200,400
```

{TABLE_HEADER}
{chr(10).join(rows)}

{broke}

{where}
"""
    if results["server_errors"]:
        killed = results["server_errors"]
        section += f"\ngunicorn killed {killed} workers that passed its timeout.\n"
    write_section(SECTION, wrap_paragraphs(section.removeprefix(SECTION).strip()))


def _row(label: str, stage: dict, args: dict) -> str:
    browsing, sign_in = stage["browsing"], stage["sign-in"]
    watched = stage.get("watched") or {}
    cpu = watched.get("cpu", {})
    seconds = args["minutes"] * 60 if label.startswith("steady") else args["step_seconds"]

    def ms(value):
        return "-" if value is None else f"{value:.0f}"

    return (
        f"| {label} | {browsing['requests']:,} | {browsing['requests'] / seconds:.1f} "
        f"| {ms(browsing['p50'])} | {ms(browsing['p95'])} | {ms(browsing['p99'])} "
        f"| {browsing['failures'] + sign_in['failures']} "
        f"| {ms(sign_in['p50'])} / {ms(sign_in['p95'])} "
        f"| {cpu.get('gunicorn', 0):.0f} / {cpu.get('postgres', 0):.0f} / "
        f"{cpu.get('locust', 0):.0f} / {cpu.get('everything else', 0):.0f} "
        f"| {watched.get('connections', '-')} ({watched.get('active', '-')}) |"
    )


if __name__ == "__main__":
    sys.exit(main())
