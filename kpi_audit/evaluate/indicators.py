"""Indicator values for every unit as set-based SQL, then value and not-evaluable
reason as polars expressions.

County and city values come from ONE wide query per group of indicators (all
ratio-like indicators; all year-over-year ones): a single scan groups the rows by
period × county × city and computes, for every indicator, the partial sums and counts
that its value and its reason need. Those parts are summed up to county and to city
level in polars (sums of sums, so every ratio stays Σ numerator / Σ denominator).
At national scale this is one pass over the data instead of one per indicator.
Facility values come from one query per family too: one row per institution in the
scope of any indicator with targets at facility level, split per indicator in polars.

Per row, ``d_in`` (``n_in`` for kinds without a denominator) says whether the row is in
the indicator's scope, and ``n_val`` / ``d_val`` what it contributes (the field, or 1
when counting institutions). A blank in a scope condition means "not in scope": primary
care leaves 医院等级 blank by design, so it must not count as an unknown tertiary
hospital. Within the scope a blank is missing, never zero: a row lacking a summed field,
or the flag that puts it in the numerator (``n_in`` NULL), is left out of numerator and
denominator alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.models import SCALE_FACTOR, Indicator
from kpi_audit.core.periods import parse_period
from kpi_audit.evaluate.sql import compile_value, compile_where, sql_literal
from kpi_audit.render.i18n import params_json

YOY_KINDS = ("yoy_decline", "yoy_growth")
RATIO_KINDS = ("ratio", "facility_share")
SUM_KINDS = ("sum", "count")
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
}
_COUNTS = ("numerator", "denominator", "n_num_ok", "n_den_ok", "n_candidates")


def checked_fields(ind: Indicator) -> list[str]:
    """Fields whose absence explains a not-evaluable unit: the summed fields first."""
    fields = [m.field for m in (ind.numerator, ind.denominator) if m is not None and m.field]
    return list(dict.fromkeys([*fields, *ind.fields_used]))


def _in_list(periods: Sequence[str]) -> str:
    return ", ".join(sql_literal(p) for p in periods)


def _years_earlier(periods: Sequence[str]) -> list[str]:
    """The labels a year before ``periods``: the only rows a year-over-year join reads."""
    parsed = (parse_period(label) for label in periods)
    return [str(p.year_earlier()) for p in parsed if p is not None]


# ---- per-row columns, suffixed with the indicator's position k --------------------


def _row_columns(ind: Indicator, k: int) -> list[str]:
    """Scope, value and has-field columns of indicator k over one submission row."""
    n_in, n_val = compile_where(ind.numerator.where), compile_value(ind.numerator)
    fallbacks = {
        m.field: m.fallback
        for m in (ind.numerator, ind.denominator)
        if m is not None and m.field and m.fallback
    }
    cols = [
        f'(COALESCE("{f}", "{fallbacks[f]}") IS NOT NULL) AS has{k}_{i}'
        if f in fallbacks
        else f'("{f}" IS NOT NULL) AS has{k}_{i}'
        for i, f in enumerate(checked_fields(ind))
    ]
    if ind.kind in RATIO_KINDS:
        if ind.denominator is None:
            raise ConfigError(f"indicator {ind.id}: a {ind.kind} needs a denominator")
        d_in, d_val = compile_where(ind.denominator.where), compile_value(ind.denominator)
        cols += [
            f"{n_in} AS n_in{k}",
            f"{n_val} AS n_val{k}",
            f"COALESCE({d_in}, FALSE) AS d_in{k}",
            f"{d_val} AS d_val{k}",
        ]
    else:
        cols += [f"COALESCE({n_in}, FALSE) AS n_in{k}", f"{n_val} AS n_val{k}"]
    if ind.kind in SUM_KINDS:
        cols.append(f"CAST(NULL AS DOUBLE) AS d_val{k}")
    return cols


def _prev_column(ind: Indicator, k: int) -> str:
    """The value of a year-over-year indicator's field on the row a year earlier."""
    n_in, n_val = compile_where(ind.numerator.where), compile_value(ind.numerator)
    return f"CASE WHEN COALESCE({n_in}, FALSE) THEN {n_val} END AS d_val{k}"


def _flag_columns(ind: Indicator, k: int) -> list[str]:
    """candidate (in scope), n_ok / d_ok (counts in numerator / denominator), n_true."""
    if ind.kind in RATIO_KINDS:
        return [
            f"d_in{k} AS cand{k}",
            f"COALESCE(n_in{k}, FALSE) AS ntrue{k}",
            f"COALESCE(n_in{k} AND n_val{k} IS NOT NULL "
            f"AND (NOT d_in{k} OR d_val{k} IS NOT NULL), FALSE) AS n_ok{k}",
            f"COALESCE(d_in{k} AND d_val{k} IS NOT NULL AND n_in{k} IS NOT NULL "
            f"AND (NOT n_in{k} OR n_val{k} IS NOT NULL), FALSE) AS d_ok{k}",
        ]
    both = (
        f"n_in{k} AND n_val{k} IS NOT NULL AND d_val{k} IS NOT NULL"
        if ind.kind in YOY_KINDS
        else f"n_in{k} AND n_val{k} IS NOT NULL"
    )
    return [
        f"n_in{k} AS cand{k}",
        f"n_in{k} AS ntrue{k}",
        f"{both} AS n_ok{k}",
        f"{both} AS d_ok{k}",
    ]


def _rows_sql(indicators: Sequence[Indicator], table: str, periods: Sequence[str]) -> str:
    """Per-row flags of every indicator (all of one family: yoy or not)."""
    base = ["eval_period", "year_earlier", "org_code", "org_name", "county", "city"]
    cols = [c for k, ind in enumerate(indicators) for c in _row_columns(ind, k)]
    rows = (
        f"SELECT {', '.join(base + cols)} FROM {table} WHERE eval_period IN ({_in_list(periods)})"
    )
    yoy = indicators[0].kind in YOY_KINDS
    if yoy:
        prev = [_prev_column(ind, k) for k, ind in enumerate(indicators)]
        rows = (
            f"SELECT cur.*, {', '.join(f'prev.d_val{k}' for k in range(len(indicators)))} "
            f"FROM ({rows}) cur LEFT JOIN (SELECT org_code, eval_period, "
            f"{', '.join(prev)} FROM {table} "
            f"WHERE eval_period IN ({_in_list(_years_earlier(periods))})) prev "
            "ON prev.org_code = cur.org_code AND prev.eval_period = cur.year_earlier"
        )
    flags = [c for k, ind in enumerate(indicators) for c in _flag_columns(ind, k)]
    return f"SELECT *, {', '.join(flags)} FROM ({rows})"


def _aggregates(ind: Indicator, k: int) -> list[str]:
    # CASE and count_if rather than FILTER: DuckDB slices the whole input once per
    # filtered aggregate, which is quadratic in a query this wide.
    # A count's scope is its numerator's: a row whose condition field is blank is never
    # in it, so whether the field was submitted at all is asked of every row.
    scope = "TRUE" if ind.kind == "count" else f"(cand{k} OR ntrue{k})"
    has = [
        f"count_if({scope} AND has{k}_{i}) AS nn{k}_{i}" for i in range(len(checked_fields(ind)))
    ]
    return [
        f"SUM(CASE WHEN n_ok{k} THEN n_val{k} END) AS numerator{k}",
        f"SUM(CASE WHEN d_ok{k} THEN d_val{k} END) AS denominator{k}",
        f"count_if(n_ok{k}) AS n_num_ok{k}",
        f"count_if(d_ok{k}) AS n_den_ok{k}",
        f"count_if(cand{k}) AS n_candidates{k}",
        *has,
    ]


def _sums(k: int) -> list[str]:
    return [
        f"SUM(CASE WHEN n_ok{k} THEN n_val{k} END) AS numerator{k}",
        f"SUM(CASE WHEN d_ok{k} THEN d_val{k} END) AS denominator{k}",
    ]


def parts_sql(
    indicators: Sequence[Indicator], table: str, periods: Sequence[str], *, sums_only: bool = False
) -> str:
    """One statement: per period × county × city, every indicator's sums and counts
    (only the sums with ``sums_only``: enough for a trend value, not for a reason)."""
    aggs = [
        a
        for k, ind in enumerate(indicators)
        for a in (_sums(k) if sums_only else _aggregates(ind, k))
    ]
    return (
        f"SELECT eval_period, county, city, {', '.join(aggs)} "
        f"FROM ({_rows_sql(indicators, table, periods)}) GROUP BY eval_period, county, city"
    )


def facility_sql(indicators: Sequence[Indicator], table: str, period: str) -> str:
    """One row per institution in the scope of any of ``indicators`` (all of one family),
    with each indicator's own sums and flags and whether it is in that one's scope (flags
    stay booleans until split: the scopes of all facility indicators are most rows)."""
    cols = ["eval_period", "org_code", "org_name", "county"]
    for k, ind in enumerate(indicators):
        cols += [
            f"cand{k}",
            f"CASE WHEN n_ok{k} THEN n_val{k} END AS numerator{k}",
            f"CASE WHEN d_ok{k} THEN d_val{k} END AS denominator{k}",
            f"n_ok{k}",
            f"d_ok{k}",
            *(f"has{k}_{i}" for i in range(len(checked_fields(ind)))),
        ]
    in_any = " OR ".join(f"cand{k}" for k in range(len(indicators)))
    return (
        f"SELECT {', '.join(cols)} FROM ({_rows_sql(indicators, table, [period])}) "
        f"WHERE {in_any} ORDER BY org_code"
    )


# ---- value and reason ------------------------------------------------------------


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
        ratio = num / den
        value = {"yoy_decline": 1.0 - ratio, "yoy_growth": ratio - 1.0}.get(ind.kind, ratio)
        value, numerator, denominator = value * scale, num, den
    code, params = _reason_columns(rules)
    evaluated = pl.col("reason_code").is_null()
    out = raw.with_columns(reason_code=code, reason_params=params).with_columns(
        value=pl.when(evaluated).then(value),
        numerator=pl.when(evaluated).then(numerator),
        denominator=pl.when(evaluated).then(denominator),
    )
    return out.select([pl.col(c).cast(t) for c, t in UNIT_SCHEMA.items()])


def _own_columns(ind: Indicator, k: int) -> list[pl.Expr]:
    names = [*_COUNTS, *(f"nn_{i}" for i in range(len(checked_fields(ind))))]
    sources = [
        *(f"{c}{k}" for c in _COUNTS),
        *(f"nn{k}_{i}" for i in range(len(checked_fields(ind)))),
    ]
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


def trend_roll_up(ind: Indicator, parts: pl.DataFrame, k: int) -> pl.DataFrame:
    """County and city values of indicator k from sums-only parts; null where the
    value cannot be computed (the reason is not needed for a trend line)."""
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
    ratio = pl.when(pl.col("den") != 0).then(pl.col("num").fill_null(0.0) / pl.col("den"))
    value = {"yoy_decline": 1.0 - ratio, "yoy_growth": ratio - 1.0}.get(ind.kind, ratio)
    if ind.kind in SUM_KINDS:
        value = pl.col("num")
    return frame.select(
        "eval_period", "level", "unit", value=(value * SCALE_FACTOR[ind.scale]).cast(pl.Float64)
    )


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


def not_comparable_sql(ind: Indicator, table: str, period: str, year_earlier: str) -> str:
    """Institutions in scope that reported the field in only one of the two periods."""
    n_in, n_val = compile_where(ind.numerator.where), compile_value(ind.numerator)

    def reported(label: str) -> str:
        # Plain concatenation: the compiled condition may hold any literal, braces too.
        return (
            f"SELECT org_code, org_name, county FROM {table} "
            f"WHERE eval_period = {sql_literal(label)} "
            f"AND COALESCE({n_in}, FALSE) AND {n_val} IS NOT NULL"
        )

    cur, prev = reported(period), reported(year_earlier)
    return (
        "SELECT COALESCE(c.org_code, p.org_code) AS org_code, "
        "COALESCE(c.org_name, p.org_name) AS org_name, "
        "COALESCE(c.county, p.county) AS county, c.org_code IS NULL AS only_earlier "
        f"FROM ({cur}) c FULL OUTER JOIN ({prev}) p ON c.org_code = p.org_code "
        "WHERE c.org_code IS NULL OR p.org_code IS NULL ORDER BY 1"
    )
