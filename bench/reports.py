"""Benchmark: how long the PDF progress reports take to draw, and their memory, against the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmpp_bench_reports \\
        .venv/bin/python bench/reports.py [--runs 5] [--scale]

It seeds the demo programme (`seed_demo`) into a database of its own (`cmpp_bench_reports`,
created with migrate and dropped at the end; DATABASE_URL names the server), then draws, as at
today, the DLUHC programme report and the report of the demo council with the most learners, each
through `cmpp.reports.printing` as the report task does (`programme_context` or `council_context`,
then `render`). Beside them it draws "the floor": a bare HTML table, with as many rows as make as
many pages as the DLUHC report, by WeasyPrint alone with the same `pdf_variant`.

Every measurement runs in a fresh Python process (Django set up, WeasyPrint imported, the database
connected before the clock starts), so its peak RSS, read from the process's rusage as it exits,
is that report's own. The process draws the report twice: the first draw (timed on its own) pays
for WeasyPrint's lazy set-up once per process; the second is what a report worker spends on each
report, split into the figures (the context: its queries) and the drawing (template, layout and
PDF: `render`). Each report is measured --runs times, the reports in turn; the table gives the
medians and the maximum. One more run per report, with tracemalloc on, gives Python's own peak,
and one under cProfile says where the time goes. The run is recorded in docs/benchmarks.md, with
whether the reports meet their goals.

--scale draws the DLUHC programme report again over a national-scale programme (400 councils,
20,000 learners) seeded by `seed_scale` into a second database of its own, once that command
exists; until then the run says that row is pending.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))  # run as a script: `bench` and the project must import

from bench.scratch import drop_database, manage, recreate_database, with_database  # noqa: E402

BENCHMARKS = BASE_DIR / "docs" / "benchmarks.md"
SECTION = "## PDF progress reports"
SCRATCH_DATABASE = "cmpp_bench_reports"
SCALE_DATABASE = "cmpp_bench_reports_scale"
PDF_VARIANT = "pdf/ua-1"
AUTHOR = "the CMPP portal"
REPORTS = ("programme", "council", "floor")
ROW_KINDS = ("programme", "council", "floor", "programme at national scale")
FLOOR_GOAL = 1.5  # the programme report costs at most 1.5 times the floor
COUNCIL_GOAL_SECONDS = 0.5
SCALE_GOAL_SECONDS = 10
SCALE_GOAL_MIB = 400
TABLE_HEADER = (
    "| report | pages | figures (s) | render (s) | total median (s) | max (s) "
    "| first draw in a new process (s) | peak RSS MiB (the draws' own) | Python peak MiB "
    "| machine | date |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)
# Where a render's time goes, read from a cProfile run: (part, [(file ending, function)]).
PROFILE_PARTS = (
    ("queries", [("django/db/backends/utils.py", "_execute")]),
    (
        "figures' Python",
        [
            ("cmpp/reports/printing.py", "programme_context"),
            ("cmpp/reports/printing.py", "council_context"),
        ],
    ),
    ("template (Django)", [("django/template/loader.py", "render_to_string")]),
    ("font set-up (Fontconfig)", [("weasyprint/text/fonts.py", "__init__")]),
    (
        "CSS cascade and boxes",
        [
            ("weasyprint/css/__init__.py", "get_all_computed_styles"),
            ("weasyprint/formatting_structure/build.py", "build_formatting_structure"),
        ],
    ),
    ("layout: text shaping (Pango)", [("weasyprint/text/line_break.py", "split_first_line")]),
    ("layout: boxes, tables, pages", [("weasyprint/layout/__init__.py", "layout_document")]),
    ("PDF: fonts (subset, embed)", [("weasyprint/pdf/fonts.py", "build_fonts_dictionary")]),
    ("PDF: PDF/UA tags", [("weasyprint/pdf/tags.py", "add_tags")]),
    ("PDF: drawing, writing", [("weasyprint/document.py", "write_pdf")]),
)
# What would make a report cheaper, by the part its time mostly goes to.
FIXES = {
    "queries": "fewer or cheaper queries for the figures (one grouped query per figure family, "
    "indexes on the as-at filters)",
    "figures' Python": "less Python per row in the figures (values() rows, not model instances)",
    "template (Django)": "a flatter print template (fewer nested loops and filters per row)",
    "font set-up (Fontconfig)": "one FontConfiguration kept per worker process and passed to "
    "render(), instead of a new one per report",
    "CSS cascade and boxes": "fewer elements and simpler selectors in the print template",
    "layout: text shaping (Pango)": "fewer separate pieces of text: WeasyPrint sets up a Pango "
    "layout for each one (more so with OpenType features such as `font-variant-numeric: "
    "tabular-nums`), so fewer cells and inline elements per row, and features only on the "
    "columns of figures that need them",
    "layout: boxes, tables, pages": "`table-layout: fixed` with column widths set in the print "
    "stylesheet, so WeasyPrint sizes the columns without measuring every cell's content first, "
    "and fewer cells per page",
    "PDF: fonts (subset, embed)": "cheaper font embedding: one font family and face, or "
    "WeasyPrint's harfbuzz subsetter rather than fontTools",
    "PDF: PDF/UA tags": "a smaller structure tree (fewer tagged cells); the tags are what PDF/UA "
    "requires, so keep them",
    "PDF: drawing, writing": "fewer drawn borders and boxes per row",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="draws of each report")
    parser.add_argument(
        "--scale", action="store_true", help="also the national-scale row (needs seed_scale)"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="print the figures only; leave the docs alone"
    )
    # One measurement in a fresh process: the script runs itself with these.
    parser.add_argument("--child", choices=("measure", "calibrate"), help=argparse.SUPPRESS)
    parser.add_argument("--report", choices=REPORTS, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to a PostgreSQL server")
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    recreate_database(database_url, SCRATCH_DATABASE)
    try:
        env = _environment(with_database(database_url, SCRATCH_DATABASE))
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        seeded = manage(env, "seed_demo").splitlines()
        print(next((line.strip() for line in seeded if "learners" in line), "Demo seeded."))
        results = _measure_demo(env, runs=args.runs)
        scale_command = "seed_scale" in manage(env, "help", "--commands").split()
    finally:
        drop_database(database_url, SCRATCH_DATABASE)

    if args.scale and scale_command:
        results["programme at national scale"] = _measure_scale(database_url, runs=args.runs)
    scale_note = _scale_note(asked=args.scale, command_exists=scale_command)
    if scale_note:
        print(scale_note)

    _print_table(results)
    verdicts = _verdicts(results)
    for line in verdicts:
        print(f"- {line}")
    if not args.no_record:
        _record(results, verdicts, scale_note)
        print(f"Recorded in {BENCHMARKS.relative_to(BASE_DIR)}")
    return 0


# The parent: seeding, the measurements in turn, and their summary.


def _environment(database_url: str) -> dict:
    """The children's environment: the project's settings over the scratch database."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "cmpp.settings", "DATABASE_URL": database_url}


def _measure_demo(env: dict, *, runs: int) -> dict:
    """Every figure for the demo programme: the two reports and the floor."""
    print("Calibrating the floor to the DLUHC report's pages...")
    pages = _spawn(env, "measure", "--report", "programme")["pages"]
    rows = _spawn(env, "calibrate", "--pages", str(pages))["rows"]
    extra = {"floor": ("--rows", str(rows))}
    measured = {report: [] for report in REPORTS}
    for run in range(runs):
        for report in REPORTS:
            measured[report].append(
                _spawn(env, "measure", "--report", report, *extra.get(report, ()))
            )
        print(
            f"  run {run + 1} of {runs}: "
            + ", ".join(f"{report} {measured[report][-1]['total']:.2f} s" for report in REPORTS)
        )
    results = {}
    for report in REPORTS:
        flags = ("--report", report, *extra.get(report, ()))
        results[report] = _summary(
            measured[report],
            python_peak=_spawn(env, "measure", *flags, "--tracemalloc")["python_peak_mib"],
            profile=_spawn(env, "measure", *flags, "--profile")["profile"],
        )
    return results


def _measure_scale(database_url: str, *, runs: int) -> dict:
    """The DLUHC programme report over the national-scale programme, in a database of its own."""
    recreate_database(database_url, SCALE_DATABASE)
    try:
        env = _environment(with_database(database_url, SCALE_DATABASE))
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        print("Seeding the national-scale programme...")
        manage(env, "seed_scale")
        measured = [_spawn(env, "measure", "--report", "programme") for _ in range(runs)]
        result = _summary(
            measured,
            python_peak=_spawn(env, "measure", "--report", "programme", "--tracemalloc")[
                "python_peak_mib"
            ],
            profile=_spawn(env, "measure", "--report", "programme", "--profile")["profile"],
        )
    finally:
        drop_database(database_url, SCALE_DATABASE)
    # Its row's own kind, so a later run without --scale keeps it apart from the demo's row.
    result["label"] = result["label"].replace("programme:", "programme at national scale:", 1)
    return result


def _spawn(env: dict, *arguments: str) -> dict:
    """Run one measurement in a fresh process; its figures, with the process's peak RSS."""
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(  # noqa: S603 - this script, run by the same interpreter
            [sys.executable, str(Path(__file__).resolve()), "--child", *arguments],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        output = child.stdout.read()
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-5000:]
            raise SystemExit(f"The measurement {' '.join(arguments)} failed:\n{message}")
    figures = json.loads(output.strip().splitlines()[-1])
    figures["peak_rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    return figures


def _scaled(profile: dict, seconds: float) -> dict:
    """The profile's parts as seconds of the measured (unprofiled) time: cProfile slows the run,
    so its parts are read as shares of it."""
    factor = seconds / profile["total"] if profile["total"] else 0.0
    return {
        **profile,
        "total": seconds,
        "profiled_total": profile["total"],
        "parts": [(part, part_seconds * factor) for part, part_seconds in profile["parts"]],
    }


def _summary(measured: list[dict], *, python_peak: float, profile: dict) -> dict:
    """Medians and maxima over the runs of one report."""
    first = measured[0]
    totals = [m["total"] for m in measured]
    return {
        "label": first["label"],
        "pages": first["pages"],
        "runs": len(measured),
        "figures": statistics.median(m["figures"] for m in measured),
        "render": statistics.median(m["render"] for m in measured),
        "total": statistics.median(totals),
        "max": max(totals),
        "totals": totals,
        "first": statistics.median(m["first"] for m in measured),
        "peak_rss": max(m["peak_rss_mib"] for m in measured),
        "own_rss": max(m["peak_rss_mib"] - m["baseline_rss_mib"] for m in measured),
        "python_peak": python_peak,
        "figure_queries": first["figure_queries"],
        "render_queries": first["render_queries"],
        "machine": first["machine"],
        "load": statistics.median(m["load"] for m in measured),
        "profile": _scaled(profile, statistics.median(totals)),
    }


def _print_table(results: dict) -> None:
    print()
    width = max(len(result["label"]) for result in results.values())
    print(
        f"{'report':<{width}} {'pages':>5} {'figures':>8} {'render':>8} {'median':>8} {'max':>8} "
        f"{'first':>8} {'RSS MiB':>12} {'Python MiB':>10}"
    )
    for result in results.values():
        print(
            f"{result['label']:<{width}} {result['pages']:>5} {result['figures']:>8.3f} "
            f"{result['render']:>8.3f} {result['total']:>8.3f} {result['max']:>8.3f} "
            f"{result['first']:>8.3f} {result['peak_rss']:>5.0f} (+{result['own_rss']:>3.0f}) "
            f"{result['python_peak']:>10.1f}"
        )
    for result in results.values():
        print(f"\nWhere {result['label']}'s time goes (cProfile shares of the measured median):")
        for part, seconds in result["profile"]["parts"]:
            print(f"  {part:<32} {seconds:7.3f} s")
        print("  slowest functions (own time):")
        for line in result["profile"]["functions"]:
            print(f"    {line}")
    print()


def _verdicts(results: dict) -> list[str]:
    """Whether each goal is met on this run, in words, and where missed, why and what would fix
    it."""
    programme, council, floor = results["programme"], results["council"], results["floor"]
    ratio = programme["total"] / floor["total"]
    # The runs take turns, so run by run the two met the same load.
    paired = [p / f for p, f in zip(programme["totals"], floor["totals"], strict=False)]
    lines = [
        _verdict(
            f"The programme report costs at most {FLOOR_GOAL}x the floor",
            ratio <= FLOOR_GOAL,
            f"{programme['total']:.2f} s against the floor's {floor['total']:.2f} s for the same "
            f"{programme['pages']} pages: {ratio:.2f}x (run by run {min(paired):.2f}x to "
            f"{max(paired):.2f}x; peak RSS {programme['own_rss']:.0f} MiB "
            f"of its own against the floor's {floor['own_rss']:.0f} MiB)",
            programme,
            against=floor,
        ),
        _verdict(
            f"A council report renders in under {COUNCIL_GOAL_SECONDS} s",
            council["total"] < COUNCIL_GOAL_SECONDS,
            f"{council['label']}: {council['total']:.2f} s median, {council['max']:.2f} s at most, "
            f"{council['pages']} pages ({council['first']:.2f} s as a new process's first draw)",
            council,
        ),
    ]
    scale = results.get("programme at national scale")
    if scale:
        lines.append(
            _verdict(
                f"At national scale the programme report takes under {SCALE_GOAL_SECONDS} s and "
                f"{SCALE_GOAL_MIB} MiB",
                scale["total"] < SCALE_GOAL_SECONDS and scale["peak_rss"] < SCALE_GOAL_MIB,
                f"{scale['total']:.2f} s median, peak RSS {scale['peak_rss']:.0f} MiB",
                scale,
            )
        )
    return lines


def _verdict(goal: str, met: bool, figures: str, result: dict, against: dict | None = None) -> str:
    """A goal met or missed; if missed, the part of the profile that costs most (or, against
    another report, costs most over it) and what would make it cheaper."""
    if met:
        return f"**{goal}: met.** {figures}."
    parts = dict(result["profile"]["parts"])
    if against:
        floor = dict(against["profile"]["parts"])
        excess = {part: seconds - floor.get(part, 0.0) for part, seconds in parts.items()}
        ranked = sorted(excess, key=excess.get, reverse=True)
        part = ranked[0]
        extra = result["profile"]["total"] - against["profile"]["total"]
        why = (
            f"By the profile, its time over the floor's (+{extra:.2f} s) goes mostly to "
            + " and ".join(f"{name} (about +{excess[name]:.2f} s)" for name in ranked[:2])
        )
    else:
        part = max(parts, key=parts.get)
        why = (
            f"By the profile, its largest cost is {part} "
            f"({parts[part] / result['profile']['total']:.0%} of the run)"
        )
    return (
        f"**{goal}: missed.** {figures}. {why}; its slowest function: "
        f"{result['profile']['functions'][0]}. What would fix it: "
        f"{FIXES.get(part, 'see the profile')}."
    )


def _scale_note(*, asked: bool, command_exists: bool) -> str:
    if command_exists and not asked:
        return "The national-scale row is measured with --scale (seed_scale exists)."
    if not command_exists:
        return (
            "The national-scale row (400 councils, 20,000 learners; goal: the DLUHC programme "
            f"report in under {SCALE_GOAL_SECONDS} s and {SCALE_GOAL_MIB} MiB) is pending: there "
            "is no `seed_scale` command yet."
        )
    return ""


def _record(results: dict, verdicts: list[str], scale_note: str) -> None:
    """Write this run's rows into the section, keeping earlier rows of reports it did not draw."""
    today = date.today().isoformat()
    new_rows = {
        kind: (
            f"| {r['label']} | {r['pages']} | {r['figures']:.3f} | {r['render']:.3f} "
            f"| {r['total']:.3f} | {r['max']:.3f} | {r['first']:.3f} "
            f"| {r['peak_rss']:.0f} (+{r['own_rss']:.0f}) "
            f"| {r['python_peak']:.1f} | {r['machine']} | {today} |"
        )
        for kind, r in results.items()
    }
    text = (
        BENCHMARKS.read_text()
        if BENCHMARKS.exists()
        else "# Benchmarks\n\nFigures from scripts run by hand, not timed tests. Each section says "
        "what was measured,\nhow to run it again, and on what machine it last ran.\n"
    )
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    found = pattern.search(text)
    kept = {
        _row_kind(line): line
        for line in (found.group(0).splitlines() if found else [])
        if _row_kind(line) in ROW_KINDS
    }
    rows = {**kept, **new_rows}
    table = "\n".join(rows[kind] for kind in ROW_KINDS if kind in rows)
    breakdown = "\n".join(
        _bullet(
            f"{r['label']}: {r['figure_queries']} queries for the figures, "
            f"{r['render_queries']} while drawing; "
            + ", ".join(f"{part} {seconds:.2f} s" for part, seconds in r["profile"]["parts"][:5])
            + f" (of {r['profile']['total']:.2f} s); slowest functions under the profiler: "
            + "; ".join(r["profile"]["functions"][:3])
        )
        for r in results.values()
    )
    load = statistics.median(r["load"] for r in results.values())
    about = textwrap.fill(
        f"""How long the PDF progress reports take to draw, and their peak memory, against "the
floor". Over the demo programme (`seed_demo`), as at the day of the run: the DLUHC programme
report and the report of the demo council with the most learners, each drawn as the report task
draws it (`cmpp.reports.printing`: `programme_context` or `council_context`, then `render`). The
floor is a bare HTML table of simple rows, as many rows as make the DLUHC report's number of
pages, drawn by WeasyPrint alone with the same `pdf_variant` ({PDF_VARIANT}). Each measurement
is a fresh Python process, with Django set up, WeasyPrint imported and the database connected
before the clock starts, that draws the report twice: the first draw pays for WeasyPrint's lazy
imports, cffi's C types and Pango's fonts, once per process ("first draw"); the second is what
a report worker that has drawn before spends, and is what the other columns time. "Figures" is
the context (its queries), "render" is template, layout and PDF. Each report is measured
{results["programme"]["runs"]} times, in turn with the others; the table gives medians and the
slowest run. Peak RSS is the process's as it exits (in brackets: above the same process just
before its first draw). Python peak is tracemalloc's over one second draw, from one more run.
The machine's load average during the run was {load:.1f} (2 CPUs: above about 1, other work
shared them and slowed the run).""".replace("\n", " "),
        width=96,
        break_on_hyphens=False,
    )
    pending = (
        f"\n{textwrap.fill(scale_note, width=96)}\n"
        if scale_note and "programme at national scale" not in rows
        else ""
    )
    section = f"""{SECTION}

{about}

Command (it creates and drops its own database, `{SCRATCH_DATABASE}`; `--scale` adds the
national-scale row once `seed_scale` exists):

```
DATABASE_URL=postgres://postgres@127.0.0.1:5432/{SCRATCH_DATABASE} \\
    .venv/bin/python bench/reports.py --runs 5
```

{TABLE_HEADER}
{table}
{pending}
Goals, on the run of {today}:

{chr(10).join(_bullet(line) for line in verdicts)}

Where the time goes: one run of each under cProfile, its parts' shares applied to the measured
median (cProfile slows Python more than C, so these are estimates):

{breakdown}
"""
    text = pattern.sub(lambda _: section + "\n", text) if found else f"{text.rstrip()}\n\n{section}"
    BENCHMARKS.parent.mkdir(exist_ok=True)
    BENCHMARKS.write_text(text.rstrip("\n") + "\n")


def _bullet(text: str) -> str:
    return textwrap.fill(
        text, width=96, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False
    )


def _row_kind(line: str) -> str:
    """A table row's kind, from its first cell (`programme: DLUHC`, `floor: ...`)."""
    if not line.startswith("| ") or line.startswith("| report |"):
        return ""
    return line[2:].split(":", 1)[0]


# The child: one measurement in a fresh process, printed as one JSON line.


def _child(args) -> int:
    import django

    django.setup()
    import weasyprint  # as a worker that has drawn one report already has it
    from django.db import connection

    connection.ensure_connection()
    if args.child == "calibrate":
        print(json.dumps({"rows": _floor_rows(args.pages)}))
        return 0
    draw, label = _drawing(args.report, rows=args.rows)
    baseline = _rss_mib()
    # The first draw in a new process pays for WeasyPrint's lazy imports, cffi's C types and
    # Pango's fonts; a report worker's process pays once, then draws report after report.
    first = _draw(draw, tracemalloc_on=False, profile=False)
    figures = _draw(draw, tracemalloc_on=args.tracemalloc, profile=args.profile)
    figures["first"] = first["total"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    figures.update(
        label=label,
        baseline_rss_mib=baseline,
        load=os.getloadavg()[0],
        machine=(
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL {postgres}, "
            f"WeasyPrint {weasyprint.__version__}"
        ),
    )
    print(json.dumps(figures))
    return 0


def _drawing(report: str, *, rows: int):
    """The report's two steps (its figures, then its drawing from them) and its table label."""
    from django.db.models import Count
    from django.utils import timezone

    from cmpp.accounts.models import Organisation
    from cmpp.reports import printing
    from councils.models import Council
    from councils.selectors import councils_managed_by

    as_at = timezone.localdate()
    if report == "programme":
        organisation = Organisation.objects.get(slug="dluhc")
        return (
            lambda: printing.programme_context(organisation=organisation, as_at=as_at),
            lambda context: printing.render(
                template="reports/print/programme.html", context=context, author=AUTHOR
            ),
        ), f"programme: DLUHC ({councils_managed_by(organisation, on=as_at).count()} councils)"
    if report == "council":
        council = Council.objects.annotate(n=Count("learners")).order_by("-n", "code").first()
        return (
            lambda: printing.council_context(council=council, as_at=as_at),
            lambda context: printing.render(
                template="reports/print/council.html", context=context, author=AUTHOR
            ),
        ), f"council: {council.name} ({council.n} learners)"
    html = _floor_html(rows)
    return (lambda: {}, lambda _: _render_floor(html)), f"floor: bare table of {rows} rows"


def _draw(draw, *, tracemalloc_on: bool, profile: bool) -> dict:
    """Time the figures and the drawing, counting the queries of each."""
    import cProfile
    import tracemalloc

    from django.db import connection
    from django.db.models.query import QuerySet

    figures_of, render = draw
    counts = {"figures": 0, "render": 0}

    def counting(phase):
        def wrapper(execute, sql, params, many, context):
            counts[phase] += 1
            return execute(sql, params, many, context)

        return wrapper

    profiler = cProfile.Profile() if profile else None
    if tracemalloc_on:
        tracemalloc.start()
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    with connection.execute_wrapper(counting("figures")):
        context = figures_of()
        # A figure left as a lazy queryset is counted here, not in the drawing.
        context = {k: list(v) if isinstance(v, QuerySet) else v for k, v in context.items()}
    counted = time.perf_counter()
    with connection.execute_wrapper(counting("render")):
        rendered = render(context)
    finished = time.perf_counter()
    if profiler:
        profiler.disable()
    result = {
        "pages": rendered.pages,
        "bytes": len(rendered.pdf),
        "figures": counted - started,
        "render": finished - counted,
        "total": finished - started,
        "figure_queries": counts["figures"],
        "render_queries": counts["render"],
    }
    if tracemalloc_on:
        result["python_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    if profiler:
        result["profile"] = _profile_parts(profiler)
    return result


def _profile_parts(profiler) -> dict:
    """The run's time by part (largest first), and its slowest functions by their own time."""
    import pstats

    stats = pstats.Stats(profiler).stats
    cumulative = {}
    for (filename, _, function), (_, _, _, seconds, _) in stats.items():
        for part, places in PROFILE_PARTS:
            if any(filename.endswith(end) and function == name for end, name in places):
                cumulative[part] = cumulative.get(part, 0.0) + seconds
    total = sum(own for _, _, own, _, _ in stats.values())
    # Parts nest: take the inner ones out of the outer ones.
    parts = dict(cumulative)
    parts["figures' Python"] = parts.get("figures' Python", 0.0) - parts.get("queries", 0.0)
    parts["layout: boxes, tables, pages"] = parts.get(
        "layout: boxes, tables, pages", 0.0
    ) - parts.get("layout: text shaping (Pango)", 0.0)
    parts["PDF: drawing, writing"] = (
        parts.get("PDF: drawing, writing", 0.0)
        - parts.get("PDF: fonts (subset, embed)", 0.0)
        - parts.get("PDF: PDF/UA tags", 0.0)
    )
    parts = {part: max(seconds, 0.0) for part, seconds in parts.items()}
    parts["other"] = max(total - sum(parts.values()), 0.0)
    slowest = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:8]
    return {
        "total": total,
        "parts": sorted(parts.items(), key=lambda item: item[1], reverse=True),
        "functions": [
            f"{_short(filename)}:{line} {function} ({own:.3f} s own, {calls} calls)"
            for (filename, line, function), (_, calls, own, _, _) in slowest
        ],
    }


def _short(filename: str) -> str:
    """A profiled function's file, from its package on (no machine's paths)."""
    for marker in ("site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return os.path.relpath(filename, BASE_DIR) if filename.startswith("/") else filename


def _floor_html(rows: int) -> str:
    """The floor: a bare table of simple rows, no stylesheet."""
    body = "".join(f"<tr><td>Row {n}</td><td>{n}</td></tr>" for n in range(1, rows + 1))
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Floor</title>'
        f"</head><body><table><tbody>{body}</tbody></table></body></html>"
    )


def _render_floor(html: str):
    """WeasyPrint alone: the HTML laid out and written as a PDF of the same variant."""
    from types import SimpleNamespace

    from weasyprint import HTML

    document = HTML(string=html).render()
    return SimpleNamespace(
        pdf=document.write_pdf(pdf_variant=PDF_VARIANT), pages=len(document.pages)
    )


def _floor_pages(rows: int) -> int:
    from weasyprint import HTML

    return len(HTML(string=_floor_html(rows)).render().pages)


def _floor_rows(pages: int) -> int:
    """The fewest rows that make the floor as many pages as the report."""
    low, high = 1, 32
    while _floor_pages(high) < pages:
        low, high = high, high * 2
    while low < high:
        middle = (low + high) // 2
        if _floor_pages(middle) < pages:
            low = middle + 1
        else:
            high = middle
    return high


def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
