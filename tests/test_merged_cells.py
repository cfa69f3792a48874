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
        "第 3–5 行「所属区县」是合并单元格（C3:C5）：已把首行的「东县」填入下方各行",
        "第 3–4 行「城乡」是合并单元格（F3:F4）：已把首行的「城市」填入下方各行",
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
        "rows 3–4, 总诊疗人次: merged cell H3:H4: '1000' belongs to row 3 only and the rows "
        "below read as blank (a count, code or name is never copied down); unmerge the cells "
        "and fill each row"
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
