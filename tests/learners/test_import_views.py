"""The web import: staff upload a CSV, check the preview, confirm; nobody else may use it."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from cmpp.notifications.models import OutboundEmail
from learners.models import Learner, LearnerImport
from tests import factories
from tests.learners.test_imports import csv_file, good_rows

pytestmark = pytest.mark.django_db

URL = "/learners/import/"
# The confirm button, as govuk-frontend's button macro lays it out (its text on a line of its own).
IMPORT_BUTTON = re.compile(r">\s*Import learners\s*</button>")


def upload(client, data: bytes, name="learners.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def confirm(client, preview):
    """Press "Import learners" on the preview, and follow to the import's page; the job runs
    after the commit (inline: the tests have no broker)."""
    url = f"/learners/import/{preview.context['job'].pk}/"
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url).url == url
    return client.get(url)


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def test_staff_see_the_upload_page(staff_client):
    page = staff_client.get(URL)
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Import learners</h1>' in page.text
    assert 'class="govuk-file-upload"' in page.text and 'enctype="multipart/form-data"' in page.text


def test_staff_upload_check_and_confirm_a_file(staff_client, cast):
    preview = upload(staff_client, csv_file(*good_rows(cast), bom=True))
    assert preview.status_code == 200
    text = preview.text
    assert "<title>Check the file before you import it" in text
    assert "Learners to add: 2" in text and "Learners to update: 1" in text
    assert "amira.khan@a.test" in text and "ben.okafor@b.test" in text
    assert "Job title: Contract manager to Head of contracts" in text
    assert "There is a problem" not in text
    assert IMPORT_BUTTON.search(text)
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()

    done = confirm(staff_client, preview)

    assert done.status_code == 200
    assert 'class="govuk-panel govuk-panel--confirmation"' in done.text
    assert "2 added<br>1 updated<br>1 enrolled in cohorts" in done.text
    amira = Learner.objects.get(email="amira.khan@a.test")
    assert amira.history.first().history_user == cast.staff
    assert {m.to[0] for m in mail.outbox} == {"amira.khan@a.test", "ben.okafor@b.test"}
    assert OutboundEmail.objects.filter(purpose="invitation").count() == 2


def test_confirming_the_same_preview_again_imports_nothing_more(staff_client, cast):
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    confirm(staff_client, preview)
    again = confirm(staff_client, preview)
    # The second click lands on the first import's result; nothing is imported twice.
    assert "2 added<br>1 updated<br>1 enrolled in cohorts" in again.text
    assert Learner.objects.filter(email="amira.khan@a.test").count() == 1
    assert OutboundEmail.objects.filter(purpose="invitation").count() == 2


def test_a_file_checked_in_another_tab_is_not_imported_in_its_place(staff_client, cast):
    first = upload(staff_client, csv_file(good_rows(cast)[0]))
    upload(staff_client, csv_file(good_rows(cast)[1]))
    confirm(staff_client, first)
    assert Learner.objects.filter(email="amira.khan@a.test").exists()
    assert not Learner.objects.filter(email="ben.okafor@b.test").exists()


def test_an_import_is_shown_only_to_the_person_who_checked_it(staff_client, client, cast):
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    other = factories.StaffMembershipFactory(
        user__email="colleague@dluhc.test", role="programme_staff"
    ).user
    client.force_login(other)
    url = f"/learners/import/{preview.context['job'].pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_wrong_rows_are_listed_with_their_lines_and_cannot_be_confirmed(staff_client, cast):
    rows = good_rows(cast)
    response = upload(staff_client, csv_file(rows[0], "E99999999,Cara,Jones,cara@,,expert,"))
    text = response.text
    assert "<title>Error: Check the file" in text
    assert 'class="govuk-error-summary"' in text
    assert (
        '<a href="#problem-1">Line 3: Council code ‘E99999999’ is not a council on the '
        "programme</a>"
    ) in text
    assert 'id="problem-2"' in text and "‘cara@’ is not a valid email address" in text
    assert not IMPORT_BUTTON.search(text)
    assert not LearnerImport.objects.exists()
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_a_row_gone_wrong_after_the_check_is_shown_on_confirm(staff_client, cast):
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    factories.EnrolmentFactory(
        learner=factories.LearnerFactory(email="amira.khan@a.test"),
        cohort=factories.CohortFactory(),
    )
    response = confirm(staff_client, preview)
    assert "<title>Error: Nothing was imported" in response.text and "Line 2: " in response.text
    assert "already has a place in cohort" in response.text
    assert not Learner.objects.filter(email="ben.okafor@b.test").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"council_code,e-mail\r\nE06000001,x@a.test\r\n", "is missing the columns"),
        ("council_code\r\nZoë\r\n".encode("latin-1"), "must be saved as CSV UTF-8"),
        (b"", "The selected file is empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_explained_on_the_upload_page(staff_client, data, message):
    response = upload(staff_client, data)
    assert "<title>Error: Import learners" in response.text
    assert 'href="#id_file"' in response.text and message in response.text
    assert "govuk-file-upload--error" in response.text


def test_no_file_chosen_asks_for_one(staff_client):
    response = staff_client.post(URL, {})
    assert "<title>Error: Import learners" in response.text
    assert '<a href="#id_file">Select a CSV file</a>' in response.text


def test_the_upload_page_says_how_many_learners_a_file_may_hold(staff_client):
    assert "up to 20,000 learners in one file" in staff_client.get(URL).text


def test_a_file_of_more_than_20000_learners_is_refused_on_the_upload_page(staff_client, cast):
    row = "E06000001,Amira,Khan,amira.khan@a.test,,practitioner,"
    response = upload(staff_client, csv_file(*[row] * 20213))
    assert "<title>Error: Import learners" in response.text
    assert (
        "The file has 20,213 rows. Import up to 20,000 learners at a time: split the file"
        in response.text
    )
    assert not LearnerImport.objects.exists()
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_a_hidden_control_character_is_shown_with_its_line(staff_client, cast):
    response = upload(staff_client, csv_file("E06000001,Ca\x00ra,Khan,cara@a.test,,expert,"))
    assert "Line 2: first_name has a hidden control character in it (U+0000)" in response.text
    assert not IMPORT_BUTTON.search(response.text)
    assert not Learner.objects.filter(email="cara@a.test").exists()


def test_a_file_over_5_mb_is_refused(staff_client, cast):
    data = csv_file(*good_rows(cast)) + b"x" * (5 * 1024 * 1024)
    response = upload(staff_client, data)
    assert "The selected file must be smaller than 5 MB" in response.text
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


@pytest.mark.parametrize("who", ["viewer", "sro_a", "learner_a_user", "nobody"])
def test_only_programme_staff_may_import(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == 403
    assert upload(client, csv_file(*good_rows(cast))).status_code == 403
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_anonymous_people_are_sent_to_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
