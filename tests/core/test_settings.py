"""Links in emails lead to where the portal runs."""

import os
import subprocess
import sys

from django.conf import settings


def site_url_with(**environment) -> str:
    """SITE_URL as the settings module computes it, imported afresh in a process of its own."""
    env = {k: v for k, v in os.environ.items() if k not in {"PORT", "SITE_URL"}} | environment
    result = subprocess.run(
        [sys.executable, "-c", "import cmpp.settings as s; print(s.SITE_URL)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_email_links_follow_the_port_the_portal_runs_on():
    assert site_url_with(PORT="8123") == "http://127.0.0.1:8123"
    assert site_url_with() == "http://127.0.0.1:8000"


def test_a_site_url_set_in_the_environment_wins():
    assert site_url_with(PORT="8123", SITE_URL="https://cmpp.example.gov.uk") == (
        "https://cmpp.example.gov.uk"
    )


def test_a_site_url_written_with_a_trailing_slash_still_makes_working_links():
    assert site_url_with(SITE_URL="https://cmpp.example.gov.uk/") == "https://cmpp.example.gov.uk"
