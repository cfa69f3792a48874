"""The terminal report of ``check`` (render/terminal.py): exact lines on a hand-built
store, evaluated with the bundled indicator catalog."""

from __future__ import annotations

import io

import pytest
from _eval_helpers import Q3_2023, Q3_2024, insert_rows, store, target, target_set
from rich.console import Console

from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate import run_audit
from kpi_audit.render.format import format_gap, format_value
from kpi_audit.render.terminal import behind_by_county, one_line, print_result
from kpi_audit.spec.catalog import load_catalog

# H1 (东县) and H3 (西县) are county-level hospitals with 3 and 2 key specialties.
ROWS = [
    {
        **r,
        "county_level_hospital": True,
        "county_key_specialties": {"H1": 3, "H3": 2}[r["org_code"]],
    }
    if r["org_code"] in ("H1", "H3")
    else r
    for r in Q3_2024
]


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return make_result()


def make_result() -> AuditResult:
    con = store()
    insert_rows(con, "2023Q3", Q3_2023)
    insert_rows(con, "2024Q3", ROWS)
    targets = (
        # 东县 500/1000 = 50.0% (-2.0 points), 西县 600/1100 = 54.5%, city 1100/2100 = 52.4%
        target("primary_visit_share", ">=", 0.52),
        # city 3900/6000 = 0.65 exactly at target; 东县 1200/3000 = 40%; 西县 2700/3000 = 90%
        target("signing_coverage", ">=", 0.65),
        # a count: 东县 3, 西县 2 — both behind 4; city 3 + 2 = 5
        target("county_hospital_key_specialties", ">=", 4),
        target("in_county_visit_rate", ">=", 0.9),
        target("signing_coverage_key", ">=", 0.6, from_year=2030),
    )
    out = run_audit(
        con,
        period="2024Q3",
        target_sets=[target_set(*targets)],
        catalog=load_catalog(),
        trends=True,  # the HTML tests draw them
    )
    con.close()
    return out


def render(result: AuditResult, width: int = 120, **kw: str) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    print_result(result, console, **kw)
    return [line.rstrip() for line in console.file.getvalue().splitlines()]


def test_unmeasured_targets_have_county_and_city_rows(result: AuditResult) -> None:
    rows = result.results.filter(
        result.results["target_id"].is_in(
            ["in_county_visit_rate-2017", "signing_coverage_key-2030"]
        )
    )
    assert sorted(rows.select("target_id", "level", "unit").rows()) == [
        ("in_county_visit_rate-2017", "city", "河川市"),
        ("in_county_visit_rate-2017", "county", "东县"),
        ("in_county_visit_rate-2017", "county", "西县"),
        ("signing_coverage_key-2030", "city", "河川市"),
        ("signing_coverage_key-2030", "county", "东县"),
        ("signing_coverage_key-2030", "county", "西县"),
    ]


def test_most_failing_target_first_and_counts_as_whole_numbers(result: AuditResult) -> None:
    lines = render(result)
    # key specialties: two counties behind → first; then the two targets with one each,
    # in their file order
    headings = [line for line in lines if "[test-set]" in line]
    assert headings == [
        "县级医院临床重点专科数  ≥ 4  [test-set]",
        "基层医疗卫生机构诊疗量占总诊疗量比例  ≥ 52%  [test-set]",
        "家庭医生签约服务覆盖率  ≥ 65%  [test-set]",
    ]
    start = lines.index(headings[0])
    assert (
        lines[start + 1]
        == "郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号） 二、(二)3"
    )
    assert lines[start + 4 : start + 7] == [
        "市级 │ 河川市 │    5 │    4 │   +1 │ ✔ 达标   │",
        "县级 │ 西县   │    2 │    4 │   -2 │ ✘ 未达标 │",
        "县级 │ 东县   │    3 │    4 │   -1 │ ✘ 未达标 │",
    ]


def test_value_exactly_at_target_shows_plus_minus(result: AuditResult) -> None:
    lines = render(result)
    assert "市级 │ 河川市 │ 65.0% │  65% │  ±0.0个百分点 │ ✔ 达标   │" in lines
    assert "县级 │ 东县   │ 50.0% │  52% │ -2.0个百分点 │ ✘ 未达标 │" in lines


def test_unmeasured_targets_in_one_compact_section_at_the_end(result: AuditResult) -> None:
    lines = render(result)
    start = lines.index("无法评估的目标（2 项，完整原因见 JSON / Excel / HTML 报告）")
    # The catalog's needs_zh, cut to one line of 120 × 2 // 5 = 48 cells: 23 characters
    # (46 cells; a 24th would need 48 and leave no room) and "…".
    needs = "缺少数据：县域居民在县域内的就诊人次和县域居民…"
    assert (
        load_catalog()["in_county_visit_rate"]
        .needs_zh[0]
        .startswith("县域居民在县域内的就诊人次和县域居民就诊总人次")
    )
    assert lines[start + 1 :] == [
        "郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号）",
        "指标                   ┃ 要求  ┃ 条款      ┃ 原因",
        "━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━",
        f"县域内就诊率           │ ≥ 90% │ 二、(二)3 │ {needs}",
        "重点人群签约服务覆盖率 │ ≥ 60% │ 二、(二)3 │ 目标尚未生效（2030 年起）",
        "",
        "数据问题：0 行被拒绝 · 0 家机构本期未上报 · 0 个区县无数据 · 0 条其他",
        # per target × unit: pass = city ×3 + 西县 (visits, signing); fail = 东县 ×3 + 西县
        # (specialties); not evaluable = 2 unmeasured targets × (city + 2 counties)
        "2024Q3：5 达标 · 4 未达标 · 0 预警 · 6 无法评估",
        # 东县 is behind on all three evaluated targets, 西县 on key specialties only
        "未达标区县：东县 3 项、西县 1 项",
    ]
    assert cell_width(needs) == 47


def cell_width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def test_english(result: AuditResult) -> None:
    lines = render(result, lang="en")
    assert lines[-2:] == [
        "2024Q3: 5 pass · 4 fail · 0 warn · 6 not evaluable",
        "Behind target: 东县 3 targets, 西县 1 target",
    ]
    assert (
        "Targets that cannot be evaluated (2; full reasons in the JSON, Excel and HTML reports)"
        in lines
    )
    assert any("target not yet in force (from 2030)" in line for line in lines)
    # English keeps the catalog's English needs
    assert any("needs: visits of the county's residents" in line for line in lines)


def test_level_city_has_no_county_line(result: AuditResult) -> None:
    lines = render(result, level="city")
    # the city meets all three evaluated targets (52.4%, 65.0%, 5); no county rows
    assert lines[-1] == "2024Q3：3 达标 · 0 未达标 · 0 预警 · 2 无法评估"
    assert behind_by_county(result.results) == [("东县", 3), ("西县", 1)]


def test_heading_is_not_folded_by_a_narrow_table(result: AuditResult) -> None:
    # the table is ~60 cells wide; the citation line gets the console's 100
    lines = render(result, width=100)
    assert "郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号） 二、(二)3" in lines


def test_formats() -> None:
    assert format_gap(0.0, True) == "±0.0个百分点"
    assert format_gap(0.65 - 0.65, True, "en") == "±0.0 pp"
    assert format_gap(-0.0004, True) == "-0.0个百分点"  # behind, if only just
    assert format_gap(-2.0, False, whole=True) == "-2"
    assert format_gap(0.0, False) == "±0.00"
    assert format_value(5.0, False, whole=True) == "5"
    assert format_value(1234.0, False, whole=True) == "1,234"
    assert format_value(1.6667, False) == "1.67"  # a ratio on the number scale
    assert one_line("甲乙丙丁" * 20, 10) == "甲乙丙丁…"  # 8 cells + "…"


def test_excel_and_html_show_reasons_and_counts_like_the_terminal(
    result: AuditResult, tmp_path
) -> None:
    from openpyxl import load_workbook

    from kpi_audit.render.html import render_html
    from kpi_audit.render.xlsx import write_xlsx

    path = tmp_path / "r.xlsx"
    write_xlsx(result, path)
    sheet = load_workbook(path)["县级"]
    header = [c.value for c in sheet[1]]
    rows = {
        (r[0].value, r[2].value): {h: c for h, c in zip(header, r, strict=True)}
        for r in sheet.iter_rows(min_row=2)
    }
    not_yet = rows[("signing_coverage_key-2030", "东县")]
    assert not_yet["原因"].value == "目标尚未生效（2030 年起）"
    specialties = rows[("county_hospital_key_specialties-2017", "西县")]
    assert (specialties["数值"].value, specialties["差距"].value) == (2, -2)
    assert specialties["数值"].number_format == "#,##0"
    assert specialties["差距"].number_format == "+#,##0;-#,##0;±0"
    charts = load_workbook(path)["图表"]
    counted = [r for r in charts.iter_rows() if r[0].value == "西县" and r[1].value == 2]
    assert [(c.value, c.number_format) for c in counted[0][1:3]] == [(2, "#,##0"), (4, "#,##0")]
    page = render_html(result)
    assert "无法评估：目标尚未生效（2030 年起）" in page
    assert "target not yet in force (from 2030)" in render_html(result, lang="en")

    # the data a target needs, in Chinese, from the catalog's needs_zh
    needs_zh = (
        "缺少数据：县域居民在县域内的就诊人次和县域居民就诊总人次（含到县域外就诊），"
        "如取自医保结算数据"
    )
    assert rows[("in_county_visit_rate-2017", "东县")]["原因"].value == needs_zh
    assert "无法评估：" + needs_zh in page
    english = (
        "needs: visits of the county&#39;s residents inside the county and outside it "
        "(县域内就诊人次 / 县域居民就诊总人次), e.g. from medical-insurance settlement data"
    )
    assert "Not evaluable: " + english in render_html(result, lang="en")


def test_json_reason_follows_the_language_and_keeps_the_code(result: AuditResult) -> None:
    from kpi_audit.render.json_out import to_json_dict

    def reasons(lang: str) -> set[tuple[str, str]]:
        return {
            (r["reason_code"], r["reason"])
            for r in to_json_dict(result, lang)["results"]
            if r["indicator"] == "in_county_visit_rate"
        }

    assert reasons("en") == {
        (
            "needs_data",
            "needs: visits of the county's residents inside the county and outside it "
            "(县域内就诊人次 / 县域居民就诊总人次), e.g. from medical-insurance settlement data",
        )
    }
    assert reasons("zh") == {
        (
            "needs_data",
            "缺少数据：县域居民在县域内的就诊人次和县域居民就诊总人次（含到县域外就诊），"
            "如取自医保结算数据",
        )
    }
    assert result.indicator_needs == {
        "in_county_visit_rate": (
            load_catalog()["in_county_visit_rate"].needs,
            load_catalog()["in_county_visit_rate"].needs_zh,
        )
    }


def test_html_charts_label_counts_as_whole_numbers(result: AuditResult) -> None:
    import re

    from kpi_audit.render.html import render_html

    page = render_html(result)
    bars, trend = [
        chart
        for chart in re.findall(r"<svg.*?</svg>", page, re.DOTALL)
        if "临床重点专科数" in chart
    ]
    # key specialties, a sum: 东县 3, 西县 2 against 4 — "3", not "3.00"; axis 0 … 4 × 1.05
    # on whole steps of 1
    assert re.findall(r">([^<>]+)</text>", bars) == [
        *"012345",
        "东县",
        "3",
        "西县",
        "2",
        "目标线 4",
    ]
    assert re.findall(r"<title>([^<>]+)</title>", bars)[1:] == ["东县: 3", "西县: 2"]
    # the trend (one period): the city's 3 + 2 = 5 as well
    assert "河川市 2024Q3: 5" in re.findall(r"<title>([^<>]+)</title>", trend)
    assert ".00" not in bars + trend
