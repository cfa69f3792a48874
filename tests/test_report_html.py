"""The self-contained HTML report and its SVG charts."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _report_helpers import XSS_NAME, make_result, many_facilities_behind

from kpi_audit.render import svg
from kpi_audit.render.format import (
    Display,
    format_gap,
    format_threshold,
    format_value,
    threshold_text,
)
from kpi_audit.render.html import FACILITY_CAP, render_html, write_html
from kpi_audit.render.i18n import label


class _Tables(HTMLParser):
    """Collects, per table caption, the text of each body row's cells; and every tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = False
        self._in_tbody = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append({"class": dict(attrs).get("class"), "caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag == "tbody":
            self._in_tbody = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.tables[-1]["caption"] += data
        if self._cell is not None:
            self._cell.append(data)


def _parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(make_result())


def test_ranking_table_best_to_worst_with_ranks(page: str) -> None:
    rankings = [t for t in _parse(page).tables if t["class"] == "ranking"]
    # every target has county rows, but 县域内就诊率 is not evaluable anywhere for one
    # reason: it gets that reason once, no ranking of identical rows
    assert len(rankings) == 6
    first = rankings[0]["rows"]
    # 70.0 > 66.0 > 65.0 (exactly at the threshold) > 62.0 > 48.3 (140000/290000) > 37.5
    assert [(r[0], r[1], r[2], r[3]) for r in first] == [
        ("1", "山阳县", "70.0%", "+5.0个百分点"),
        ("2", "西县", "66.0%", "+1.0个百分点"),
        ("3", "北县", "65.0%", "±0.0个百分点"),
        ("4", "南县", "62.0%", "-3.0个百分点"),
        ("5", "东县", "48.3%", "-16.7个百分点"),
        ("6", "河口区", "37.5%", "-27.5个百分点"),
        ("–", "临川县", "", ""),
    ]
    assert first[0][4] == "✔ 达标" and first[3][4] == "! 预警" and first[4][4] == "✘ 未达标"
    assert first[4][5:7] == ["140,000", "290,000"]
    # equal values share a rank: 北县 27300/91000 = 山阳县 50400/168000 = 0.30
    tcm = rankings[1]["rows"]
    assert [(r[0], r[1]) for r in tcm][:5] == [
        ("1", "南县"),
        ("2", "西县"),
        ("3", "北县"),
        ("3", "山阳县"),
        ("5", "东县"),
    ]


def test_summary_cards_and_table(page: str) -> None:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # targets, not target × unit pairs: 3 met (签约, 农村签约, 全科医生 at city level), 3
    # missed (诊疗量, 中医, 下降率), 1 not evaluable (县域内就诊率); the pairs come second
    assert "3 ✔ 达标 3 ✘ 未达标 0 ! 预警 1 ? 无法评估 0 未到考核期 0 力争目标" in text
    assert "✔ 达标 25 · ✘ 未达标 18 · ! 预警 1 · ? 无法评估 18" in text
    summary = next(t for t in _parse(page).tables if t["class"] == "summary")
    rows = {r[1].split(" ")[0]: r for r in summary["rows"] if len(r) > 1}
    # city 871000/1570000 = 55.5%, 9.5 points behind; 2 of the 6 counties judged miss it
    assert rows["基层诊疗量占比"][2:] == ["≥ 65%", "55.5%", "-9.5个百分点", "✘ 未达标", "2/6", ""]
    # 447 / 2160000 × 10000 = 2.07 GPs per 10,000: a plain number, not a percentage
    assert rows["每万居民全科医生数"][2:5] == ["≥ 2/万人", "2.07", "+0.07"]
    # furthest behind relative to the threshold first: the decline (−6.5 of 10 points)
    # before the visit share (−9.5 of 65); the target nobody can judge last
    order = [r[1].split(" ")[0] for r in summary["rows"]]
    assert order[:2] == ["三级医院普通门诊量年下降率", "基层诊疗量占比"]
    assert order[-1] == "县域内就诊率"
    # the counties behind, worst first: 河口区 misses all 5 it is judged on
    assert "河口区 未达标 5 项（共评估 5 项）" in text


def test_header_authority_and_sections(page: str) -> None:
    assert "<h1>河川市 医改目标监测报告</h1>" in page
    assert "2024年第三季度" in page and "2024-10-08 09:30" in page
    # the documents by title and number, not the sets' slugs
    assert "郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号）；" in page
    assert "zhengzhou-2016、zhejiang-2017" not in page
    assert "郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号） 三、(一)2" in page
    assert "“2017年，基层医疗卫生机构诊疗量占总诊疗量比例≥65%。”" in page
    for section in (
        'id="summary"',
        'id="targets"',
        'id="data-issues"',
        'id="completeness"',
        'id="sources"',
    ):
        assert section in page
    assert "无法评估：缺少数据：县域内就诊人次数据" in page


def test_names_are_escaped_and_page_is_self_contained(page: str) -> None:
    assert XSS_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    tags = _parse(page).tags
    assert not [t for t, _ in tags if t in ("script", "link", "img", "iframe", "object")]
    assert not [a for _, a in tags if "src" in a]
    hrefs = [a["href"] for t, a in tags if t == "a"]
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert "@import" not in page and "url(" not in page
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC"' in page


def test_print_stylesheet(page: str) -> None:
    assert "@page { size: A4; margin: 15mm; }" in page
    assert "@media print" in page and "display: table-header-group" in page


def test_facilities_behind_target_are_capped(tmp_path: Path) -> None:
    # 450 synthetic failing hospitals + H002, H004, H005 = 453 behind; 200 listed
    result = make_result(results=many_facilities_behind(450))
    path = tmp_path / "r.html"
    write_html(result, path)
    html = path.read_text(encoding="utf-8")
    behind = [t for t in _parse(html).tables if t["class"] is None]
    assert len(behind[0]["rows"]) == FACILITY_CAP == 200
    assert "未达标机构 (453)" in html
    assert "另有 253 条未列出，完整清单见 Excel 报告" in html
    # furthest behind first: H004 (−0.10 − 0.10 = −0.20) leads
    assert behind[0]["rows"][0][:2] == ["H004", XSS_NAME]


def test_page_stays_small_for_a_large_quarter() -> None:
    html = render_html(make_result(results=many_facilities_behind(20_000)))
    assert len(html.encode("utf-8")) < 300_000


def test_english(tmp_path: Path) -> None:
    html = render_html(make_result(), lang="en")
    assert '<html lang="en">' in html
    assert "Health-reform target report" in html and "County ranking (best to worst)" in html
    assert "✘ behind target" in html and "-9.5 pp" in html
    assert "Primary-care share of visits" in html


def test_trend_chart_has_eight_periods_and_a_threshold(page: str) -> None:
    section = page.split('id="t-zz-primary-visit-share"')[1].split("</article>")[0]
    trend = section.split("<svg")[2].split("</svg>")[0]
    assert [p for p in re.findall(r">(20\d\dQ\d)<", trend)] == [
        "2022Q4",
        "2023Q1",
        "2023Q2",
        "2023Q3",
        "2023Q4",
        "2024Q1",
        "2024Q2",
        "2024Q3",
    ]
    assert 'stroke-dasharray="6 4"' in trend
    # 7 counties + the city; 临川县 stopped after 2024Q2 so it is one segment shorter
    assert trend.count("<polyline") == 8


def test_bar_chart_escapes_text_and_draws_threshold() -> None:
    chart = str(
        svg.bar_chart(
            [svg.Bar("<b>东县</b>", 0.5, "fail"), svg.Bar("西县", 0.7, "pass")],
            0.65,
            share=True,
            title='a "title" & more',
            threshold_label="目标线",
        )
    )
    assert "<b>" not in chart and "&lt;b&gt;东县&lt;/b&gt;" in chart
    assert 'aria-label="a &#34;title&#34; &amp; more"' in chart
    assert chart.count("<rect") == 2 and "目标线 65%" in chart
    assert 'fill="#c62828"' in chart and 'fill="#2e7d32"' in chart


def test_nice_ticks() -> None:
    assert svg.nice_ticks(0.0, 0.7) == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert svg.nice_ticks(-0.1, 0.1) == [-0.1, -0.05, 0.0, 0.05, 0.1]
    # counts: 0 … 2.1 would tick every 0.5; whole steps of at least 1
    assert svg.nice_ticks(0.0, 2.1) == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    assert svg.nice_ticks(0.0, 2.1, whole=True) == [0.0, 1.0, 2.0, 3.0]
    # 0 … 12: raw step 2.4 is 2.5 for numbers, 5 for counts
    assert svg.nice_ticks(0.0, 12.0, whole=True) == [0.0, 5.0, 10.0, 15.0]


def test_bar_chart_labels_counts_as_whole_numbers() -> None:
    bars = [svg.Bar("东县", 2.0, "fail"), svg.Bar("西县", 1234.0, "pass")]
    chart = str(
        svg.bar_chart(bars, 3, share=False, whole=True, title="t", threshold_label="目标线")
    )
    assert ">2</text>" in chart and ">1,234</text>" in chart and "目标线 3</text>" in chart
    assert "<title>东县: 2</title>" in chart and ".00" not in chart
    # without whole (a ratio on the number scale) two decimals, as in the tables; the
    # threshold as the documents write it
    chart = str(svg.bar_chart(bars, 3, share=False, title="t", threshold_label="目标线"))
    assert ">2.00</text>" in chart and "目标线 3</text>" in chart


def test_line_chart_labels_counts_as_whole_numbers() -> None:
    chart = str(
        svg.line_chart(
            ["2024Q2", "2024Q3"],
            [svg.Line("河川市", [4.0, 5.0], emphasis=True)],
            4,
            share=False,
            whole=True,
            title="t",
            threshold_label="目标线",
        )
    )
    assert "<title>河川市 2024Q3: 5</title>" in chart and "目标线 4</title>" in chart
    assert ".00" not in chart and ".5<" not in chart


def test_value_formats() -> None:
    assert format_value(140000 / 290000, True) == "48.3%"
    assert format_value(2.069444, False) == "2.07"
    assert format_value(-0.0000001, True) == "0.0%"  # never "-0.0%"
    assert format_gap(-0.0952229, True) == "-9.5个百分点"
    assert format_gap(-0.0952229, True, "en") == "-9.5 pp"
    assert format_gap(0.069444, False) == "+0.07"
    assert format_value(None, True) == ""
    assert label("report.and_more", "en", n=3) == "and 3 more — see the Excel workbook"
    t = make_result().targets[4]
    assert threshold_text(t, False) == "≥ 2"
    assert Display("per_10000").requirement(t) == "≥ 2/万人"
    assert Display("per_10000").requirement(t, "en") == "≥ 2 per 10,000"
    assert format_threshold(0.925, True) == "92.5%" and format_threshold(1500, False) == "1,500"
    assert format_threshold(0.1, True) == "10%"  # 0.1 × 100 is 10.000000000000002


def test_numbers_agree_across_json_excel_and_html(tmp_path: Path) -> None:
    json_out = pytest.importorskip(
        "kpi_audit.render.json_out", reason="render/json_out.py not written yet"
    )
    from openpyxl import load_workbook

    from kpi_audit.render.xlsx import write_xlsx

    result = make_result()
    records = json_out.to_json_dict(result)["results"]
    # a target measured nowhere is listed once with its reason, without per-county rows
    unmeasured = {"zz-in-county-rate"}
    assert {r["target_id"] for r in records if r["status"] == "not_evaluable"} >= unmeasured
    assert all(r["status"] == "not_evaluable" for r in records if r["target_id"] in unmeasured)
    from_json = {
        (r["target_id"], r["unit"]): r["value"]
        for r in records
        if r["level"] == "county" and r["target_id"] not in unmeasured
    }
    xlsx = tmp_path / "r.xlsx"
    write_xlsx(result, xlsx)
    from_excel = {
        (row[0], row[2]): row[3]
        for row in load_workbook(xlsx)["县级"].iter_rows(min_row=2, values_only=True)
        if row[0] not in unmeasured
    }
    page = render_html(result)
    sections = re.findall(
        r'<article class="target [a-z_]*" id="t-([^"]+)">(.*?)</article>', page, re.S
    )
    from_html = {}
    for target_id, body in sections:
        if target_id in unmeasured:
            assert not [t for t in _parse(body).tables if t["class"] == "ranking"]
            assert "无法评估：缺少数据：县域内就诊人次数据" in body
            continue
        ranking = next(t for t in _parse(body).tables if t["class"] == "ranking")
        for row in ranking["rows"]:
            from_html[(target_id, row[1])] = row[2]
    from_terminal = _terminal_county_values(result)
    assert from_json.keys() == from_excel.keys() == from_html.keys() == from_terminal.keys()
    assert len(from_json) == 42  # 7 targets × 7 counties, less 县域内就诊率
    for key, value in from_json.items():
        assert from_excel[key] == value, key
        shown = from_html[key]
        assert from_terminal[key] == shown, key
        if value is None:
            assert shown == "", key
        elif shown.endswith("%"):  # a share, shown to 0.1 percentage point
            assert float(shown[:-1]) == pytest.approx(value * 100, abs=0.05), key
        else:
            assert float(shown) == pytest.approx(value, abs=0.005), key


def _terminal_county_values(result) -> dict[tuple[str, str], str]:
    """(target id, county) -> the value cell of the terminal's county rows."""
    from rich.console import Console

    from kpi_audit.render.format import display_of, indicator_name
    from kpi_audit.render.terminal import print_result

    console = Console(file=io.StringIO(), width=250, color_system=None)
    print_result(result, console)
    headings = {
        f"{indicator_name(result.indicator_names, t.indicator)}  "
        f"{display_of(result.value_kinds, t.indicator).requirement(t)}  [{t.target_set}]": t.id
        for t in result.targets
    }
    values: dict[tuple[str, str], str] = {}
    current = None
    for line in console.file.getvalue().splitlines():
        current = headings.get(line.rstrip(), current)
        cells = [c.strip() for c in line.split("│")]
        if current and cells[0] == label("level.county"):
            values[(current, cells[1])] = cells[2]
    return values


def test_trend_shows_at_most_ten_counties_the_furthest_behind() -> None:
    import polars as pl

    from kpi_audit.core.result import RESULT_SCHEMA, TREND_SCHEMA

    result = make_result()
    t = result.targets[0]
    # 12 counties: 县00 … 县11 with values 0.40, 0.42, … 0.62 (all below 0.65)
    names = [f"县{i:02d}" for i in range(12)]
    values = [0.40 + 0.02 * i for i in range(12)]
    counties = (
        pl.DataFrame(
            {
                "target_id": t.id,
                "indicator": t.indicator,
                "level": "county",
                "unit": names,
                "unit_name": names,
                "county": names,
                "value": values,
                "threshold": t.threshold,
                "gap": [v - t.threshold for v in values],
                "status": "fail",
                "operator": ">=",
            }
        )
        .with_columns(
            pl.lit(None).alias(c)
            for c in RESULT_SCHEMA
            if c
            not in (
                "target_id",
                "indicator",
                "level",
                "unit",
                "unit_name",
                "county",
                "value",
                "threshold",
                "gap",
                "status",
                "operator",
            )
        )
        .select(list(RESULT_SCHEMA))
        .cast(RESULT_SCHEMA)
    )
    result.results = pl.concat([result.results.filter(pl.col("target_id") != t.id), counties])
    result.trends = pl.DataFrame(
        {
            "indicator": t.indicator,
            "level": "county",
            "unit": names,
            "period": "2024Q3",
            "value": values,
        }
    ).cast(TREND_SCHEMA)
    section = render_html(result).split(f'id="t-{t.id}"')[1].split("</article>")[0]
    trend = section.split("<svg")[2].split("</svg>")[0]
    # the ten lowest: 县00 … 县09; 县10 and 县11 (0.60, 0.62) are left out
    assert "县09" in trend and "县10" not in trend and "县11" not in trend
    assert "仅显示差距最大的 10 个区县" in section
