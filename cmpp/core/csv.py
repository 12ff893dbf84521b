"""CSV helpers with no domain in them: read an upload within a size limit as UTF-8 text, and
write rows that a spreadsheet opens as UTF-8 and never runs as formulas."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import BinaryIO

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"); a leading apostrophe makes the spreadsheet show it as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

FILE_EMPTY = "The selected file is empty"
FILE_NOT_UTF8 = (
    "The selected file must be saved as CSV UTF-8. In Excel, choose Save As and pick "
    "‘CSV UTF-8 (Comma delimited)’"
)


class CsvFileError(ValueError):
    """The file as a whole cannot be read; the message says why, to the person who sent it."""


def read_limited(source: bytes | BinaryIO, *, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The file's bytes, refused without reading it all when it is over `max_bytes`."""
    data = source if isinstance(source, bytes) else source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise CsvFileError(f"The selected file must be smaller than {max_bytes // 2**20} MB")
    return data


def decode_utf8(data: bytes) -> str:
    """The text of a UTF-8 file, without the byte-order mark Excel writes at its start."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(FILE_NOT_UTF8) from None
    if not text.strip():
        raise CsvFileError(FILE_EMPTY)
    return text


def neutralise(value) -> str:
    """The cell as text, with a quote in front if a spreadsheet would take it for a formula."""
    if value is None:
        text = ""
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that hands back what is written, so csv.writer can feed a streamed response."""

    def write(self, value: str) -> str:
        return value


def csv_stream(*, header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The header and rows as CSV lines, the first after a byte-order mark so that Excel reads
    UTF-8. Every cell goes through `neutralise`.

    Lines go out in pieces of about STREAM_PIECE characters: a piece per row costs the server
    more than writing the row, and a piece that size keeps memory flat."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(_cells(header))
    for row in rows:
        writer.writerow(_cells(row))
        if buffer.tell() >= STREAM_PIECE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if piece := buffer.getvalue():
        yield piece


# Characters (not bytes: close enough) in each piece of a streamed CSV.
STREAM_PIECE = 64 * 1024


def _cells(row: Iterable) -> list[str]:
    """`neutralise` for each cell, with text (most cells) checked inline: an export calls this
    for every cell of tens of thousands of rows."""
    return [
        (f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell)
        if cell.__class__ is str
        else neutralise(cell)
        for cell in row
    ]


def csv_tables(tables: Iterable[tuple[str, Iterable, Iterable[Iterable]]]) -> bytes:
    """Several tables in one CSV file, each as its title on a line of its own, its header and
    its rows, with a blank line between them: UTF-8 with a byte-order mark, formula-safe."""
    lines = [BOM]
    writer = csv.writer(_Echo())
    for index, (title, header, rows) in enumerate(tables):
        if index:
            lines.append(writer.writerow([]))
        lines.append(writer.writerow([neutralise(title)]))
        lines.extend(writer.writerow([neutralise(cell) for cell in row]) for row in [header, *rows])
    return "".join(lines).encode("utf-8")
