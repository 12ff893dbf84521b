"""Benchmark: every page of every role at national scale, served by gunicorn, against its goals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/pages.py [--runs 30] [--demo-only] [--reuse] [--keep]

It seeds a database of its own (`cmpp_bench_pages`: migrate, `seed_demo`, then `seed_scale
--councils 400 --learners 20000`; `--demo-only` stops after the demo, in `cmpp_bench_pages_demo`;
`--reuse` measures a database seeded before and keeps it; `--keep` keeps a new one), gives the
demo logins what production asks of them (an authenticator where MFA is required; the staff
login into the Django admin), and serves the portal with gunicorn (2 sync workers by default)
on a free loopback port, DEBUG off, in an emptied Redis database of its own.

Each role signs in through the sign-in form, as a person does (with an authenticator code where
asked): DLUHC staff, the CCS viewer, Reading's SRO, the SRO of the council with the most learners
and Reading's learner. Each page of theirs is requested twice to warm up, then --runs times, the
pages in turn. The time is the server's (`X-Bench-Server-Ms`, added by `bench/wsgi.py`: from the
request reaching Django to its response being ready), beside the client's wall time over loopback
(connection and reading the page too). The queries are counted apart, with Django's test client
in this process over the same database (gunicorn cannot report them), on a request after a
warm-up; with them, the time the queries took in this process and the slowest one, whose EXPLAIN
ANALYZE is written for each page that misses a goal.

The learner list is compared with the Django admin's changelist of the same learners (same rows,
columns, page size and order: `bench/wsgi.py` registers it), requested in turn, A, B, A, B...: the
ratio of their medians. Goals: every page p95 under 150 ms with at most 15 queries, and the list
no slower than the admin (ratio at most 1.0). The run is recorded in docs/benchmarks.md.
"""

import argparse
import contextlib
import json
import os
import platform
import re
import statistics
import sys
import tempfile
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
    DEMO_LOGINS,
    Browser,
    free_port,
    gunicorn,
    server_environment,
    wrap_paragraphs,
)

SECTION = "## Every page at national scale"
SCALE_DATABASE = "cmpp_bench_pages"
DEMO_DATABASE = "cmpp_bench_pages_demo"
SCALE_ARGUMENTS = ("--councils", "400", "--learners", "20000")
GOAL_P95_MS = 150
GOAL_QUERIES = 15
GOAL_RATIO = 1.0
ROLES = ("staff", "viewer", "sro", "sro of the largest council", "learner")
# URL names no GET measures: forms' actions (POST only), files, and the sign-in pages themselves.
NOT_PAGES = re.compile(
    r"(approve|decline|withdraw|close|start|cancel|retire|restore|delete|move|resend|retry|review|"
    r"download|export|data|invite|joined|declined|remove|invitation|healthz|maturity_new|"
    r"^account_|^mfa_|^socialaccount|login|logout|password|signup|reauthenticate)"
)


# WhiteNoise looks for collected static files, which no page here asks for.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests of each page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--demo-only", action="store_true", help="seed the demo only")
    parser.add_argument("--reuse", action="store_true", help="measure a database seeded before")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", help="its name (default: by --demo-only)")
    parser.add_argument(
        "--pg-options",
        default="",
        help="PostgreSQL settings for every connection (PGOPTIONS), e.g. '-c jit=off'",
    )
    parser.add_argument(
        "--only", help="measure only pages whose path contains this (a quick look at one page)"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="print the figures only; leave the docs alone"
    )
    args = parser.parse_args()
    stop_on_sigterm()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        parser.error("set REDIS_URL and a PostgreSQL DATABASE_URL")
    name = args.database or (DEMO_DATABASE if args.demo_only else SCALE_DATABASE)
    scratch_url = with_database(database_url, name)

    from tests.integration.support import isolated_redis_db

    keep = args.keep or args.reuse
    if not args.reuse:
        recreate_database(database_url, name)
    try:
        with isolated_redis_db(redis_url, hold_for=3 * 3600) as bench_redis_url:
            port = free_port()
            env = server_environment(scratch_url, bench_redis_url, port=port)
            if args.pg_options:
                env["PGOPTIONS"] = args.pg_options
            if not args.reuse:
                _seed(env, demo_only=args.demo_only)
            vacuum_analyze(env["DATABASE_URL"])
            results = _run(args, env, port=port)
    finally:
        if not keep:
            drop_database(database_url, name)
    if keep:
        print(f"Kept the database {name}; measure it again with --reuse --database {name}.")

    _print_tables(results)
    if not args.no_record and not args.only:
        _record(results, args)
        print(f"Recorded in {BENCHMARKS.relative_to(BASE_DIR)}")
    return 0


def _seed(env: dict, *, demo_only: bool) -> None:
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    print("Seeding the demo programme...")
    manage(env, "seed_demo")
    if not demo_only:
        print("Seeding the national-scale programme (about 2 minutes)...")
        started = time.monotonic()
        manage(env, "seed_scale", *SCALE_ARGUMENTS)
        print(f"  seeded in {time.monotonic() - started:.0f} s")


# The run: Django set up in this process for the accounts, the pages and the query counts.


def _run(args, env: dict, *, port: int) -> dict:
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    import bench.wsgi  # noqa: F401 - the admin comparison, registered before the URLconf loads
    from bench.serve import prepare_demo_logins

    prepare_demo_logins()
    sro_scale = _largest_council_sro()
    logins = {**DEMO_LOGINS, "sro of the largest council": sro_scale}
    pages = _pages(sro_scale)
    if args.only:
        pages = {role: [p for p in ps if args.only in p[1]] for role, ps in pages.items()}
    uncovered = _uncovered_url_names(pages)
    data_size = _data_size()
    connection.close()

    with tempfile.TemporaryDirectory() as workdir:
        log = Path(workdir) / "gunicorn.log"
        with gunicorn(env, port=port, workers=args.workers, app="bench.wsgi", log=log):
            base = f"http://127.0.0.1:{port}"
            browsers = {}
            for number, role in enumerate(ROLES, start=1):
                browsers[role] = Browser(base, client_ip=f"10.0.0.{number}")
                browsers[role].sign_in(logins[role])
            timed, refused = _time_pages(browsers, pages, runs=args.runs)
            comparison = _compare_with_admin(browsers["staff"], runs=args.runs)
            load = os.getloadavg()[0]
    queries = _count_queries(logins, pages)
    explained = _explain_misses(timed, queries)
    return {
        "timed": timed,
        "refused": refused,
        "queries": queries,
        "explained": explained,
        "comparison": comparison,
        "uncovered": uncovered,
        "data_size": data_size,
        "machine": _machine(),
        "workers": args.workers,
        "runs": args.runs,
        "load": load,
        "logins": logins,
    }


def _largest_council_sro() -> str:
    """The SRO of the council with the most learners, given the demo password (scratch only) and
    the bench authenticator, like the demo's own SROs."""
    from bench.serve import prepare_pools

    return prepare_pools(staff=0, viewers=0, sros=1, learners=1)["sro"][0]


def _pages(sro_scale: str) -> dict[str, list[tuple[str, str]]]:
    """Each role's pages as (what, path), with real records picked from the database: the
    largest council, cohort and so on, where a page's cost grows with its records."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from cmpp.accounts.models import User
    from cmpp.notifications.models import OutboundEmail
    from cohorts.models import AccreditationLevel, Cohort, CohortSession
    from councils.models import Council, MaturityAssessment, SupportEngagement
    from learners.models import AssessmentAttempt, Learner, Nomination
    from networks.models import Network, NetworkCouncil, NetworkMeeting

    council = Council.objects.annotate(n=Count("learners")).order_by("-n", "pk").first()
    cohort = Cohort.objects.annotate(n=Count("enrolments")).order_by("-n", "pk").first()
    session = CohortSession.objects.filter(cohort=cohort).order_by("starts_at").first()
    learner = Learner.objects.annotate(n=Count("step_progress")).order_by("-n", "pk").first()
    level = AccreditationLevel.objects.get(slug="practitioner")
    email = OutboundEmail.objects.order_by("-pk").first()
    assessment = MaturityAssessment.objects.filter(council=council).order_by("-pk").first()
    nomination = Nomination.objects.order_by("-pk").first()
    learners_network = Network.objects.get(audience="learners")
    sro_network = Network.objects.exclude(pk=learners_network.pk).get()
    meeting = NetworkMeeting.objects.filter(network=learners_network).order_by("-starts_at").first()
    # The council with the most learners, as invited to the Learners Network.
    place = NetworkCouncil.objects.filter(network=learners_network, council=council).first() or (
        NetworkCouncil.objects.filter(network=learners_network).order_by("pk").first()
    )
    reading = Council.objects.get(roles__user__email=DEMO_LOGINS["sro"])
    reading_learner = Learner.objects.filter(council=reading).order_by("pk").first()
    reading_assessment = reading.maturity_assessments.order_by("-pk").first()
    scale_council = Council.objects.filter(roles__user__email=sro_scale).get()
    scale_learner = Learner.objects.filter(council=scale_council).order_by("pk").first()
    own_learner = User.objects.get(email=DEMO_LOGINS["learner"]).learner
    own_cpd = own_learner.cpd_entries.order_by("pk").first()

    staff = [
        ("home (programme dashboard)", "/"),
        ("home, one managing body", "/?body=dluhc"),
        ("councils", "/councils/"),
        ("councils, page 5", "/councils/?page=5"),
        ("council page (most learners)", f"/councils/{council.pk}/"),
        ("council: edit", f"/councils/{council.pk}/edit/"),
        ("council: hand over", f"/councils/{council.pk}/hand-over/"),
        ("council: new support", f"/councils/{council.pk}/support/new/"),
        ("onboard a council", "/councils/new/"),
        ("support", "/councils/support/"),
        ("maturity to review", "/councils/maturity/"),
        ("cohorts", "/cohorts/"),
        ("cohorts, page 10", "/cohorts/?page=10"),
        ("cohort page (most enrolled)", f"/cohorts/{cohort.pk}/"),
        ("cohort: edit", f"/cohorts/{cohort.pk}/edit/"),
        ("cohort: enrol", f"/cohorts/{cohort.pk}/enrol/"),
        ("cohort: steps for many", f"/cohorts/{cohort.pk}/steps/"),
        ("cohort: new session", f"/cohorts/{cohort.pk}/sessions/new/"),
        ("new cohort", "/cohorts/new/"),
        ("levels", "/levels/"),
        ("level", f"/levels/{level.pk}/"),
        ("level: edit", f"/levels/{level.pk}/edit/"),
        ("level: new step", f"/levels/{level.pk}/steps/new/"),
        ("learners", "/learners/"),
        ("learners, page 200", "/learners/?page=200"),
        ("learners by steps, most first", "/learners/?sort=-steps"),
        ("learners by council", "/learners/?sort=council"),
        ("learners by last progress", "/learners/?sort=progress"),
        ("learners: search", "/learners/?q=smith"),
        ("learners: no progress for 8 weeks", "/learners/?stalled=yes"),
        ("learners: one council", f"/learners/?council={council.code}"),
        ("learners: one cohort", f"/learners/?cohort={cohort.code}"),
        ("learner (most steps)", f"/learners/{learner.pk}/"),
        ("learner: edit", f"/learners/{learner.pk}/edit/"),
        ("learner: status", f"/learners/{learner.pk}/status/"),
        ("learner: record steps", f"/learners/{learner.pk}/steps/"),
        ("learner: book assessment", f"/learners/{learner.pk}/assessments/new/"),
        ("add a learner", "/learners/new/"),
        ("import learners", "/learners/import/"),
        ("nominations", "/learners/nominations/"),
        ("networks", "/networks/"),
        ("Learners Network", f"/networks/{learners_network.pk}/"),
        ("SRO Network", f"/networks/{sro_network.pk}/"),
        ("Learners Network, councils page 5", f"/networks/{learners_network.pk}/?page=5"),
        (
            "network: a council's members",
            f"/networks/{learners_network.pk}/councils/{place.pk}/members/",
        ),
        ("network: invite", f"/networks/{learners_network.pk}/councils/invite/"),
        ("network: new meeting", f"/networks/{learners_network.pk}/meetings/new/"),
        ("network: new resource", f"/networks/{learners_network.pk}/resources/new/"),
        ("reports", "/reports/"),
        ("emails", "/emails/"),
        ("emails, page 100", "/emails/?page=100"),
        ("emails: sent", "/emails/?status=sent"),
        ("email", f"/emails/{email.pk}/"),
        ("your account", "/accounts/"),
    ]
    if session:
        staff += [
            ("cohort: session edit", f"/cohorts/{cohort.pk}/sessions/{session.pk}/edit/"),
            ("cohort: register", f"/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/"),
        ]
    if assessment:
        staff.append(("maturity assessment", f"/councils/{council.pk}/maturity/{assessment.pk}/"))
    if nomination:
        staff.append(("nomination", f"/learners/nominations/{nomination.pk}/"))
    engagement = SupportEngagement.objects.order_by("pk").first()
    if engagement:
        path = f"/councils/{engagement.council_id}/support/{engagement.pk}/edit/"
        staff.append(("support: edit", path))
    step = level.steps.order_by("order").first()
    staff.append(("level: step edit", f"/levels/{level.pk}/steps/{step.pk}/edit/"))
    pending = AssessmentAttempt.objects.filter(result="pending").order_by("pk").first()
    passed = AssessmentAttempt.objects.filter(result="pass").order_by("pk").first()
    if pending:
        path = f"/learners/{pending.learner_id}/assessments/{pending.pk}/result/"
        staff.append(("assessment: result", path))
    if passed:
        path = f"/learners/{passed.learner_id}/assessments/{passed.pk}/correct/"
        staff.append(("assessment: correct", path))
    if meeting:
        staff += [
            ("meeting: edit", f"/networks/{learners_network.pk}/meetings/{meeting.pk}/edit/"),
            (
                "meeting: register",
                f"/networks/{learners_network.pk}/meetings/{meeting.pk}/register/",
            ),
        ]
    viewer = [
        ("home (programme dashboard)", "/"),
        ("councils", "/councils/"),
        ("council page (most learners)", f"/councils/{council.pk}/"),
        ("support", "/councils/support/"),
        ("cohorts", "/cohorts/"),
        ("cohort page (most enrolled)", f"/cohorts/{cohort.pk}/"),
        ("levels", "/levels/"),
        ("learners", "/learners/"),
        ("learners, page 200", "/learners/?page=200"),
        ("learner (most steps)", f"/learners/{learner.pk}/"),
        ("networks", "/networks/"),
        ("Learners Network", f"/networks/{learners_network.pk}/"),
        ("reports", "/reports/"),
    ]

    def sro_pages(council, learner, assessment):
        pages = [
            ("home (SRO)", "/"),
            ("council page", f"/councils/{council.pk}/"),
            ("learners", "/learners/"),
            ("learner", f"/learners/{learner.pk}/"),
            ("nominate", "/learners/nominate/"),
            ("networks", "/networks/"),
            ("SRO Network", f"/networks/{sro_network.pk}/"),
            ("reports", "/reports/"),
            ("your account", "/accounts/"),
        ]
        if assessment:
            path = f"/councils/{council.pk}/maturity/{assessment.pk}/"
            pages.append(("maturity assessment", path))
        return pages

    learner_pages = [
        ("home (/me/)", "/me/"),
        ("CPD: new", "/me/cpd/new/"),
        ("networks", "/networks/"),
        ("Learners Network", f"/networks/{learners_network.pk}/"),
        ("your account", "/accounts/"),
    ]
    if own_cpd:
        learner_pages.append(("CPD: edit", f"/me/cpd/{own_cpd.pk}/edit/"))
    for name in ("accessibility", "privacy"):  # the service's own pages, where they exist
        with contextlib.suppress(NoReverseMatch):
            learner_pages.append((name, reverse(name)))
    return {
        "staff": staff,
        "viewer": viewer,
        "sro": sro_pages(reading, reading_learner, reading_assessment),
        "sro of the largest council": sro_pages(
            scale_council, scale_learner, scale_council.maturity_assessments.order_by("-pk").first()
        ),
        "learner": learner_pages,
    }


def _uncovered_url_names(pages) -> list[str]:
    """The URLconf's named pages that no role's list requests (POST-only actions, files and
    sign-in pages left out), so a new page shows up here until it is added."""
    from django.urls import URLPattern, URLResolver, get_resolver, resolve

    def names(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if pattern.app_name == "admin":
                    continue
                yield from names(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    covered = {resolve(path.split("?")[0]).view_name for role in pages.values() for _, path in role}
    return sorted(
        name
        for name in set(names(get_resolver().url_patterns))
        if name not in covered and not NOT_PAGES.search(name.split(":")[-1])
    )


def _data_size() -> dict:
    from cmpp.notifications.models import OutboundEmail
    from cohorts.models import Cohort
    from councils.models import Council
    from learners.models import Learner, StepProgress

    return {
        "councils": Council.objects.count(),
        "cohorts": Cohort.objects.count(),
        "learners": Learner.objects.count(),
        "steps done": StepProgress.objects.count(),
        "emails": OutboundEmail.objects.count(),
    }


def _machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    import gunicorn as gunicorn_package

    return (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {postgres}, "
        f"gunicorn {gunicorn_package.__version__}"
    )


# Timing through gunicorn.


def _time_pages(browsers, pages, *, runs: int):
    """Each page warmed up twice, then requested `runs` times, every role's pages in turn."""
    refused = []
    live = {}
    for role, role_pages in pages.items():
        for what, path in role_pages:
            status = browsers[role].get(path)[0]
            browsers[role].get(path)
            if status == 200:
                live.setdefault(role, []).append((what, path))
            else:
                refused.append((role, what, path, status))
    samples = {(role, path): ([], []) for role, ps in live.items() for _, path in ps}
    started = time.monotonic()
    for run in range(runs):
        for role, role_pages in live.items():
            for _, path in role_pages:
                status, _, headers, wall = browsers[role].get(path)
                if status != 200:
                    raise SystemExit(f"{role} {path} answered {status} on run {run + 1}")
                samples[(role, path)][0].append(float(headers["X-Bench-Server-Ms"]))
                samples[(role, path)][1].append(wall * 1000)
        if run == 0:
            estimate = (time.monotonic() - started) * runs
            print(f"Timing {len(samples)} pages, {runs} runs: about {estimate / 60:.0f} minutes")
    timed = {}
    for role, role_pages in live.items():
        for what, path in role_pages:
            server, wall = samples[(role, path)]
            timed[(role, path)] = {
                "role": role,
                "what": what,
                "path": path,
                "p50": _percentile(server, 50),
                "p95": _percentile(server, 95),
                "wall_p50": _percentile(wall, 50),
                "wall_p95": _percentile(wall, 95),
            }
    return timed, refused


def _compare_with_admin(browser, *, runs: int) -> list[dict]:
    """The learner list and the admin's changelist of the same learners, alternately."""
    pairs = [
        ("first page", "/learners/", "/admin/learners/learner/"),
        ("page 200", "/learners/?page=200", "/admin/learners/learner/?p=199"),
    ]
    results = []
    for what, ours, admins in pairs:
        for path in (ours, admins, ours, admins):  # warm-up
            status = browser.get(path)[0]
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        times = {ours: [], admins: []}
        for _ in range(runs):
            for path in (ours, admins):
                times[path].append(float(browser.get(path)[2]["X-Bench-Server-Ms"]))
        ours_median, admins_median = (statistics.median(times[p]) for p in (ours, admins))
        results.append(
            {
                "what": what,
                "ours": ours,
                "admin": admins,
                "ours_p50": ours_median,
                "admin_p50": admins_median,
                "ours_p95": _percentile(times[ours], 95),
                "admin_p95": _percentile(times[admins], 95),
                "ratio": ours_median / admins_median,
            }
        )
    return results


def _percentile(values: list[float], percent: int) -> float:
    """The nearest-rank percentile: with 30 runs, p95 is the second slowest."""
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


# Counting queries in this process.


def _count_queries(logins: dict, pages) -> dict:
    """Each page's queries through Django's test client, on a request after a warm-up: how
    many, their time here, and the slowest."""
    from django.db import connection
    from django.template.backends.django import Template
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cmpp.accounts.models import User

    rendering = {"ms": 0.0, "queries": 0, "depth": 0}
    render = Template.render

    def timed_render(self, *args, **kwargs):
        """The time spent drawing the page's template (form widgets' templates within it are
        part of it), with the queries it runs itself (a queryset, or a form's choices, read as
        the template loops over it)."""
        if rendering["depth"]:
            return render(self, *args, **kwargs)
        rendering["depth"] += 1
        started, queries = time.perf_counter(), len(connection.queries_log)
        try:
            return render(self, *args, **kwargs)
        finally:
            rendering["depth"] -= 1
            rendering["ms"] += (time.perf_counter() - started) * 1000
            rendering["queries"] += len(connection.queries_log) - queries

    Template.render = timed_render
    counted = {}
    for role, role_pages in pages.items():
        client = Client(REMOTE_ADDR="10.0.1.1")
        client.force_login(User.objects.get(email=logins[role]))
        client.get("/")
        role_pages = [*role_pages]
        if role == "staff":
            role_pages += [
                ("admin: learners", "/admin/learners/learner/"),
                ("admin: learners, page 200", "/admin/learners/learner/?p=199"),
            ]
        for _, path in role_pages:
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                rendering.update(ms=0.0, queries=0)
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
            timings = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
            slowest = max(timings, default=(0.0, ""))
            counted[(role, path)] = {
                "status": response.status_code,
                "queries": len(timings),
                "sql_ms": sum(t for t, _ in timings),
                "in_process_ms": elapsed * 1000,
                "template_ms": rendering["ms"],
                "template_queries": rendering["queries"],
                "slowest_ms": slowest[0],
                "slowest_sql": slowest[1],
            }
    Template.render = render
    return counted


def _explain_misses(timed, queries) -> dict:
    """EXPLAIN ANALYZE of the slowest query of each page that misses a goal."""
    from django.db import connection

    explained = {}
    for key, page in timed.items():
        counted = queries.get(key, {})
        if page["p95"] < GOAL_P95_MS and counted.get("queries", 0) <= GOAL_QUERIES:
            continue
        sql = counted.get("slowest_sql", "")
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        explained[key] = {"sql": sql, "plan": plan}
    return explained


# Reporting.


def _verdict(page: dict, counted: dict) -> str:
    misses = []
    if page["p95"] >= GOAL_P95_MS:
        misses.append("time")
    if counted.get("queries", 0) > GOAL_QUERIES:
        misses.append("queries")
    return "met" if not misses else "missed (" + ", ".join(misses) + ")"


def _rows(results: dict, role: str) -> list[dict]:
    rows = []
    for key, page in results["timed"].items():
        if key[0] != role:
            continue
        counted = results["queries"].get(key, {})
        rows.append({**page, **counted, "verdict": _verdict(page, counted)})
    return rows


def _print_tables(results: dict) -> None:
    for role in ROLES:
        rows = _rows(results, role)
        if not rows:
            continue
        print(f"\n{role} ({results['logins'][role]})")
        print(
            f"{'page':<36} {'p50':>6} {'p95':>6} {'wall95':>6} {'queries':>7} {'sql ms':>6} "
            f"{'slowest':>7} {'inproc':>6} {'templ':>6} {'tq':>3}  goal"
        )
        for row in rows:
            print(
                f"{row['what'][:36]:<36} {row['p50']:>6.1f} {row['p95']:>6.1f} "
                f"{row['wall_p95']:>6.1f} {row.get('queries', '?'):>7} "
                f"{row.get('sql_ms', 0):>6.1f} {row.get('slowest_ms', 0):>7.1f} "
                f"{row.get('in_process_ms', 0):>6.1f} {row.get('template_ms', 0):>6.1f} "
                f"{row.get('template_queries', 0):>3}  {row['verdict']}"
            )
    for role, what, path, status in results["refused"]:
        print(f"not timed: {role} {what} {path} answered {status}")
    print()
    for pair in results["comparison"]:
        print(
            f"learner list against the admin, {pair['what']}: {pair['ours_p50']:.1f} ms against "
            f"{pair['admin_p50']:.1f} ms, ratio {pair['ratio']:.2f}"
        )
    admin = {k: v for k, v in results["queries"].items() if "/admin/" in k[1]}
    for (_, path), counted in admin.items():
        print(f"  {path}: {counted['queries']} queries")
    if results["uncovered"]:
        print("URL names not measured:", ", ".join(results["uncovered"]))
    explain_file = Path(tempfile.gettempdir()) / "cmpp-bench-pages-explain.txt"
    with explain_file.open("w") as out:
        for (role, path), found in results["explained"].items():
            out.write(f"== {role} {path}\n{found['sql']}\n\n{found['plan']}\n\n")
    print(f"EXPLAIN ANALYZE of each missing page's slowest query: {explain_file}")


def _record(results: dict, args) -> None:
    today = date.today().isoformat()
    size = results["data_size"]
    scale = (
        "the demo only"
        if args.demo_only
        else "the demo and `seed_scale " + " ".join(SCALE_ARGUMENTS) + "`"
    )
    tables = []
    misses = []
    for role in ROLES:
        rows = _rows(results, role)
        if not rows:
            continue
        lines = [
            f"### {role.capitalize()} (`{results['logins'][role]}`)",
            "",
            "| page | path | p50 (ms) | p95 (ms) | wall p95 (ms) | queries | their time (ms) "
            "| template (ms, its queries) | goal |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows:
            lines.append(
                f"| {row['what']} | `{row['path']}` | {row['p50']:.0f} | {row['p95']:.0f} "
                f"| {row['wall_p95']:.0f} | {row.get('queries', '?')} "
                f"| {row.get('sql_ms', 0):.0f} | {row.get('template_ms', 0):.0f} "
                f"({row.get('template_queries', 0)}) | {row['verdict']} |"
            )
            if row["verdict"] != "met":
                misses.append(row)
        tables.append("\n".join(lines))
    comparison = "\n".join(
        f"| {pair['what']} | `{pair['ours']}` | {pair['ours_p50']:.0f} / {pair['ours_p95']:.0f} "
        f"| `{pair['admin']}` | {pair['admin_p50']:.0f} / {pair['admin_p95']:.0f} "
        f"| {pair['ratio']:.2f} | {'met' if pair['ratio'] <= GOAL_RATIO else 'missed'} |"
        for pair in results["comparison"]
    )
    admin_queries = ", ".join(
        f"`{path}` {counted['queries']}"
        for (_, path), counted in results["queries"].items()
        if "/admin/" in path
    )
    refused = "; ".join(
        f"{role} `{path}` ({status})" for role, _, path, status in results["refused"]
    )
    missed = (
        f"{len(misses)} of {len(results['timed'])} pages miss a goal: "
        + ", ".join(
            f"{row['role']} `{row['path']}` ({row['verdict'].removeprefix('missed (')}"
            for row in misses
        )
        + "."
        if misses
        else f"Every one of the {len(results['timed'])} pages meets both goals."
    )
    pg_options = (
        f" PostgreSQL options for every connection: `{args.pg_options}`." if args.pg_options else ""
    )
    section = f"""{SECTION}

Every page of every role, served by gunicorn ({results["workers"]} sync workers, DEBUG off, MFA
required, Redis for cache and sessions) on loopback, over {scale} ({size["councils"]:,}
councils, {size["cohorts"]:,} cohorts, {size["learners"]:,} learners, {size["steps done"]:,} steps
done, {size["emails"]:,} emails). Each role signs in through the sign-in form with an
authenticator code where MFA asks for one; each page is requested twice to warm up, then
{results["runs"]} times, all pages in turn. p50 and p95 are the server's time
(`X-Bench-Server-Ms`, added by `bench/wsgi.py`: Django's time to a ready response); "wall" is
the client's, over loopback. Queries are counted with Django's test client in the benchmark's
process over the same database, on a request after a warm-up, with the time they took there.
Goals: p95 under {GOAL_P95_MS} ms and at most {GOAL_QUERIES} queries.{pg_options} Run on {today}:
{results["machine"]}; load average {results["load"]:.1f} at the end of the timing.

Command (it creates `{SCALE_DATABASE}`, seeds it in about 2 minutes and drops it; `--keep` keeps
it, `--reuse` measures it again, `--demo-only` seeds the demo alone):

```
DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python bench/pages.py --runs 30
```

{missed}

{chr(10).join(chr(10) + table for table in tables).strip()}

The learner list beside the Django admin's changelist of the same learners: `bench/wsgi.py`
registers one for the benchmark (the portal has none), with the list's columns (name, council,
job title, level, cohort, steps done of all, last progress, status with "at risk"), its
`select_related`, its annotations (`with_progress`), 50 a page and its order (last name, first
name, id); the staff login reaches it as `is_staff` with the view permission on learners. The
two are requested alternately, {results["runs"]} times each after a warm-up; the goal is a ratio
of medians of at most {GOAL_RATIO}. Queries: {admin_queries}.

| page | list | p50 / p95 (ms) | admin | p50 / p95 (ms) | ratio of medians | goal |
|---|---|---|---|---|---|---|
{comparison}
"""
    if refused:
        section += f"\nNot timed (they answer other than 200 for that role): {refused}.\n"
    if results["uncovered"]:
        section += (
            "\nNamed URLs no role's list requests yet: "
            + ", ".join(f"`{name}`" for name in results["uncovered"])
            + ".\n"
        )
    write_section(SECTION, wrap_paragraphs(section.removeprefix(SECTION).strip()))
    json_file = Path(tempfile.gettempdir()) / "cmpp-bench-pages.json"
    json_file.write_text(
        json.dumps(
            {
                "timed": list(results["timed"].values()),
                "queries": {f"{k[0]} {k[1]}": v for k, v in results["queries"].items()},
                "comparison": results["comparison"],
            },
            indent=1,
            default=str,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
