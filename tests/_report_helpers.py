"""A hand-built AuditResult for the report renderers: 河川市, 2024Q3, seven counties.

Every value below is a ratio worked out by hand (in the comments); the statuses are
written out explicitly, not computed, so the renderers are tested against known facts.
临川县 sent nothing this quarter, so it is not evaluable everywhere.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from kpi_audit.core.models import Source, Target
from kpi_audit.core.result import (
    ISSUE_SCHEMA,
    RESULT_SCHEMA,
    TREND_SCHEMA,
    AuditResult,
    Completeness,
)
from kpi_audit.spec.catalog import load_catalog

CITY = "河川市"
COUNTIES = ("东县", "西县", "南县", "北县", "河口区", "山阳县", "临川县")
PERIOD = "2024Q3"
GENERATED_AT = datetime(2024, 10, 8, 9, 30)

ZZ_DOC = "郑州市人民政府关于推进分级诊疗制度建设的实施意见"
ZZ_NO = "郑政〔2016〕31号"
ZJ_DOC = "关于开展县域医共体建设试点工作的指导意见"
ZJ_NO = "浙医改办〔2017〕7号"

XSS_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
AT_NAME = "@SUM(A1)"


def _zz(clause: str, quote: str) -> Source:
    return Source(ZZ_DOC, ZZ_NO, clause, quote)


TARGETS: tuple[Target, ...] = (
    Target(
        "zz-primary-visit-share",
        "zhengzhou-2016",
        "primary_visit_share",
        ">=",
        0.65,
        2017,
        ("county", "city"),
        _zz("三、(一)2", "2017年，基层医疗卫生机构诊疗量占总诊疗量比例≥65%。"),
        warn_within=0.05,
        title_zh="基层诊疗量占比",
    ),
    Target(
        "zz-primary-tcm-share",
        "zhengzhou-2016",
        "primary_tcm_share",
        ">=",
        0.30,
        2017,
        ("county", "city"),
        _zz("三、(一)3", "基层医疗卫生机构中医诊疗量占同类机构诊疗总量比例≥30%。"),
    ),
    Target(
        "zz-signing-rural",
        "zhengzhou-2016",
        "signing_coverage_rural",
        ">=",
        0.80,
        2017,
        ("county", "city"),
        _zz("三、(二)1", "2017年，城市签约服务覆盖率≥30%，农村签约服务覆盖率≥80%。"),
    ),
    Target(
        "zz-tertiary-decline",
        "zhengzhou-2016",
        "tertiary_outpatient_decline",
        ">=",
        0.10,
        2017,
        ("facility", "county", "city"),
        _zz("三、(三)2", "2017年起，三级医院常见病、多发病和慢性病等普通门诊量年下降率达10%以上。"),
    ),
    Target(
        "zz-gp-per-10000",
        "zhengzhou-2016",
        "gps_per_10000",
        ">=",
        2.0,
        2020,
        ("county", "city"),
        _zz("三、(四)5", "到2020年，每万名城乡居民拥有2名以上全科医生。"),
    ),
    Target(
        "zz-in-county-rate",
        "zhengzhou-2016",
        "in_county_visit_rate",
        ">=",
        0.90,
        2017,
        ("county", "city"),
        _zz("一、(二)", "2017年，县域内就诊率提高到90%左右。"),
    ),
    Target(
        "zj-signing",
        "zhejiang-2017",
        "signing_coverage",
        ">=",
        0.50,
        2017,
        ("county", "city"),
        Source(ZJ_DOC, ZJ_NO, "二、(三)", "区域人群签约率达到50%以上。"),
    ),
)

INDICATOR_NAMES: dict[str, tuple[str, str]] = {
    "primary_visit_share": ("基层诊疗量占比", "Primary-care share of visits"),
    "primary_tcm_share": ("基层中医诊疗量占比", "TCM share of primary-care visits"),
    "signing_coverage_rural": ("农村签约服务覆盖率", "Rural signing coverage"),
    "tertiary_outpatient_decline": (
        "三级医院普通门诊量年下降率",
        "Yearly decline of tertiary general outpatients",
    ),
    "gps_per_10000": ("每万居民全科医生数", "GPs per 10,000 residents"),
    "in_county_visit_rate": ("县域内就诊率", "In-county visit rate"),
    "signing_coverage": ("签约服务覆盖率", "Signing coverage"),
}

# The shipped catalog says what each indicator's values are (share, count, per_10000 …).
CATALOG = load_catalog()

# Reasons: (reason_code, reason_params), rendered by kpi_audit.render.i18n.
NO_DATA = ("no_data", "{}")
NO_RURAL = ("no_institutions", "{}")
NO_COMPARABLE = ("no_comparable", "{}")
NO_TERTIARY = ("no_institutions", "{}")
NEEDS_IN_COUNTY = (
    "needs_data",
    '{"needs": ["in-county visits"], "needs_zh": ["县域内就诊人次数据"]}',
)
Reason = tuple[str, str] | None

# (county, numerator, denominator, status, reason) per target; the city row last.
COUNTY_ROWS: dict[str, list[tuple[str, float | None, float | None, str, Reason]]] = {
    # 140000/290000 = 0.4828 fail · 198000/300000 = 0.66 pass · 124000/200000 = 0.62 warn
    # (within 0.05) · 91000/140000 = 0.65 pass (exactly at the threshold) · 150000/400000
    # = 0.375 fail · 168000/240000 = 0.70 pass · city 871000/1570000 = 0.5548 fail
    "zz-primary-visit-share": [
        ("东县", 140000, 290000, "fail", None),
        ("西县", 198000, 300000, "pass", None),
        ("南县", 124000, 200000, "warn", None),
        ("北县", 91000, 140000, "pass", None),
        ("河口区", 150000, 400000, "fail", None),
        ("山阳县", 168000, 240000, "pass", None),
        ("临川县", None, None, "not_evaluable", NO_DATA),
        (CITY, 871000, 1570000, "fail", None),
    ],
    # 35000/140000 = 0.25 · 62000/198000 = 0.3131 · 40300/124000 = 0.325 · 27300/91000
    # = 0.30 · 30000/150000 = 0.20 · 50400/168000 = 0.30 · city 245000/871000 = 0.2813
    "zz-primary-tcm-share": [
        ("东县", 35000, 140000, "fail", None),
        ("西县", 62000, 198000, "pass", None),
        ("南县", 40300, 124000, "pass", None),
        ("北县", 27300, 91000, "pass", None),
        ("河口区", 30000, 150000, "fail", None),
        ("山阳县", 50400, 168000, "pass", None),
        ("临川县", None, None, "not_evaluable", NO_DATA),
        (CITY, 245000, 871000, "fail", None),
    ],
    # 330000/400000 = 0.825 · 270000/360000 = 0.75 · 250000/300000 = 0.8333 · 180000/
    # 200000 = 0.90 · 河口区 is all urban · 320000/400000 = 0.80 · city 1350000/1660000
    # = 0.8133 pass
    "zz-signing-rural": [
        ("东县", 330000, 400000, "pass", None),
        ("西县", 270000, 360000, "fail", None),
        ("南县", 250000, 300000, "pass", None),
        ("北县", 180000, 200000, "pass", None),
        ("河口区", None, None, "not_evaluable", NO_RURAL),
        ("山阳县", 320000, 400000, "pass", None),
        ("临川县", None, None, "not_evaluable", NO_DATA),
        (CITY, 1350000, 1660000, "pass", None),
    ],
    # decline = 1 − this year / a year earlier, comparable hospitals only:
    # 东县 1 − 95000/100000 = 0.05 · 西县 1 − 81000/90000 = 0.10 · 南县 1 − 121000/110000
    # = −0.10 · 河口区 1 − 166000/180000 = 0.0778 · city 1 − 463000/480000 = 0.0354
    "zz-tertiary-decline": [
        ("东县", 95000, 100000, "fail", None),
        ("西县", 81000, 90000, "pass", None),
        ("南县", 121000, 110000, "fail", None),
        ("北县", None, None, "not_evaluable", NO_COMPARABLE),
        ("河口区", 166000, 180000, "fail", None),
        ("山阳县", None, None, "not_evaluable", NO_TERTIARY),
        ("临川县", None, None, "not_evaluable", NO_DATA),
        (CITY, 463000, 480000, "fail", None),
    ],
    # × 10000: 90/400000 = 2.25 · 60/360000 = 1.6667 · 66/300000 = 2.2 · 40/200000 = 2.0
    # · 95/500000 = 1.9 · 96/400000 = 2.4 · city 447/2160000 = 2.0694 pass
    "zz-gp-per-10000": [
        ("东县", 90, 400000, "pass", None),
        ("西县", 60, 360000, "fail", None),
        ("南县", 66, 300000, "pass", None),
        ("北县", 40, 200000, "pass", None),
        ("河口区", 95, 500000, "fail", None),
        ("山阳县", 96, 400000, "pass", None),
        ("临川县", None, None, "not_evaluable", NO_DATA),
        (CITY, 447, 2160000, "pass", None),
    ],
    "zz-in-county-rate": [
        (unit, None, None, "not_evaluable", NEEDS_IN_COUNTY) for unit in (*COUNTIES, CITY)
    ],
    # 450000/900000 = 0.50 · 400000/850000 = 0.4706 · 330000/600000 = 0.55 · 260000/
    # 400000 = 0.65 · 420000/1000000 = 0.42 · 380000/700000 = 0.5429 · city 2240000/
    # 4450000 = 0.5034 pass
    "zj-signing": [
        ("东县", 450000, 900000, "pass", None),
        ("西县", 400000, 850000, "fail", None),
        ("南县", 330000, 600000, "pass", None),
        ("北县", 260000, 400000, "pass", None),
        ("河口区", 420000, 1000000, "fail", None),
        ("山阳县", 380000, 700000, "pass", None),
        ("临川县", None, None, "not_evaluable", NO_DATA),
        (CITY, 2240000, 4450000, "pass", None),
    ],
}

# Tertiary hospitals: (org_code, name, county, this year, a year earlier, status, reason)
FACILITY_ROWS = [
    ("H001", "河川市第一人民医院", "河口区", 90000, 100000, "pass", None),  # 0.10
    ("H002", FORMULA_NAME, "东县", 95000, 100000, "fail", None),  # 0.05
    ("H003", AT_NAME, "西县", 81000, 90000, "pass", None),  # 0.10
    ("H004", XSS_NAME, "南县", 121000, 110000, "fail", None),  # −0.10
    ("H005", "河川市中医院", "河口区", 76000, 80000, "fail", None),  # 0.05
    (
        "H006",
        "河川市妇幼专科医院",
        "北县",
        None,
        None,
        "not_evaluable",
        NO_COMPARABLE,
    ),
]

SCALE = {"gps_per_10000": 10000.0}


def _value(indicator: str, num: float | None, den: float | None) -> float | None:
    if num is None or den is None:
        return None
    if indicator == "tertiary_outpatient_decline":
        return 1 - num / den
    return num / den * SCALE.get(indicator, 1.0)


def _row(
    t: Target,
    level: str,
    unit: str,
    unit_name: str,
    county: str | None,
    num: float | None,
    den: float | None,
    status: str,
    reason: Reason,
) -> dict:
    value = _value(t.indicator, num, den)
    return {
        "target_id": t.id,
        "target_set": t.target_set,
        "indicator": t.indicator,
        "level": level,
        "unit": unit,
        "unit_name": unit_name,
        "county": county,
        "period": PERIOD,
        "value": value,
        "numerator": num if value is not None else None,
        "denominator": den if value is not None else None,
        "operator": t.operator,
        "threshold": t.threshold,
        "threshold_high": None,
        "gap": None if value is None else value - t.threshold,
        "status": status,
        "reason_code": reason[0] if reason else None,
        "reason_params": reason[1] if reason else None,
        "source_document": t.source.citation,
        "source_clause": t.source.clause,
    }


def result_rows() -> list[dict]:
    by_id = {t.id: t for t in TARGETS}
    rows: list[dict] = []
    for target_id, units in COUNTY_ROWS.items():
        t = by_id[target_id]
        for unit, num, den, status, reason in units:
            if unit == CITY:
                rows.append(_row(t, "city", CITY, CITY, None, num, den, status, reason))
            else:
                rows.append(_row(t, "county", unit, unit, unit, num, den, status, reason))
    t = by_id["zz-tertiary-decline"]
    for code, name, county, num, den, status, reason in FACILITY_ROWS:
        rows.append(_row(t, "facility", code, name, county, num, den, status, reason))
    return rows


ISSUES = [
    {
        "kind": "row_error",
        "file": "东县_2024Q3.xlsx",
        "sheet": "Sheet1",
        "row": 7,
        "field": "total_visits",
        "value": "-5",
        "code": "negative",
        "params": "{}",
        "message_zh": "总诊疗人次不能为负数",
        "message_en": "total visits must be ≥ 0",
        "org_code": "D0107",
        "org_name": "东县城关镇卫生院",
        "county": "东县",
    },
    {
        "kind": "row_error",
        "file": "西县.csv",
        "sheet": None,
        "row": 12,
        "field": "tcm_visits",
        "value": "12000",
        "code": "part_exceeds_whole",
        "params": "{}",
        "message_zh": "中医诊疗人次大于总诊疗人次",
        "message_en": "TCM visits exceed total visits",
        "org_code": "W0212",
        "org_name": "西县中心卫生院",
        "county": "西县",
    },
    {
        "kind": "row_error",
        "file": "南县.xlsx",
        "sheet": "报表",
        "row": 3,
        "field": "org_name",
        "value": "=1+1",
        "code": "formula",
        "params": "{}",
        "message_zh": "机构名称不能是公式",
        "message_en": "name is a formula",
        "org_code": "N0001",
        "org_name": "=1+1",
        "county": "南县",
    },
    {
        "kind": "missing_report",
        "file": None,
        "sheet": None,
        "row": None,
        "field": None,
        "value": None,
        "code": "missing_report",
        "params": "{}",
        "message_zh": "上期已报，本期未报",
        "message_en": "reported last period, not this one",
        "org_code": "N0301",
        "org_name": "南县三合镇卫生院",
        "county": "南县",
    },
    {
        "kind": "missing_report",
        "file": None,
        "sheet": None,
        "row": None,
        "field": None,
        "value": None,
        "code": "missing_report",
        "params": "{}",
        "message_zh": "上期已报，本期未报",
        "message_en": "reported last period, not this one",
        "org_code": "B0410",
        "org_name": "北县东关社区卫生服务站",
        "county": "北县",
    },
    {
        "kind": "missing_report",
        "file": None,
        "sheet": None,
        "row": None,
        "field": None,
        "value": None,
        "code": "missing_report",
        "params": "{}",
        "message_zh": "上期已报，本期未报",
        "message_en": "reported last period, not this one",
        "org_code": "L0001",
        "org_name": "临川县人民医院",
        "county": "临川县",
    },
    {
        "kind": "county_no_data",
        "file": None,
        "sheet": None,
        "row": None,
        "field": None,
        "value": None,
        "code": "county_no_data",
        "params": "{}",
        "message_zh": "临川县本期没有任何机构上报",
        "message_en": "no institution in 临川县 reported",
        "org_code": None,
        "org_name": None,
        "county": "临川县",
    },
]

TREND_PERIODS = ("2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3")


def trend_rows() -> list[dict]:
    """Eight quarters ending at the current values, each quarter 0.01 (0.05 for GPs)
    below the next; 临川县 stopped reporting after 2024Q2."""
    rows: list[dict] = []
    by_id = {t.id: t for t in TARGETS}
    for target_id, units in COUNTY_ROWS.items():
        t = by_id[target_id]
        if t.indicator == "in_county_visit_rate":
            continue
        step = 0.05 if t.indicator == "gps_per_10000" else 0.01
        for unit, num, den, _, _ in units:
            level = "city" if unit == CITY else "county"
            current = _value(t.indicator, num, den)
            if current is None:
                if unit != "临川县":
                    continue
                current = t.threshold - 0.02  # its last report, 2024Q2, then nothing
            for i, period in enumerate(TREND_PERIODS):
                if unit == "临川县" and period == PERIOD:
                    continue
                value = round(current - step * (len(TREND_PERIODS) - 1 - i), 4)
                rows.append(
                    {
                        "indicator": t.indicator,
                        "level": level,
                        "unit": unit,
                        "period": period,
                        "value": value,
                    }
                )
    return rows


def make_result(
    *,
    results: pl.DataFrame | None = None,
    issues: pl.DataFrame | None = None,
    targets: tuple[Target, ...] = TARGETS,
) -> AuditResult:
    return AuditResult(
        tool="kpi-audit",
        version="0.1.0",
        generated_at=GENERATED_AT,
        period=PERIOD,
        target_sets=("zhengzhou-2016", "zhejiang-2017"),
        area=CITY,
        targets=targets,
        indicator_names=dict(INDICATOR_NAMES),
        value_kinds={i: CATALOG[i].value_kind for i in INDICATOR_NAMES if i in CATALOG},
        results=results
        if results is not None
        else pl.DataFrame(result_rows(), schema=RESULT_SCHEMA),
        data_issues=issues if issues is not None else pl.DataFrame(ISSUES, schema=ISSUE_SCHEMA),
        trends=pl.DataFrame(trend_rows(), schema=TREND_SCHEMA),
        completeness=Completeness(
            expected_institutions=401,
            reported_institutions=398,
            missing_institutions=3,
            counties_without_data=("临川县",),
            rejected_rows=3,
        ),
    )


def many_facilities_behind(n: int) -> pl.DataFrame:
    """The standard results plus ``n`` failing tertiary hospitals in 东县 (declines
    0.0000 … spread below 0.10), built column-wise."""
    base = pl.DataFrame(result_rows(), schema=RESULT_SCHEMA)
    t = next(t for t in TARGETS if t.id == "zz-tertiary-decline")
    i = pl.int_range(0, n, eager=True)
    extra = pl.DataFrame(
        {
            "target_id": t.id,
            "target_set": t.target_set,
            "indicator": t.indicator,
            "level": "facility",
            "unit": ("X" + i.cast(pl.String).str.zfill(6)),
            "unit_name": ("东县第" + i.cast(pl.String) + "医院"),
            "county": "东县",
            "period": PERIOD,
            "value": (i % 100).cast(pl.Float64) / 1000.0,
            "numerator": pl.Series([1000.0] * n),
            "denominator": pl.Series([1000.0] * n),
            "operator": ">=",
            "threshold": 0.10,
            "threshold_high": pl.Series([None] * n, dtype=pl.Float64),
            "gap": (i % 100).cast(pl.Float64) / 1000.0 - 0.10,
            "status": "fail",
            "reason_code": pl.Series([None] * n, dtype=pl.String),
            "reason_params": pl.Series([None] * n, dtype=pl.String),
            "binding": True,
            "tolerance": pl.Series([None] * n, dtype=pl.Float64),
            "progress_value": pl.Series([None] * n, dtype=pl.Float64),
            "progress_gap": pl.Series([None] * n, dtype=pl.Float64),
            "source_document": t.source.citation,
            "source_clause": t.source.clause,
        }
    )
    extra = extra.with_columns(
        [pl.lit(None, t).alias(c) for c, t in RESULT_SCHEMA.items() if c not in extra.columns]
    ).cast(RESULT_SCHEMA)  # type: ignore[arg-type]
    return pl.concat([base, extra.select(list(RESULT_SCHEMA))])
