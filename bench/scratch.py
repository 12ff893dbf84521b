"""The benchmarks' scratch databases: each works in a PostgreSQL database of its own, created
before it runs and dropped after, on the server DATABASE_URL names; and running the project's
management commands against one."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[1]


def manage(env: dict, *arguments: str) -> str:
    """Run a management command in its own process; its output, or the error it stopped with."""
    done = subprocess.run(  # noqa: S603 - manage.py, run by the same interpreter
        [sys.executable, str(BASE_DIR / "manage.py"), *arguments],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{done.stderr[-5000:]}")
    return done.stdout


def django_on_seeded_database(parser, **environment: str) -> None:
    """Set Django up in this process on the database DATABASE_URL names, which must be a
    PostgreSQL one already seeded at national scale (`seed_demo`, then `seed_scale`), with these
    settings from the environment as well; the benchmark's usage error otherwise."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to a PostgreSQL database seeded at national scale")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmpp.settings")
    os.environ.update(environment)
    import django

    django.setup()


def with_database(url: str, name: str) -> str:
    """The same server's URL, for the database `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _maintenance(url: str):
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def recreate_database(url: str, name: str) -> None:
    drop_database(url, name)
    with _maintenance(url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    with _maintenance(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def vacuum_analyze(url: str) -> None:
    """Clear the dead rows a bulk seed leaves (its updates) and give the planner statistics, as
    autovacuum would in production: a server with autovacuum off would otherwise be measured
    reading tables several times their size, with plans made for the wrong number of rows."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that a benchmark stopped with `kill` still drops its
    database and stops the servers it started."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
