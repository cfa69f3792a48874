"""The used range of a sheet without a <dimension>, as calamine places its cells
(ingest/cell_extent.py): hostile and unusual sheets, and the usual way's exactness.

Each small case's extent was checked against calamine itself (fastexcel reading the
same sheet: its last row and last column)."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from _ingest_helpers import EAST, write_submission
from hypothesis import given
from hypothesis import strategies as st

from kpi_audit.ingest.cell_extent import (
    _not_after,
    column_letters,
    column_number,
    open_part,
    scan_cells,
)
from kpi_audit.ingest.limits import Limits, check_workbook


def sheet_workbook(path: Path, sheet_data: bytes) -> Path:
    """A submission workbook whose first sheet (东县) has ``sheet_data`` and no <dimension>."""
    small = path.with_suffix(".small.xlsx")
    write_submission(small, EAST)
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*>", b"", data)
                head, _, rest = data.partition(b"<sheetData>")
                _, _, tail = rest.partition(b"</sheetData>")
                data = head + b"<sheetData>" + sheet_data + b"</sheetData>" + tail
            zout.writestr(info, data)
    small.unlink()
    return path


def extent(book: Path) -> tuple[int, int]:
    """(rows, columns) the scan finds: the last it reports (it reports each chunk's)."""
    seen: list[tuple[int, int]] = []
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(book) as z, z.open(part) as xml:
        scan_cells(
            b"", xml, lambda rows, columns: seen.append((rows, columns)), lambda: z.open(part)
        )
    return seen[-1]


@pytest.mark.parametrize(
    ("sheet_data", "rows", "columns"),
    [
        # rows and cells without r: the row counter, then <row r="7">, the column counter
        (b'<row><c><v>1</v></c></row><row r="7"><c><v>1</v></c><c><v>2</v></c></row>', 7, 2),
        (b'<row r="3"><c r="c3"><v>1</v></c></row>', 3, 3),  # lower case
        (b"<row r='4'><c r='E4'><v>1</v></c></row>", 4, 5),  # single quotes
        (b'<row r="4"><c r = "F4" ><v>1</v></c></row>', 4, 6),  # spaces around =
        (b'<row r="2"><c r="A9"><v>1</v></c></row>', 9, 1),  # r disagrees with its row
        (b'<row r="2"><c r="D2"><v>1</v></c><c><v>1</v></c></row>', 2, 5),  # one past D
        (b'<row r="2"><c s="1" r="AB2"><v>1</v></c></row>', 2, 28),  # r not first
        (b'<row r="2"><c r="B0008"><v>1</v></c></row>', 8, 2),  # a leading zero
        (b'<row r="5"/><row><c><v>1</v></c></row>', 6, 1),  # an empty row, then one past it
        (  # prefixed elements, and a row after them without r
            b'<x:row r="2"><x:c r="B2"><x:v>1</x:v></x:c><x:c><x:v>1</x:v></x:c></x:row>'
            b"<row><c><v>3</v></c></row>",
            3,
            3,
        ),
        # rows out of order: the farthest comes first
        (
            b'<row r="40"><c r="C40"><v>1</v></c></row><row r="3"><c r="B3"><v>2</v></c></row>',
            40,
            3,
        ),
    ],
)
def test_cells_are_placed_where_calamine_places_them(
    tmp_path: Path, sheet_data: bytes, rows: int, columns: int
) -> None:
    assert extent(sheet_workbook(tmp_path / "s.xlsx", sheet_data)) == (rows, columns)


@pytest.mark.parametrize(
    ("cell", "rows", "columns"),
    [
        (b'<c r="XFD1048576"><v>1</v></c>', 1_048_576, 16_384),
        (b'<c r="xfd1048576"><v>1</v></c>', 1_048_576, 16_384),  # lower case
        (b'<c r="ZZ2"><v>1</v></c>', 2, 702),  # two letters
        (b'<c r="AAA2"><v>1</v></c>', 2, 703),  # three letters
        (b'<c r="AAAA2"><v>1</v></c>', 2, 18_279),  # more than Excel has
        (b'<c r="A99999999"><v>1</v></c>', 99_999_999, 1),  # more rows than Excel has
    ],
)
def test_one_far_cell_after_usual_rows_is_found(
    tmp_path: Path, cell: bytes, rows: int, columns: int
) -> None:
    usual = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d"><v>2</v></c></row>' % (r, r, r)
        for r in range(1, 50)
    )
    book = sheet_workbook(tmp_path / "far.xlsx", usual + b'<row r="50">' + cell + b"</row>")
    expected = (max(rows, 49), max(columns, 2))  # rows 1-49 are usual, A-B
    assert extent(book) == expected
    with pytest.raises(Exception, match="refused: the used range"):
        check_workbook(book, book.read_bytes(), Limits(max_cells=expected[0] * expected[1] - 1))


def test_a_cell_without_r_in_a_far_row_is_found(tmp_path: Path) -> None:
    book = sheet_workbook(
        tmp_path / "far.xlsx",
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c><v>1</v></c></row>',
    )
    assert extent(book) == (1_048_576, 1)


def usual_rows(first: int, last: int, letters: list[str]) -> bytes:
    return b"".join(
        b'<row r="%d">' % r
        + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (c.encode(), r, r) for c in letters)
        + b"</row>"
        for r in range(first, last + 1)
    )


COLUMNS = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"]


def test_the_usual_way_is_exact_over_many_chunks(tmp_path: Path) -> None:
    book = sheet_workbook(tmp_path / "big.xlsx", usual_rows(1, 24_000, COLUMNS))
    data = book.read_bytes()
    assert extent(book) == (24_000, 12)
    assert check_workbook(book, data, Limits(max_cells=24_000 * 12)).formulas == set()
    with pytest.raises(Exception, match=r"the used range has 24,000 rows"):
        check_workbook(book, data, Limits(max_rows=23_999))


@pytest.mark.parametrize(
    ("hostile", "rows", "columns"),
    [
        (b'<c r="A900000"><v>1</v></c>', 900_000, 12),  # disagrees with its row
        (b'<c r="M20000"><v>1</v></c>', 24_000, 13),  # one column past the widest
        (b"<c><v>1</v></c>", 24_000, 13),  # no r: one past L
        (b'<x:c r="XFD2"><v>1</v></x:c>', 24_000, 16_384),  # prefixed
    ],
)
def test_one_hostile_cell_deep_in_a_large_sheet_is_found(
    tmp_path: Path, hostile: bytes, rows: int, columns: int
) -> None:
    body = usual_rows(1, 19_999, COLUMNS)
    row = usual_rows(20_000, 20_000, COLUMNS).replace(b"</row>", hostile + b"</row>")
    book = sheet_workbook(tmp_path / "h.xlsx", body + row + usual_rows(20_001, 24_000, COLUMNS))
    assert extent(book) == (rows, columns)


def test_a_formula_deep_in_a_large_sheet_is_found(tmp_path: Path) -> None:
    body = usual_rows(1, 24_000, COLUMNS)
    formula = b'<row r="24001"><c r="A24001"><f>A1+1</f><v>2</v></c></row>'
    book = sheet_workbook(tmp_path / "f.xlsx", body + formula)
    assert check_workbook(book, book.read_bytes(), Limits()).formulas == {"东县"}


def dimensioned_workbook(path: Path, dimension: bytes, sheet_data: bytes) -> Path:
    """:func:`sheet_workbook` with a <dimension ref="…"> before its cells."""
    book = sheet_workbook(path, sheet_data)
    with zipfile.ZipFile(book) as z:
        parts = {info.filename: z.read(info.filename) for info in z.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"<sheetData>", b'<dimension ref="%s"/><sheetData>' % dimension, 1
    )
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return book


def box_extent(book: Path, box: tuple[int, int]) -> tuple[int, int]:
    seen: list[tuple[int, int]] = []
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(book) as z, z.open(part) as xml:
        scan_cells(b"", xml, lambda r, c: seen.append((r, c)), lambda: z.open(part), box)
    return seen[-1]


@pytest.mark.parametrize(
    ("hostile", "rows", "columns"),
    [
        (b"", 24_000, 12),  # the dimension is true: its box
        (b'<c r="A900000"><v>1</v></c>', 900_000, 12),  # a row past it
        (b'<c r="M20000"><v>1</v></c>', 24_000, 13),  # a column past it
        (b"<c><v>1</v></c>", 24_000, 13),  # no r: one past L
        (b'<c r="l20000"><v>1</v></c>', 24_000, 12),  # lower case: placed exactly
    ],
)
def test_the_cells_are_checked_against_the_dimension(
    tmp_path: Path, hostile: bytes, rows: int, columns: int
) -> None:
    body = usual_rows(1, 19_999, COLUMNS)
    row = usual_rows(20_000, 20_000, COLUMNS).replace(b"</row>", hostile + b"</row>")
    data = body + row + usual_rows(20_001, 24_000, COLUMNS)
    book = dimensioned_workbook(tmp_path / "d.xlsx", b"A1:L24000", data)
    assert box_extent(book, (24_000, 12)) == (rows, columns)


def test_a_dimension_hiding_a_far_cell_is_refused(tmp_path: Path) -> None:
    cells = usual_rows(1, 3, COLUMNS) + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    book = dimensioned_workbook(tmp_path / "lie.xlsx", b"A1:L3", cells)
    with pytest.raises(Exception, match=r"the used range is 1,048,576 rows × 16,384 columns"):
        check_workbook(book, book.read_bytes(), Limits())


@given(
    value=st.integers(1, 10**9),
    candidates=st.lists(st.integers(1, 10**10), min_size=1, max_size=30),
)
def test_not_after_matches_the_numbers_up_to_the_value(value: int, candidates: list[int]) -> None:
    pattern = "^" + _not_after(str(value), "0123456789", "1") + "$"
    texts = [str(c) for c in candidates] + ["0", "0" + str(value)]
    matched = pl.Series(texts).str.contains(pattern).to_list()  # polars runs it in the scan
    assert matched == [t[0] != "0" and int(t) <= value for t in texts]


@given(value=st.integers(1, 18_278), candidates=st.lists(st.integers(1, 20_000), max_size=30))
def test_not_after_matches_the_columns_up_to_the_value(value: int, candidates: list[int]) -> None:
    pattern = "^" + _not_after(column_letters(value), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "A") + "$"
    matched = pl.Series([column_letters(c) for c in candidates], dtype=pl.String)
    matched = matched.str.contains(pattern)
    assert matched.to_list() == [c <= value for c in candidates]


def test_column_numbers() -> None:
    assert [column_number(c) for c in (b"A", b"Z", b"AA", b"AZ", b"XFD")] == [1, 26, 27, 52, 16384]
    assert [column_letters(n) for n in (1, 26, 27, 52, 16384)] == ["A", "Z", "AA", "AZ", "XFD"]


def test_parts_are_inflated_by_isal_and_read_the_same_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = sheet_workbook(tmp_path / "big.xlsx", usual_rows(1, 24_000, COLUMNS))
    with zipfile.ZipFile(book) as z, open_part(z, "xl/worksheets/sheet1.xml") as xml:
        assert type(xml._decompressor).__module__.startswith("isal")  # type: ignore[attr-defined]
        with_isal = xml.read()
    monkeypatch.setitem(sys.modules, "isal", None)  # as if it were not installed
    with zipfile.ZipFile(book) as z, open_part(z, "xl/worksheets/sheet1.xml") as xml:
        assert with_isal == xml.read()
    assert extent(book) == (24_000, 12)
