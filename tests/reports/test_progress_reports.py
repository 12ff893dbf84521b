"""The programme report for a managing body: built by its task from the figures as at a date,
read back from the PDF; and the command that draws the same report without a worker."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from cmpp.reports import services
from cmpp.reports.models import ProgressReport
from councils.models import ManagingBodyPeriod
from councils.services import council_hand_over
from tests import factories

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def bodies(cast, settings, tmp_path):
    """Council A with DLUHC throughout; council B with DLUHC until 1 July 2026, then Local
    Partnerships."""
    settings.MEDIA_ROOT = tmp_path
    dluhc, lp = factories.organisation("dluhc"), factories.organisation("local-partnerships")
    ManagingBodyPeriod.objects.all().delete()
    for council in (cast.council_a, cast.council_b):
        ManagingBodyPeriod.objects.create(
            council=council, organisation=dluhc, starts_on=date(2021, 1, 1)
        )
    council_hand_over(
        council=cast.council_b, to_organisation=lp, on=date(2026, 7, 1), acting_user=cast.staff
    )
    return dluhc, lp


def test_the_task_builds_the_report_a_user_asks_for(
    cast, bodies, django_capture_on_commit_callbacks
):
    dluhc, _ = bodies
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            organisation=dluhc, as_at=date(2026, 11, 30), acting_user=cast.staff
        )
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY
    assert report.download_name == "cmpp-dluhc-2026-11-30.pdf"
    pdf = report.file.read()
    reader = PdfReader(io.BytesIO(pdf))
    assert report.pages == len(reader.pages) >= 2 and report.bytes == len(pdf)
    text = text_of(pdf)
    assert "Council A" in text and "Council B" not in text
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {len(reader.pages)}" in page.extract_text()
    assert reader.metadata.title.startswith("Contract Management Pioneer Programme")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged


def test_a_council_appears_in_the_report_of_the_body_that_managed_it_on_the_date(
    cast, bodies, tmp_path
):
    dluhc, lp = bodies
    for slug, as_at, council_b_in in (
        ("dluhc", "2026-06-30", True),
        ("dluhc", "2026-07-01", False),
        ("local-partnerships", "2026-06-30", False),
        ("local-partnerships", "2026-07-01", True),
    ):
        output = tmp_path / f"{slug}-{as_at}.pdf"
        call_command("generate_report", body=slug, as_at=date.fromisoformat(as_at), output=output)
        assert ("Council B" in text_of(output.read_bytes())) is council_b_in, (slug, as_at)


def test_a_render_that_fails_marks_the_report_failed_with_the_reason(cast, bodies, monkeypatch):
    dluhc, _ = bodies
    report = ProgressReport.objects.create(
        kind=ProgressReport.Kind.PROGRAMME, organisation=dluhc, as_at=date(2026, 11, 30)
    )

    def broken(**kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(services.printing, "render", broken)
    report = services.report_build(report_id=report.pk)
    assert report.status == ProgressReport.Status.FAILED
    assert "fonts missing" in report.error and not report.file


def test_a_render_that_fails_after_the_report_was_queued_again_leaves_it_queued(
    cast, bodies, monkeypatch
):
    """Queued again while it was drawn (its learners anonymised): the next build decides, not
    this run's failure."""
    dluhc, _ = bodies
    report = ProgressReport.objects.create(
        kind=ProgressReport.Kind.PROGRAMME, organisation=dluhc, as_at=date(2026, 11, 30)
    )

    def queued_again_then_broken(**kwargs):
        ProgressReport.objects.filter(pk=report.pk).update(status=ProgressReport.Status.QUEUED)
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(services.printing, "render", queued_again_then_broken)
    built = services.report_build(report_id=report.pk)
    assert built.status == ProgressReport.Status.QUEUED and built.error == ""


def test_a_report_deleted_while_it_is_drawn_leaves_no_file(cast, bodies, tmp_path, monkeypatch):
    dluhc, _ = bodies
    report = ProgressReport.objects.create(
        kind=ProgressReport.Kind.PROGRAMME, organisation=dluhc, as_at=date(2026, 11, 30)
    )
    render = services.report_render

    def deleted_meanwhile(report):
        rendered = render(report)
        ProgressReport.objects.filter(pk=report.pk).delete()
        return rendered

    monkeypatch.setattr(services, "report_render", deleted_meanwhile)
    services.report_build(report_id=report.pk)
    assert not ProgressReport.objects.filter(pk=report.pk).exists()
    assert list((tmp_path / "reports").rglob("*.*")) == []


def test_a_report_that_fails_when_built_again_keeps_no_earlier_file(
    cast, bodies, tmp_path, monkeypatch
):
    """Built again after its learners were anonymised, and failing: the earlier file, which
    may name them, is not kept on disk under a failed report."""
    dluhc, _ = bodies
    report = ProgressReport.objects.create(
        kind=ProgressReport.Kind.PROGRAMME, organisation=dluhc, as_at=date(2026, 11, 30)
    )
    services.report_build(report_id=report.pk)
    assert len(list((tmp_path / "reports").rglob("*.*"))) == 2
    ProgressReport.objects.filter(pk=report.pk).update(status=ProgressReport.Status.QUEUED)

    def broken(**kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(services.printing, "render", broken)
    failed = services.report_build(report_id=report.pk)
    assert failed.status == ProgressReport.Status.FAILED
    assert not failed.file and not failed.data
    assert list((tmp_path / "reports").rglob("*.*")) == []


def test_a_report_whose_ready_step_fails_leaves_no_file_of_that_run(
    cast, bodies, tmp_path, monkeypatch
):
    dluhc, _ = bodies
    report = ProgressReport.objects.create(
        kind=ProgressReport.Kind.PROGRAMME,
        organisation=dluhc,
        as_at=date(2026, 11, 30),
        is_scheduled=True,
    )

    def mail_down(report):
        raise ConnectionError("database went away")

    monkeypatch.setattr(services, "_report_ready_emails_queue", mail_down)
    with pytest.raises(ConnectionError):
        services.report_build(report_id=report.pk)
    assert list((tmp_path / "reports").rglob("*.*")) == []
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.BUILDING and not report.file


def test_building_twice_leaves_one_file(cast, bodies, tmp_path):
    dluhc, _ = bodies
    report = ProgressReport.objects.create(
        kind=ProgressReport.Kind.PROGRAMME, organisation=dluhc, as_at=date(2026, 11, 30)
    )
    # As if a worker was killed after writing the file, before marking the report ready.
    services.report_build(report_id=report.pk)
    ProgressReport.objects.filter(pk=report.pk).update(status=ProgressReport.Status.BUILDING)
    services.report_build(report_id=report.pk)
    assert len(list((tmp_path / "reports").rglob("*.pdf"))) == 1
    assert services.report_build(report_id=report.pk).status == ProgressReport.Status.READY


def test_the_command_says_where_it_wrote_and_refuses_an_unknown_body(cast, bodies, tmp_path):
    out = io.StringIO()
    output = tmp_path / "dluhc.pdf"
    call_command("generate_report", body="dluhc", output=output, stdout=out)
    assert out.getvalue().startswith(f"Wrote {output} (") and "pages" in out.getvalue()
    with pytest.raises(CommandError, match="no managing body called 'ccs'"):
        call_command("generate_report", body="ccs", output=tmp_path / "x.pdf")
