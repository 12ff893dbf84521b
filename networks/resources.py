"""A network's resource library: who may share and remove resources, the check every uploaded
file passes (by its content, never its name), and the writes that share and delete them.

A file is stored privately (the default storage, under MEDIA_ROOT, which no URL serves) under a
generated name; the name it was shared as is kept only to name the download."""

import os
import uuid
import zipfile
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cmpp.accounts.selectors import user_is_programme_staff
from cmpp.core.records import record_save
from councils.selectors import council_ids_led_by
from networks.models import Network, NetworkResource
from networks.selectors import networks_visible_to


@dataclass(frozen=True)
class FileKind:
    """A kind of document the library takes: how people call it, the names it may have, and the
    extension and content type it is stored and served with."""

    label: str
    extensions: tuple[str, ...]
    extension: str
    content_type: str


PDF = FileKind("a PDF", (".pdf",), ".pdf", "application/pdf")
DOCX = FileKind(
    "a Word document",
    (".docx", ".doc"),
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
XLSX = FileKind(
    "an Excel spreadsheet",
    (".xlsx", ".xls"),
    ".xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
PPTX = FileKind(
    "a PowerPoint presentation",
    (".pptx", ".ppt"),
    ".pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
DOC = FileKind("a Word document", (".doc", ".docx"), ".doc", "application/msword")
XLS = FileKind("an Excel spreadsheet", (".xls", ".xlsx"), ".xls", "application/vnd.ms-excel")
PPT = FileKind(
    "a PowerPoint presentation", (".ppt", ".pptx"), ".ppt", "application/vnd.ms-powerpoint"
)
CSV = FileKind("a CSV file", (".csv",), ".csv", "text/csv")

# Office Open XML files are ZIPs: the folder of parts that makes each kind.
OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
# Legacy Office files are OLE2 compound files: the stream that makes each kind, as its directory
# entry names it (UTF-16).
OLE_STREAMS = (
    ("WordDocument", DOC),
    ("Workbook", XLS),
    ("Book", XLS),
    ("PowerPoint Document", PPT),
)
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_HEADER = b"PK\x03\x04"
PROGRAM_EXTENSIONS = {".exe", ".dll", ".com", ".sys", ".drv", ".scr", ".cpl", ".ocx", ".appimage"}

ALLOWED = "a PDF, Word, Excel, PowerPoint or CSV file"
WRONG_TYPE = f"The selected file must be {ALLOWED}"
PROGRAM = f"The selected file is a program, which cannot be shared: it must be {ALLOWED}"
PLAIN_ZIP = (
    "The selected file is a ZIP archive, not a Word, Excel or PowerPoint file: open it in "
    "Office and save it again"
)
MACROS = "The selected file contains macros: save it without macros and upload it again"
EMPTY = "The selected file is empty"


def user_may_share_resources(user, network: Network) -> bool:
    """Programme staff share with either network, SROs and deputies with the SRO Network.
    Learners and viewers read. (The caller has already found the network visible to them.)"""
    if user_is_programme_staff(user):
        return True
    return network.audience == Network.Audience.SROS and bool(council_ids_led_by(user))


def user_may_delete_resource(user, resource: NetworkResource) -> bool:
    """Programme staff remove any resource; the person who shared one removes it too."""
    return user_is_programme_staff(user) or (
        resource.shared_by_id is not None and resource.shared_by_id == user.pk
    )


def resources_visible_to(user) -> QuerySet[NetworkResource]:
    """The resources of the networks the user may see: the one access rule for a resource."""
    return NetworkResource.objects.filter(network__in=networks_visible_to(user))


def resource_get(*, user, network_pk: int, resource_pk: int) -> NetworkResource:
    """A resource the user may see, of the network named in the URL; otherwise 404."""
    return get_object_or_404(
        resources_visible_to(user).select_related("network"),
        pk=resource_pk,
        network_id=network_pk,
    )


def max_bytes_text(max_bytes: int) -> str:
    """The size limit as people read it: 10 MB, 500 KB, 900 bytes."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if max_bytes >= size and max_bytes % size == 0:
            return f"{max_bytes // size:,} {unit}"
    return f"{max_bytes:,} bytes"


def max_size_text() -> str:
    """The largest file the library takes, in words, for the form's hint."""
    return max_bytes_text(settings.CMPP_RESOURCE_MAX_BYTES)


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def _name_extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _signature_matches(data: bytes) -> list:
    """What puremagic finds in the content, without telling it the name."""
    try:
        return puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return []


def _is_program(matches) -> bool:
    return any(
        "executable" in (match.name or "").lower()
        or str(match.extension).lower() in PROGRAM_EXTENSIONS
        for match in matches
    )


def _ooxml_kind(upload) -> FileKind:
    """The Office Open XML kind of a ZIP, from the parts it holds; a plain ZIP is refused."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(WRONG_TYPE, "wrong_type") from None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names:
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise _refuse(MACROS, "macros")
        for folder, kind in OOXML_PARTS:
            if any(name.startswith(folder) for name in names):
                return kind
    raise _refuse(PLAIN_ZIP, "plain_zip")


# Streams an OLE2 compound file holds when it carries macros (VBA), whatever its kind.
OLE_MACRO_STREAMS = ("_VBA_PROJECT", "_VBA_PROJECT_CUR", "VBA", "Macros")


def _ole_kind(data: bytes) -> FileKind:
    """The legacy Office kind of an OLE2 compound file, from the stream it holds; one carrying
    macros is refused as the newer formats' are."""
    if any(name.encode("utf-16-le") + b"\x00\x00" in data for name in OLE_MACRO_STREAMS):
        raise _refuse(MACROS, "macros")
    for stream, kind in OLE_STREAMS:
        if stream.encode("utf-16-le") + b"\x00\x00" in data:
            return kind
    raise _refuse(WRONG_TYPE, "wrong_type")


def _is_csv_text(data: bytes) -> bool:
    """Text a spreadsheet saves as CSV: UTF-8 (with or without a BOM), no NUL bytes."""
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def resource_file_kind(upload) -> FileKind:
    """Check an uploaded file by its content and say what kind of document it is; refuse (a
    ValidationError on `file`) one that is empty, too big, a program, of another kind, or whose
    name says it is something else."""
    max_bytes = settings.CMPP_RESOURCE_MAX_BYTES
    if not upload.size:
        raise _refuse(EMPTY, "empty")
    if upload.size > max_bytes:
        raise _refuse(
            f"The selected file must be smaller than {max_bytes_text(max_bytes)}", "too_big"
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if not data:
        raise _refuse(EMPTY, "empty")
    if len(data) > max_bytes:
        raise _refuse(
            f"The selected file must be smaller than {max_bytes_text(max_bytes)}", "too_big"
        )
    matches = _signature_matches(data)
    found = {str(m.extension).lower() for m in matches} | {m.mime_type for m in matches}
    extension = _name_extension(upload.name)
    if _is_program(matches):
        raise _refuse(PROGRAM, "program")
    if ".pdf" in found and data.startswith(b"%PDF-"):
        kind = PDF
    elif ".zip" in found and data.startswith(ZIP_HEADER):
        kind = _ooxml_kind(upload)
    elif "application/x-ole-storage" in found and data.startswith(OLE_HEADER):
        kind = _ole_kind(data)
    elif extension == ".csv" and _is_csv_text(data):
        # CSV has no signature: text named .csv is taken as CSV, and served only as one.
        kind = CSV
    else:
        raise _refuse(WRONG_TYPE, "wrong_type")
    if extension not in kind.extensions:
        names = " or ".join(kind.extensions)
        raise _refuse(
            f"The selected file is {kind.label}, so its name must end {names}", "wrong_name"
        )
    return kind


def _shared_name(name: str) -> str:
    """The name a file was shared as, safe to put in a download's header: no folders, no control
    characters, at most the model's 200 characters (keeping the extension)."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "resource"
    limit = NetworkResource._meta.get_field("file_name").max_length
    if len(name) > limit:
        stem, extension = os.path.splitext(name)
        name = stem[: limit - len(extension)] + extension
    return name


def tags_text(tags: str) -> str:
    """Tags as one comma-separated text: each trimmed, empty ones dropped, each once."""
    seen: dict[str, str] = {}
    for tag in tags.split(","):
        tag = " ".join(tag.split())
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return ", ".join(seen.values())


def resource_share(
    *,
    network: Network,
    acting_user,
    title: str,
    description: str = "",
    tags: str = "",
    url: str = "",
    upload=None,
) -> NetworkResource:
    """Share a file or a link with a network. A file is checked by its content first; if it is
    refused, or the record cannot be saved, nothing is stored."""
    if not user_may_share_resources(acting_user, network):
        raise ValidationError("You cannot share resources with this network.")
    if bool(url) == bool(upload):
        raise ValidationError("Share a file or a link.")
    resource = NetworkResource(
        network=network,
        title=title.strip(),
        description=description.strip(),
        tags=tags_text(tags),
        url=url.strip(),
        shared_by=acting_user,
        published_on=timezone.localdate(),
    )
    if upload is None:
        return record_save(resource, acting_user=acting_user, reason="Shared a link")
    kind = resource_file_kind(upload)
    resource.file_name = _shared_name(upload.name)
    resource.content_type = kind.content_type
    resource.size = upload.size
    upload.seek(0)
    # A generated name: the name it was shared as never becomes a path.
    resource.file = File(upload, name=f"{uuid.uuid4().hex}{kind.extension}")
    try:
        with transaction.atomic():
            record_save(resource, acting_user=acting_user, reason="Shared a file")
    except Exception:
        # The file is written as the row is saved: a row that fails leaves no file behind.
        if resource.file.name and resource.file.storage.exists(resource.file.name):
            resource.file.storage.delete(resource.file.name)
        raise
    return resource


def resource_delete(*, resource: NetworkResource, acting_user) -> None:
    """Remove a resource; its file goes after the commit, so a rollback keeps it."""
    if not user_may_delete_resource(acting_user, resource):
        raise ValidationError("Only programme staff or the person who shared it can remove it.")
    stored = (resource.file.storage, resource.file.name) if resource.file else None
    resource.delete()
    if stored:
        storage, name = stored
        transaction.on_commit(lambda: storage.delete(name))
