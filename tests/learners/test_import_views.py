"""The web import: staff upload a CSV, check the preview, confirm; nobody else may use it."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from cmpp.notifications.models import OutboundEmail
from learners.models import Learner
from tests import factories
from tests.learners.test_imports import csv_file, good_rows

pytestmark = pytest.mark.django_db

URL = "/learners/import/"


def upload(client, data: bytes, name="learners.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def test_staff_see_the_upload_page(staff_client):
    page = staff_client.get(URL)
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Import learners</h1>' in page.text
    assert 'class="govuk-file-upload"' in page.text and 'enctype="multipart/form-data"' in page.text


def test_staff_upload_check_and_confirm_a_file(
    staff_client, cast, django_capture_on_commit_callbacks
):
    preview = upload(staff_client, csv_file(*good_rows(cast), bom=True))
    assert preview.status_code == 200
    text = preview.text
    assert "<title>Check the file before you import it" in text
    assert "Learners to add: 2" in text and "Learners to update: 1" in text
    assert "amira.khan@a.test" in text and "ben.okafor@b.test" in text
    assert "Job title: Contract manager to Head of contracts" in text
    assert "There is a problem" not in text
    assert ">Import learners</button>" in text
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(URL, {"digest": preview.context["digest"]})

    assert done.status_code == 200
    assert 'class="govuk-panel govuk-panel--confirmation"' in done.text
    assert "2 added<br>1 updated<br>1 enrolled in cohorts" in done.text
    amira = Learner.objects.get(email="amira.khan@a.test")
    assert amira.history.first().history_user == cast.staff
    assert {m.to[0] for m in mail.outbox} == {"amira.khan@a.test", "ben.okafor@b.test"}
    assert OutboundEmail.objects.filter(purpose="invitation").count() == 2


def test_confirming_the_same_preview_again_imports_nothing_more(staff_client, cast):
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    staff_client.post(URL, {"digest": preview.context["digest"]})
    again = staff_client.post(URL, {"digest": preview.context["digest"]}, follow=True)
    assert "The file you checked is no longer waiting to be imported" in again.text
    assert Learner.objects.filter(email="amira.khan@a.test").count() == 1


def test_a_file_checked_in_another_tab_is_not_imported_in_its_place(staff_client, cast):
    first = upload(staff_client, csv_file(good_rows(cast)[0]))
    upload(staff_client, csv_file(good_rows(cast)[1]))
    response = staff_client.post(URL, {"digest": first.context["digest"]}, follow=True)
    assert "no longer waiting to be imported" in response.text
    assert not Learner.objects.filter(email__in=["amira.khan@a.test", "ben.okafor@b.test"])


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
    assert ">Import learners</button>" not in text and 'name="digest"' not in text
    assert "learner_import" not in staff_client.session
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_a_row_gone_wrong_after_the_check_is_shown_on_confirm(staff_client, cast):
    preview = upload(staff_client, csv_file(*good_rows(cast)))
    factories.EnrolmentFactory(
        learner=factories.LearnerFactory(email="amira.khan@a.test"),
        cohort=factories.CohortFactory(),
    )
    response = staff_client.post(URL, {"digest": preview.context["digest"]})
    assert "<title>Error: " in response.text and "Line 2: " in response.text
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
    assert "up to 5,000 learners in one file" in staff_client.get(URL).text


def test_a_file_of_more_than_5000_learners_is_refused_on_the_upload_page(staff_client, cast):
    row = "E06000001,Amira,Khan,amira.khan@a.test,,practitioner,"
    response = upload(staff_client, csv_file(*[row] * 5213))
    assert "<title>Error: Import learners" in response.text
    assert (
        "The file has 5,213 rows. Import up to 5,000 learners at a time: split the file"
        in response.text
    )
    assert "learner_import" not in staff_client.session
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_a_hidden_control_character_is_shown_with_its_line(staff_client, cast):
    response = upload(staff_client, csv_file("E06000001,Ca\x00ra,Khan,cara@a.test,,expert,"))
    assert "Line 2: first_name has a hidden control character in it (U+0000)" in response.text
    assert ">Import learners</button>" not in response.text
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
