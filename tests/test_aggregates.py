"""Per-period aggregates in the store: trends read earlier periods' sums back instead of
recomputing them, and a changed period's sums are recomputed, never served stale."""

from __future__ import annotations

import polars as pl
from _eval_helpers import CATALOG, insert_rows, org, store, target, target_set

from kpi_audit.evaluate import run_audit
from kpi_audit.evaluate.trends import refresh
from kpi_audit.store.db import connect

PERIODS = ("2024Q1", "2024Q2", "2024Q3")
# The 7 periods before 2024Q3 that its 8-quarter trend reads; the current one is live.
EARLIER = ("2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2")


def _quarter(primary: int, hospital: int, county: str = "东县") -> list[dict]:
    return [
        org("P1", county, "乡镇卫生院", total_visits=primary),
        org("H1", county, "综合医院", hospital_grade="二级", total_visits=hospital),
    ]


def _loaded(con, visits: dict[str, tuple[int, int]]) -> None:
    for period, (primary, hospital) in visits.items():
        insert_rows(con, period, _quarter(primary, hospital))


def _trend(con) -> dict[str, float]:
    result = run_audit(
        con,
        period="2024Q3",
        target_sets=[target_set(target("primary_visit_share", ">=", 0.65))],
        catalog=CATALOG,
        trends=True,
    )
    rows = result.trends.filter(
        (pl.col("indicator") == "primary_visit_share") & (pl.col("level") == "county")
    )
    return dict(zip(rows["period"].to_list(), rows["value"].to_list(), strict=True))


def _runs(con) -> list[tuple]:
    return con.execute(
        "SELECT period, indicator, fingerprint, computed_at FROM period_aggregate_runs "
        "WHERE indicator = 'primary_visit_share' ORDER BY period"
    ).fetchall()


def test_earlier_periods_are_computed_once_then_read_back() -> None:
    con = store()
    _loaded(con, {"2024Q1": (60, 40), "2024Q2": (70, 30), "2024Q3": (75, 25)})
    first = _trend(con)
    # 60 / (60 + 40), 70 / 100, 75 / 100: county sums of primary over all visits
    assert first == {"2024Q1": 0.6, "2024Q2": 0.7, "2024Q3": 0.75}
    stored = _runs(con)
    assert tuple(r[0] for r in stored) == EARLIER  # the periods without data are known empty
    sums = con.execute(
        "SELECT period, county, numerator, denominator FROM period_aggregates "
        "WHERE indicator = 'primary_visit_share' ORDER BY period"
    ).fetchall()
    assert sums == [("2024Q1", "东县", 60.0, 100.0), ("2024Q2", "东县", 70.0, 100.0)]
    assert _trend(con) == first
    assert _runs(con) == stored  # read back: not one entry recomputed


def test_a_new_load_for_a_period_replaces_its_sums() -> None:
    con = store()
    _loaded(con, {"2024Q1": (60, 40), "2024Q2": (70, 30), "2024Q3": (75, 25)})
    _trend(con)
    before = _runs(con)
    # a corrected 2024Q1 file: the hospital's visits were 140, not 40
    insert_rows(con, "2024Q1", [org("H1", "东县", "综合医院", total_visits=140)], path="fix.xlsx")
    assert _trend(con)["2024Q1"] == 60 / 200
    after = _runs(con)
    assert tuple(r[0] for r in after) == EARLIER
    # 2024's entries were recomputed; 2023's, which no 2024 row feeds, were read back
    for b, a in zip(before, after, strict=True):
        assert (b == a) == (not b[0].startswith("2024")), b[0]


def test_refresh_prepares_the_sums_a_read_only_report_reads(tmp_path) -> None:
    path = tmp_path / "store.duckdb"
    con = connect(path)
    _loaded(con, {"2024Q1": (60, 40), "2024Q2": (70, 30), "2024Q3": (75, 25)})
    written = refresh(con, CATALOG, [2024])
    periods = {r[0] for r in con.execute("SELECT period FROM period_aggregate_runs").fetchall()}
    con.close()
    assert written > 0
    assert periods == set(PERIODS)  # the periods as submitted
    reader = connect(path, read_only=True)
    try:
        assert _trend(reader) == {"2024Q1": 0.6, "2024Q2": 0.7, "2024Q3": 0.75}
    finally:
        reader.close()


def test_a_read_only_store_without_valid_sums_computes_them_in_memory(tmp_path) -> None:
    path = tmp_path / "store.duckdb"
    con = connect(path)
    _loaded(con, {"2024Q1": (60, 40), "2024Q2": (70, 30), "2024Q3": (75, 25)})
    con.close()
    reader = connect(path, read_only=True)
    try:
        assert _trend(reader) == {"2024Q1": 0.6, "2024Q2": 0.7, "2024Q3": 0.75}
        assert reader.execute("SELECT count(*) FROM period_aggregate_runs").fetchall() == [(0,)]
    finally:
        reader.close()


def test_refresh_of_a_later_year_reads_the_year_before_it_for_yearly_changes() -> None:
    """2023 loaded by one ingest, 2024 by the next: the 2024 refresh (years = [2024])
    must still compare 2024Q2 with 2023Q2, as one ingest of both years does."""
    grown = CATALOG["referrals_down_growth"]
    h1 = org("H1", "东县", "综合医院", hospital_grade="三级")
    batches = {"2023Q2": 1000, "2024Q2": 1100}

    def store_of(batches_in_order: list[list[str]]) -> dict[tuple[str, str], tuple]:
        con = store()
        for batch in batches_in_order:
            for period in batch:
                insert_rows(con, period, [{**h1, "referrals_down": batches[period]}])
            refresh(con, {grown.id: grown}, sorted({int(p[:4]) for p in batch}))
        rows = con.execute(
            "SELECT period, county, numerator, denominator FROM period_aggregates "
            "WHERE indicator = ? ORDER BY period",
            [grown.id],
        ).fetchall()
        return {(r[0], r[1]): r[2:] for r in rows}

    at_once = store_of([["2023Q2", "2024Q2"]])
    one_year_then_the_next = store_of([["2023Q2"], ["2024Q2"]])
    # 2024Q2: 1100 referrals now against 1000 a year before
    assert at_once[("2024Q2", "东县")] == (1100.0, 1000.0)
    assert one_year_then_the_next == at_once
