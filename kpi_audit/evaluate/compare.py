"""Threshold comparison as polars expressions over a frame of unit values."""

from __future__ import annotations

import polars as pl

# Values are ratios of sums; a tolerance keeps 1 − 90/100 "exactly at" a 10% target.
TOLERANCE = 1e-9


def gap_expr(value_column: str = "value") -> pl.Expr:
    """value − threshold, signed so that negative means behind target. For ``around``
    (needs a ``tolerance`` column): 0 inside threshold ± tolerance, else minus the
    distance to the band's nearer edge."""
    value, low, high, op = (
        pl.col(value_column),
        pl.col("threshold"),
        pl.col("threshold_high"),
        pl.col("operator"),
    )
    off_band = (value - low).abs() - pl.col("tolerance").fill_null(0.0)
    below, above = low - value, value - high
    return (
        pl.when(op.is_in([">=", ">"]))
        .then(value - low)
        .when(op.is_in(["<=", "<"]))
        .then(low - value)
        .when(op == "==")
        .then(-(value - low).abs())
        .when(op == "between")
        .then(pl.when(value < low).then(-below).when(value > high).then(-above).otherwise(0.0))
        .when(op == "around")
        .then(pl.when(off_band > 0).then(-off_band).otherwise(0.0))
    )


def status_expr() -> pl.Expr:
    """pass / warn / fail from ``gap`` (and ``reason_code`` → not_evaluable)."""
    gap, op, warn = pl.col("gap"), pl.col("operator"), pl.col("warn_within")
    meets = (
        pl.when(op.is_in([">", "<"]))
        .then(gap > TOLERANCE)
        .when(op == "==")
        .then(gap >= -TOLERANCE)
        .otherwise(gap >= -TOLERANCE)
    )
    return (
        pl.when(pl.col("reason_code").is_not_null() | pl.col("value").is_null())
        .then(pl.lit("not_evaluable"))
        .when(meets)
        .then(pl.lit("pass"))
        .when(warn.is_not_null() & (-gap <= warn + TOLERANCE))
        .then(pl.lit("warn"))
        .otherwise(pl.lit("fail"))
    )
