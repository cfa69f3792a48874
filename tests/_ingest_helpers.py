"""Builders for ingest tests: small submission workbooks and CSV files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"

# The template's header row (a subset of the catalog, in the template's Chinese).
HEADER = [
    "机构代码",
    "机构名称",
    "所属区县",
    "机构类别",
    "医院等级",
    "城乡",
    "报告期",
    "总诊疗人次",
    "中医诊疗人次",
    "服务常住人口",
    "签约人数",
]

# Three facilities of 东县, 2024Q3: all valid.
EAST = [
    ["A001", "东县人民医院", "东县", "综合医院", "三级", "城市", "2024Q3", 1000, 100, None, None],
    [
        "A002",
        "东关社区卫生服务中心",
        "东县",
        "社区卫生服务中心",
        None,
        "城市",
        "2024Q3",
        500,
        200,
        10000,
        4000,
    ],
    ["A003", "东乡卫生院", "东县", "乡镇卫生院", None, "农村", "2024Q3", 800, 300, 20000, 9000],
]


def write_workbook(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """A workbook with the given sheets, each a list of rows written from A1."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def write_submission(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    header: Sequence[str] = tuple(HEADER),
    sheet: str = "东县",
) -> Path:
    """One sheet: the header on row 1, then ``rows`` (so data row i is Excel row i + 1)."""
    return write_workbook(path, {sheet: [list(header), *rows]})


def with_cells(base: Sequence[object], **cells: object) -> list[object]:
    """A copy of a row of HEADER with some cells replaced, by header: with_cells(r, 城乡=None)."""
    row = list(base)
    for header, value in cells.items():
        row[HEADER.index(header)] = value
    return row


def write_csv(path: Path, rows: Sequence[Sequence[object]], *, encoding: str = "utf-8") -> Path:
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path
