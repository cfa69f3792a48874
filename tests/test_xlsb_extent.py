"""The used range of .xlsb sheets (ingest/xlsb_extent.py): each small case's extent is
checked against calamine itself, reading the same workbook (fastexcel: its height and
width), and a 1.3 KB workbook with one value at XFD1048576 is refused."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import fastexcel
import pytest
from test_hostile_inputs import ingest

from kpi_audit.ingest.limits import Limits, check_workbook
from kpi_audit.ingest.xlsb_extent import xlsb_sheet_parts


def _varint(n: int) -> bytes:
    out = b""
    while True:
        low, n = n & 0x7F, n >> 7
        if not n:
            return out + bytes([low])
        out += bytes([low | 0x80])


def record(typ: int, data: bytes = b"") -> bytes:
    return _varint(typ) + _varint(len(data)) + data


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def row_header(row: int) -> bytes:
    return record(0x0000, struct.pack("<IIHBBBI", row, 0, 300, 0, 0, 0, 0))


def real(column: int, value: float) -> bytes:  # BrtCellReal
    return record(0x0005, struct.pack("<II", column, 0) + struct.pack("<d", value))


def blank(column: int) -> bytes:  # BrtCellBlank: an empty cell with a style
    return record(0x0001, struct.pack("<II", column, 0))


def formula_number(column: int, value: float) -> bytes:  # BrtFmlaNum, no formula bytes
    cell = struct.pack("<II", column, 0) + struct.pack("<d", value)
    return record(0x0009, cell + struct.pack("<HI", 0, 0) + struct.pack("<I", 0))


_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns='
    '"http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" '
    'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default '
    'Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
    "</Relationships>"
)


def xlsb(path: Path, *sheets: bytes) -> Path:
    """A binary workbook whose sheets S1, S2 … hold ``sheets`` (their cell records)."""
    bundles = b"".join(
        record(0x009C, struct.pack("<II", 0, i) + _wide(f"rId{i}") + _wide(f"S{i}"))
        for i in range(1, len(sheets) + 1)
    )
    book = record(0x0083) + record(0x008F) + bundles + record(0x0090) + record(0x0084)
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{i}.bin"/>'
        for i in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.bin", book)
        z.writestr(
            "xl/_rels/workbook.bin.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i, cells in enumerate(sheets, 1):
            dimension = record(0x0094, struct.pack("<IIII", 0, 1, 0, 1))  # says A1:B2
            data = record(0x0081) + dimension + record(0x0091) + cells + record(0x0092)
            z.writestr(f"xl/worksheets/sheet{i}.bin", data + record(0x0082))
    return path


def refused_extent(book: Path) -> tuple[int, int]:
    """(rows, columns) the check finds: read from the refusal with a limit of 0 cells."""
    try:
        check_workbook(book, book.read_bytes(), Limits(max_cells=0))
    except Exception as exc:
        text = str(exc)
        rows = int(text.split("the used range is ")[1].split(" rows")[0].replace(",", ""))
        columns = int(text.split(" rows × ")[1].split(" columns")[0].replace(",", ""))
        return rows, columns
    return 0, 0


@pytest.mark.parametrize(
    ("cells", "rows", "columns"),
    [
        (row_header(0) + real(0, 1) + real(1, 2) + row_header(5) + real(3, 3), 6, 4),
        (row_header(3) + real(2, 1), 1, 1),  # leading empty rows and columns: not allocated
        (row_header(0) + real(0, 1) + row_header(900) + blank(700), 1, 1),  # a blank is empty
        (row_header(0) + real(0, 1) + row_header(40) + formula_number(30, 2), 41, 31),
        (row_header(7) + real(4, 1) + row_header(2) + real(9, 1), 6, 6),  # rows out of order
    ],
)
def test_the_extent_is_calamines(tmp_path: Path, cells: bytes, rows: int, columns: int) -> None:
    book = xlsb(tmp_path / "t.xlsb", cells)
    sheet = fastexcel.read_excel(book.read_bytes()).load_sheet(0, header_row=None, dtypes="string")
    assert (sheet.height, sheet.width) == (rows, columns)  # calamine's own
    assert refused_extent(book) == (rows, columns)


def test_the_sheets_are_found_from_the_workbook(tmp_path: Path) -> None:
    book = xlsb(tmp_path / "t.xlsb", row_header(0) + real(0, 1), row_header(0) + real(0, 1))
    with zipfile.ZipFile(book) as z:
        assert xlsb_sheet_parts(z) == {
            "S1": "xl/worksheets/sheet1.bin",
            "S2": "xl/worksheets/sheet2.bin",
        }


def test_a_value_at_xfd1048576_in_an_xlsb_is_refused_by_ingest(tmp_path: Path) -> None:
    cells = row_header(0) + real(0, 1) + row_header(1_048_575) + real(16_383, 3)
    book = xlsb(tmp_path / "far.xlsb", cells)
    assert book.stat().st_size < 2_000
    measured, err = ingest(tmp_path, book)
    # calamine aborted the process: "memory allocation of 549755813888 bytes failed"
    assert measured["code"] == 3 and measured["peak_mib"] < 400
    assert err.startswith(
        "error: far.xlsb, sheet S1: refused: the used range is 1,048,576 rows × 16,384 "
        "columns (17,179,869,184 cells), more than the limit of 25,000,000 cells"
    )
