"""The used range of .ods sheets (ingest/ods_extent.py): each small case's extent is
checked against calamine itself, reading the same file (fastexcel: its height and
width), and a few hundred bytes asking for 100 million cells are refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import fastexcel
import pytest
from test_hostile_inputs import ingest

from kpi_audit.ingest.limits import Limits, check_workbook
from kpi_audit.ingest.ods_extent import scan_ods

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
    'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)
V = (
    '<table:table-cell office:value-type="float" office:value="1">'
    "<text:p>1</text:p></table:table-cell>"
)


def ods(path: Path, *tables: str) -> Path:
    """An .ods workbook whose sheets S1, S2 … hold ``tables`` (their rows, as XML)."""
    sheets = "".join(
        f'<table:table table:name="S{i}">{body}</table:table>' for i, body in enumerate(tables, 1)
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} '
        f'office:version="1.2"><office:body><office:spreadsheet>{sheets}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", _MANIFEST)
        z.writestr("content.xml", content)
    return path


def scanned(book: Path) -> list[tuple[str, int, int]]:
    """Each sheet's last reported extent."""
    seen: dict[str, tuple[int, int]] = {}
    with zipfile.ZipFile(book) as z, z.open("content.xml") as xml:
        scan_ods(xml, lambda sheet, rows, cols: seen.__setitem__(sheet, (rows, cols)))
    return [(sheet, *extent) for sheet, extent in seen.items()]


def row(*cells: str, repeat: int = 0) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat else ""
    return f"<table:table-row{repeated}>{''.join(cells)}</table:table-row>"


def empty(n: int = 1, style: str = "") -> str:
    styled = f' table:style-name="{style}"' if style else ""
    return f'<table:table-cell table:number-columns-repeated="{n}"{styled}/>'


@pytest.mark.parametrize(
    ("body", "rows", "columns"),
    [
        # LibreOffice's padding: a million empty rows of 1,024 empty cells
        (row(V) + row(empty(1024), repeat=1_048_575), 1, 1),
        (row(V, empty(16_000)), 1, 1),  # trailing empty cells
        (row(V, empty(3, "ce1"), V), 1, 5),  # empty cells between values count
        (row(V, repeat=3), 3, 1),  # a repeated row with a value
        (  # a repeated cell with a value
            row(
                V.replace(
                    "<table:table-cell ", '<table:table-cell table:number-columns-repeated="4" '
                )
            ),
            1,
            4,
        ),
        # leading empty rows and cells are not allocated
        (
            row(empty(), repeat=5)
            + row('<table:covered-table-cell table:number-columns-repeated="7"/>', V),
            1,
            1,
        ),
        (row('<table:table-cell office:value-type="string"></table:table-cell>') + row(V), 2, 1),
        (f"<table:table-header-rows>{row(V)}</table:table-header-rows>{row(V)}", 2, 1),
        (f"<table:table-row-group>{row(empty(), repeat=4)}{row(V)}</table:table-row-group>", 1, 1),
        (row(V) + row(empty(2000), repeat=400) + row(V), 402, 1),  # empty rows between
        (row(V) + row(empty(), repeat=400) + row(empty(200), V), 402, 201),
        (row(V) + "<table:table-row/>" * 3 + row(empty(2), V), 5, 3),  # empty row elements
    ],
)
def test_the_extent_is_calamines(tmp_path: Path, body: str, rows: int, columns: int) -> None:
    book = ods(tmp_path / "t.ods", body)
    sheet = fastexcel.read_excel(book.read_bytes()).load_sheet(0, header_row=None, dtypes="string")
    assert (sheet.height, sheet.width) == (rows, columns)  # calamine's own
    assert scanned(book) == [("S1", rows, columns)]


def test_each_sheet_has_its_extent(tmp_path: Path) -> None:
    book = ods(tmp_path / "t.ods", row(V, V), row(V) + row(V, repeat=9))
    assert scanned(book) == [("S1", 1, 2), ("S2", 10, 1)]


def test_a_table_nested_in_a_cell_leaves_the_outer_sheets_extent(tmp_path: Path) -> None:
    nested = (
        '<table:table-cell office:value-type="string"><table:table table:name="inner">'
        f"{row(V, V, V)}</table:table></table:table-cell>"
    )
    book = ods(tmp_path / "t.ods", row(nested) + row(empty(5), V))
    assert scanned(book) == [("inner", 1, 3), ("S1", 2, 6)]


def test_a_far_value_is_refused_before_calamine_reads_it(tmp_path: Path) -> None:
    # 49,992 × 2,000 cells: calamine took 17 s and 6.3 GB of memory to read these
    # few hundred bytes
    book = ods(tmp_path / "far.ods", row(V) + row(empty(), repeat=49_990) + row(empty(1999), V))
    assert book.stat().st_size < 1_000
    with pytest.raises(Exception, match=r"the used range is 49,992 rows × 2,000 columns"):
        check_workbook(book, book.read_bytes(), Limits())
    assert check_workbook(book, book.read_bytes(), Limits(max_cells=100_000_000)).formulas == set()


def test_a_far_value_in_an_ods_is_refused_by_ingest(tmp_path: Path) -> None:
    book = ods(tmp_path / "far.ods", row(V) + row(empty(), repeat=49_990) + row(empty(1999), V))
    measured, err = ingest(tmp_path, book)
    assert measured["code"] == 3 and measured["peak_mib"] < 400
    assert err.startswith(
        "error: far.ods, sheet S1: refused: the used range is 49,992 rows × 2,000 columns "
        "(99,984,000 cells), more than the limit of 25,000,000 cells"
    )


def test_an_ods_without_a_mimetype_is_still_scanned() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "content.xml",
            f"<office:document-content {_NS}><table:table table:name='S'>"
            + row(V, repeat=2_000_000)
            + "</table:table></office:document-content>",
        )
    with pytest.raises(Exception, match=r"the used range has 2,000,000 rows"):
        check_workbook(Path("x.ods"), buffer.getvalue(), Limits())
