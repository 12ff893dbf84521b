"""/reports/: staff and viewers ask for any report, an SRO for their own council's; everyone
downloads only what they may see, as an attachment with a clear name."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cmpp.reports.models import ProgressReport

pytestmark = pytest.mark.django_db


def today_fields():
    today = timezone.localdate()
    return {"as_at_day": today.day, "as_at_month": today.month, "as_at_year": today.year}


def built(council, status=ProgressReport.Status.READY):
    report = ProgressReport(
        kind=ProgressReport.Kind.COUNCIL, council=council, as_at=date(2026, 11, 30), status=status
    )
    report.file.save(report.download_name, ContentFile(b"%PDF-1.7 test"), save=False)
    report.save()
    return report


def test_staff_ask_for_a_managing_bodys_report_and_download_it(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    page = client.get("/reports/").text
    assert "Ministry of Housing, Communities and Local Government" in page and "One council" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/", {"subject": "body:dluhc", **today_fields()}, follow=True
        )
    assert "is being built" in response.text and "Queued" in response.text
    response = client.get("/reports/")
    report = ProgressReport.objects.get()
    assert report.status == "ready" and report.requested_by == cast.staff
    assert "Ready" in response.text and "Download" in response.text
    download = client.get(f"/reports/{report.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="cmpp-dluhc-{timezone.localdate().isoformat()}.pdf"'
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_page_refreshes_itself_only_while_a_report_is_building(client, cast):
    client.force_login(cast.staff)
    built(cast.council_a)
    assert 'http-equiv="refresh"' not in client.get("/reports/").text
    built(cast.council_b, status=ProgressReport.Status.BUILDING)
    assert 'http-equiv="refresh"' in client.get("/reports/").text


def test_an_sro_asks_for_their_own_councils_report_only(client, cast):
    client.force_login(cast.sro_a)
    page = client.get("/reports/").text
    assert 'type="hidden" name="council"' in page and "body:dluhc" not in page
    refused = client.post("/reports/", {"council": cast.council_b.pk, **today_fields()})
    assert refused.status_code == 200 and "There is a problem" in refused.text
    assert not ProgressReport.objects.exists()
    client.post("/reports/", {"council": cast.council_a.pk, **today_fields()})
    assert ProgressReport.objects.get().council == cast.council_a


def test_an_sro_neither_sees_nor_downloads_another_councils_report(client, cast):
    theirs, other = built(cast.council_a), built(cast.council_b)
    client.force_login(cast.sro_a)
    page = client.get("/reports/").text
    assert f"/reports/{theirs.pk}/download/" in page
    assert f"/reports/{other.pk}/download/" not in page and "Council B" not in page
    assert client.get(f"/reports/{other.pk}/download/").status_code == 404
    assert client.get(f"/reports/{theirs.pk}/download/").status_code == 200


@pytest.mark.parametrize("who", ["learner_a_user", "nobody"])
def test_people_without_reports_get_page_not_found(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/reports/").status_code == 404


def test_a_viewer_downloads_but_cannot_delete_and_staff_can(client, cast):
    report = built(cast.council_a)
    client.force_login(cast.viewer)
    assert client.get(f"/reports/{report.pk}/download/").status_code == 200
    assert "Delete" not in client.get("/reports/").text
    assert client.post(f"/reports/{report.pk}/delete/").status_code == 403
    assert ProgressReport.objects.filter(pk=report.pk).exists()
    client.force_login(cast.staff)
    client.post(f"/reports/{report.pk}/delete/")
    assert not ProgressReport.objects.filter(pk=report.pk).exists()


def test_a_failed_report_says_why_and_staff_try_again(
    client, cast, django_capture_on_commit_callbacks
):
    report = built(cast.council_a, status=ProgressReport.Status.FAILED)
    ProgressReport.objects.filter(pk=report.pk).update(
        error="The report could not be drawn: OSError: disk full"
    )
    client.force_login(cast.staff)
    page = client.get("/reports/").text
    assert "disk full" in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/{report.pk}/retry/")
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY


def test_a_report_cannot_be_as_at_a_future_date(client, cast):
    client.force_login(cast.staff)
    later = timezone.localdate().replace(year=timezone.localdate().year + 1)
    response = client.post(
        "/reports/",
        {
            "subject": "body:dluhc",
            "as_at_day": later.day,
            "as_at_month": later.month,
            "as_at_year": later.year,
        },
    )
    assert "There is a problem" in response.text
    assert not ProgressReport.objects.exists()
