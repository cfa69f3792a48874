"""The rows an audit reads: which periods are loaded, which one was asked for, and one
materialised slice of ``current_submissions`` for the periods the audit needs.

A whole year is evaluated from the rows submitted for the year when there are any;
otherwise from its quarters, per institution: flows (visits, referrals) are summed,
stocks (population, signed residents, beds, staff, flags, the institution's attributes)
are taken from its latest quarter. The latest-quarter value is taken as reported, blank
included, so that the fields of one ratio always come from the same report.

The rows are a subquery over ``submissions`` rather than a materialised copy: every
query of an audit reads only the columns and periods it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from kpi_audit.core.errors import NoDataError, UsageError
from kpi_audit.core.fields import BOOL_FIELDS, TEXT_FIELDS
from kpi_audit.core.periods import Period, parse_period
from kpi_audit.evaluate.cities import filled_rows, fills_table, make_fills
from kpi_audit.evaluate.sql import quote_ident

# Counts over the period (summed when quarters make a year); every other count is a
# stock observed at the end of the period.
FLOW_FIELDS = (
    "total_visits",
    "tcm_visits",
    "general_outpatient_visits",
    "appointment_visits",
    "referrals_up",
    "referrals_down",
)
ATTRIBUTE_COLUMNS = ("org_name", "city", "county", "org_type", "hospital_grade", "area")
TREND_LENGTH = 8


def _sql_type(field: str) -> str:
    """The column type of a submission field that an older store does not have."""
    return "BOOLEAN" if field in BOOL_FIELDS else "VARCHAR" if field in TEXT_FIELDS else "BIGINT"


@dataclass(frozen=True)
class LoadedPeriods:
    periods: tuple[Period, ...]  # as submitted, oldest first

    def has_annual_rows(self, year: int) -> bool:
        return Period(year) in self.periods

    def has_data(self, p: Period) -> bool:
        if p.quarter is not None:
            return p in self.periods
        return any(q.year == p.year for q in self.periods)

    def latest(self) -> Period | None:
        return self.periods[-1] if self.periods else None

    def labels(self) -> str:
        return ", ".join(str(p) for p in self.periods) or "none"


def loaded_periods(con: duckdb.DuckDBPyConnection) -> LoadedPeriods:
    labels = [r[0] for r in con.execute("SELECT DISTINCT period FROM submissions").fetchall()]
    parsed = {p for p in (parse_period(label) for label in labels) if p is not None}
    return LoadedPeriods(tuple(sorted(parsed)))


def resolve_period(text: str, loaded: LoadedPeriods) -> Period:
    """``latest`` or a period spelling → a Period with data; UsageError / NoDataError."""
    if text.strip().lower() == "latest":
        latest = loaded.latest()
        if latest is None:
            raise NoDataError(code="no_data")
        return latest
    period = parse_period(text)
    if period is None:
        raise UsageError(code="not_a_period", params={"text": text})
    if not loaded.has_data(period):
        raise NoDataError(
            code="no_data_period",
            params={
                "period": str(period),
                "period_zh": period.label_zh,
                "loaded": [str(p) for p in loaded.periods],
                "case": None if loaded.periods else "none",
            },
        )
    return period


def _select_columns(fields: Iterable[str]) -> list[str]:
    return [f for f in dict.fromkeys(fields) if f not in ("org_code", *ATTRIBUTE_COLUMNS)]


def source_labels(periods: Sequence[Period], loaded: LoadedPeriods) -> list[str]:
    """The submitted period labels that make up ``periods`` (a year without annual
    rows is made of its quarters)."""
    labels: list[str] = []
    for p in periods:
        if p.quarter is None and not loaded.has_annual_rows(p.year):
            labels += [str(q) for q in p.quarters()]
        else:
            labels.append(str(p))
    return list(dict.fromkeys(labels))


def _latest_loads(con: duckdb.DuckDBPyConnection, labels: Sequence[str], superseded: str) -> str:
    """``submissions`` reduced to the latest load per institution and period, as
    ``current_submissions`` defines it, restricted to ``labels``.

    The view ranks every row; at national scale that window is most of an audit's time.
    Re-submissions are few, so only the rows they supersede are found (temp table
    ``superseded``) and anti-joined, and not at all when there are none.
    """
    listed = ", ".join(f"'{label}'" for label in labels)  # canonical labels: digits and Q
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {superseded} AS "
        "WITH dup AS (SELECT org_code, period FROM submissions "
        f"WHERE period IN ({listed}) GROUP BY org_code, period HAVING count(*) > 1) "
        "SELECT s.file_id, COALESCE(s.sheet, '') AS sheet, s.source_row, s.org_code, s.period "
        "FROM submissions s SEMI JOIN dup d ON s.org_code = d.org_code AND s.period = d.period "
        "QUALIFY row_number() OVER (PARTITION BY s.org_code, s.period "
        "ORDER BY s.file_id DESC, s.source_row DESC) > 1"
    )
    (has_superseded,) = con.execute(f"SELECT count(*) FROM {superseded}").fetchall()
    base = f"SELECT * FROM submissions WHERE period IN ({listed})"
    if has_superseded[0]:
        base = (
            f"SELECT s.* FROM submissions s ANTI JOIN {superseded} x "
            "ON s.file_id = x.file_id AND COALESCE(s.sheet, '') = x.sheet "
            "AND s.source_row = x.source_row AND s.org_code = x.org_code "
            f"AND s.period = x.period WHERE s.period IN ({listed})"
        )
    return base


def rows_relation(
    con: duckdb.DuckDBPyConnection,
    periods: Sequence[Period],
    loaded: LoadedPeriods,
    fields: Iterable[str],
    superseded: str,
) -> str:
    """A parenthesised subquery: one row per institution and period in ``periods``
    with columns eval_period, eval_year, eval_quarter, year_earlier (the label of the
    same period a year before), org_code, the attributes and ``fields``.

    Creates the temp table ``superseded``, and beside it the fills of rows without 所属市
    (evaluate/cities.py): the caller drops both (cities.drop_window_tables).
    """
    present = {r[0] for r in con.execute("DESCRIBE submissions").fetchall()}
    values = [f for f in _select_columns(fields) if f in present]
    # A store created before a field existed has no column for it: nobody submitted it.
    absent = [f for f in _select_columns(fields) if f not in present]
    labels = source_labels(periods, loaded)
    latest = _latest_loads(con, labels, superseded)
    quarters = [str(p) for p in periods if p.quarter is not None]
    annual = [str(p) for p in periods if p.quarter is None and loaded.has_annual_rows(p.year)]
    from_quarters = [
        p.year for p in periods if p.quarter is None and not loaded.has_annual_rows(p.year)
    ]
    plain_cols = ", ".join(["org_code", *ATTRIBUTE_COLUMNS, *map(quote_ident, values)])
    parts: list[str] = []
    as_submitted = quarters + annual
    if as_submitted:
        listed = ", ".join(f"'{label}'" for label in as_submitted)
        parts.append(
            "SELECT period AS eval_period, period_year AS eval_year, "
            "period_quarter AS eval_quarter, "
            + plain_cols
            + f" FROM ({latest}) WHERE period IN ({listed})"
        )
    if from_quarters:
        parts.append(_years_from_quarters_sql(latest, values, from_quarters))
    if not parts:
        parts.append(
            "SELECT NULL::VARCHAR AS eval_period, NULL::INTEGER AS eval_year, "
            "NULL::INTEGER AS eval_quarter, " + plain_cols + " FROM submissions WHERE FALSE"
        )
    union = "(" + " UNION ALL BY NAME ".join(f"({p})" for p in parts) + ")"
    if make_fills(con, union, labels, fills_table(superseded)):  # rows without 所属市
        union = filled_rows(union, fills_table(superseded))
    nulls = "".join(f", CAST(NULL AS {_sql_type(f)}) AS {quote_ident(f)}" for f in absent)
    return (
        f"(SELECT *{nulls}, CASE WHEN eval_quarter IS NULL THEN CAST(eval_year - 1 AS VARCHAR) "
        "ELSE CAST(eval_year - 1 AS VARCHAR) || 'Q' || eval_quarter END AS year_earlier "
        f"FROM {union})"
    )


def _years_from_quarters_sql(latest: str, values: Sequence[str], years: Sequence[int]) -> str:
    """Whole years made from their quarters: flows summed, stock and attribute values
    as of the last quarter reported."""
    last = "first({c} ORDER BY period_quarter DESC) AS {c}"
    # the city as the last quarter that names one (所属市 is optional: a blank is no move)
    named = "first(city ORDER BY period_quarter DESC) FILTER (WHERE city IS NOT NULL) AS city"
    aggregated = [named if c == "city" else last.format(c=c) for c in ATTRIBUTE_COLUMNS]
    aggregated += [
        f"SUM({quote_ident(c)}) AS {quote_ident(c)}"
        if c in FLOW_FIELDS
        else last.format(c=quote_ident(c))
        for c in values
    ]
    listed = ", ".join(str(int(y)) for y in years)
    return (
        "SELECT CAST(period_year AS VARCHAR) AS eval_period, period_year AS eval_year, "
        "CAST(NULL AS INTEGER) AS eval_quarter, org_code, "
        + ", ".join(aggregated)
        + f" FROM ({latest}) WHERE period_quarter IS NOT NULL "
        f"AND period_year IN ({listed}) GROUP BY org_code, period_year"
    )


def rejects_sql(labels: Sequence[str]) -> str:
    """The SELECT of ``current_rejects`` for these period labels: rows naming one, and rows
    without a period from a file that submitted one."""
    listed = ", ".join(f"'{label}'" for label in labels)  # canonical labels: digits and Q
    return (
        f"SELECT * FROM current_rejects WHERE period IN ({listed}) OR (period IS NULL AND "
        f"file_id IN (SELECT file_id FROM submissions WHERE period IN ({listed})))"
    )


def basis_notice(p: Period, loaded: LoadedPeriods) -> tuple[str, dict[str, object]] | None:
    """Say how a whole year's values were obtained when they come from its quarters:
    the notice's code and parameters (its words are in kpi_audit.render.i18n)."""
    if p.quarter is not None or loaded.has_annual_rows(p.year):
        return None
    quarters = [str(q) for q in loaded.periods if q.year == p.year and q.quarter is not None]
    if not quarters:
        return None
    return "year_from_quarters", {"year": p.year, "quarters": quarters}
