"""The SQL half of the indicator values: one wide statement per family of indicators
(all ratio-like and sum-like ones; all year-over-year ones), built from the catalog's
Measures and Conditions (compiled in :mod:`kpi_audit.evaluate.sql`).

Per row, ``d_in`` (``n_in`` for kinds without a denominator) says whether the row is in
the indicator's scope, and ``n_val`` / ``d_val`` what it contributes (the field, or 1
when counting institutions). A blank in a scope condition means "not in scope": primary
care leaves 医院等级 blank by design, so it must not count as an unknown tertiary
hospital. Within the scope a blank is missing, never zero: a row lacking a summed field,
or the flag that puts it in the numerator (``n_in`` NULL), is left out of numerator and
denominator alike. Every column is suffixed with the indicator's position k in its
family; :mod:`kpi_audit.evaluate.indicators` turns the sums and counts into values and
reasons.
"""

from __future__ import annotations

from collections.abc import Sequence

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.models import Indicator
from kpi_audit.core.periods import parse_period
from kpi_audit.evaluate.sql import compile_value, compile_where, sql_literal

YOY_KINDS = ("yoy_decline", "yoy_growth")
RATIO_KINDS = ("ratio", "facility_share")
SUM_KINDS = ("sum", "count")


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
    # A population-based ratio divided by the area register needs the numerator of every
    # row that reported it, whether or not the row also reported its own population.
    # Left out: in scope, some of its summed fields filled, yet in neither sum (a blank
    # field, missing, never zero). A row with all of them blank takes no part at all (a
    # hospital reports no resident population by design).
    summed = len(dict.fromkeys(m.field for m in (ind.numerator, ind.denominator) if m and m.field))
    some = " OR ".join(f"has{k}_{i}" for i in range(summed)) or "TRUE"
    counted = f"d_ok{k}" if ind.kind in RATIO_KINDS else f"n_ok{k}"
    left = [f"count_if(cand{k} AND ({some}) AND NOT {counted}) AS n_left{k}"]
    population = (
        [
            f"{_numerator_all(k)} AS numerator_all{k}",
            f"count_if(COALESCE(n_in{k}, FALSE) AND n_val{k} IS NOT NULL) AS n_num_all{k}",
            # on the register's basis a row counts when it reports the numerator
            f"count_if(cand{k} AND ({some}) AND NOT COALESCE(n_in{k} AND n_val{k} IS NOT NULL,"
            f" FALSE)) AS n_left_all{k}",
        ]
        if ind.population_denominator
        else []
    )
    return [
        f"SUM(CASE WHEN n_ok{k} THEN n_val{k} END) AS numerator{k}",
        f"SUM(CASE WHEN d_ok{k} THEN d_val{k} END) AS denominator{k}",
        f"count_if(n_ok{k}) AS n_num_ok{k}",
        f"count_if(d_ok{k}) AS n_den_ok{k}",
        f"count_if(cand{k}) AS n_candidates{k}",
        *has,
        *left,
        *population,
    ]


def _numerator_all(k: int) -> str:
    """The numerator of every row that reported it: what a value on the area register's
    basis divides."""
    return f"SUM(CASE WHEN COALESCE(n_in{k}, FALSE) THEN n_val{k} END)"


def _sums(ind: Indicator, k: int) -> list[str]:
    # 0 where no institution is in scope: it has signed none of the register's residents,
    # as evaluate/population.py counts a no_institutions unit
    population = (
        [f"CASE WHEN count_if(cand{k}) = 0 THEN 0 ELSE {_numerator_all(k)} END AS numerator_all{k}"]
        if ind.population_denominator
        else []
    )
    return [
        f"SUM(CASE WHEN n_ok{k} THEN n_val{k} END) AS numerator{k}",
        f"SUM(CASE WHEN d_ok{k} THEN d_val{k} END) AS denominator{k}",
        *population,
    ]


def parts_sql(
    indicators: Sequence[Indicator], table: str, periods: Sequence[str], *, sums_only: bool = False
) -> str:
    """One statement: per period × county × city, every indicator's sums and counts
    (only the sums with ``sums_only``: enough for a trend value, not for a reason)."""
    aggs = [
        a
        for k, ind in enumerate(indicators)
        for a in (_sums(ind, k) if sums_only else _aggregates(ind, k))
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


def prior_share_sql(indicators: Sequence[Indicator], table: str, period: str, gone: str) -> str:
    """Per county × city of ``period``: each indicator's weight (its denominator; for
    counts and year-over-year indicators its numerator) in all (``tot{k}``) and in the
    institutions listed in relation ``gone`` (``gone{k}``, column org_code)."""
    aggs = []
    for k, ind in enumerate(indicators):
        ok, val = (
            (f"d_ok{k}", f"d_val{k}") if ind.kind in RATIO_KINDS else (f"n_ok{k}", f"n_val{k}")
        )
        aggs += [
            f"SUM(CASE WHEN {ok} THEN abs({val}) END) AS tot{k}",
            f"SUM(CASE WHEN {ok} AND g.org_code IS NOT NULL THEN abs({val}) END) AS gone{k}",
        ]
    return (
        f"SELECT r.county, r.city, {', '.join(aggs)} "
        f"FROM ({_rows_sql(indicators, table, [period])}) r "
        f"LEFT JOIN {gone} g ON g.org_code = r.org_code GROUP BY r.county, r.city"
    )
