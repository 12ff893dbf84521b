"""CSV helpers: the size limit, UTF-8 with or without BOM, and cells no spreadsheet runs."""

import csv
import io
from datetime import date

import pytest

from cmpp.core.csv import (
    FILE_EMPTY,
    FILE_NOT_UTF8,
    MAX_UPLOAD_BYTES,
    STREAM_PIECE,
    CsvFileError,
    csv_stream,
    decode_utf8,
    neutralise,
    read_limited,
)


def test_a_file_at_the_limit_is_read_and_one_byte_more_is_refused():
    assert len(read_limited(b"x" * MAX_UPLOAD_BYTES)) == MAX_UPLOAD_BYTES
    with pytest.raises(CsvFileError, match="must be smaller than 5 MB"):
        read_limited(io.BytesIO(b"x" * (MAX_UPLOAD_BYTES + 1)))


def test_a_large_file_is_refused_without_reading_all_of_it():
    source = io.BytesIO(b"x" * (MAX_UPLOAD_BYTES * 3))
    with pytest.raises(CsvFileError):
        read_limited(source)
    assert source.tell() == MAX_UPLOAD_BYTES + 1


def test_utf8_is_read_with_or_without_the_byte_order_mark():
    text = "first_name\nZoë\n"
    assert decode_utf8(text.encode("utf-8")) == text
    assert decode_utf8(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_latin1_and_utf16_are_refused_with_the_encoding_message():
    for data in ("first_name\nZoë\n".encode("latin-1"), "first_name\n".encode("utf-16")):
        with pytest.raises(CsvFileError) as refused:
            decode_utf8(data)
        assert str(refused.value) == FILE_NOT_UTF8


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b" \r\n\r\n"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(CsvFileError, match=FILE_EMPTY):
        decode_utf8(data)


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1:A2)", "\tx", "\rx", -2],
)
def test_a_cell_a_spreadsheet_would_run_is_quoted(value):
    assert neutralise(value) == f"'{value}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Amira", "Amira"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (date(2026, 3, 1), "2026-03-01"),
    ],
)
def test_other_cells_are_written_as_they_are(value, expected):
    assert neutralise(value) == expected


def test_the_stream_starts_with_a_bom_and_quotes_formulas_in_every_row():
    text = "".join(csv_stream(header=["name", "n"], rows=[["=1+1", 2], ["O'Neil, Ann", None]]))
    assert text.startswith("\ufeffname,n\r\n")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["name", "n"],
        ["'=1+1", "2"],
        ["O'Neil, Ann", ""],
    ]


def test_a_long_stream_goes_out_in_bounded_pieces_every_row_quoted_alike():
    """20,000 rows are not one piece held in memory, nor a piece per row; and the rows of the
    last pieces are as safe as the first."""
    rows = [[f"=cmd{n}", n, "-", date(2026, 3, 1), None, "Ann"] for n in range(20_000)]
    pieces = list(csv_stream(header=["a", "b", "c", "d", "e", "f"], rows=rows))
    assert 2 < len(pieces) < 1_000
    assert max(len(piece) for piece in pieces) < STREAM_PIECE + 200
    parsed = list(csv.reader(io.StringIO("".join(pieces).removeprefix("\ufeff"))))
    assert len(parsed) == 20_001
    assert parsed[-1] == ["'=cmd19999", "19999", "'-", "2026-03-01", "", "Ann"]
