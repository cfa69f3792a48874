"""The Excel workbook, read back with openpyxl (and LibreOffice when installed)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from _report_helpers import (
    AT_NAME,
    FORMULA_NAME,
    XSS_NAME,
    make_result,
    many_facilities_behind,
    result_rows,
)
from openpyxl import load_workbook

from kpi_audit.core.result import RESULT_SCHEMA
from kpi_audit.render import xlsx as xlsx_module
from kpi_audit.render.xlsx import write_xlsx
from kpi_audit.render.xlsx_bytes import utf8_bytes, write_behind


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    write_xlsx(make_result(), path)
    return path


@pytest.fixture(scope="module")
def wb(workbook_path: Path):
    return load_workbook(workbook_path)


def _rows(ws, first: int) -> list[tuple]:
    return list(ws.iter_rows(min_row=first, values_only=True))


def _find(ws, first_row: int, **match: object):
    """The cells of the first data row whose columns (by header) equal ``match``."""
    header = [c.value for c in ws[first_row]]
    for row in ws.iter_rows(min_row=first_row + 1):
        values = dict(zip(header, (c.value for c in row), strict=False))
        if all(values.get(k) == v for k, v in match.items()):
            return dict(zip(header, row, strict=False))
    raise AssertionError(f"no row {match}")


def test_sheets_are_named_in_chinese_and_ordered(wb) -> None:
    assert wb.sheetnames == [
        "首页",
        "汇总",
        "图表",
        "市级",
        "县级",
        "机构",
        "数据问题",
        "完整性",
        "依据",
    ]


def test_english_sheet_names_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "en.xlsx"
    write_xlsx(make_result(), path, lang="en")
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Overview",
        "Summary",
        "Charts",
        "City",
        "County",
        "Facility",
        "Data issues",
        "Completeness",
        "Sources",
    ]
    assert wb["County"]["D1"].value == "Value"
    assert wb["County"]["G1"].value == "Status"
    assert wb["County"]["G2"].value == "✘ behind target"


def test_summary_row_for_primary_visit_share(wb) -> None:
    ws = wb["汇总"]
    assert ws["A1"].value == "河川市 2024Q3 医改目标监测报告"
    # the totals line: 25 pass, 18 fail, 1 warn, 18 not evaluable (target × unit rows)
    # one cell per status, word and count together (never a count under the next word)
    assert [c.value for c in ws[3]][:5] == [
        "总体情况",
        "✔ 达标 25",
        "✘ 未达标 18",
        "! 预警 1",
        "? 无法评估 18",
    ]
    row = _find(ws, 5, 目标编号="zz-primary-visit-share")
    assert row["要求"].value == "≥ 65%"
    assert row["目标值"].value == 0.65 and row["目标值"].number_format == "0.0%"
    assert row["起始年份"].value == 2017
    # city: 871000 / 1570000 = 0.55478 → behind by 0.09522
    assert row["全市数值"].value == pytest.approx(871000 / 1570000)
    assert row["全市数值"].number_format == "0.0%"
    assert row["差距"].value == pytest.approx(871000 / 1570000 - 0.65)
    assert row["全市状态"].value == "✘ 未达标"
    assert row["全市状态"].fill.fgColor.rgb == "00FFC7CE"
    # counties: 西县 北县 山阳县 pass; 东县 河口区 fail; 南县 warn; 临川县 no data
    assert [row[k].value for k in ("达标区县", "未达标区县", "预警区县", "无法评估区县")] == [
        3,
        2,
        1,
        1,
    ]
    assert (
        row["依据"].value
        == "郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号） 三、(一)2"
    )


def test_plain_number_indicator_is_not_a_percentage(wb) -> None:
    row = _find(wb["汇总"], 5, 目标编号="zz-gp-per-10000")
    assert row["要求"].value == "≥ 2/万人"
    # 447 / 2160000 × 10000 = 2.0694
    assert row["全市数值"].value == pytest.approx(2.069444, abs=1e-6)
    assert row["全市数值"].number_format == "#,##0.00"


def test_county_sheet_rows_are_numbers_worst_first(wb) -> None:
    ws = wb["县级"]
    header = [c.value for c in ws[1]]
    assert header == [
        "目标编号",
        "指标",
        "单位",
        "数值",
        "目标值",
        "差距",
        "状态",
        "分子",
        "分母",
        "原因",
        "目标集",
        "排名",
        "排名变化（环比）",
        "排名变化（同比）",
        "上期数值（环比）",
        "上年同期数值（同比）",
    ]
    assert ws.max_row == 1 + 7 * 7  # 7 targets × 7 counties
    first = [c for c in ws[2]]
    # the first target's worst county: 河口区 150000/400000 = 0.375
    assert [c.value for c in first[:3]] == ["zz-primary-visit-share", "基层诊疗量占比", "河口区"]
    assert first[3].value == 0.375 and first[3].data_type == "n"
    assert first[3].number_format == "0.0%"
    assert first[7].value == 150000 and first[7].number_format == "#,##0"
    assert first[6].value == "✘ 未达标"
    for row in ws.iter_rows(min_row=2):
        for cell in (row[3], row[4], row[5], row[7], row[8]):
            assert cell.value is None or isinstance(cell.value, int | float), cell.coordinate


def test_facility_names_that_look_like_formulas_stay_text(wb, workbook_path: Path) -> None:
    ws = wb["机构"]
    names = {row[2].value: row[3] for row in ws.iter_rows(min_row=2)}
    for code, text in (("H002", FORMULA_NAME), ("H003", AT_NAME), ("H004", XSS_NAME)):
        assert names[code].value == text
        assert names[code].data_type == "s"
    assert names["H002"].quotePrefix and names["H003"].quotePrefix
    issue_value = _find(wb["数据问题"], 1, 机构代码="N0001")
    assert issue_value["填报值"].value == "=1+1" and issue_value["填报值"].data_type == "s"
    with zipfile.ZipFile(workbook_path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) for n in sheets)


def test_headers_frozen_and_filtered(wb) -> None:
    expected = {
        "汇总": ("D6", "A5:P12"),  # P: 参考值
        "市级": ("D2", "A1:K8"),
        "县级": ("D2", "A1:P50"),
        "机构": ("E2", "A1:M7"),
        "数据问题": ("A2", "A1:J8"),
        "完整性": ("A10", "A9:E13"),
        "依据": ("A5", "A4:J11"),  # below the registers used (none here: one line)
    }
    for name, (freeze, ref) in expected.items():
        assert (wb[name].freeze_panes, wb[name].auto_filter.ref) == (freeze, ref), name


def test_columns_are_wide_enough_for_chinese(wb) -> None:
    ws = wb["县级"]
    # 三级医院普通门诊量年下降率: 13 CJK characters count as 26
    assert ws.column_dimensions["B"].width >= 26
    assert ws.column_dimensions["D"].width >= 8


def test_completeness_and_sources(wb) -> None:
    ws = wb["完整性"]
    assert [tuple(r[:2]) for r in _rows(ws, 1)[:7]] == [
        ("应报依据", "上期已报的机构"),
        ("应报机构数", 401),
        ("本期已报机构数", 398),
        ("已上报但全部数据行被拒绝的机构", 0),
        ("未报机构数", 3),
        ("被拒绝的数据行", 3),
        ("无数据的区县", "临川县"),
    ]
    listed = {(r[1], r[2]) for r in _rows(ws, 10)}
    assert {("临川县", None), ("南县", "N0301"), ("北县", "B0410"), ("临川县", "L0001")} == listed
    src = _find(wb["依据"], 4, 目标编号="zj-signing")
    assert (src["文件名称"].value, src["文号"].value, src["条款"].value) == (
        "关于开展县域医共体建设试点工作的指导意见",
        "浙医改办〔2017〕7号",
        "二、(三)",
    )
    assert src["原文"].value == "区域人群签约率达到50%以上。"


def test_native_bar_charts_with_threshold_line(wb, workbook_path: Path) -> None:
    ws = wb["图表"]
    # six targets have county values (县域内就诊率 has none)
    assert len(ws._charts) == 6
    assert [c.value for c in ws[2]] == ["所属区县", "数值", "目标值"]
    assert (ws["A3"].value, ws["B3"].value, ws["C3"].value) == ("山阳县", 0.7, 0.65)
    with zipfile.ZipFile(workbook_path) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "<barChart>" in chart and "<lineChart>" in chart
    # bars from the value column, the threshold line from the threshold column
    assert "<f>'图表'!$B$3:$B$8</f>" in chart and "<f>'图表'!$C$3:$C$8</f>" in chart


def test_large_facility_sheet_streams(tmp_path: Path) -> None:
    # the 6 hospitals of the standard data + 1000 more; same write-only code path
    result = make_result(results=many_facilities_behind(1000))
    path = tmp_path / "big.xlsx"
    write_xlsx(result, path)
    ws = load_workbook(path, read_only=True)["机构"]
    assert sum(1 for _ in ws.iter_rows(values_only=True)) == 1 + 6 + 1000


def test_rows_beyond_excel_limit_continue_on_a_second_sheet(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(xlsx_module, "MAX_DATA_ROWS", 4)
    path = tmp_path / "split.xlsx"
    write_xlsx(make_result(), path)
    wb = load_workbook(path)
    assert wb["机构"].max_row == 5 and wb["机构 (2)"].max_row == 3  # 6 facilities = 4 + 2


def test_nan_and_control_characters_are_written_safely(tmp_path: Path) -> None:
    rows = result_rows()
    rows[-1] = {
        **rows[-1],
        "unit_name": "坏\x01名\x0b字",
        "value": float("nan"),
        "gap": float("inf"),
    }
    path = tmp_path / "odd.xlsx"
    write_xlsx(make_result(results=pl.DataFrame(rows, schema=RESULT_SCHEMA)), path)
    row = _find(load_workbook(path)["机构"], 1, 机构代码="H006")
    assert row["机构名称"].value == "坏名字"
    assert row["数值"].value is None and row["差距"].value is None


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not on PATH")
def test_libreoffice_opens_and_resaves_the_workbook(workbook_path: Path, tmp_path: Path) -> None:
    # LibreOffice re-saves the workbook as xlsx; a file it had to repair or could not
    # parse would lose sheets or values, so compare every sheet's cells with the original.
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(workbook_path),
        ],
        check=True,
        timeout=180,
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    original = load_workbook(workbook_path)
    resaved = load_workbook(tmp_path / workbook_path.name)
    assert resaved.sheetnames == original.sheetnames

    def cells(ws) -> list[list[object]]:
        # LibreOffice keeps 15 significant digits of a float
        return [
            [round(c.value, 12) if isinstance(c.value, float) else c.value for c in row]
            for row in ws.iter_rows()
        ]

    for name in original.sheetnames:
        want = cells(original[name])
        assert cells(resaved[name])[: len(want)] == want, name


def test_area_and_county_names_in_title_blocks_stay_text(tmp_path: Path) -> None:
    result = make_result()
    result.area = "=SUM(A1:A9)"
    result.completeness.counties_without_data = ("=1+2",)
    path = tmp_path / "a.xlsx"
    write_xlsx(result, path)
    wb = load_workbook(path)
    assert wb["汇总"]["A1"].value == "=SUM(A1:A9) 2024Q3 医改目标监测报告"
    assert wb["汇总"]["A1"].data_type == "s"
    assert wb["完整性"]["B7"].value == "=1+2" and wb["完整性"]["B7"].data_type == "s"


def test_every_sheet_prints_landscape_a4_narrow_ones_one_page_wide(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        # fitted to the page width only where that keeps it readable (narrow sheets)
        widths = sum(d.width or 0 for d in ws.column_dimensions.values())
        assert ws.sheet_properties.pageSetUpPr.fitToPage == (widths <= 215), ws.title


def test_row_bytes_come_from_the_arrow_buffers_in_order() -> None:
    # several chunks, a slice (offset into the buffers), a null left out, non-ASCII text
    texts = pl.concat([pl.Series(["a", None, "县<"]), pl.Series(["✘", "", "bc"])], rechunk=False)
    assert texts.n_chunks() == 2
    joined = b"".join(utf8_bytes(texts.slice(1, 4)))
    assert joined == "县<✘".encode()
    assert b"".join(utf8_bytes(texts)) == "a县<✘bc".encode()
    assert b"".join(utf8_bytes(pl.Series([], dtype=pl.String))) == b""


def test_blocks_written_behind_arrive_in_order() -> None:
    out = io.BytesIO()
    write_behind(out, (memoryview(f"<row r={i}/>".encode()) for i in range(50)))
    assert out.getvalue() == "".join(f"<row r={i}/>" for i in range(50)).encode()


def test_big_parts_are_ordinary_deflate(workbook_path: Path) -> None:
    # ISA-L's stream (when isal is installed) must inflate with zlib like any other
    with zipfile.ZipFile(workbook_path) as z:
        assert z.testzip() is None
        for info in z.infolist():
            assert info.compress_type in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED)


def test_without_isal_the_same_parts_come_from_zlib(
    workbook_path: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setitem(sys.modules, "isal", None)  # import isal fails: zlib deflates
    path = tmp_path / "zlib.xlsx"
    write_xlsx(make_result(), path)
    with zipfile.ZipFile(workbook_path) as a, zipfile.ZipFile(path) as b:
        assert b.testzip() is None
        sheets = [n for n in a.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and all(a.read(n) == b.read(n) for n in sheets)


def test_long_row_strings_come_straight_from_the_view_buffers() -> None:
    # strings over 12 bytes, as rows are: read from polars' view buffers without a copy
    rows = pl.select(
        pl.concat_str(
            [pl.lit("<row r="), pl.int_range(0, 5000).cast(pl.String), pl.lit(">县</row>")]
        )
    ).to_series()
    assert b"".join(utf8_bytes(rows)) == "".join(rows.to_list()).encode()
    assert b"".join(utf8_bytes(rows.slice(7, 9))) == "".join(rows.slice(7, 9).to_list()).encode()
