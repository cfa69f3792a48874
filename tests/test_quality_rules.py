"""Each data-quality rule kind on hand-made histories, boundaries included: the values
below are worked out by hand in the comments."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from _eval_helpers import insert_rows, org, store

from kpi_audit.core.errors import ConfigError
from kpi_audit.quality import check_rules, load_rules, messages, review
from kpi_audit.quality.rules import (
    ConsistencyRule,
    JumpRule,
    LateRule,
    OutlierRule,
    RelatedRule,
    RepeatedRule,
    Rule,
    Side,
)
from kpi_audit.spec.catalog import load_catalog

QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3"]
TEXT = {"name_zh": "测试", "name_en": "test", "text_zh": "{value}", "text_en": "{value}"}


def _outlier(**kw: Any) -> OutlierRule:
    params = {"floor": 0.0, **kw}
    return OutlierRule(
        id="outlier_history",
        kind="outlier_history",
        severity="warning",
        **TEXT,
        fields=("total_visits",),
        **params,
    )


def _history(values: list[int | None], periods: list[str] = QUARTERS) -> Any:
    con = store()
    for period, v in zip(periods, values, strict=True):
        if v is not None:
            insert_rows(con, period, [org("A01", "东县", "乡镇卫生院", total_visits=v)])
    return con


def _run(con: Any, rule: Rule, period: str = "2024Q3") -> tuple[pl.DataFrame, dict[str, int]]:
    result = review(con, period=period, rules=[rule])
    coverage = {
        (r["reason_code"] or r["outcome"]): r["units"]
        for r in result.coverage.iter_rows(named=True)
    }
    return result.findings, coverage


# ---- outlier_history ---------------------------------------------------------------
# Prior quarters 93255, 93255, 100000, 100000, 106745, 106745: median 100000, absolute
# deviations 6745 ×4 and 0 ×2, so MAD = 6745. The modified z-score 0.6745·|x − 100000| /
# 6745 is exactly 3.5 at x = 135000 (|x − median| = 35000).
PRIOR = [93255, 93255, 100000, 100000, 106745, 106745]


def test_outlier_exactly_at_3_5_is_flagged() -> None:
    findings, coverage = _run(_history([*PRIOR, 135000]), _outlier())
    assert coverage == {"flagged": 1}
    f = findings.row(0, named=True)
    assert (f["unit"], f["field"], f["value"], f["reference"]) == (
        "A01",
        "total_visits",
        135000.0,
        100000.0,
    )
    assert f["score"] == pytest.approx(3.5)
    # median ± 3.5 · MAD / 0.6745 = 100000 ± 35000
    assert f["expected_low"] == pytest.approx(65000)
    assert f["expected_high"] == pytest.approx(135000)
    assert f["history"] == [None, None, *map(float, PRIOR), 135000.0]  # 9 quarters
    assert f["history_periods"][0] == "2022Q3" and f["history_periods"][-1] == "2024Q3"


def test_outlier_just_below_3_5_passes() -> None:
    _, coverage = _run(_history([*PRIOR, 134999]), _outlier())
    assert coverage == {"passed": 1}


def test_outlier_below_the_median_side() -> None:
    _, coverage = _run(_history([*PRIOR, 65000]), _outlier())
    assert coverage == {"flagged": 1}


def test_outlier_mad_zero_falls_back_to_min_max_with_the_margin() -> None:
    # History 1000 ×4: MAD = 0, range [1000·0.5, 1000·1.5] = [500, 1500].
    periods = QUARTERS[2:]
    at_edge = _history([1000, 1000, 1000, 1000, 1500], periods)
    assert _run(at_edge, _outlier())[1] == {"passed": 1}
    findings, coverage = _run(_history([1000, 1000, 1000, 1000, 1501], periods), _outlier())
    assert coverage == {"flagged": 1}
    f = findings.row(0, named=True)
    assert (f["expected_low"], f["expected_high"], f["score"], f["note"]) == (
        500.0,
        1500.0,
        None,
        "mad_zero",
    )


def test_outlier_fewer_than_four_prior_quarters_is_not_assessed_with_the_reason() -> None:
    three = _history([1000, 1000, 1000, 9000], QUARTERS[3:])
    findings, coverage = _run(three, _outlier())
    assert findings.is_empty()
    assert coverage == {"short_history": 1}
    # With a fourth earlier quarter it is assessed (and 9000 is far outside [500, 1500]).
    four = _history([1000, 1000, 1000, 1000, 9000], QUARTERS[2:])
    assert _run(four, _outlier())[1] == {"flagged": 1}


def test_outlier_in_line_with_the_same_quarter_a_year_earlier_is_seasonal() -> None:
    # Prior 1000, 1010, 3000 (2023Q3), 990, 1000, 1005: median 1002.5, MAD 5, so 3000 has a
    # modified z-score of 0.6745 · 1997.5 / 5 ≈ 269 — but 2023Q3 was 3000 too: seasonal.
    prior = [1000, 1010, 3000, 990, 1000, 1005]
    assert _run(_history([*prior, 3000]), _outlier())[1] == {"passed": 1}
    # 3600 is +20 % on 2023Q3, still within the tolerance; 3700 (+23 %) is flagged.
    assert _run(_history([*prior, 3600]), _outlier())[1] == {"passed": 1}
    assert _run(_history([*prior, 3700]), _outlier())[1] == {"flagged": 1}


def test_outlier_floor_keeps_tiny_clinics_out() -> None:
    con = _history([10, 10, 10, 10, 80], QUARTERS[2:])
    assert _run(con, _outlier(floor=100.0))[1] == {"passed": 1}
    assert _run(con, _outlier(floor=80.0))[1] == {"flagged": 1}


# ---- jump_previous -----------------------------------------------------------------


def _jump(floor: float = 0.0) -> JumpRule:
    return JumpRule(
        id="jump_previous",
        kind="jump_previous",
        severity="warning",
        **TEXT,
        fields=("total_visits",),
        factor=3.0,
        floor=floor,
    )


@pytest.mark.parametrize(
    ("previous", "current", "outcome"),
    [
        (1000, 3000, "passed"),
        (1000, 3001, "flagged"),
        (1000, 334, "passed"),
        (1000, 333, "flagged"),
    ],
)
def test_jump_boundaries(previous: int, current: int, outcome: str) -> None:
    findings, coverage = _run(_history([previous, current], QUARTERS[-2:]), _jump())
    assert coverage == {outcome: 1}
    if outcome == "flagged":
        f = findings.row(0, named=True)
        assert (f["reference"], f["expected_low"], f["expected_high"]) == (
            1000.0,
            pytest.approx(333.333, abs=1e-3),
            3000.0,
        )
        assert f["score"] == pytest.approx(current / previous)


def test_jump_floor_and_missing_previous() -> None:
    assert _run(_history([100, 400], QUARTERS[-2:]), _jump(floor=500))[1] == {"passed": 1}
    assert _run(_history([100, 400], QUARTERS[-2:]), _jump(floor=400))[1] == {"flagged": 1}
    assert _run(_history([None, 400], QUARTERS[-2:]), _jump())[1] == {"no_previous": 1}


# ---- repeated_submission -----------------------------------------------------------

FIELDS = ("total_visits", "tcm_visits", "referrals_up")


def _repeated(compare: str, within: str = "city") -> RepeatedRule:
    return RepeatedRule(
        id=f"repeated_{compare}",
        kind="repeated_submission",
        severity="error",
        **TEXT,
        fields=FIELDS,
        compare=compare,  # type: ignore[arg-type]
        min_fields=2,
        floor=100.0,
        within=within,  # type: ignore[arg-type]
    )


def test_repeated_previous_quarter_identical_row() -> None:
    con = store()
    row = {"total_visits": 5000, "tcm_visits": 800, "referrals_up": None}
    insert_rows(
        con,
        "2024Q2",
        [org("A01", "东县", "乡镇卫生院", **row), org("B01", "东县", "乡镇卫生院", **row)],
    )
    changed = {**row, "referrals_up": 3}
    insert_rows(
        con,
        "2024Q3",
        [org("A01", "东县", "乡镇卫生院", **row), org("B01", "东县", "乡镇卫生院", **changed)],
    )
    findings, coverage = _run(con, _repeated("previous"))
    assert coverage == {"flagged": 1, "passed": 1}
    assert findings["unit"].to_list() == ["A01"]


def test_repeated_across_institutions() -> None:
    con = store()
    same = {"total_visits": 5000, "tcm_visits": 800}
    insert_rows(
        con,
        "2024Q3",
        [
            org("A01", "东县", "村卫生室", **same),
            org("B01", "东县", "村卫生室", **same),
            org("C01", "东县", "村卫生室", total_visits=5000, tcm_visits=801),
            # identical but below the floor: two tiny clinics that both saw nobody
            org("D01", "东县", "村卫生室", total_visits=0, tcm_visits=0),
            org("E01", "东县", "村卫生室", total_visits=0, tcm_visits=0),
        ],
    )
    findings, coverage = _run(con, _repeated("institutions"))
    assert coverage == {"flagged": 2, "passed": 1}
    assert findings.sort("unit")["other"].to_list() == ["B01名（B01）", "A01名（A01）"]


@pytest.mark.parametrize(
    ("within", "flagged"),
    [("county", ["A01", "B01"]), ("city", ["A01", "B01", "C01"]), ("all", list("ABCDE"))],
)
def test_repeated_across_institutions_within(within: str, flagged: list[str]) -> None:
    """The same row in two counties of one city, and in two cities: a copy inside the
    office's own reports, or identical small rows that meet by chance far apart."""
    con = store()
    same = {"total_visits": 5000, "tcm_visits": 800}
    insert_rows(
        con,
        "2024Q3",
        [
            org("A01", "东县", "村卫生室", city="甲市", **same),
            org("B01", "东县", "村卫生室", city="甲市", **same),
            org("C01", "西县", "村卫生室", city="甲市", **same),
            org("D01", "东县", "村卫生室", city="乙市", **same),
            org("E01", None, "村卫生室", **same),  # no 所属市, no 所属区县: a place of its own
        ],
    )
    findings, _ = _run(con, _repeated("institutions", within))
    expected = [f"{c}01" if len(c) == 1 else c for c in flagged]
    assert sorted(findings["unit"].to_list()) == expected


# ---- consistency_over_time ---------------------------------------------------------


def _consistency(compare: str) -> ConsistencyRule:
    return ConsistencyRule(
        id=f"consistency_{compare}",
        kind="consistency_over_time",
        severity="warning",
        **TEXT,
        indicators=("primary_visit_share",),
        levels=("county",) if compare == "city" else ("county", "city"),
        compare=compare,  # type: ignore[arg-type]
        years=3,
        tolerance=0.33,
    )


def _shares(con: Any, period: str, shares: dict[str, tuple[int, int]]) -> None:
    rows = []
    for county, (primary, hospital) in shares.items():
        rows += [
            org(f"{county}P", county, "乡镇卫生院", city="测试市", total_visits=primary),
            org(
                f"{county}H",
                county,
                "综合医院",
                city="测试市",
                hospital_grade="二级",
                total_visits=hospital,
            ),
        ]
    insert_rows(con, period, rows)


def test_consistency_against_own_history() -> None:
    con = store()
    # 东县 0.50 → 0.70 (ratio 1.40 > 1.33); 西县 0.50 → 0.60 (1.20); 南县 0.40 → 0.268
    # (0.67 exactly is inside: 268/1000 / 0.4 = 0.67).
    _shares(con, "2023Q3", {"东县": (500, 500), "西县": (500, 500), "南县": (400, 600)})
    _shares(con, "2024Q3", {"东县": (700, 300), "西县": (600, 400), "南县": (268, 732)})
    findings, coverage = _run(con, _consistency("own_history"))
    assert findings["unit"].to_list() == ["东县"]
    f = findings.row(0, named=True)
    assert f["score"] == pytest.approx(1.4)
    assert (f["expected_low"], f["expected_high"]) == (pytest.approx(0.335), pytest.approx(0.665))
    assert f["history"][-2:] == [0.5, 0.7]
    # the city: 1400/3000 → 1568/3000 (ratio 1.12) passes
    assert coverage == {"flagged": 1, "passed": 3}


def test_consistency_against_the_city() -> None:
    con = store()
    # city 1500/3000 = 0.5 → 1800/3000 = 0.6: ratio 1.2. 东县 1.4 / 1.2 = 1.17 passes;
    # 南县 0.5 → 0.4 = 0.8 / 1.2 = 0.667 < 0.67 is flagged.
    _shares(con, "2023Q3", {"东县": (500, 500), "西县": (500, 500), "南县": (500, 500)})
    _shares(con, "2024Q3", {"东县": (700, 300), "西县": (700, 300), "南县": (400, 600)})
    findings, _ = _run(con, _consistency("city"))
    assert findings["unit"].to_list() == ["南县"]
    assert findings["score"][0] == pytest.approx(0.8 / 1.2)


def test_consistency_without_earlier_years_is_not_assessed() -> None:
    con = store()
    _shares(con, "2024Q3", {"东县": (700, 300)})
    assert _run(con, _consistency("own_history"))[1] == {"no_history": 2}


# ---- related -----------------------------------------------------------------------


def test_key_population_coverage_below_overall_is_flagged() -> None:
    catalog = load_catalog()
    rule = RelatedRule(
        id="related_key_vs_all",
        kind="related",
        severity="error",
        **TEXT,
        left=Side(catalog["signing_coverage_key"]),
        right=Side(catalog["signing_coverage"]),
        op=">=",
        levels=("county",),
    )
    con = store()
    pop = {"resident_population": 1000, "key_population": 300}
    insert_rows(
        con,
        "2024Q3",
        [
            # key 180/300 = 0.60 < overall 700/1000 = 0.70
            org("A01", "东县", "乡镇卫生院", signed_residents=700, key_signed=180, **pop),
            # key 0.70 = overall 0.70: not below
            org("B01", "西县", "乡镇卫生院", signed_residents=700, key_signed=210, **pop),
        ],
    )
    findings, coverage = _run(con, rule)
    assert findings["unit"].to_list() == ["东县"]
    f = findings.row(0, named=True)
    assert (f["value"], f["reference"], f["expected_low"]) == (0.6, 0.7, 0.7)
    assert coverage == {"flagged": 1, "passed": 1}


def _area_register(con: Any, populations: dict[str, int]) -> None:
    file_id = con.execute(
        "INSERT INTO register_files (kind, path, sha256, loaded_at, rows) "
        "VALUES ('areas', 'areas.xlsx', 'a1', now(), ?) RETURNING file_id",
        [len(populations)],
    ).fetchall()[0][0]
    for i, (county, population) in enumerate(populations.items()):
        con.execute(
            "INSERT INTO area_register (area_code, county, area_type, area_type_basis, year,"
            " population, file_id, source_row, loaded_at)"
            " VALUES (?, ?, '县', 'stated', 2024, ?, ?, ?, now())",
            [f"41992{i}", county, population, file_id, i + 2],
        )


def test_band_with_per_year_inline_ratio() -> None:
    (rule,) = [r for r in load_rules() if r.id == "related_visits_per_resident"]
    con = store()
    insert_rows(
        con,
        "2024Q3",
        [
            # 600 visits a quarter / 1000 residents × 4 = 2.4 a year < 2.5
            org("A01", "东县", "乡镇卫生院", total_visits=600),
            # 625 × 4 / 1000 = 2.5: at the band's edge, inside
            org("B01", "西县", "乡镇卫生院", total_visits=625),
        ],
    )
    _area_register(con, {"东县": 1000, "西县": 1000})
    findings, _ = _run(con, rule)
    assert findings.filter(pl.col("level") == "county")["unit"].to_list() == ["东县"]
    assert findings["value"][0] == pytest.approx(2.4)


def test_visits_per_resident_on_the_register_counts_the_hospitals_visits() -> None:
    """东县: a hospital's 3000 visits (it serves no residents of its own) and a township
    centre's 600 over its 1000 residents. Without the area register it is not assessed
    (over the rows that report both it would read 2.4 a year, below the band, for want
    of the hospital); on the register's 1500 residents it is every visit, 3600 × 4 /
    1500 = 9.6 a year, inside it. 西县, off the register, stays not assessed, and so
    does the city, which the register does not wholly divide."""
    (rule,) = [r for r in load_rules() if r.id == "related_visits_per_resident"]
    con = store()
    rows = [
        org("H01", "东县", "综合医院", total_visits=3000),
        org("A01", "东县", "乡镇卫生院", total_visits=600, resident_population=1000),
        org("B01", "西县", "乡镇卫生院", total_visits=100, resident_population=1000),
    ]
    insert_rows(con, "2024Q3", rows)
    findings, coverage = _run(con, rule)
    assert findings.height == 0
    assert coverage == {"no_value": 3}
    _area_register(con, {"东县": 1500})
    findings, coverage = _run(con, rule)
    assert findings.height == 0
    assert coverage == {"passed": 1, "no_value": 2}  # 东县 at 9.6; 西县 and the city


# ---- late_submission ---------------------------------------------------------------


def test_late_submission_against_the_15th_of_the_next_month() -> None:
    rule = LateRule(id="late_submission", kind="late_submission", severity="warning", **TEXT)
    con = store()
    on_time = insert_rows(con, "2024Q3", [org("A01", "东县", "乡镇卫生院")], path="/d/东县.xlsx")
    late = insert_rows(con, "2024Q3", [org("B01", "西县", "乡镇卫生院")], path="/d/西县.xlsx")
    con.execute("UPDATE files SET received_at = DATE '2024-10-15' WHERE file_id = ?", [on_time])
    con.execute("UPDATE files SET received_at = DATE '2024-10-18' WHERE file_id = ?", [late])
    findings, coverage = _run(con, rule)
    assert coverage == {"flagged": 1, "passed": 1}
    f = findings.row(0, named=True)
    assert (f["unit"], f["value"], f["other"], f["note"], f["count"]) == (
        "西县",
        3.0,
        "西县.xlsx",
        "2024-10-15",
        1,
    )


def test_ingest_received_is_stored(tmp_path: Path) -> None:
    from kpi_audit.ingest.load import ingest_paths

    path = tmp_path / "x.csv"
    path.write_text(
        "机构代码,机构名称,所属区县,机构类别,报告期,总诊疗人次\nA01,甲,东县,诊所,2024Q3,10\n"
    )
    con = store()
    ingest_paths(con, [path], received=date(2024, 10, 20))
    assert con.execute("SELECT received_at FROM files").fetchall() == [(date(2024, 10, 20),)]


# ---- the catalogue and messages ----------------------------------------------------


def test_bundled_rules_parse_with_the_stable_ids() -> None:
    ids = [r.id for r in load_rules()]
    for stable in (
        "outlier_history",
        "jump_previous",
        "consistency_over_time",
        "related_key_vs_all",
        "repeated_submission",
        "late_submission",
    ):
        assert stable in ids


def test_a_rule_file_mistake_names_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rule]]\nid = "x"\nkind = "jump_previous"\nname_zh = "a"\nname_en = "a"\n'
        'text_zh = "a"\ntext_en = "a"\nfields = ["total_visit"]\nfactr = 2\n',
        encoding="utf-8",
    )
    _, problems = check_rules(path)
    assert [str(p) for p in problems] == [
        f"{path}:9: x.factr: unknown key (did you mean 'factor'?)",
        f"{path}:8: x.fields: 'total_visit' is not a submission field",
    ]
    with pytest.raises(ConfigError, match="invalid quality rules"):
        load_rules(path)


def test_messages_in_both_languages() -> None:
    (rule,) = [r for r in load_rules() if r.id == "jump_previous"]
    con = store()
    insert_rows(
        con, "2024Q2", [org("A01", "东县", "乡镇卫生院", org_name="甲卫生院", total_visits=1000)]
    )
    insert_rows(
        con, "2024Q3", [org("A01", "东县", "乡镇卫生院", org_name="甲卫生院", total_visits=4000)]
    )
    result = review(con, period="2024Q3", rules=[rule])
    assert messages(result, "zh").to_list() == [
        "甲卫生院（东县）2024Q3 总诊疗人次 4000，上期 1000，变化 4.0 倍（超出 333–3000）"
    ]
    assert messages(result, "en").to_list() == [
        "甲卫生院 (东县) 2024Q3 total visits 4000 against 1000 the period before: × 4.0 "
        "(outside 333–3000)"
    ]


def test_register_only_needs_a_population_denominator(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rule]]\nid = "x"\nkind = "related"\nname_zh = "a"\nname_en = "a"\n'
        'text_zh = "a"\ntext_en = "a"\nband = [1.0, 2.0]\n'
        'left = { numerator = { field = "total_visits" }, denominator = { field = '
        '"resident_population" }, register_only = true }\n',
        encoding="utf-8",
    )
    _, problems = check_rules(path)
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        "x.left.register_only: true or false, with a population_denominator"
    ]
