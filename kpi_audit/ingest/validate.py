"""Validation of a file's coerced rows → issue records (errors as data) and row fates.

Input: the coerced rows of one file (all its sheets), as made by
:func:`kpi_audit.ingest.coerce.coerce_cells` plus ``_sheet_no`` / ``_sheet``. Output: one
record per problem, and each row's fate: ``loaded``, ``rejected`` (it has an error) or
``skipped`` (a 合计 total line). Warnings and notices never reject a row.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kpi_audit.core.fields import FIELDS, FIELDS_BY_ID
from kpi_audit.core.periods import Period
from kpi_audit.ingest.coerce import cleaned
from kpi_audit.ingest.issues import EMPTY_ROW_ISSUES, issue, sheet_issues, shown
from kpi_audit.ingest.rules import Gate, Rule, rules
from kpi_audit.render.i18n import LABELS, issue_exprs, issue_messages

# A 合计 / 总计 / 小计 line under the institutions: not a submission.
_TOTAL_LINE = r"^(全[省市县区])?(合计|总计|小计)[:：]?$"


@dataclass(frozen=True)
class Validation:
    rows: pl.DataFrame  # the input rows + "_status": loaded | rejected | skipped
    issues: pl.DataFrame  # _sheet_no + ISSUE_SCHEMA columns except file and header


def validate_rows(
    rows: pl.DataFrame,
    *,
    default_period: Period | None = None,
    uncomputed: pl.DataFrame | None = None,
) -> Validation:
    """Apply every row rule to the coerced rows of one file. ``uncomputed`` (columns
    ``_sheet_no``, ``_row``, ``field``, ``formula``, ``header``) lists the cells holding a
    formula without a cached value: each is an error of its row."""
    present = frozenset(f.id for f in FIELDS if f"{f.id}__raw" in rows.columns)
    parsed = frozenset(f for f in present if f"{f}__problem" in rows.columns)
    # Only a row without an org_code can be a total line: most files have none.
    maybe_totals = "org_code" in present and rows.get_column("org_code").has_nulls()
    total = _total_line(present) if maybe_totals else pl.lit(False)
    checked = rows.filter(~total) if maybe_totals else rows

    active = rules(present, parsed)
    parts = []
    for rule in _flagging(checked, active, present):
        zh, en = rule.messages(checked.filter(rule.mask))
        parts.append(issue(checked, rule.mask, rule.field, rule.code, rule.severity, zh, en))
    parts.append(_duplicates(checked, present))
    parts.append(_placeholders(checked, present, parsed, default_period is not None))
    if default_period is not None and "period" in present:
        parts.append(_periods_differing(checked, str(default_period)))
    if uncomputed is not None and uncomputed.height:
        parts.append(_formulas_not_computed(checked, uncomputed))
    if maybe_totals:
        parts.append(
            issue(
                rows,
                total,
                "org_name" if "org_name" in present else None,
                "total_row",
                "notice",
                *issue_exprs("total_row"),
            )
        )
    parts = [p for p in parts if p.height]
    if not parts:  # the usual case
        return Validation(rows.with_columns(_status=pl.lit("loaded")), EMPTY_ROW_ISSUES)
    issues = pl.concat(parts, how="vertical").sort("_sheet_no", "row", "severity")
    error_rows = (
        issues.filter(pl.col("severity") == "error")
        .select(_row_key(pl.col("_sheet_no"), pl.col("row")))
        .to_series()
    )
    rows = rows.with_columns(
        _status=pl.when(total)
        .then(pl.lit("skipped"))
        .when(_row_key(pl.col("_sheet_no"), pl.col("_row")).is_in(error_rows.implode()))
        .then(pl.lit("rejected"))
        .otherwise(pl.lit("loaded"))
    )
    return Validation(rows, issues)


def _flagging(
    rows: pl.DataFrame, candidates: tuple[Rule, ...], present: frozenset[str]
) -> list[Rule]:
    """The rules that may flag a row of ``rows`` (a gated rule whose gate is open may
    still flag none), in the order of ``candidates``."""
    if rows.height == 0:
        return []
    nulls = rows.null_count().row(0, named=True)
    counts = [f for f in sorted(present) if FIELDS_BY_ID[f].type == "int"]
    minima = rows.select(pl.col(counts).min()).row(0, named=True) if counts else {}

    def is_open(gate: Gate) -> bool:
        test, column = gate
        if test == "values":
            return nulls[column] < rows.height
        if test == "blanks":
            return nulls[column] > 0
        low = minima[column]
        return low is not None and low < 0

    ungated = [r for r in candidates if r.gate is None]
    # The ungated rules' masks in one pass.
    hits = dict(
        zip(
            (id(r) for r in ungated),
            rows.select(r.flagged for r in ungated).row(0) if ungated else (),
            strict=True,
        )
    )
    return [r for r in candidates if (hits[id(r)] if r.gate is None else is_open(r.gate))]


def _row_key(sheet_no: pl.Expr, row: pl.Expr) -> pl.Expr:
    """One integer per (sheet, row): cheaper to look up than a join of the wide frame."""
    return sheet_no.cast(pl.Int64) * (1 << 32) + row.cast(pl.Int64)


def _total_line(present: frozenset[str]) -> pl.Expr:
    if "org_code" not in present:
        return pl.lit(False)
    labels = [
        pl.col(f"{f}__raw").str.replace_all(r"\s+", "").str.contains(_TOTAL_LINE)
        for f in ("org_name", "county", "org_code")
        if f in present
    ]
    return (pl.col("org_code").is_null() & pl.any_horizontal(labels)).fill_null(False)


_KEYS = ["org_code", "period"]


def _duplicates(rows: pl.DataFrame, present: frozenset[str]) -> pl.DataFrame:
    """Rows of one org_code + period within the file: when they all hold the same
    values, the second and later ones (``duplicate``: the first is kept); when any value
    differs, every one of them (``duplicate_conflict``: which is right is not ours to
    guess), each naming a row it differs from, the first field that differs and both
    values."""
    compared = [f.id for f in FIELDS if f.id in present and f.id not in _KEYS]
    compared = [f for f in compared if f in rows.columns]
    keyed = pl.col("org_code").is_not_null() & pl.col("period").is_not_null()
    ordered = (
        rows.filter(keyed & (pl.len().over(_KEYS) > 1))
        .select(
            "_sheet_no",
            "_sheet",
            "_row",
            *_KEYS,
            "org_code__raw",
            # a value as read (1,000 and 1000 are one value), else as written, blank null
            *(_compared_value(f).alias(f"_v_{f}") for f in compared),
            *(pl.col(f"{f}__raw").alias(f"_r_{f}") for f in compared),
        )
        .sort("_sheet_no", "_row")
    )
    if ordered.height == 0:
        return EMPTY_ROW_ISSUES
    values = pl.struct(f"_v_{f}" for f in compared) if compared else pl.lit(0)
    differ = values.n_unique().over(_KEYS) > 1
    return pl.concat(
        [
            _identical_duplicates(ordered.filter(~differ)),
            _conflicting_duplicates(ordered.filter(differ), compared),
        ],
        how="vertical",
    )


def _compared_value(field_id: str) -> pl.Expr:
    raw = pl.col(f"{field_id}__raw").str.strip_chars()
    written = pl.when(raw != "").then(raw)
    return pl.coalesce(pl.col(field_id).cast(pl.String), written)


def _where(sheet_no: str, sheet: str, row: str) -> tuple[pl.Expr, pl.Expr]:
    """(zh, en) of "row R" or, in another sheet than this row's, "row R of sheet S"."""
    other_sheet = pl.col(sheet_no) != pl.col("_sheet_no")
    sheet_zh, sheet_en = issue_exprs(
        "duplicate.where_sheet", sheet=shown(pl.col(sheet)), row=pl.col(row)
    )
    row_zh, row_en = issue_exprs("duplicate.where_row", row=pl.col(row))
    return (
        pl.when(other_sheet).then(sheet_zh).otherwise(row_zh),
        pl.when(other_sheet).then(sheet_en).otherwise(row_en),
    )


def _identical_duplicates(ordered: pl.DataFrame) -> pl.DataFrame:
    """The second and later of rows with the same values: duplicates of the first."""
    if ordered.height == 0:
        return EMPTY_ROW_ISSUES
    first = ordered.group_by(_KEYS).agg(
        _first_sheet_no=pl.col("_sheet_no").first(),
        _first_sheet=pl.col("_sheet").first(),
        _first_row=pl.col("_row").first(),
    )
    repeated = ordered.filter(~pl.struct(_KEYS).is_first_distinct()).join(
        first, on=_KEYS, how="left"
    )
    where_zh, where_en = _where("_first_sheet_no", "_first_sheet", "_first_row")
    zh, en = issue_exprs(
        "duplicate",
        where_zh=where_zh,
        where_en=where_en,
        org_code=pl.col("org_code"),
        period=pl.col("period"),
    )
    return issue(repeated, pl.lit(True), "org_code", "duplicate", "error", zh, en)


def _placeholders(
    rows: pl.DataFrame, present: frozenset[str], parsed: frozenset[str], period_given: bool
) -> pl.DataFrame:
    """One notice per column and sheet whose cells held a placeholder for "nothing"
    (无, —, N/A, 不适用 …: coerce.MISSING_MARKERS), read as missing: how many, and which."""
    if rows.height == 0:
        return EMPTY_ROW_ISSUES
    nulls = rows.null_count().row(0, named=True)
    found = []
    for f in (f.id for f in FIELDS if f.id in present):
        raw = pl.col(f"{f}__raw")
        if f == "period" and period_given:  # a blank period took --period's
            read_missing = cleaned(raw).is_null()
        elif nulls[f] > nulls[f"{f}__raw"]:  # a cell with text became null
            read_missing = pl.col(f).is_null()
            if f in parsed:  # not unreadable text
                read_missing = read_missing & pl.col(f"{f}__problem").is_null()
        else:
            continue
        marker = raw.str.strip_chars()
        mask = raw.is_not_null() & read_missing & (marker != "")
        found.append(
            rows.filter(mask).select("_sheet_no", "_sheet", field=pl.lit(f), marker=marker)
        )
    if not found:
        return EMPTY_ROW_ISSUES
    cells = pl.concat(found).group_by("_sheet_no", "_sheet", "field", "marker").len()
    columns = (
        cells.sort("len", "marker", descending=[True, False])
        .group_by("_sheet_no", "_sheet", "field", maintain_order=True)
        .agg(pl.col("len").sum().alias("count"), pl.col("marker"))
        .sort("_sheet_no", "field")
    )
    records = []
    for sheet_no, sheet, f, count, markers in columns.iter_rows():  # per column and sheet
        case = "count" if FIELDS_BY_ID[f].type == "int" else "text"
        _, zh, en = issue_messages(
            "placeholder_missing", field=f, count=count, markers=markers, case=case
        )
        records.append(
            {
                "_sheet_no": sheet_no,
                "sheet": sheet,
                "field": f,
                "severity": "notice",
                "code": "placeholder_missing",
                "message_zh": zh,
                "message_en": en,
            }
        )
    return sheet_issues(records).select(EMPTY_ROW_ISSUES.columns)


def _periods_differing(rows: pl.DataFrame, given: str) -> pl.DataFrame:
    """One warning per sheet and 报告期 that differs from ``--period``, at its first row
    with the count of its rows: a year-earlier file checked beside this quarter's differs
    on every row, which is one fact about the sheet, not 100,000."""
    differing = rows.filter(pl.col("period").is_not_null() & (pl.col("period") != given))
    if differing.height == 0:
        return EMPTY_ROW_ISSUES
    groups = (
        differing.sort("_row")
        .group_by("_sheet_no", "_sheet", "period")
        .agg(
            pl.col("_row").first().alias("row"),
            pl.col("period__raw").first().alias("value"),
            pl.len().alias("rows"),
        )
        .sort("_sheet_no", "row")
    )
    records = []
    for sheet_no, sheet, period, row, value, count in groups.iter_rows():
        _, zh, en = issue_messages(
            "period_differs", period=period, given=given, rows=count, row=row
        )
        records.append(
            {
                "_sheet_no": sheet_no,
                "sheet": sheet,
                "row": row,
                "field": "period",
                "value": value,  # the first row's cell as written
                "period": period,
                "severity": "warning",
                "code": "period_differs",
                "message_zh": zh,
                "message_en": en,
            }
        )
    return sheet_issues(records).select(EMPTY_ROW_ISSUES.columns)


def _conflicting_duplicates(ordered: pl.DataFrame, compared: list[str]) -> pl.DataFrame:
    """Every row of an org_code + period whose rows differ: each against the first row
    of its group that differs from it, on the first field that differs."""
    if ordered.height == 0:
        return EMPTY_ROW_ISSUES
    other = ordered.select(
        *_KEYS,
        pl.col("_sheet_no").alias("_o_sheet_no"),
        pl.col("_sheet").alias("_o_sheet"),
        pl.col("_row").alias("_o_row"),
        *(pl.col(f"_v_{f}").alias(f"_ov_{f}") for f in compared),
        *(pl.col(f"_r_{f}").alias(f"_or_{f}") for f in compared),
    )
    differs = {f: pl.col(f"_v_{f}").ne_missing(pl.col(f"_ov_{f}")) for f in compared}
    pairs = (
        ordered.join(other, on=_KEYS, how="inner")
        .filter(pl.any_horizontal(differs.values()))
        .sort("_sheet_no", "_row", "_o_sheet_no", "_o_row")
        .unique(["_sheet_no", "_row"], keep="first", maintain_order=True)
        .with_columns(_field=pl.coalesce(pl.when(d).then(pl.lit(f)) for f, d in differs.items()))
    )
    mine: pl.Expr = pl.lit(None, pl.String)
    theirs: pl.Expr = pl.lit(None, pl.String)
    for f in compared:
        this = pl.col("_field") == f
        mine = pl.when(this).then(pl.col(f"_r_{f}")).otherwise(mine)
        theirs = pl.when(this).then(pl.col(f"_or_{f}")).otherwise(theirs)
    pairs = pairs.with_columns(_mine=mine, _theirs=theirs)
    blank_zh, blank_en = (pl.lit(t) for t in LABELS["issue.duplicate_conflict.blank"])

    def written(column: str, blank: pl.Expr) -> pl.Expr:
        text = pl.col(column).str.strip_chars()
        return pl.when(text.is_null() | (text == "")).then(blank).otherwise(pl.col(column))

    where_zh, where_en = _where("_o_sheet_no", "_o_sheet", "_o_row")
    zh, en = issue_exprs(
        "duplicate_conflict",
        where_zh=where_zh,
        where_en=where_en,
        org_code=pl.col("org_code"),
        period=pl.col("period"),
        field_zh=pl.col("_field").replace_strict(
            {f: FIELDS_BY_ID[f].zh for f in compared}, return_dtype=pl.String
        ),
        field_en=pl.col("_field"),
        value_zh=written("_mine", blank_zh),
        value_en=written("_mine", blank_en),
        other_zh=written("_theirs", blank_zh),
        other_en=written("_theirs", blank_en),
    )
    return issue(
        pairs,
        pl.lit(True),
        pl.col("_field"),
        "duplicate_conflict",
        "error",
        zh,
        en,
        value=pl.col("_mine"),
    )


def _formulas_not_computed(rows: pl.DataFrame, uncomputed: pl.DataFrame) -> pl.DataFrame:
    """One error per formula cell that has no cached value: read as blank, it would be
    taken for a missing value."""
    hit = rows.select("_sheet_no", "_sheet", "_row", "period", "org_code").join(
        uncomputed, on=["_sheet_no", "_row"], how="inner"
    )
    zh, en = issue_exprs("formula_not_computed", row=pl.col("_row"), header=pl.col("header"))
    return hit.select(
        pl.col("_sheet_no").cast(pl.Int64),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.col("field"),
        pl.col("formula").alias("value"),
        pl.lit("error").alias("severity"),
        pl.lit("formula_not_computed").alias("code"),
        zh.alias("message_zh"),
        en.alias("message_en"),
        pl.col("period"),
        pl.col("org_code"),
    )
