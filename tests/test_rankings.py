"""Rankings with movement and the runs of misses (evaluate/rankings.py)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate import audit
from kpi_audit.evaluate.rankings import HISTORY_SCHEMA, add_rankings, missed_streaks
from kpi_audit.store.db import connect

REPO = Path(__file__).resolve().parent.parent


def _results(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "target_id": pl.String,
            "indicator": pl.String,
            "level": pl.String,
            "unit": pl.String,
            "period": pl.String,
            "operator": pl.String,
            "threshold": pl.Float64,
            "threshold_high": pl.Float64,
            "warn_within": pl.Float64,
            "tolerance": pl.Float64,
            "value": pl.Float64,
            "gap": pl.Float64,
            "status": pl.String,
        },
        orient="row",
    )


def _history(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=HISTORY_SCHEMA, orient="row")


# A ">= 0.65" target over four counties and a "<= 0.10" one over two. Now (2024Q3):
#   A 0.70 (+0.05)  B 0.60 (−0.05)  C 0.70 (+0.05)  D not evaluable
# so A and C share rank 1 and B is 3. In 2024Q2: A 0.50, B 0.66, C 0.60, D 0.90 — ranked
# among the counties ranked now: B 1, C 2, A 3, so A moved up 2, B down 2, C up 1.
# 2023Q3 has only B (0.40): B was 1 then, 3 now (−2); A and C have no value then.
# For "<= 0.10": E 0.05 (gap +0.05, rank 1), F 0.20 (gap −0.10, rank 2); in 2024Q2
# E 0.30, F 0.08: F was 1, E 2 → E +1, F −1.
RESULTS = _results(
    [
        ("t1", "ind", "county", "A", "2024Q3", ">=", 0.65, None, None, None, 0.70, 0.05, "pass"),
        ("t1", "ind", "county", "B", "2024Q3", ">=", 0.65, None, None, None, 0.60, -0.05, "fail"),
        ("t1", "ind", "county", "C", "2024Q3", ">=", 0.65, None, None, None, 0.70, 0.05, "pass"),
        (
            "t1",
            "ind",
            "county",
            "D",
            "2024Q3",
            ">=",
            0.65,
            None,
            None,
            None,
            None,
            None,
            "not_evaluable",
        ),
        ("t1", "ind", "city", "X", "2024Q3", ">=", 0.65, None, None, None, 0.66, 0.01, "pass"),
        ("t2", "low", "county", "E", "2024Q3", "<=", 0.10, None, None, None, 0.05, 0.05, "pass"),
        ("t2", "low", "county", "F", "2024Q3", "<=", 0.10, None, None, None, 0.20, -0.10, "fail"),
    ]
)
HISTORY = _history(
    [
        ("ind", "county", "A", "2024Q2", 0.50),
        ("ind", "county", "B", "2024Q2", 0.66),
        ("ind", "county", "C", "2024Q2", 0.60),
        ("ind", "county", "D", "2024Q2", 0.90),
        ("ind", "county", "B", "2023Q3", 0.40),
        ("low", "county", "E", "2024Q2", 0.30),
        ("low", "county", "F", "2024Q2", 0.08),
    ]
)


def test_ranks_and_movement_worked_by_hand() -> None:
    out = add_rankings(RESULTS, HISTORY, "2024Q2", "2023Q3")
    got = {
        (r["target_id"], r["unit"]): (
            r["rank"],
            r["rank_change"],
            r["rank_change_year_earlier"],
            r["value_previous"],
            r["value_year_earlier"],
        )
        for r in out.iter_rows(named=True)
    }
    assert got == {
        ("t1", "A"): (1, 2, None, 0.50, None),
        ("t1", "B"): (3, -2, -2, 0.66, 0.40),
        ("t1", "C"): (1, 1, None, 0.60, None),
        ("t1", "D"): (None, None, None, 0.90, None),
        ("t1", "X"): (None, None, None, None, None),  # city rows are not ranked
        ("t2", "E"): (1, 1, None, 0.30, None),
        ("t2", "F"): (2, -1, None, 0.08, None),
    }
    assert out.height == RESULTS.height and out["unit"].to_list() == RESULTS["unit"].to_list()


def test_runs_of_misses_end_at_the_first_period_that_is_not_a_miss() -> None:
    periods = ["2023Q4", "2024Q1", "2024Q2", "2024Q3"]
    # B (>= 0.65): 0.50 0.70 0.55 now 0.60 → missed 2024Q2 and 2024Q3: 2 since 2024Q2.
    # F (<= 0.10, warn within 0.05): 0.20 0.30 0.12 now 0.20 → 0.12 is a warning, not a
    # miss, so the run is 2024Q3 alone. X (city) has no history: 1 since 2024Q3.
    results = _results(
        [
            (
                "t1",
                "ind",
                "county",
                "B",
                "2024Q3",
                ">=",
                0.65,
                None,
                None,
                None,
                0.60,
                -0.05,
                "fail",
            ),
            (
                "t1",
                "ind",
                "county",
                "A",
                "2024Q3",
                ">=",
                0.65,
                None,
                None,
                None,
                0.70,
                0.05,
                "pass",
            ),
            (
                "t2",
                "low",
                "county",
                "F",
                "2024Q3",
                "<=",
                0.10,
                None,
                0.05,
                None,
                0.20,
                -0.10,
                "fail",
            ),
            ("t1", "ind", "city", "X", "2024Q3", ">=", 0.65, None, None, None, 0.60, -0.05, "fail"),
        ]
    )
    history = _history(
        [
            ("ind", "county", "B", "2023Q4", 0.50),
            ("ind", "county", "B", "2024Q1", 0.70),
            ("ind", "county", "B", "2024Q2", 0.55),
            ("ind", "county", "B", "2024Q3", 0.60),
            ("ind", "county", "A", "2024Q2", 0.10),
            ("low", "county", "F", "2023Q4", 0.20),
            ("low", "county", "F", "2024Q1", 0.30),
            ("low", "county", "F", "2024Q2", 0.12),
        ]
    )
    out = missed_streaks(results, history, periods)
    assert sorted(out.select("unit", "periods_missed", "missed_since").iter_rows()) == [
        ("B", 2, "2024Q2"),
        ("F", 1, "2024Q3"),
        ("X", 1, "2024Q3"),
    ]
    assert set(out["history_periods"]) == {4}


def test_a_gap_in_the_history_ends_the_run() -> None:
    results = _results(
        [("t1", "ind", "county", "B", "2024Q3", ">=", 0.65, None, None, None, 0.60, -0.05, "fail")]
    )
    history = _history(
        [("ind", "county", "B", "2024Q1", 0.10), ("ind", "county", "B", "2023Q4", 0.10)]
    )  # nothing for 2024Q2
    out = missed_streaks(results, history, ["2023Q4", "2024Q1", "2024Q2", "2024Q3"])
    assert out.select("periods_missed", "missed_since").row(0) == (1, "2024Q3")


@pytest.fixture(scope="module")
def sample_store():
    con = connect(":memory:")
    from kpi_audit.ingest.load import ingest_paths

    ingest_paths(con, [REPO / "sample_data" / "submissions"])
    yield con
    con.close()


def _county(result: AuditResult) -> pl.DataFrame:
    return result.results.filter(pl.col("level") == "county")


def test_sample_city_movement_agrees_with_the_earlier_audits(sample_store) -> None:
    """value_previous / value_year_earlier are the values the 2024Q2 and 2023Q3 audits
    report, and rank_change is the 2024Q2 audit's rank minus today's wherever the
    threshold is the same. Earlier ranks are of the values as computed, not held back
    for incomplete reporting, so the audits here judge every value (no ``incomplete``)."""
    every = {"trends": False, "min_reporting": 0.0, "max_missing_share": 1.01}
    now = audit(sample_store, period="2024Q3", target_specs=["zhengzhou-2016"], **every)
    prev = audit(sample_store, period="2024Q2", target_specs=["zhengzhou-2016"], **every)
    year = audit(sample_store, period="2023Q3", target_specs=["zhengzhou-2016"], **every)
    key = ["target_id", "unit"]
    joined = (
        _county(now)
        .join(_county(prev).select(*key, v1="value", r1="rank", t1="threshold"), on=key, how="left")
        .join(_county(year).select(*key, v4="value"), on=key, how="left")
    )
    measured = joined.filter(pl.col("value").is_not_null())
    assert measured.height > 50
    for col, ref in (("value_previous", "v1"), ("value_year_earlier", "v4")):
        both = measured.filter(pl.col(ref).is_not_null())
        assert both.height > 50
        assert (both[col] - both[ref]).abs().max() < 1e-9
    same = measured.filter((pl.col("t1") == pl.col("threshold")) & pl.col("r1").is_not_null())
    assert same.height > 50
    assert (same["r1"] - same["rank"]).to_list() == same["rank_change"].to_list()
    # a ">=" target: rank 1 is the highest value, the last rank the lowest
    signing = measured.filter(pl.col("indicator") == "signing_coverage").sort("rank")
    assert signing["value"].to_list() == sorted(signing["value"].to_list(), reverse=True)
