"""The small documents the demo's networks share: a PDF, a CSV and a Word file, made at seed time
and kept in the default storage, where the portal keeps the files members upload."""

import csv
import io
import zipfile
from html import escape
from typing import NamedTuple

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

PDF = "application/pdf"
CSV = "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class StoredFile(NamedTuple):
    name: str  # its name in storage
    content_type: str
    size: int


def pdf_document(title: str, paragraphs: list[str]) -> bytes:
    """A one-page A4 PDF of a heading and paragraphs, drawn by WeasyPrint as the reports are."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only files need it

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        '<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>@page { size: A4; margin: 2cm } body { font-family: sans-serif; font-size: 11pt }"
        "</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTML(string=html).write_pdf()


def csv_document(rows: list[tuple]) -> bytes:
    """UTF-8 with a BOM, as Excel opens it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
}


def docx_document(title: str, paragraphs: list[str]) -> bytes:
    """A Word document with only the parts Word needs: a bold title, then paragraphs. Its zip
    entries carry a fixed date, so the same text always makes the same bytes."""

    def paragraph(text: str, *, bold: bool = False) -> str:
        run_properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
        return (
            f'<w:p><w:r>{run_properties}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
        )

    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraph(title, bold=True)}{''.join(map(paragraph, paragraphs))}</w:body>"
        "</w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        for name, text in [*DOCX_PARTS.items(), ("word/document.xml", document)]:
            docx.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return out.getvalue()


def csv_rows(title: str, rows: list[tuple]) -> bytes:
    return csv_document(rows)


# What each kind of document is made by (from its title and content) and its content type.
MAKERS = {".pdf": (pdf_document, PDF), ".csv": (csv_rows, CSV), ".docx": (docx_document, DOCX)}


def document_maker(file_name: str):
    """The maker and content type for a file name: `content` is a list of paragraphs, or for a
    CSV its rows."""
    suffix = "." + file_name.rsplit(".", 1)[-1]
    if suffix not in MAKERS:
        raise ValueError(f"No demo document is made for {file_name}")
    return MAKERS[suffix]


def stored_file(name: str, title: str, content) -> StoredFile:
    """The document kept under `name`: made and saved the first time, found again afterwards, so
    seeding again (or into a new database) never stores a second copy."""
    make, content_type = document_maker(name)
    if default_storage.exists(name):
        return StoredFile(name, content_type, default_storage.size(name))
    data = make(title, content)
    saved = default_storage.save(name, ContentFile(data))
    return StoredFile(saved, content_type, len(data))
