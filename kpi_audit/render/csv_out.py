"""``check --format csv``: one row per result, the JSON result keys flattened (the
reason in the output language, its parameters as a JSON object string)."""

from __future__ import annotations

import re
from typing import IO

import polars as pl

from kpi_audit.core.result import AuditResult
from kpi_audit.render.json_out import RESULT_KEYS, result_rows

# The JSON's nested ``reporting`` object is flat here, one column per count.
REPORTING_COLUMNS = (
    "reporting_expected",
    "reporting_reported",
    "reporting_rejected",
    "reporting_missing",
    "missing_prior_share",
)
CSV_COLUMNS = (
    *(k for k in RESULT_KEYS if k != "reporting"),
    *REPORTING_COLUMNS,
    "source_document",
    "source_clause",
)


# Text starting with these is a formula to Excel and other spreadsheets (CSV injection):
# such a cell is written with a leading apostrophe, as the Excel writer keeps it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell that a spreadsheet would run as a formula, prefixed with ``'``."""
    pattern = "^[" + "".join(re.escape(p) for p in FORMULA_PREFIXES) + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(pattern))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


def write_csv(result: AuditResult, stream: IO[str], lang: str = "zh") -> None:
    stream.write(neutralised(result_rows(result, lang).select(CSV_COLUMNS)).write_csv())
