"""Browser tests drive Debian's Chromium through Playwright; no browser is ever downloaded."""

import importlib
import shutil
from pathlib import Path

import pytest
from django.apps import apps

# The data migrations that bring reference data (organisations, levels, areas, networks).
REFERENCE_DATA = [
    ("cmpp.accounts.migrations.0002_organisations", "add_organisations"),
    ("cohorts.migrations.0002_levels_and_steps", "add_levels"),
    (
        "cohorts.migrations.0003_step_required_before_assessment",
        "assessment_steps_are_not_required_before_themselves",
    ),
    ("councils.migrations.0002_maturity_areas", "add_areas"),
    ("networks.migrations.0002_networks", "add_networks"),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run .ci/run or apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def reference_data(transactional_db):
    """Put back the reference data that each live-server test's flush removes.

    Django's serialized rollback can't do it here: Playwright's event loop gives the test a
    different connection object from the one the test database was serialized on.
    """
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under var/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
