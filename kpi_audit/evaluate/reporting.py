"""Who was expected to report, who did, and what that does to each verdict (domain.md §4b).

Expected reporters are the institution register's institutions whose reporting window
covers the period or, without a register, those that reported in the previous period.
Every institution of a period is one of: ``reported`` (accepted rows), ``rejected``
(it sent rows and every one was refused at ingest: it reported, with errors, and is never
counted as missing) or ``missing`` (expected, and nothing arrived). Institutions that
report without being expected count as expected too, so the reporting rate
(reported + rejected) / expected never exceeds 1.

Per county and city and per indicator, ``missing_prior_share`` is the share of the
indicator's previous-period denominator (for counts and year-over-year indicators: of
its numerator) that the missing institutions held: a small clinic missing leaves the
verdict standing but provisional, a large hospital missing makes it ``incomplete``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import duckdb
import polars as pl

from kpi_audit.core.models import Indicator
from kpi_audit.core.periods import Period
from kpi_audit.evaluate.cities import REGISTER_CITIES
from kpi_audit.evaluate.indicator_sql import YOY_KINDS, prior_share_sql
from kpi_audit.evaluate.indicators import _families
from kpi_audit.evaluate.rows import rejects_sql
from kpi_audit.evaluate.sql import sql_literal
from kpi_audit.store.registers import expected_sql, has_institution_register

ExpectedBasis = Literal["institution_register", "previous_period", "none"]
DEFAULT_MIN_REPORTING = 0.90
DEFAULT_MAX_MISSING_SHARE = 0.05
NAMES_SHOWN = 5  # missing institutions named in an ``incomplete`` reason
# Not-evaluable reasons that come from the rows that arrived, which the institutions
# missing may explain: a unit below the thresholds says ``incomplete`` instead (the
# reasons about the target itself — out of scope, not due, needs data — stay).
ABSENCE_REASONS = (
    "no_institutions",
    "no_data",
    "no_comparable",
    "zero_denominator",
    "field_missing",
    "no_complete_row",
)

# One row per institution of the period: status reported | rejected | missing.
ROSTER_SCHEMA: dict[str, pl.DataType] = {
    "org_code": pl.String(),
    "org_name": pl.String(),
    "county": pl.String(),
    "city": pl.String(),
    "status": pl.String(),
    "reported_previous": pl.Boolean(),
}
# Per county and city (level, unit): the counts of ``reporting``.
COUNT_COLUMNS = ("expected", "reported", "rejected", "missing")


def _expected_sql(
    con: duckdb.DuckDBPyConnection, table: str, period: Period
) -> tuple[str, ExpectedBasis]:
    if has_institution_register(con):
        return expected_sql(period), "institution_register"
    prev = sql_literal(str(period.previous()))
    return (
        f"SELECT DISTINCT org_code, org_name, county, city FROM {table} WHERE eval_period = {prev}",
        "previous_period",
    )


def _roster_sql(expected: str, table: str, period: Period, labels: Sequence[str]) -> str:
    cur, prev = sql_literal(str(period)), sql_literal(str(period.previous()))
    return f"""
        WITH cur AS (SELECT DISTINCT org_code, org_name, county, city FROM {table}
                     WHERE eval_period = {cur}),
        exp AS ({expected}),
        -- a rejected row keeps no city: the one it was expected under, if any
        rej AS (
            SELECT r.org_code,
                   -- the name it was expected under, else its first rejected row's
                   COALESCE(any_value(x.org_name),
                            first(r.org_name ORDER BY r.file_id, r.source_row)) AS org_name,
                   any_value(r.county) AS county, any_value(x.city) AS city
            FROM ({rejects_sql(labels)}) r LEFT JOIN exp x ON x.org_code = r.org_code
            WHERE r.org_code IS NOT NULL AND r.org_code NOT IN (SELECT org_code FROM cur)
            GROUP BY r.org_code
        ),
        prev AS (SELECT DISTINCT org_code FROM {table} WHERE eval_period = {prev}),
        everyone AS (
            SELECT *, 'reported' AS status FROM cur
            UNION ALL SELECT *, 'rejected' FROM rej
            UNION ALL SELECT org_code, org_name, county, city, 'missing' FROM exp
            WHERE org_code NOT IN (SELECT org_code FROM cur)
              AND org_code NOT IN (SELECT org_code FROM rej)
        )
        SELECT e.*, e.org_code IN (SELECT org_code FROM prev) AS reported_previous
        FROM everyone e ORDER BY e.county, e.org_code
    """


def _county_cities_sql(table: str, counties: Sequence[str]) -> str:
    """county → city for ``counties``: the one city its rows of the window name, else
    the area register's (for roster rows without a city: a rejected row keeps none)."""
    listed = ", ".join(sql_literal(c) for c in counties)
    return f"""
        WITH own AS (SELECT county, min(city) AS city FROM {table}
                     WHERE city IS NOT NULL AND county IN ({listed})
                     GROUP BY county HAVING count(DISTINCT city) = 1),
        reg AS ({REGISTER_CITIES})
        SELECT county, COALESCE(own.city, reg.city) AS city
        FROM own FULL OUTER JOIN reg USING (county)
        WHERE county IN ({listed}) AND COALESCE(own.city, reg.city) IS NOT NULL
    """


def _per_unit(frame: pl.DataFrame, aggs: Sequence[pl.Expr], city: str) -> pl.DataFrame:
    """``aggs`` over each county and each city of ``frame`` (columns county, city), as
    level, unit and the aggregates; a row without a city counts for ``city``."""
    frame = frame.with_columns(pl.col("city").fill_null(pl.lit(city)))
    parts = []
    for level in ("county", "city"):
        grouped = (
            frame.filter(pl.col(level).is_not_null()).group_by(level, maintain_order=True).agg(aggs)
        )
        parts.append(grouped.rename({level: "unit"}).select(pl.lit(level).alias("level"), pl.all()))
    return pl.concat(parts)


@dataclass
class Reporting:
    """The period's roster and, per indicator, the missing institutions' prior share."""

    basis: ExpectedBasis
    roster: pl.DataFrame  # ROSTER_SCHEMA
    city: str  # the city a roster row without one belongs to
    # indicator id -> (level, unit, missing_prior_share) for the units with a share
    shares: dict[str, pl.DataFrame] = field(default_factory=dict)
    min_reporting: float = DEFAULT_MIN_REPORTING
    max_missing_share: float = DEFAULT_MAX_MISSING_SHARE

    _unit_counts: pl.DataFrame | None = None
    _missing_names: pl.DataFrame | None = None

    def missing(self) -> pl.DataFrame:
        return self.roster.filter(pl.col("status") == "missing")

    def unit_counts(self) -> pl.DataFrame:
        """:meth:`counts` as ``reporting_*`` columns, computed once per audit."""
        if self._unit_counts is None:
            renamed = {c: f"reporting_{c}" for c in COUNT_COLUMNS}
            self._unit_counts = self.counts().rename(renamed)
        return self._unit_counts

    def missing_names(self) -> pl.DataFrame:
        """level, unit, ``_listed``: the first NAMES_SHOWN missing institutions' names and
        how many more, as a JSON object's text (an ``incomplete`` reason's parameters)."""
        if self._missing_names is None:
            missing = self.missing().with_columns(
                _name=pl.col("org_name").fill_null(pl.col("org_code"))
            )
            names = [pl.col("_name").head(NAMES_SHOWN).alias("names"), pl.len().alias("n")]
            self._missing_names = _per_unit(missing, names, self.city).select(
                "level",
                "unit",
                _listed=pl.struct(
                    names="names",
                    more=(pl.col("n").cast(pl.Int64) - NAMES_SHOWN).clip(lower_bound=0),
                ).struct.json_encode(),
            )
        return self._missing_names

    def counts(self) -> pl.DataFrame:
        """level, unit, expected, reported, rejected, missing per county and city."""
        status = pl.col("status")
        aggs = [
            pl.len().alias("expected"),
            (status == "reported").sum().alias("reported"),
            (status == "rejected").sum().alias("rejected"),
            (status == "missing").sum().alias("missing"),
            ((status == "missing") & pl.col("reported_previous")).sum().alias("missing_known"),
        ]
        columns = (*COUNT_COLUMNS, "missing_known")
        frame = _per_unit(self.roster, aggs, self.city)
        return frame.with_columns(pl.col(c).cast(pl.Int64) for c in columns)


def build_reporting(
    con: duckdb.DuckDBPyConnection,
    table: str,
    period: Period,
    labels: Sequence[str],
    city: str,
    *,
    min_reporting: float = DEFAULT_MIN_REPORTING,
    max_missing_share: float = DEFAULT_MAX_MISSING_SHARE,
) -> Reporting:
    expected, basis_found = _expected_sql(con, table, period)
    basis: ExpectedBasis = basis_found
    roster = con.sql(_roster_sql(expected, table, period, labels)).pl()
    roster = roster.select([pl.col(c).cast(t) for c, t in ROSTER_SCHEMA.items()])
    blank = roster.filter(pl.col("city").is_null() & pl.col("county").is_not_null())
    if blank.height:  # asked only then: a national window is millions of rows
        counties = blank.get_column("county").unique().sort().to_list()
        found = dict(con.execute(_county_cities_sql(table, counties)).fetchall())
        if found:
            roster = roster.with_columns(
                pl.col("city").fill_null(pl.col("county").replace_strict(found, default=None))
            )
    if not roster.height:
        basis = "none"
    elif basis == "previous_period" and not roster["reported_previous"].any():
        basis = "none"  # nothing loaded for the previous period: nobody is expected
    return Reporting(basis, roster, city, {}, min_reporting, max_missing_share)


def add_prior_shares(
    reporting: Reporting,
    con: duckdb.DuckDBPyConnection,
    table: str,
    period: Period,
    indicators: Mapping[str, Indicator],
) -> None:
    """Fill ``reporting.shares`` for ``indicators`` (county / city ones), from each
    institution's contribution to the indicator in the previous period: one grouped scan
    of the previous period per indicator family, and only when someone is missing."""
    missing = reporting.missing()
    if not missing.height or not indicators:
        return
    prev = str(period.previous())
    gone = f"_kpi_audit_gone_{uuid.uuid4().hex[:12]}"
    con.register(gone, missing.select("org_code").unique().to_arrow())
    # A year-over-year indicator weighs each institution by its field in the previous
    # period as a plain sum: its comparable basis there (that period against the year
    # before it) may not be loaded at all, and a tertiary hospital that stops reporting
    # must still weigh what its outpatients did.
    weighed = [
        replace(ind, kind="sum", denominator=None) if ind.kind in YOY_KINDS else ind
        for ind in indicators.values()
    ]
    try:
        for family in _families(weighed):
            parts = con.sql(prior_share_sql(family, table, prev, gone)).pl()
            for k, ind in enumerate(family):
                total = pl.col(f"tot{k}").sum()
                share = (pl.col(f"gone{k}").fill_null(0.0).sum() / total).alias("share")
                reporting.shares[ind.id] = _per_unit(parts, [share], reporting.city).filter(
                    pl.col("share").is_finite()
                )
    finally:
        con.unregister(gone)


_QUALIFIED = {
    "reporting_expected": pl.Int64(),
    "reporting_reported": pl.Int64(),
    "reporting_rejected": pl.Int64(),
    "reporting_missing": pl.Int64(),
    "missing_prior_share": pl.Float64(),
    "provisional": pl.Boolean(),
}


def qualify(frame: pl.DataFrame, reporting: Reporting | None, indicator_id: str) -> pl.DataFrame:
    """One target's rows with ``reporting_*`` columns and ``provisional`` (set on county
    and city rows); evaluable ones below the thresholds become ``incomplete``."""
    area = pl.col("level").is_in(["county", "city"])
    if reporting is None or reporting.basis == "none" or not frame.filter(area).height:
        return _unqualified(frame)
    facility = frame.filter(~area)
    qualified = _qualify_areas(frame.filter(area), reporting, indicator_id)
    if not facility.height:
        return qualified
    return pl.concat([qualified, _unqualified(facility)], how="diagonal_relaxed")


def _unqualified(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        [pl.lit(None, t).alias(c) for c, t in _QUALIFIED.items() if c != "provisional"]
        + [pl.lit(False).alias("provisional")]
    )


def _qualify_areas(frame: pl.DataFrame, reporting: Reporting, indicator_id: str) -> pl.DataFrame:
    counts = reporting.unit_counts()
    shares = reporting.shares.get(indicator_id)
    out = frame.join(counts, on=["level", "unit"], how="left")
    missing_n = pl.col("reporting_missing").fill_null(0)
    if shares is not None:
        out = out.join(
            shares.rename({"share": "missing_prior_share"}), on=["level", "unit"], how="left"
        )
    else:
        out = out.with_columns(missing_prior_share=pl.lit(None, pl.Float64))
    # nobody missing: a known 0; missing ones none of which reported last period: unknown
    out = out.with_columns(
        missing_prior_share=pl.when(missing_n == 0)
        .then(pl.when(pl.col("reporting_expected").is_not_null()).then(0.0))
        .when(pl.col("missing_known").fill_null(0) == 0)
        .then(None)
        .otherwise(pl.col("missing_prior_share"))
    ).drop("missing_known")
    answered = pl.col("reporting_reported") + pl.col("reporting_rejected")
    rate = answered / pl.col("reporting_expected")
    short = (rate < reporting.min_reporting) | (
        pl.col("missing_prior_share").fill_null(0.0) >= reporting.max_missing_share
    )
    # Below the thresholds a unit is incomplete whether or not the rows that did arrive
    # give a value: "no institutions" or "no data" may be just who is missing.
    explained = pl.col("reason_code").is_null() | pl.col("reason_code").is_in(ABSENCE_REASONS)
    incomplete = explained & pl.col("level").is_in(["county", "city"]) & short.fill_null(False)
    out = out.with_columns(
        provisional=(pl.col("level").is_in(["county", "city"]) & (missing_n > 0)).fill_null(False),
        _incomplete=incomplete,
    )
    if out["_incomplete"].any():
        out = _incomplete_reasons(out, reporting, rate)
    return out.drop("_incomplete")


def _incomplete_reasons(out: pl.DataFrame, reporting: Reporting, rate: pl.Expr) -> pl.DataFrame:
    out = out.join(reporting.missing_names(), on=["level", "unit"], how="left")
    listed = pl.col("_listed").fill_null('{"names":[],"more":0}')
    params = pl.struct(
        expected=pl.col("reporting_expected"),
        reported=pl.col("reporting_reported"),
        rejected=pl.col("reporting_rejected"),
        missing=pl.col("reporting_missing"),
        reporting_rate=rate.round(4),
        missing_prior_share=pl.col("missing_prior_share").round(4),
        value_so_far=pl.col("value"),
    ).struct.json_encode()
    # merge the two JSON objects: "{...}" + "{...}" -> "{..., ...}"
    merged = pl.concat_str(
        [params.str.strip_suffix("}"), pl.lit(","), listed.str.strip_prefix("{")]
    )
    flag = pl.col("_incomplete")
    return out.with_columns(
        reason_code=pl.when(flag).then(pl.lit("incomplete")).otherwise(pl.col("reason_code")),
        reason_params=pl.when(flag).then(merged).otherwise(pl.col("reason_params")),
        value=pl.when(flag).then(None).otherwise(pl.col("value")),
        numerator=pl.when(flag).then(None).otherwise(pl.col("numerator")),
        denominator=pl.when(flag).then(None).otherwise(pl.col("denominator")),
    ).drop("_listed")
