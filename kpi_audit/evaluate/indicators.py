"""Indicator values for every unit: the sums and counts of set-based SQL
(:mod:`kpi_audit.evaluate.indicator_sql`), then value and not-evaluable reason as polars
expressions.

County and city values come from ONE wide query per group of indicators (all
ratio-like indicators; all year-over-year ones): a single scan groups the rows by
period × county × city and computes, for every indicator, the partial sums and counts
that its value and its reason need. Those parts are summed up to county and to city
level in polars (sums of sums, so every ratio stays Σ numerator / Σ denominator).
At national scale this is one pass over the data instead of one per indicator.
Facility values come from one query per family too: one row per institution in the
scope of any indicator with targets at facility level, split per indicator in polars.
Within an indicator's scope a blank is missing, never zero (see indicator_sql).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from kpi_audit.core.models import SCALE_FACTOR, Indicator
from kpi_audit.evaluate.indicator_sql import (
    RATIO_KINDS,
    SUM_KINDS,
    YOY_KINDS,
    checked_fields,
    facility_sql,
    not_comparable_sql,
    parts_sql,
)
from kpi_audit.render.i18n import params_json

__all__ = [
    "NO_COMPARABLE",
    "NO_SCOPE",
    "RATIO_KINDS",
    "SUM_KINDS",
    "UNIT_SCHEMA",
    "YOY_KINDS",
    "ZERO_DENOMINATOR",
    "Reason",
    "area_values",
    "checked_fields",
    "facility_sql",
    "facility_values",
    "finish",
    "not_comparable_sql",
    "parts_sql",
    "roll_up",
    "trend_roll_up",
]

# A not-evaluable reason: (reason_code, reason_params as a JSON object), or None for
# "evaluable". The words are in kpi_audit.render.i18n.
Reason = tuple[str, str] | None
NO_SCOPE: Reason = ("no_institutions", "{}")
ZERO_DENOMINATOR: Reason = ("zero_denominator", "{}")
NO_COMPARABLE: Reason = ("no_comparable", "{}")

UNIT_SCHEMA: dict[str, pl.DataType] = {
    "eval_period": pl.String(),
    "level": pl.String(),
    "unit": pl.String(),
    "unit_name": pl.String(),
    "county": pl.String(),
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "reason_code": pl.String(),
    "reason_params": pl.String(),
    # Institutions in the indicator's scope whose row counts in neither sum because a
    # field it needs is blank (missing, never zero): said, not silently dropped.
    "left_out": pl.Int64(),
}
_COUNTS = ("numerator", "denominator", "n_num_ok", "n_den_ok", "n_candidates")


def _missing_field_rules(ind: Indicator) -> list[tuple[pl.Expr, Reason]]:
    """Why a unit without usable rows is not evaluable: the first field nobody filled
    in, else that no institution filled in all of them."""
    fields = checked_fields(ind)
    rules: list[tuple[pl.Expr, Reason]] = [
        (pl.col(f"nn_{i}") == 0, ("field_missing", params_json(fields=[f])))
        for i, f in enumerate(fields)
    ]
    rules.append((pl.lit(True), ("no_complete_row", params_json(fields=fields))))
    return rules


def _under(cond: pl.Expr, rules: list[tuple[pl.Expr, Reason]]) -> list[tuple[pl.Expr, Reason]]:
    return [(cond & c, r) for c, r in rules]


def _reason_columns(rules: list[tuple[pl.Expr, Reason]]) -> tuple[pl.Expr, pl.Expr]:
    """reason_code and reason_params from (condition, reason) rules, first match wins."""
    none = pl.lit(None, pl.String)
    code, params = none, none
    for cond, reason in reversed(rules):  # nested from the last rule out
        c, p = (none, none) if reason is None else (pl.lit(reason[0]), pl.lit(reason[1]))
        code = pl.when(cond).then(c).otherwise(code)
        params = pl.when(cond).then(p).otherwise(params)
    return code, params


def finish(ind: Indicator, raw: pl.DataFrame) -> pl.DataFrame:
    """Value and reason per unit from the sums and counts (UNIT_SCHEMA)."""
    scale = SCALE_FACTOR[ind.scale]
    num, den = pl.col("numerator").fill_null(0.0), pl.col("denominator")
    missing = _missing_field_rules(ind)
    if ind.kind in SUM_KINDS:
        # No institution in scope is a true zero (a county without county hospitals has
        # no key specialties in them); a field nobody in scope filled in is not.
        # A count is a true zero only where its condition fields were submitted: with
        # 主办性质 blank everywhere, "no public TCM hospital" cannot be told.
        unsubmitted = (
            pl.any_horizontal([pl.col(f"nn_{i}") == 0 for i in range(len(checked_fields(ind)))])
            if ind.kind == "count" and checked_fields(ind)
            else pl.lit(False)
        )
        rules = [
            *_under(unsubmitted, missing),
            (pl.col("n_candidates") == 0, None),
            *_under(pl.col("n_num_ok") == 0, missing),
        ]
        value, numerator, denominator = num * scale, num, pl.lit(None, pl.Float64)
    else:
        if ind.kind in YOY_KINDS:
            submitted = pl.all_horizontal(
                [pl.col(f"nn_{i}") > 0 for i in range(len(checked_fields(ind)))] or [pl.lit(True)]
            )
            missing = [(submitted, NO_COMPARABLE), *missing]
        # A numerator summed over rows outside the denominator's scope can be blank
        # everywhere while the denominator is fine.
        numerator_missing = (
            (pl.col("n_num_ok") == 0) & (pl.col("nn_0") == 0)
            if ind.numerator.field
            else pl.lit(False)
        )
        rules = [
            (pl.col("n_candidates") == 0, NO_SCOPE),
            *_under(pl.col("n_den_ok") == 0, missing),
            (den == 0, ZERO_DENOMINATOR),
            *_under(numerator_missing, missing),
        ]
        value, numerator, denominator = _value(ind.kind, num, den) * scale, num, den
    code, params = _reason_columns(rules)
    evaluated = pl.col("reason_code").is_null()
    out = raw.with_columns(reason_code=code, reason_params=params).with_columns(
        value=pl.when(evaluated).then(value),
        numerator=pl.when(evaluated).then(numerator),
        denominator=pl.when(evaluated).then(denominator),
        # where a value was computed (a field nobody filled in is its reason instead)
        left_out=pl.when(evaluated).then(_left_out(ind, raw, "n_left")),
    )
    columns = [pl.col(c).cast(t) for c, t in UNIT_SCHEMA.items()]
    if "n_num_all" in raw.columns:  # population-based: for the area register's basis
        numerator_all = pl.when(pl.col("n_num_all") > 0).then(pl.col("numerator_all"))
        columns.append(numerator_all.cast(pl.Float64).alias("numerator_all"))
        columns.append(_left_out(ind, raw, "n_left_all").cast(pl.Int64).alias("left_out_all"))
    return out.select(columns)


def _left_out(ind: Indicator, raw: pl.DataFrame, column: str) -> pl.Expr:
    """The rows a blank field left out of the sums (indicator_sql: ``n_left``); null
    where a kind has none to leave out (counts of institutions; year-over-year values,
    whose one-sided institutions are listed as not comparable) and on facility rows."""
    if ind.kind not in (*RATIO_KINDS, "sum") or column not in raw.columns:
        return pl.lit(None, pl.Int64)
    return pl.col(column)


def _own_columns(ind: Indicator, k: int) -> list[pl.Expr]:
    names = [*_COUNTS, *(f"nn_{i}" for i in range(len(checked_fields(ind))))]
    sources = [
        *(f"{c}{k}" for c in _COUNTS),
        *(f"nn{k}_{i}" for i in range(len(checked_fields(ind)))),
    ]
    names.append("n_left")
    sources.append(f"n_left{k}")
    if ind.population_denominator:
        names += ["numerator_all", "n_num_all", "n_left_all"]
        sources += [f"numerator_all{k}", f"n_num_all{k}", f"n_left_all{k}"]
    return [pl.col(s).alias(n) for s, n in zip(sources, names, strict=True)]


def roll_up(ind: Indicator, parts: pl.DataFrame, k: int) -> pl.DataFrame:
    """County and city values of indicator k from the period × county × city parts."""
    own = parts.select("eval_period", "county", "city", *_own_columns(ind, k))
    sums = [pl.col(c).sum() for c in own.columns if c not in ("eval_period", "county", "city")]
    county = (
        own.group_by("eval_period", "county")
        .agg(sums)
        .with_columns(level=pl.lit("county"), unit=pl.col("county"), unit_name=pl.col("county"))
    )
    city = (
        own.group_by("eval_period", "city")
        .agg(sums)
        .with_columns(
            level=pl.lit("city"),
            unit=pl.col("city"),
            unit_name=pl.col("city"),
            county=pl.lit(None, pl.String),
        )
    )
    return finish(ind, pl.concat([county, city], how="diagonal_relaxed"))


def trend_roll_up(ind: Indicator, parts: pl.LazyFrame, k: int) -> pl.LazyFrame:
    """County and city values of indicator k from sums-only parts; null where the
    value cannot be computed (the reason is not needed for a trend line). Lazy, so that
    the trends of many indicators are computed together (``pl.collect_all``)."""
    own = parts.select(
        "eval_period",
        "county",
        "city",
        pl.col(f"numerator{k}").alias("num"),
        pl.col(f"denominator{k}").alias("den"),
    )
    # A sum over no rows is null, not 0: keep that through the roll-up.
    sums = [pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in ("num", "den")]
    county = (
        own.group_by("eval_period", "county")
        .agg(sums)
        .with_columns(level=pl.lit("county"), unit=pl.col("county"))
    )
    city = (
        own.group_by("eval_period", "city")
        .agg(sums)
        .with_columns(level=pl.lit("city"), unit=pl.col("city"))
    )
    frame = pl.concat([county.drop("county"), city.drop("city")], how="vertical_relaxed")
    value: pl.Expr = pl.when(pl.col("den") != 0).then(
        _value(ind.kind, pl.col("num").fill_null(0.0), pl.col("den"))
    )
    if ind.kind in SUM_KINDS:
        value = pl.col("num")
    return frame.select(
        "eval_period", "level", "unit", value=(value * SCALE_FACTOR[ind.scale]).cast(pl.Float64)
    )


def _value(kind: str, num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, or for a year-over-year kind the change over the earlier period's
    sum, from the difference of the sums: (90,000 − 100,000) / 100,000 is −0.1 exactly,
    where 90,000 / 100,000 − 1 is −0.09999999999999998 and would miss a ≥ 10% target."""
    if kind == "yoy_decline":
        return (den - num) / den
    if kind == "yoy_growth":
        return (num - den) / den
    return num / den


def area_values(
    con: duckdb.DuckDBPyConnection, indicators: Sequence[Indicator], table: str, period: str
) -> dict[str, pl.DataFrame]:
    """County and city values (UNIT_SCHEMA) of each indicator for ``period``: one wide
    query per family (year-over-year indicators join the year before; the rest don't)."""
    out: dict[str, pl.DataFrame] = {}
    for family in _families(indicators):
        parts = con.sql(parts_sql(family, table, [period])).pl()
        for k, ind in enumerate(family):
            out[ind.id] = roll_up(ind, parts, k)
    return out


def _families(indicators: Sequence[Indicator]) -> list[list[Indicator]]:
    families = (
        [i for i in indicators if i.kind not in YOY_KINDS],
        [i for i in indicators if i.kind in YOY_KINDS],
    )
    return [f for f in families if f]


def facility_values(
    con: duckdb.DuckDBPyConnection, indicators: Sequence[Indicator], table: str, period: str
) -> dict[str, pl.DataFrame]:
    """Facility values (UNIT_SCHEMA) of each indicator for ``period``: one query per
    family, one row per institution in the scope of any of them."""
    out: dict[str, pl.DataFrame] = {}
    for family in _families(indicators):
        frame = con.sql(facility_sql(family, table, period)).pl()
        for k, ind in enumerate(family):
            nn = range(len(checked_fields(ind)))
            own = frame.filter(pl.col(f"cand{k}")).select(
                "eval_period",
                "county",
                level=pl.lit("facility"),
                unit="org_code",
                unit_name="org_name",
                numerator=f"numerator{k}",
                denominator=f"denominator{k}",
                n_num_ok=pl.col(f"n_ok{k}").cast(pl.Int64),
                n_den_ok=pl.col(f"d_ok{k}").cast(pl.Int64),
                n_candidates=pl.lit(1, pl.Int64),
                **{f"nn_{i}": pl.col(f"has{k}_{i}").cast(pl.Int64) for i in nn},
            )
            out[ind.id] = finish(ind, own)
    return out
