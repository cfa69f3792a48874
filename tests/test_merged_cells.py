"""Merged cells over data rows: 区县 merged down over its institutions is filled into
every row; a count, code or name merged down is not (it would be counted or identified
once per row) and is said."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from _ingest_helpers import EAST, HEADER

from kpi_audit.ingest.limits import Limits, check_workbook
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.ingest.merged import MAX_MERGES, MergeCollector
from kpi_audit.ingest.prepare import prepare_file


def _merged_book(path: Path, merges: list[str], blank: dict[int, list[int]]) -> Path:
    """A title row merged across (A1:K1), the header, then EAST's three rows (rows 3–5)
    with the cells ``blank`` names (data row index → column indexes) left empty, as
    Excel leaves the cells a merge covers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "东县"
    ws.append(["东县 2024 年第三季度报表"])
    ws.merge_cells("A1:K1")
    ws.append(HEADER)
    for i, row in enumerate(EAST):
        values = list(row)
        for c in blank.get(i, []):
            values[c] = None
        ws.append(values)
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def test_a_county_merged_down_is_filled_into_every_row(tmp_path: Path) -> None:
    # 所属区县 (C) merged over rows 3–5, 城乡 (F) over rows 3–4
    book = _merged_book(tmp_path / "merged_county_column.xlsx", ["C3:C5", "F3:F4"], {
        1: [2, 5],
        2: [2],
    })  # fmt: skip
    prepared = prepare_file(book, book.read_bytes())
    rows = prepared.rows.select("org_code", "county", "area", "_status").rows()
    assert rows == [
        ("A001", "东县", "城市", "loaded"),
        ("A002", "东县", "城市", "loaded"),
        ("A003", "东县", "农村", "loaded"),
    ]
    notices = prepared.issues.filter(code="merged_filled")
    assert notices.select("row", "field", "severity").rows() == [
        (3, "county", "notice"),
        (3, "area", "notice"),
    ]
    assert notices.get_column("message_zh").to_list() == [
        "「所属区县」有 1 处合并单元格（C3:C5）：已把各自首行的值填入下方各行",
        "「城乡」有 1 处合并单元格（F3:F4）：已把各自首行的值填入下方各行",
    ]


def test_a_count_or_a_code_merged_down_is_not_copied(tmp_path: Path) -> None:
    # 总诊疗人次 (H) merged over rows 3–4, 机构代码 (A) over rows 4–5
    book = _merged_book(tmp_path / "merged_count_and_code.xlsx", ["H3:H4", "A4:A5"], {
        1: [7],
        2: [0],
    })  # fmt: skip
    prepared = prepare_file(book, book.read_bytes())
    rows = prepared.rows.select("org_code", "total_visits", "_status").rows()
    # A002's visits stay blank (missing, never 1000 twice); the row without a code is
    # rejected as before, now with the reason beside it
    assert rows == [("A001", 1000, "loaded"), ("A002", None, "loaded"), (None, 800, "rejected")]
    said = prepared.issues.filter(code="merged_not_filled")
    assert said.select("row", "field", "severity").rows() == [
        (3, "total_visits", "warning"),
        (4, "org_code", "warning"),
    ]
    assert said.get_column("message_en")[0] == (
        "总诊疗人次: 1 merged cell(s) (H3:H4): each value belongs to its first row only and "
        "the rows below read as blank (a count, code or name is never copied down); unmerge "
        "the cells and fill each row"
    )


def test_merges_in_the_header_and_across_a_row_change_nothing(tmp_path: Path) -> None:
    book = _merged_book(tmp_path / "merged_across_only.xlsx", ["I3:J3"], {0: [9]})
    prepared = prepare_file(book, book.read_bytes())
    assert not prepared.issues.filter(pl.col("code").str.starts_with("merged")).height
    assert prepared.rows.get_column("_status").to_list() == ["loaded"] * 3


def test_the_county_reaches_the_store(store, tmp_path: Path) -> None:
    book = _merged_book(tmp_path / "merged_county_column.xlsx", ["C3:C5"], {1: [2], 2: [2]})
    (f,) = ingest_paths(store, [book]).files
    assert (f.status, f.rows_loaded) == ("loaded", 3)
    counties = store.execute("SELECT DISTINCT county FROM submissions").fetchall()
    assert counties == [("东县",)]


def test_check_workbook_lists_each_sheets_merges(tmp_path: Path) -> None:
    book = _merged_book(tmp_path / "b.xlsx", ["C3:C5"], {1: [2], 2: [2]})
    scan = check_workbook(book, book.read_bytes(), Limits())
    assert scan.merged == {"东县": ((1, 1, 1, 11), (3, 3, 5, 3))}
    assert scan.formulas == set()


@pytest.mark.parametrize("cut", range(1, 40))
def test_a_merge_tag_cut_between_two_chunks_is_found(cut: int) -> None:
    xml = b"<sheetData/><x:mergeCells count=\"1\"><x:mergeCell ref='c3:C15'/></x:mergeCells>"
    start = xml.index(b"<x:mergeCell ")
    collector = MergeCollector()
    collector.feed(xml[: start + cut])
    collector.feed(xml[start + cut :])
    assert collector.ranges() == ((3, 3, 15, 3),)


def test_a_hostile_count_of_merges_is_capped() -> None:
    collector = MergeCollector()
    tags = b"".join(b'<mergeCell ref="A%d:A%d"/>' % (2 * i + 1, 2 * i + 2) for i in range(30_000))
    collector.feed(tags)
    assert len(collector.ranges()) == MAX_MERGES


def test_a_sheet_name_with_an_ampersand_keeps_its_merges(tmp_path: Path) -> None:
    """workbook.xml writes 东县&amp;西县; calamine names the sheet 东县&西县."""
    book = _merged_book(tmp_path / "merged_sheet_name_ampersand.xlsx", ["C3:C5"], {
        1: [2],
        2: [2],
    })  # fmt: skip
    wb = openpyxl.load_workbook(book)
    wb["东县"].title = "东县&西县"
    wb.save(book)
    prepared = prepare_file(book, book.read_bytes())
    assert prepared.rows.get_column("county").to_list() == ["东县"] * 3
    assert check_workbook(book, book.read_bytes(), Limits()).merged.keys() == {"东县&西县"}


def test_many_merges_of_one_column_are_one_notice(tmp_path: Path) -> None:
    """A county merged in blocks of two down 40 institutions: one notice naming the
    first five ranges, every row filled."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(40):
        county = "东县" if i % 2 == 0 else None
        ws.append([f"A{i:03d}", f"机构{i}", county, "诊所", None, "城市", "2024Q3", 10, 1])
    for i in range(20):
        ws.merge_cells(f"C{2 * i + 2}:C{2 * i + 3}")
    book = tmp_path / "merged_county_in_blocks.xlsx"
    wb.save(book)
    prepared = prepare_file(book, book.read_bytes())
    assert prepared.rows.get_column("county").to_list() == ["东县"] * 40
    (message,) = prepared.issues.filter(code="merged_filled").get_column("message_zh")
    assert message == (
        "「所属区县」有 20 处合并单元格（C2:C3、C4:C5、C6:C7、C8:C9、C10:C11 …）："
        "已把各自首行的值填入下方各行"
    )


def test_a_header_merged_down_into_the_data_is_said(tmp_path: Path) -> None:
    """所属区县's header cell merged down over the data (C1:C4): the rows have no
    county (rejected as before), and the warning names the merge; a range past the
    last data row fills the rows there are, named as Excel shows it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in EAST:
        ws.append([*row[:2], None, *row[3:]])
    ws.merge_cells("C1:C4")
    ws.merge_cells("F2:F500")
    book = tmp_path / "merged_from_the_header.xlsx"
    wb.save(book)
    prepared = prepare_file(book, book.read_bytes())
    assert prepared.rows.get_column("_status").to_list() == ["rejected"] * 3
    said = prepared.issues.filter(pl.col("code").str.starts_with("merged"))
    assert said.select("row", "field", "code", "severity").rows() == [
        (1, "county", "merged_from_header", "warning"),
        (2, "area", "merged_filled", "notice"),
    ]
    assert said.get_column("message_zh")[1] == (
        "「城乡」有 1 处合并单元格（F2:F500）：已把各自首行的值填入下方各行"
    )
    assert prepared.rows.get_column("area").to_list() == ["城市"] * 3


def test_header_cells_merged_over_a_blank_second_header_row_say_nothing(
    tmp_path: Path,
) -> None:
    """Each header cell merged over rows 1–2 (a two-row header drawn as one): row 2 is no
    data row, so nothing is blank because of it and no merged_from_header is said."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "东县"
    ws.append(HEADER)
    ws.append([None] * len(HEADER))
    for row in EAST:
        ws.append(list(row))
    for i in range(len(HEADER)):
        letter = openpyxl.utils.get_column_letter(i + 1)
        ws.merge_cells(f"{letter}1:{letter}2")
    book = tmp_path / "header_merged_over_two_rows.xlsx"
    wb.save(book)
    prepared = prepare_file(book, book.read_bytes())
    assert prepared.rows.height == 3
    assert prepared.issues.filter(pl.col("code").str.starts_with("merged_")).height == 0
