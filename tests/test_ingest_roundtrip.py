"""Ingest round trips: whatever valid rows an institution writes, in whichever of the
accepted spellings and file formats, the store holds exactly those values."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_audit.core.fields import AREAS, HOSPITAL_TYPES, ORG_TYPES
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.store.db import connect

HEADER = ["机构代码", "机构名称", "所属区县", "机构类别", "医院等级", "城乡", "报告期",
          "总诊疗人次", "中医诊疗人次", "服务常住人口", "签约人数"]  # fmt: skip
COLUMNS = ["org_code", "org_name", "county", "org_type", "hospital_grade", "area", "period",
           "total_visits", "tcm_visits", "resident_population", "signed_residents"]  # fmt: skip
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def institution(draw: st.DrawFn, code: str) -> dict[str, object]:
    org_type = draw(st.sampled_from(ORG_TYPES))
    total = draw(st.one_of(st.none(), st.integers(0, 5_000_000)))
    tcm = None if total is None else draw(st.one_of(st.none(), st.integers(0, total)))
    population = draw(st.one_of(st.none(), st.integers(0, 2_000_000)))
    signed = None if population is None else draw(st.integers(0, population))
    return {
        "org_code": code,
        "org_name": draw(
            st.text(
                st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=2, max_size=12
            )
        ),
        "county": draw(st.sampled_from(["东县", "西区", "南山县"])),
        "org_type": org_type,
        "hospital_grade": draw(st.sampled_from(["三级", "二级"]))
        if org_type in HOSPITAL_TYPES
        else None,
        "area": draw(st.sampled_from(AREAS)),
        "period": "2024Q3",
        "total_visits": total,
        "tcm_visits": tcm,
        "resident_population": population,
        "signed_residents": signed,
    }


@st.composite
def submissions(draw: st.DrawFn) -> list[dict[str, object]]:
    n = draw(st.integers(1, 12))
    # codes with leading zeros and letters, as 统一社会信用代码 and local numbers have
    codes = draw(st.lists(st.from_regex(r"\A[0-9][0-9A-Z]{5,17}\Z"), min_size=n, max_size=n,
                          unique=True))  # fmt: skip
    return [draw(institution(code)) for code in codes]


def _spelled(value: object, style: str) -> object:
    """A count as an office might type it: a number, text with thousands separators, or
    full-width digits padded with spaces."""
    if not isinstance(value, int):
        return value
    if style == "number":
        return value
    if style == "thousands":
        return f"{value:,}"
    return f" {str(value).translate(FULL_WIDTH)} "


def _write(rows: list[dict[str, object]], path: Path, fmt: str, style: str) -> None:
    table = [[_spelled(r[c], style) for c in COLUMNS] for r in rows]
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["某区医疗机构运行情况报表（2024年第三季度）"])  # a title row above the header
        ws.append(HEADER)
        for row in table:
            ws.append(row)
        wb.save(path)
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(["" if v is None else v for v in row] for row in table)
        path.write_bytes(out.getvalue().encode("gb18030" if fmt == "gb18030" else "utf-8-sig"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=submissions(),
    fmt=st.sampled_from(["xlsx", "gb18030", "utf-8-sig"]),
    style=st.sampled_from(["number", "thousands", "full_width"]),
)
def test_valid_rows_come_back_exactly(rows: list[dict[str, object]], fmt: str, style: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("s.xlsx" if fmt == "xlsx" else "s.csv")
        _write(rows, path, fmt, style)
        con = connect(":memory:")
        try:
            report = ingest_paths(con, [path])
            assert report.rows_rejected == 0, report.issues
            stored = con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM current_submissions ORDER BY org_code"
            ).fetchall()
        finally:
            con.close()
    expected = sorted(tuple(r[c] for c in COLUMNS) for r in rows)
    assert stored == expected
