"""Rankings with movement and "since when", set-based over the evaluated results and the
indicator values of earlier periods (the same store history the trend charts use).

- :func:`add_rankings`: on every county result of an evaluated target, ``rank`` among
  the city's counties (best first: by ``gap``, so the operator's direction counts; equal
  gaps share a rank, "1, 2, 2, 4"), ``value_previous`` (the previous period, 环比) and
  ``value_year_earlier`` (the same period a year earlier, 同比), and ``rank_change`` /
  ``rank_change_year_earlier``: the rank then minus the rank now (positive = moved up),
  the earlier ranks judged against this period's threshold among the counties that had a
  value then. Null wherever a side has no value.
- :func:`missed_streaks`: for every county and city result that fails now, how many
  consecutive periods up to this one it has failed (judged against this period's
  threshold) and the first period of that run.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from kpi_audit.core.result import RESULT_SCHEMA, STREAK_SCHEMA
from kpi_audit.evaluate.compare import gap_expr, status_expr

# history: one row per indicator × level × unit × period with its value.
HISTORY_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String(),
    "level": pl.String(),
    "unit": pl.String(),
    "period": pl.String(),
    "value": pl.Float64(),
}

# What judging an earlier value needs (gap_expr and status_expr).
_JUDGE = ("operator", "threshold", "threshold_high", "tolerance", "warn_within")
_KEEP = ("target_id", "indicator", "level", "unit", *_JUDGE)

_MASK_BITS = 63  # periods a streak can look back (bits of a UInt64 mask)

RANK_COLUMNS = ("rank", "rank_change", "rank_change_year_earlier")
VALUE_COLUMNS = ("value_previous", "value_year_earlier")


def _rank(gap: pl.Expr) -> pl.Expr:
    # Rounded so that float noise (0.1 vs 0.09999999999999998) does not split a tie.
    return gap.round(9).rank("min", descending=True).over("target_id").cast(pl.Int64)


def add_rankings(
    results: pl.DataFrame, history: pl.DataFrame, previous: str, year_earlier: str
) -> pl.DataFrame:
    """``results`` (with ``gap``) plus the rank and movement columns on county rows."""
    county = pl.col("level") == "county"
    earlier = history.filter(pl.col("level") == "county").select(
        "indicator", "unit", "period", "value"
    )
    frame = results.with_row_index("_row")
    ranked = frame.filter(county)
    for label, column in ((previous, "value_previous"), (year_earlier, "value_year_earlier")):
        ranked = ranked.join(
            earlier.filter(pl.col("period") == label).select(
                "indicator", "unit", pl.col("value").alias(column)
            ),
            on=["indicator", "unit"],
            how="left",
        )
    # Ranked only where a result is judged now (gap not null); earlier ranks among the
    # counties ranked now that had a value then.
    judged = pl.col("gap").is_not_null()
    ranked = ranked.with_columns(
        pl.when(judged).then(pl.col("gap")).alias("_g0"),
        pl.when(judged).then(gap_expr("value_previous")).alias("_g1"),
        pl.when(judged).then(gap_expr("value_year_earlier")).alias("_g4"),
    ).with_columns(
        _rank(pl.col("_g0")).alias("rank"),
        _rank(pl.col("_g1")).alias("_r1"),
        _rank(pl.col("_g4")).alias("_r4"),
    )
    ranked = ranked.with_columns(
        (pl.col("_r1") - pl.col("rank")).alias("rank_change"),
        (pl.col("_r4") - pl.col("rank")).alias("rank_change_year_earlier"),
    ).select("_row", *RANK_COLUMNS, *VALUE_COLUMNS)
    return (
        frame.join(ranked, on="_row", how="left", maintain_order="left")
        .drop("_row")
        .with_columns([pl.col(c).cast(RESULT_SCHEMA[c]) for c in (*RANK_COLUMNS, *VALUE_COLUMNS)])
    )


def missed_streaks(
    results: pl.DataFrame, history: pl.DataFrame, periods: Sequence[str]
) -> pl.DataFrame:
    """STREAK_SCHEMA rows for the county and city results that fail now.

    ``results`` carries ``warn_within`` and ``tolerance`` (a close miss is a warning,
    not a miss);
    ``periods`` are the period labels of ``history`` and the current one, oldest first.
    """
    newest = len(periods) - 1
    if newest >= _MASK_BITS:
        raise ValueError(f"a streak looks back at most {_MASK_BITS} periods, not {len(periods)}")
    failing = results.filter(
        pl.col("level").is_in(["county", "city"]) & (pl.col("status") == "fail")
    ).select(*_KEEP)
    if failing.is_empty():
        return pl.DataFrame(schema=STREAK_SCHEMA)
    order = {p: i for i, p in enumerate(periods[:newest])}  # the earlier periods
    past = (
        failing.join(
            history.filter(pl.col("period").is_in(list(order))).select(
                "indicator", "level", "unit", "period", "value"
            ),
            on=["indicator", "level", "unit"],
            how="inner",
        )
        .with_columns(pl.lit(None, pl.String).alias("reason_code"))
        .with_columns(gap=gap_expr())
        .with_columns(status=status_expr())
        .filter(pl.col("status") == "fail")
    )
    key = ["target_id", "level", "unit"]
    # One bit per period a result failed in (the current one, bit `newest`, always). The
    # run of misses back from now ends at the highest clear bit below it.
    bits = pl.concat(
        [
            failing.select(*key, _bit=pl.lit(1 << newest, pl.UInt64)),
            past.select(
                *key,
                _bit=pl.lit(2, pl.UInt64).pow(
                    pl.col("period").replace_strict(order, return_dtype=pl.UInt64)
                ),
            ),
        ]
    )
    return (
        bits.group_by(key)
        .agg(pl.col("_bit").bitwise_or().alias("_mask"))
        .with_columns(periods_missed=_run_back_from(newest, pl.col("_mask")))
        .with_columns(
            missed_since=(newest + 1 - pl.col("periods_missed")).replace_strict(
                dict(enumerate(periods)), return_dtype=pl.String
            ),
            history_periods=pl.lit(len(periods), pl.Int64),
        )
        .sort(key)
        .select(list(STREAK_SCHEMA))
    )


def _run_back_from(newest: int, mask: pl.Expr) -> pl.Expr:
    """How many set bits ``mask`` has from bit ``newest`` down to its first clear bit: 63
    minus the leading zeros of the clear bits is the highest clear one (-1 when none)."""
    full = (1 << (newest + 1)) - 1
    clear = (mask ^ full) & full
    return pl.lit(newest - 63, pl.Int64) + clear.bitwise_leading_zeros().cast(pl.Int64)
