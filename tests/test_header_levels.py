"""Two-level (merged) headers: read as parent + child labels, or refused in one line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from _ingest_helpers import EAST, FIXTURES, HEADER, write_csv

from kpi_audit.core.errors import InputError
from kpi_audit.ingest.header_levels import is_sub_header, two_levels
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.ingest.prepare import prepare_file

SINGLE = ["机构代码", "机构名称", "所属区县", "机构类别", "医院等级", "城乡", "报告期"]


def _prepared(path: Path):
    return prepare_file(path, path.read_bytes())


def test_children_under_merged_parents_are_the_fields(store) -> None:
    path = FIXTURES / "two_level_merged_header.xlsx"
    prepared = _prepared(path)
    (sheet,) = prepared.read.sheets
    assert sheet.header_row == 1
    assert sheet.unknown == []
    assert {f: sheet.headers[f] for f in sheet.headers if "/" in sheet.headers[f]} == {
        "total_visits": "诊疗人次 / 总诊疗人次",
        "tcm_visits": "诊疗人次 / 中医诊疗人次",
        "resident_population": "签约情况 / 服务常住人口",
        "signed_residents": "签约情况 / 签约人数",
    }
    # row 2 is the second header row, not a bad data row; EAST from row 3
    rows = prepared.rows.select(
        "_row", "org_code", "total_visits", "tcm_visits", "resident_population", "signed_residents"
    ).rows()
    assert rows == [
        (3, "A001", 1000, 100, None, None),
        (4, "A002", 500, 200, 10000, 4000),
        (5, "A003", 800, 300, 20000, 9000),
    ]
    (f,) = ingest_paths(store, [path]).files
    assert (f.status, f.rows_loaded, f.rows_rejected, f.issues.height) == ("loaded", 3, 0, 0)


def test_children_that_mean_no_field_refuse_the_file(store) -> None:
    path = FIXTURES / "two_level_header_unmatched.xlsx"
    message = (
        "the header has two levels (rows 1 and 2) and 诊疗人次 / 合计, 诊疗人次 / 其中：中医 "
        "match no field: write one header row with the template's headers "
        "(such as 总诊疗人次, 中医诊疗人次)"
    )
    with pytest.raises(InputError) as caught:
        _prepared(path)
    assert caught.value.message == message
    (f,) = ingest_paths(store, [path]).files
    assert f.status == "failed"
    assert f.error == f"{path}, sheet 东县, row 1: {message}"


def test_a_child_reads_with_its_parent(tmp_path: Path) -> None:
    # 总 / 中医 under 诊疗人次 mean 总诊疗人次 / 中医诊疗人次; 报告期 below a title
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["东县 2024 年第三季度"])
    ws.append([*SINGLE, "诊疗人次", None])
    ws.append([None] * len(SINGLE) + ["总", "中医"])
    ws.merge_cells("H2:I2")
    ws.append(EAST[0][:9])
    path = tmp_path / "short_children.xlsx"
    wb.save(path)
    prepared = _prepared(path)
    assert prepared.read.sheets[0].headers["tcm_visits"] == "诊疗人次 / 中医"
    assert prepared.rows.select("_row", "total_visits", "tcm_visits").rows() == [(4, 1000, 100)]


def test_a_csv_with_two_header_lines(tmp_path: Path) -> None:
    header = [*SINGLE, "诊疗人次", None]
    below = [None] * len(SINGLE) + ["总诊疗人次", "中医诊疗人次"]
    path = write_csv(tmp_path / "two_lines.csv", [header, below, *(r[:9] for r in EAST)])
    prepared = _prepared(path)
    assert prepared.issues.height == 0
    assert prepared.rows.get_column("tcm_visits").to_list() == [100, 200, 300]


def test_what_is_no_sub_header() -> None:
    data = EAST[0]
    texts = [None if v is None else str(v) for v in data]
    assert not is_sub_header(HEADER, texts)  # a data row: it has an org_code
    units = [None] * 7 + ["人次", "人次", "人", "人"]
    assert not is_sub_header(HEADER, units)  # units under headed columns
    assert not is_sub_header(HEADER, [None] * len(HEADER))  # a blank row
    assert is_sub_header([*SINGLE, "诊疗人次", None], [None] * 7 + ["总诊疗人次", "中医诊疗人次"])


def test_labels_of_two_levels() -> None:
    labels, unmatched = two_levels(
        ["机构代码", "诊疗人次", None, "备注", None],
        [None, "总诊疗人次", "其他", None, "说明"],
    )
    assert [(lb.shown, lb.field) if lb else None for lb in labels] == [
        ("机构代码", "org_code"),
        ("诊疗人次 / 总诊疗人次", "total_visits"),
        ("诊疗人次 / 其他", None),
        ("备注", None),
        ("备注 / 说明", None),
    ]
    assert unmatched == ["诊疗人次 / 其他", "备注 / 说明"]
