"""Issue records: the schema of a data problem found while ingesting, and how one is built.

A problem in a submission is a record (errors as data), one per cell or row or sheet:
validation (:mod:`kpi_audit.ingest.validate`) makes the row-level ones, loading adds the
sheet-level ones (unknown columns, skipped sheets) and the file and header columns.
"""

from __future__ import annotations

import polars as pl

Severity = str  # "error" | "warning" | "notice"

ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "sheet": pl.String(),
    "row": pl.Int64(),  # as the user sees it; null for a file- or sheet-level issue
    "field": pl.String(),  # the field id
    "header": pl.String(),  # the header as written in the file
    "value": pl.String(),  # the cell as written
    "severity": pl.String(),
    "code": pl.String(),
    "message_zh": pl.String(),
    "message_en": pl.String(),
    "period": pl.String(),
    "org_code": pl.String(),
}
# The columns validation fills; ingest adds file and header.
ROW_ISSUE_COLUMNS = [c for c in ISSUE_SCHEMA if c not in ("file", "header")]


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


EMPTY_ROW_ISSUES = pl.DataFrame(
    schema={"_sheet_no": pl.Int64(), **{c: ISSUE_SCHEMA[c] for c in ROW_ISSUE_COLUMNS}}
)


def issue(
    rows: pl.DataFrame,
    mask: pl.Expr,
    field: str | pl.Expr | None,
    code: str,
    severity: Severity,
    zh: pl.Expr,
    en: pl.Expr,
    *,
    value: pl.Expr | None = None,
) -> pl.DataFrame:
    """The rows of ``rows`` where ``mask`` holds as issue records of ``field`` (an id, or
    an expression when it differs by row); ``value`` defaults to the field's cell as
    written."""
    if value is None:
        value = (
            pl.col(f"{field}__raw")
            if isinstance(field, str) and f"{field}__raw" in rows.columns
            else pl.lit(None, dtype=pl.String)
        )
    field_expr = field if isinstance(field, pl.Expr) else pl.lit(field, dtype=pl.String)
    return rows.filter(mask).select(
        pl.col("_sheet_no").cast(pl.Int64),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").cast(pl.Int64).alias("row"),
        field_expr.cast(pl.String).alias("field"),
        value.alias("value"),
        pl.lit(severity).alias("severity"),
        pl.lit(code).alias("code"),
        zh.alias("message_zh"),
        en.alias("message_en"),
        pl.col("period"),
        pl.col("org_code"),
    )


def shown(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).fill_null("")


def sheet_issues(records: list[dict[str, object]]) -> pl.DataFrame:
    """File- and sheet-level records (unknown columns, skipped sheets) as a frame."""
    return pl.DataFrame(records, schema={"_sheet_no": pl.Int64(), **ISSUE_SCHEMA})
