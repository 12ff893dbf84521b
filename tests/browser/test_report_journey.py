"""PDF progress reports in the browser: DLUHC staff ask for their programme report, watch it go
from queued to ready without reloading, and download it; an SRO asks for their own council's
report, with the council chosen for them, and downloads it."""

import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cmpp.reports import services
from cmpp.reports.models import ProgressReport
from cmpp.reports.tasks import report_build_task
from tests import factories

pytestmark = pytest.mark.browser

# The reports page refreshes itself every 5 seconds while a report is queued or building
# (templates/reports/report_list.html); waiting three times that covers a refresh and the build.
REFRESH_WAIT_MS = 15_000


def sign_in(page, base_url: str, email: str) -> None:
    """Sign in through the real login page with the factories' password."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def go_to_reports(page) -> None:
    """Follow Reports in the service navigation."""
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress reports")


def ask_for_report_as_at_today(page) -> None:
    """Fill in today's date and ask for the report."""
    today = timezone.localdate()
    as_at = page.get_by_role("group", name="As at")
    as_at.get_by_label("Day").fill(str(today.day))
    as_at.get_by_label("Month").fill(str(today.month))
    as_at.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Build the report").click()


def report_row(page, subject: str):
    """The row of the reports table for the report on `subject`."""
    return (
        page.get_by_role("table", name="Your reports").locator("tbody tr").filter(has_text=subject)
    )


def download_pdf(page, row, tmp_path: Path) -> tuple[str, bytes]:
    """Download the row's report; its suggested file name and its bytes."""
    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile("^Download PDF")).click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes()


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, with runs of white space made one space (table cells wrap)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture
def media(settings, tmp_path):
    """Report files go to this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_dluhc_staff_watch_their_programme_report_build_and_download_it(
    browser, live_server, reference_data, cast, media, monkeypatch, tmp_path, screenshot
):
    dluhc = factories.organisation("dluhc")
    # Councils A and B (the cast's, with a learner each) are DLUHC's; this one is not.
    elsewhere = factories.CouncilFactory(
        name="Partnershire District Council",
        managed_by=factories.organisation("local-partnerships"),
    )
    factories.LearnerFactory(council=elsewhere)
    # Leave the report queued after the request, so the page can be seen following it.
    monkeypatch.setattr(report_build_task, "delay", lambda *args, **kwargs: None)
    today = timezone.localdate()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, cast.staff.email)
    go_to_reports(page)
    expect(page.get_by_role("cell", name="No reports yet.")).to_be_visible()

    page.get_by_role("group", name="What should the report cover?").get_by_label(dluhc.name).check()
    ask_for_report_as_at_today(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Your report on {dluhc.name} is being built."
    )
    row = report_row(page, dluhc.name)
    expect(row).to_contain_text("Queued")
    expect(row.get_by_role("link", name=re.compile("^Download PDF"))).to_have_count(0)
    screenshot(page, "reports-1-queued")

    # A worker builds it; the page, left alone, refreshes itself until it shows the result.
    report = ProgressReport.objects.get()
    assert report.status == ProgressReport.Status.QUEUED
    assert services.report_build(report_id=report.pk).status == ProgressReport.Status.READY
    expect(row).to_contain_text("Ready", timeout=REFRESH_WAIT_MS)
    expect(row).to_contain_text(today.strftime("%-d %b %Y"))
    screenshot(page, "reports-2-ready")

    name, pdf = download_pdf(page, row, tmp_path)
    assert name == f"cmpp-dluhc-{today.isoformat()}.pdf"
    assert pdf.startswith(b"%PDF")
    pages = pdf_pages(pdf)
    assert f"Progress report: {dluhc.name}" in pages[0]
    # The councils are listed after the cover page.
    text = " ".join(pages)
    assert cast.council_a.name in text and cast.council_b.name in text
    assert elsewhere.name not in text


def test_an_sro_downloads_their_own_councils_report(
    browser, live_server, reference_data, cast, media, tmp_path, screenshot
):
    # The cast's SRO leads Council A; Council B's learner must not appear in its report.
    council, own, other = cast.council_a, cast.learner_a, cast.learner_b
    assert own.full_name != other.full_name
    today = timezone.localdate()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, cast.sro_a.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(council.name)
    go_to_reports(page)

    # The council is chosen for them: no managing bodies, no list of councils.
    expect(page.get_by_role("group", name="What should the report cover?")).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("combobox")).to_have_count(0)
    ask_for_report_as_at_today(page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Your report on {council.name} is being built."
    )
    # Celery runs eagerly in tests, so the report is ready by the time the page comes back.
    row = report_row(page, council.name)
    expect(row).to_contain_text("Council report")
    expect(row).to_contain_text("Ready", timeout=REFRESH_WAIT_MS)
    expect(page.get_by_role("table", name="Your reports").locator("tbody tr")).to_have_count(1)
    screenshot(page, "reports-3-sro-ready")

    name, pdf = download_pdf(page, row, tmp_path)
    assert name == f"cmpp-{council.code.lower()}-{today.isoformat()}.pdf"
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_pages(pdf))
    assert f"Progress report: {council.name}" in text
    assert own.full_name in text
    assert other.full_name not in text and cast.council_b.name not in text
