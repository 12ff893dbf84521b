"""A subject access request: staff download everything held about one learner, as a ZIP of CSV
files and a PDF summary; nobody else can."""

import csv
import io
import logging
import shutil
import subprocess
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cmpp.notifications.models import OutboundEmail
from learners.models import CpdEntry
from networks.models import MeetingAttendance, NetworkMembership
from tests import factories
from tests.networks.factories import MeetingFactory, joined, learners_network

pytestmark = pytest.mark.django_db

FILES = {
    "summary.pdf",
    "learner.csv",
    "places.csv",
    "steps.csv",
    "assessments.csv",
    "accreditations.csv",
    "cpd.csv",
    "cohort_sessions.csv",
    "network_attendance.csv",
    "nominations.csv",
    "emails.csv",
    "change_history.csv",
}


@pytest.fixture
def records(cast):
    """Learner A, and learner B beside them, each with records of every kind."""
    network = learners_network()
    joined(network, cast.council_a, users=[cast.learner_a_user])
    joined(network, cast.council_b, users=[cast.learner_b_user])
    meeting = MeetingFactory(
        network=network, title="Lantern meeting", starts_at=timezone.now() - timedelta(days=1)
    )
    # Names of their own: the factories' random names can repeat across the two (one learner's
    # account named Graham beside another learner surnamed Graham).
    names = (("Alder", "Quenby"), ("Birch", "Rathbone"))
    for n, (learner, user) in enumerate(
        ((cast.learner_a, cast.learner_a_user), (cast.learner_b, cast.learner_b_user))
    ):
        learner.first_name, learner.last_name = user.first_name, user.last_name = names[n]
        user.save(update_fields=["first_name", "last_name"])
        learner.job_title = f"Job-{learner.email}"
        learner.save()
        factories.StepProgressFactory(learner=learner, completed_on=date(2025, 10, 1 + n))
        factories.AssessmentAttemptFactory(learner=learner, booked_for=date(2026, 2, 1 + n))
        factories.AccreditationFactory(
            learner=learner, level=factories.level("foundation"), achieved_on=date(2024, 5, 1 + n)
        )
        CpdEntry.objects.create(
            learner=learner,
            done_on=date(2026, 1, 5),
            hours=2,
            activity=f"Workshop of {learner.email}",
            reflection=f"Reflection of {learner.email}",
        )
        MeetingAttendance.objects.create(
            meeting=meeting,
            membership=NetworkMembership.objects.get(user=user),
            status=MeetingAttendance.Status.ATTENDED,
        )
        OutboundEmail.objects.create(
            key=f"place:{learner.email}",
            purpose=OutboundEmail.Purpose.ENROLMENT,
            to_email=learner.email,
            subject=f"Your place, {learner.first_name}",
            body_text=f"Body for {learner.email}",
        )
    return cast


def _download(client, user, learner):
    client.force_login(user)
    return client.get(reverse("reports:subject_access", args=[learner.pk]))


def _rows(archive, name) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_staff_download_everything_held_about_one_learner_and_nothing_of_another(
    client, records, caplog
):
    cast = records
    a, b = cast.learner_a, cast.learner_b
    with caplog.at_level(logging.INFO, logger="cmpp.audit"):
        response = _download(client, cast.staff, a)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-learner-{a.pk}-{timezone.localdate():%Y-%m-%d}.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    # Who exported whose, by id: the audit trail.
    assert f"Subject access export of learner {a.pk} by user {cast.staff.pk}" in caplog.text

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == FILES
    everything = "".join(
        archive.read(name).decode("utf-8-sig")
        for name in archive.namelist()
        if name != "summary.pdf"
    )
    for text in (
        a.email,
        a.first_name,
        a.last_name,
        f"Job-{a.email}",
        f"Workshop of {a.email}",
        f"Reflection of {a.email}",
        f"Body for {a.email}",
        "Lantern meeting",
        cast.cohort.code,
    ):
        assert text in everything, text
    for text in (b.email, f"Job-{b.email}", b.first_name, b.last_name, "2025-10-02", "2024-05-02"):
        assert text not in everything, text

    details = {(record, field): value for record, field, value in _rows(archive, "learner.csv")[1:]}
    assert details[("Learner record", "Email")] == a.email
    assert details[("Portal account", "Email")] == cast.learner_a_user.email
    assert [row[:2] for row in _rows(archive, "accreditations.csv")] == [
        ["Level", "Achieved on"],
        ["Foundation", "2024-05-01"],
    ]
    assert len(_rows(archive, "places.csv")) == 2
    assert _rows(archive, "emails.csv")[1][2] == a.email

    pdf = archive.read("summary.pdf")
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"Subject access request: {a.full_name}" in text
    assert a.email in text and b.email not in text
    assert "network_attendance.csv" in text
    if tool := shutil.which("pdftotext"):  # poppler's reading too, where the machine has it
        shown = subprocess.run(  # noqa: S603 - poppler's tool reading the PDF we were sent
            [tool, "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "Subject access request" in shown and a.full_name in shown
        assert a.email in shown and b.email not in shown


@pytest.mark.parametrize("role", ["viewer", "sro_a", "learner_a_user", "nobody"])
def test_nobody_but_programme_staff_may_download_it(client, records, role):
    """Not a viewer, not the learner's SRO, not the learner themself (they ask the programme)."""
    response = _download(client, getattr(records, role), records.learner_a)
    assert response.status_code == 403
    assert response["Content-Type"] != "application/zip"


def test_a_learner_who_does_not_exist_is_404_for_staff(client, records):
    client.force_login(records.staff)
    assert client.get(reverse("reports:subject_access", args=[999_999])).status_code == 404


def test_the_staff_learner_page_links_to_it_and_others_pages_do_not(client, records):
    url = reverse("reports:subject_access", args=[records.learner_a.pk])
    page = reverse("learners:detail", args=[records.learner_a.pk])
    client.force_login(records.staff)
    shown = client.get(page).text
    assert f'href="{url}"' in shown
    assert "Download the learner's data (subject access request)" in shown
    for role in ("viewer", "sro_a"):
        client.force_login(getattr(records, role))
        assert url not in client.get(page).text, role
