"""The networks' resource library: files are checked by their content and refused with their
own message (nothing stored), stored privately under a generated name, downloaded as an
attachment only by those who see the network, and removed by staff or whoever shared them."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from networks.models import NetworkResource
from networks.resources import resource_share
from tests.networks.factories import joined, learners_network, sro_network

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zipped(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


DOCX = zipped("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = zipped("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")
PPTX = zipped("[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml")
DOC = OLE_HEADER + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00\x00" * 20
CSV = "council,score\nTestshire,3\nÉcosse,4\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 120


@pytest.fixture(autouse=True)
def members(cast):
    """Councils A and B joined both networks: their SROs and learners are members."""
    joined(sro_network(), cast.council_a, users=[cast.sro_a])
    joined(sro_network(), cast.council_b, users=[cast.sro_b])
    joined(learners_network(), cast.council_a, users=[cast.learner_a_user])
    joined(learners_network(), cast.council_b, users=[cast.learner_b_user])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def share_url(network) -> str:
    return reverse("networks:resource_new", args=[network.pk])


def post_file(client, network, name: str, content: bytes, **fields):
    body = {
        "title": "Contract review checklist",
        "description": "What we check each quarter.",
        "tags": "KPIs, reviews",
        "kind": "file",
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
    } | fields
    return client.post(share_url(network), body)


def shared(user, name="Checklist.pdf", content=PDF, network=None) -> NetworkResource:
    return resource_share(
        network=network or sro_network(),
        acting_user=user,
        title="Contract review checklist",
        tags="KPIs",
        upload=SimpleUploadedFile(name, content),
    )


# Refusals: each with its own message, nothing stored -------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.pdf", PNG, "The selected file must be a PDF, Word, Excel, PowerPoint or CSV file"),
        ("report.pdf", ELF, "The selected file is a program, which cannot be shared"),
        ("report.pdf", MZ, "The selected file is a program, which cannot be shared"),
        ("report.pdf", b"", "The selected file is empty"),
        ("report.docx", zipped("notes.txt"), "The selected file is a ZIP archive, not a Word"),
        ("report.pdf", DOCX, "The selected file is a Word document, so its name must end .docx"),
        ("scores.csv", b"a,b\n\x00\x01,2\n", "must be a PDF, Word, Excel, PowerPoint or CSV"),
        ("notes.txt", b"plain words\n", "must be a PDF, Word, Excel, PowerPoint or CSV"),
        ("old.doc", DOC + "Macros".encode("utf-16-le") + b"\x00\x00", "contains macros"),
        ("old.doc", DOC + "_VBA_PROJECT".encode("utf-16-le") + b"\x00\x00", "contains macros"),
    ],
)
def test_a_file_wrong_by_its_content_is_refused_and_nothing_stored(
    client, cast, media, name, content, message
):
    client.force_login(cast.sro_a)
    page = post_file(client, sro_network(), name, content)
    assert page.status_code == 200
    assert message in page.text
    assert "govuk-error-summary" in page.text
    assert NetworkResource.objects.count() == 0
    assert stored(media) == []


def test_a_file_over_10_mb_is_refused(client, cast, media):
    client.force_login(cast.sro_a)
    too_big = PDF + b"0" * (10 * 1024 * 1024 + 1 - len(PDF))
    page = post_file(client, sro_network(), "big.pdf", too_big)
    assert "The selected file must be smaller than 10 MB" in page.text
    assert NetworkResource.objects.count() == 0
    assert stored(media) == []


def test_the_size_limit_is_a_setting(client, cast, media, settings):
    settings.CMPP_RESOURCE_MAX_BYTES = 100
    client.force_login(cast.sro_a)
    page = post_file(client, sro_network(), "report.pdf", PDF + b" " * 100)
    assert "The selected file must be smaller than 100 bytes" in page.text
    assert NetworkResource.objects.count() == 0 and stored(media) == []


def test_a_file_or_a_link_must_be_given(client, cast, media):
    client.force_login(cast.sro_a)
    page = client.post(share_url(sro_network()), {"title": "Checklist", "kind": "file"})
    assert "Select a file" in page.text
    page = client.post(share_url(sro_network()), {"title": "Checklist", "kind": "link"})
    assert "Enter a link" in page.text
    page = client.post(share_url(sro_network()), {"title": "Checklist"})
    assert "Select whether you are sharing a file or a link" in page.text
    page = client.post(
        share_url(sro_network()),
        {"title": "Checklist", "kind": "link", "url": "javascript:alert(1)"},
    )
    assert "Enter a link in the correct format" in page.text
    assert NetworkResource.objects.count() == 0 and stored(media) == []


# Accepted files: stored privately under a generated name ---------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "label"),
    [
        ("Checklist.pdf", PDF, "application/pdf", "PDF"),
        (
            "Review template.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word document",
        ),
        (
            "Scores.xlsx",
            XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel spreadsheet",
        ),
        (
            "Slides.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PowerPoint presentation",
        ),
        ("Old template.doc", DOC, "application/msword", "Word document"),
        ("Scores.csv", CSV, "text/csv", "CSV"),
    ],
)
def test_a_real_document_is_shared_and_stored_privately(
    client, cast, media, name, content, content_type, label
):
    client.force_login(cast.sro_a)
    response = post_file(client, sro_network(), name, content)
    assert response.status_code == 302
    resource = NetworkResource.objects.get()
    assert (resource.file_name, resource.content_type, resource.size) == (
        name,
        content_type,
        len(content),
    )
    assert resource.shared_by == cast.sro_a and resource.tags == "KPIs, reviews"
    [path] = stored(media)
    assert path.startswith("networks/resources/") and name.split(".")[0] not in path
    assert (media / path).read_bytes() == content
    page = client.get(response["Location"])
    assert "Contract review checklist" in page.text and label in page.text


def test_a_link_is_shared(client, cast, media):
    client.force_login(cast.staff)
    response = client.post(
        share_url(learners_network()),
        {"title": "Guidance", "kind": "link", "url": "www.gov.uk/guidance", "tags": "a, A, b"},
    )
    assert response.status_code == 302
    resource = NetworkResource.objects.get()
    assert (resource.url, resource.file.name, resource.tags) == (
        "https://www.gov.uk/guidance",
        "",
        "a, b",
    )
    assert stored(media) == []


def test_learners_and_viewers_read_but_do_not_share(client, cast, media):
    client.force_login(cast.learner_a_user)
    assert client.get(share_url(learners_network())).status_code == 403
    assert post_file(client, learners_network(), "a.pdf", PDF).status_code == 403
    assert client.get(share_url(sro_network())).status_code == 404
    client.force_login(cast.viewer)
    assert post_file(client, sro_network(), "a.pdf", PDF).status_code == 403
    client.force_login(cast.sro_a)
    assert client.get(share_url(learners_network())).status_code == 404
    assert NetworkResource.objects.count() == 0 and stored(media) == []


def test_the_list_shows_each_resource_and_who_may_share(client, cast, media):
    shared(cast.sro_a, name="Checklist.pdf")
    client.force_login(cast.sro_b)
    page = client.get(reverse("networks:detail", args=[sro_network().pk])).text
    assert "Contract review checklist" in page and 'govuk-tag govuk-tag--grey">KPIs<' in page
    assert f"Shared by {cast.sro_a.get_full_name()}" in page and "PDF, " in page
    assert "Share a resource" in page
    assert "Remove" not in page  # SRO B did not share it
    client.force_login(cast.viewer)
    page = client.get(reverse("networks:detail", args=[sro_network().pk])).text
    assert "Contract review checklist" in page and "Share a resource" not in page


# Downloads: access checked every time ------------------------------------------------------------


def download_url(resource, network=None) -> str:
    network = network or resource.network
    return reverse("networks:resource_download", args=[network.pk, resource.pk])


@pytest.mark.parametrize("who", ["sro_b", "staff", "viewer"])
def test_members_and_staff_download_the_file_as_an_attachment(client, cast, media, who):
    resource = shared(cast.sro_a, name="Réview checklist.pdf")
    client.force_login(getattr(cast, who))
    response = client.get(download_url(resource))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "R%C3%A9view%20checklist.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["learner_a_user", "nobody"])
def test_anyone_outside_the_network_gets_404(client, cast, media, who):
    resource = shared(cast.sro_a)
    client.force_login(getattr(cast, who))
    assert client.get(download_url(resource)).status_code == 404


def test_a_resource_under_another_networks_address_is_404(client, cast, media):
    resource = shared(cast.sro_a)
    client.force_login(cast.staff)
    assert client.get(download_url(resource, network=learners_network())).status_code == 404
    delete = reverse("networks:resource_delete", args=[learners_network().pk, resource.pk])
    assert client.post(delete).status_code == 404
    assert NetworkResource.objects.count() == 1


def test_signing_in_is_needed(client, cast, media):
    resource = shared(cast.sro_a)
    response = client.get(download_url(resource))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Removing ---------------------------------------------------------------------------------------


def delete_url(resource) -> str:
    return reverse("networks:resource_delete", args=[resource.network_id, resource.pk])


@pytest.mark.parametrize("who", ["sro_a", "staff"])
def test_staff_or_the_sharer_remove_a_resource_and_its_file(
    client, cast, media, who, django_capture_on_commit_callbacks
):
    resource = shared(cast.sro_a)
    assert len(stored(media)) == 1
    client.force_login(getattr(cast, who))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(resource))
    assert response.status_code == 302
    assert NetworkResource.objects.count() == 0
    assert stored(media) == []


@pytest.mark.parametrize(
    ("who", "status"), [("sro_b", 403), ("viewer", 403), ("learner_a_user", 404)]
)
def test_others_cannot_remove_it(client, cast, media, who, status):
    resource = shared(cast.sro_a)
    client.force_login(getattr(cast, who))
    assert client.post(delete_url(resource)).status_code == status
    assert client.get(delete_url(resource)).status_code == 405
    assert NetworkResource.objects.count() == 1 and len(stored(media)) == 1


def test_a_row_that_fails_to_save_leaves_no_file(cast, media, monkeypatch):
    def save_then_fail(instance, **kwargs):
        instance.save()
        raise RuntimeError("the database went away")

    monkeypatch.setattr("networks.resources.record_save", save_then_fail)
    with pytest.raises(RuntimeError):
        shared(cast.sro_a)
    assert NetworkResource.objects.count() == 0
    assert stored(media) == []


def test_the_share_page_asks_for_a_file_or_a_link(client, cast):
    client.force_login(cast.sro_a)
    page = client.get(share_url(sro_network()))
    assert page.status_code == 200
    # The plain file input: GOV.UK Frontend's drop zone names its button unlike its visible
    # text (WCAG 2.5.3, found by tests/browser/test_accessibility_axe.py).
    assert 'class="govuk-file-upload"' in page.text and 'type="file"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and "govuk-drop-zone" not in page.text
    assert "A file" in page.text and "A link" in page.text and "smaller than 10 MB" in page.text
