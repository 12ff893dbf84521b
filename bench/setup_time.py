"""Benchmark: how long `make run` takes on a fresh machine, from a clean checkout to the portal
answering, with uv (the Makefile today) against pip (the Makefile before packages were locked).

    .venv/bin/python bench/setup_time.py [--runs 2]

Each run clones the committed HEAD into a new temporary folder and runs `make run` there with
empty download caches (uv's, npm's and pip's, in the same temporary folder), as a new machine
has none: every package comes from the package registries. The time runs from `make` starting
to the sign-in page answering 200 (so it includes installing, building the stylesheet,
migrating and seeding the demo into a new SQLite file). The "pip" runs use the same checkout
with the Makefile as it was before `uv.lock` (commit 2881cb3's parent: a venv, pip upgraded,
`pip install -e ".[dev]"`, then the same steps one after another). Runs alternate, uv then pip,
so that a busier moment of the machine or the network does not fall on one side only. The
figures are written to docs/benchmarks.md.
"""

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))  # run as a script: `bench` must import

from bench.record import write_section  # noqa: E402
from bench.serve import free_port, wrap_paragraphs  # noqa: E402

SECTION = "## `make run` on a fresh machine"
BEFORE_UV = "2881cb3^"  # the last Makefile that installed with pip
GOAL = 0.5  # at most half the time it took before
# What a developer's shell may carry that would point the new checkout elsewhere.
DROPPED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONPATH")


def git(*arguments: str, cwd: Path = BASE_DIR) -> str:
    return subprocess.run(  # noqa: S603 - git, with fixed arguments
        ["git", *arguments],  # noqa: S607 - git from PATH, as a developer runs it
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def fresh_environment(scratch: Path, port: int) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    return env | {
        "PORT": str(port),
        "UV_CACHE_DIR": str(scratch / "cache" / "uv"),
        "npm_config_cache": str(scratch / "cache" / "npm"),
        "PIP_NO_CACHE_DIR": "1",
        "XDG_CACHE_HOME": str(scratch / "cache"),
    }


def answering(port: int) -> bool:
    try:
        with urllib.request.urlopen(  # noqa: S310 - loopback, http only
            f"http://127.0.0.1:{port}/accounts/login/", timeout=2
        ) as response:
            return response.status == 200
    except OSError:
        return False


def timed_make_run(kind: str, *, timeout: float = 900) -> float:
    """Seconds from `make run` in a fresh clone to the sign-in page answering."""
    scratch = Path(tempfile.mkdtemp(prefix=f"cmpp-setup-{kind}-"))
    try:
        checkout = scratch / "cmpp"
        git("clone", "--quiet", str(BASE_DIR), str(checkout))
        if kind == "pip":
            (checkout / "Makefile").write_text(git("show", f"{BEFORE_UV}:Makefile"))
        port = free_port()
        log = (scratch / "make.log").open("w")
        started = time.monotonic()
        make = subprocess.Popen(  # noqa: S603 - make, with fixed arguments
            ["make", "run"],  # noqa: S607 - make from PATH, as the README runs it
            cwd=checkout,
            env=fresh_environment(scratch, port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while not answering(port):
                if make.poll() is not None:
                    raise SystemExit(
                        f"make run ({kind}) stopped:\n{(scratch / 'make.log').read_text()[-3000:]}"
                    )
                if time.monotonic() - started > timeout:
                    raise SystemExit(f"make run ({kind}) did not answer in {timeout:.0f} s")
                time.sleep(0.25)
            return time.monotonic() - started
        finally:
            os.killpg(make.pid, signal.SIGTERM)
            make.wait(timeout=30)
            log.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each, alternating")
    arguments = parser.parse_args()
    if git("status", "--porcelain", "--untracked-files=no").strip():
        print("Note: uncommitted changes are not measured (each run clones HEAD).")

    times: dict[str, list[float]] = {"uv": [], "pip": []}
    for run in range(arguments.runs):
        for kind in times:
            seconds = timed_make_run(kind)
            times[kind].append(seconds)
            print(f"run {run + 1}, {kind}: {seconds:.1f} s", flush=True)

    uv, pip = statistics.median(times["uv"]), statistics.median(times["pip"])
    ratio = uv / pip
    load = os.getloadavg()[0]
    commit = git("rev-parse", "--short", "HEAD").strip()
    met = "met" if ratio <= GOAL else "missed"
    rows = "\n".join(
        f"| {kind} | {', '.join(f'{t:.1f}' for t in runs)} | {statistics.median(runs):.1f} |"
        for kind, runs in (("uv (`make run` today)", times["uv"]), ("pip (before)", times["pip"]))
    )
    body = wrap_paragraphs(
        f"What: `make run` in a fresh clone of the repository with empty download caches, from "
        f"`make` starting to the sign-in page answering: installing the Python packages, GOV.UK "
        f"Frontend and the stylesheet, migrating and seeding a new SQLite database, starting the "
        f'server. "pip" is the same clone with the Makefile from before `uv.lock` ({BEFORE_UV}: '
        f'a venv, pip upgraded, `pip install -e ".[dev]"`, each step after the other). Runs '
        f"alternate. Run on {date.today():%Y-%m-%d} at commit {commit}: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load:.1f} at the end; packages from "
        f"the registries this machine reaches.\n\n"
        f"Command:\n\n```\n.venv/bin/python bench/setup_time.py --runs {arguments.runs}\n```\n\n"
        f"| how | runs (s) | median (s) |\n|---|---|---|\n{rows}\n\n"
        f"uv against pip: {ratio:.2f} of the time (goal: at most {GOAL:.1f}): {met}."
    )
    path = write_section(SECTION, body)
    print(f"uv {uv:.1f} s against pip {pip:.1f} s: {ratio:.2f} ({met}); recorded in {path}")


if __name__ == "__main__":
    main()
