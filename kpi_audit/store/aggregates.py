"""Per-period aggregates kept in the store: for each period × county × city × indicator,
the sums a county or city value is computed from (numerator, denominator; for a
population-based ratio also numerator_all, the register's basis).

Trends (8 periods in every HTML report), rankings and data-quality history read earlier
periods again and again; their sums change only when that period's submissions do. Each
stored run is keyed by what it was computed from:

- ``definition``: a hash of the indicator's SQL (a changed catalog entry or formula
  never serves stale sums);
- ``fingerprint``: the submissions of the period's year and the year before (a quarter's
  year-over-year side; the quarters that make a whole year), plus the registers. Any
  ingest that loads a row changes it (rows are only ever added: a later file for the
  same institution supersedes, it does not update), so an entry whose fingerprint no
  longer matches is recomputed — invalidation needs no hook in the writers.

Readers with a read-only store use the valid entries and compute the rest in memory;
writers (ingest, an audit on a writable store) store what they computed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from kpi_audit.core.periods import period_of
from kpi_audit.store.db import transaction

if TYPE_CHECKING:
    import duckdb

AGGREGATES = "period_aggregates"
RUNS = "period_aggregate_runs"
AGGREGATE_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.String(),
    "indicator": pl.String(),
    "county": pl.String(),
    "city": pl.String(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    # population-based ratios only: the numerator of every row that reported it
    "numerator_all": pl.Float64(),
}
# Tables whose contents can change a unit's sums besides the submissions (area types
# and scopes come from the registers when they are loaded).
_REGISTER_TABLES = ("area_register", "institution_register")


def has_aggregates(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has the tables (a read-only store may predate them)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN (?, ?)", [AGGREGATES, RUNS]
    ).fetchall()
    return found[0][0] == 2


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def fingerprints(con: duckdb.DuckDBPyConnection, periods: Iterable[str]) -> dict[str, str]:
    """period label → the fingerprint of what its sums are computed from."""
    years = con.execute(
        "SELECT period_year, count(*), max(ingested_at), sum(file_id), "
        "count(*) FILTER (WHERE city IS NULL) FROM submissions GROUP BY period_year"
    ).fetchall()
    by_year = {int(year): f"{n}:{last}:{files}" for year, n, last, files, _ in years}
    # Which city a row without 所属市 counts in reads the whole store (evaluate/cities.py):
    # then a period's sums change with the counties and cities loaded in any other.
    cities = []
    if any(blank for *_, blank in years):
        (pairs,) = con.execute(
            "SELECT bit_xor(DISTINCT hash(county, city)) FROM current_submissions "
            "WHERE city IS NOT NULL"
        ).fetchall()[0]
        cities = [f"cities:{pairs}"]
    present = _tables(con)
    registers = [
        str(con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {name} t").fetchall()[0])
        for name in _REGISTER_TABLES
        if name in present
    ]
    out = {}
    for label in periods:
        year = period_of(label).year
        key = "|".join([by_year.get(year, "-"), by_year.get(year - 1, "-"), *registers, *cities])
        out[label] = hashlib.sha1(key.encode()).hexdigest()[:16]
    return out


def definition_hash(sql: str) -> str:
    return hashlib.sha1(sql.encode()).hexdigest()[:16]


def read_valid(
    con: duckdb.DuckDBPyConnection,
    wanted: Mapping[tuple[str, str], tuple[str, str]],
) -> tuple[pl.DataFrame, set[tuple[str, str]]]:
    """The stored sums of each (period, indicator) in ``wanted`` whose (definition,
    fingerprint) still match, and the set of pairs served."""
    if not wanted or not has_aggregates(con):
        return pl.DataFrame(schema=AGGREGATE_SCHEMA), set()
    keys = pl.DataFrame(
        [(p, i, d, f) for (p, i), (d, f) in wanted.items()],
        schema={"period": pl.String, "indicator": pl.String, "d": pl.String, "f": pl.String},
        orient="row",
    )
    con.register("_kpi_wanted_aggregates", keys)
    try:
        served = con.execute(
            f"SELECT r.period, r.indicator FROM {RUNS} r JOIN _kpi_wanted_aggregates w "
            "ON r.period = w.period AND r.indicator = w.indicator "
            "AND r.definition = w.d AND r.fingerprint = w.f"
        ).fetchall()
        frame = con.sql(
            f"SELECT a.period, a.indicator, a.county, a.city, a.numerator, a.denominator, "
            "a.numerator_all "
            f"FROM {AGGREGATES} a JOIN {RUNS} r USING (period, indicator) "
            "JOIN _kpi_wanted_aggregates w ON r.period = w.period "
            "AND r.indicator = w.indicator AND r.definition = w.d AND r.fingerprint = w.f"
        ).pl()
    finally:
        con.unregister("_kpi_wanted_aggregates")
    return frame.cast(pl.Schema(AGGREGATE_SCHEMA)), {(p, i) for p, i in served}


def store(
    con: duckdb.DuckDBPyConnection,
    sums: pl.DataFrame,
    runs: Mapping[tuple[str, str], tuple[str, str]],
) -> bool:
    """Replace the stored sums of each (period, indicator) in ``runs`` by those in
    ``sums``, in one transaction. False (nothing written) on a read-only store."""
    import duckdb

    if not runs or not has_aggregates(con):
        return False
    now = datetime.now()
    run_rows = pl.DataFrame(
        [(p, i, d, f, now) for (p, i), (d, f) in runs.items()],
        schema={
            "period": pl.String,
            "indicator": pl.String,
            "definition": pl.String,
            "fingerprint": pl.String,
            "computed_at": pl.Datetime("us"),
        },
        orient="row",
    )
    con.register("_kpi_new_runs", run_rows)
    con.register("_kpi_new_sums", sums.select(list(AGGREGATE_SCHEMA)))
    try:
        with transaction(con):
            for table in (AGGREGATES, RUNS):
                con.execute(
                    f"DELETE FROM {table} t USING _kpi_new_runs n "
                    "WHERE t.period = n.period AND t.indicator = n.indicator"
                )
            con.execute(f"INSERT INTO {AGGREGATES} BY NAME SELECT * FROM _kpi_new_sums")
            con.execute(f"INSERT INTO {RUNS} SELECT * FROM _kpi_new_runs")
    except duckdb.Error:
        # A read-only connection (or another writer's conflict): the sums stay in memory.
        return False
    finally:
        con.unregister("_kpi_new_runs")
        con.unregister("_kpi_new_sums")
    return True


def forget(con: duckdb.DuckDBPyConnection, years: Sequence[int]) -> None:
    """Drop the stored runs that the submissions of ``years`` feed (housekeeping after an
    ingest: the fingerprints would refuse them anyway)."""
    if not years or not has_aggregates(con):
        return
    labels = [r[0] for r in con.execute(f"SELECT DISTINCT period FROM {RUNS}").fetchall()]
    stale = [p for p in labels if period_of(p).year in {y for x in years for y in (x, x + 1)}]
    if stale:
        marks = ", ".join("?" for _ in stale)
        for table in (AGGREGATES, RUNS):
            con.execute(f"DELETE FROM {table} WHERE period IN ({marks})", stale)
