"""Row rules as polars expressions → issue records (errors as data).

Input: the coerced rows of one file (all its sheets), as made by
:func:`kpi_audit.coerce.coerce_cells` plus ``_sheet_no`` / ``_sheet``. Output: one
record per problem, and each row's fate: ``loaded``, ``rejected`` (it has an error) or
``skipped`` (a 合计 total line). Warnings and notices never reject a row.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import polars as pl

from kpi_audit.fields import (
    FIELDS,
    FIELDS_BY_ID,
    HOSPITAL_TYPES,
    PRIMARY_CARE_TYPES,
    REQUIRED_FIELDS,
)
from kpi_audit.periods import Period

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
_ROW_ISSUE_COLUMNS = [c for c in ISSUE_SCHEMA if c not in ("file", "header")]

# A 合计 / 总计 / 小计 line under the institutions: not a submission.
_TOTAL_LINE = r"^(全[省市县区])?(合计|总计|小计)[:：]?$"


@dataclass(frozen=True)
class Validation:
    rows: pl.DataFrame  # the input rows + "_status": loaded | rejected | skipped
    issues: pl.DataFrame  # _sheet_no + ISSUE_SCHEMA columns except file and header


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def validate_rows(rows: pl.DataFrame, *, default_period: Period | None = None) -> Validation:
    """Apply every row rule to the coerced rows of one file."""
    present = {f.id for f in FIELDS if f"{f.id}__raw" in rows.columns}
    rows = rows.with_columns(_total_line(present).alias("_total"))
    checked = rows.filter(~pl.col("_total"))

    parts = [
        *_required(checked, present),
        *_parse_problems(checked, present),
        *_vocabulary(checked, present),
        *_negative_counts(checked, present),
        *_parts_exceed_wholes(checked, present),
        _duplicates(checked),
        *_warnings(checked, present, default_period),
        _issue(
            rows,
            pl.col("_total"),
            "org_name" if "org_name" in present else None,
            "total_row",
            "notice",
            pl.lit("合计行，已跳过"),
            pl.lit("a total line, skipped"),
        ),
    ]
    issues = pl.concat(parts, how="vertical").sort("_sheet_no", "row", "severity")
    error_rows = (
        issues.filter(pl.col("severity") == "error")
        .select(_row_key(pl.col("_sheet_no"), pl.col("row")))
        .to_series()
    )
    rows = rows.with_columns(
        _status=pl.when(pl.col("_total"))
        .then(pl.lit("skipped"))
        .when(_row_key(pl.col("_sheet_no"), pl.col("_row")).is_in(error_rows.implode()))
        .then(pl.lit("rejected"))
        .otherwise(pl.lit("loaded"))
    ).drop("_total")
    return Validation(rows, issues)


def _row_key(sheet_no: pl.Expr, row: pl.Expr) -> pl.Expr:
    """One integer per (sheet, row): cheaper to look up than a join of the wide frame."""
    return sheet_no.cast(pl.Int64) * (1 << 32) + row.cast(pl.Int64)


# ---- building issue records --------------------------------------------------------


def _issue(
    rows: pl.DataFrame,
    mask: pl.Expr,
    field: str | None,
    code: str,
    severity: Severity,
    zh: pl.Expr,
    en: pl.Expr,
) -> pl.DataFrame:
    value = (
        pl.col(f"{field}__raw")
        if field and f"{field}__raw" in rows.columns
        else pl.lit(None, dtype=pl.String)
    )
    return rows.filter(mask).select(
        pl.col("_sheet_no"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.lit(field, dtype=pl.String).alias("field"),
        value.alias("value"),
        pl.lit(severity).alias("severity"),
        pl.lit(code).alias("code"),
        zh.alias("message_zh"),
        en.alias("message_en"),
        pl.col("period"),
        pl.col("org_code"),
    )


def _shown(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).fill_null("")


def _total_line(present: set[str]) -> pl.Expr:
    if "org_code" not in present:
        return pl.lit(False)
    labels = [
        pl.col(f"{f}__raw").str.replace_all(r"\s+", "").str.contains(_TOTAL_LINE)
        for f in ("org_name", "county", "org_code")
        if f in present
    ]
    return (pl.col("org_code").is_null() & pl.any_horizontal(labels)).fill_null(False)


# ---- the rules ---------------------------------------------------------------------


def _required(rows: pl.DataFrame, present: set[str]) -> list[pl.DataFrame]:
    out = []
    for field_id in REQUIRED_FIELDS:
        f = FIELDS_BY_ID[field_id]
        blank = pl.col(field_id).is_null()
        if f"{field_id}__problem" in rows.columns:  # unreadable text is its own error
            blank = blank & pl.col(f"{field_id}__problem").is_null()
        if field_id == "period":
            zh, en = (
                "报告期为空（也可用 --period 指定）",
                "period is blank (or give it with --period)",
            )
        else:
            zh, en = f"必填项「{f.zh}」为空", f"required field {field_id} ({f.zh}) is blank"
        out.append(_issue(rows, blank, field_id, "required", "error", pl.lit(zh), pl.lit(en)))
    return out


_PROBLEM_WORDS = {
    "not_a_number": ("数字", "a number"),
    "not_whole": ("整数", "a whole number"),
    "not_a_boolean": ("是 或 否", "是 or 否 (yes/no)"),
}


def _parse_problems(rows: pl.DataFrame, present: set[str]) -> list[pl.DataFrame]:
    out = []
    for field_id in sorted(present):
        column = f"{field_id}__problem"
        if column not in rows.columns:
            continue
        raw = _shown(pl.col(f"{field_id}__raw"))
        if field_id == "period":
            out.append(
                _issue(
                    rows,
                    pl.col(column) == "bad_period",
                    field_id,
                    "bad_period",
                    "error",
                    pl.format("无法识别的报告期「{}」（应如 2024Q3、2024年第三季度、2024）", raw),
                    pl.format("'{}' is not a period (write 2024Q3, 2024年第三季度 or 2024)", raw),
                )
            )
            continue
        name = FIELDS_BY_ID[field_id].zh
        for code, (zh_what, en_what) in _PROBLEM_WORDS.items():
            out.append(
                _issue(
                    rows,
                    pl.col(column) == code,
                    field_id,
                    code,
                    "error",
                    pl.format(f"「{name}」应为{zh_what}，实际为「{{}}」", raw),
                    pl.format(f"{field_id} should be {en_what}, got '{{}}'", raw),
                )
            )
    return out


def _vocabulary(rows: pl.DataFrame, present: set[str]) -> list[pl.DataFrame]:
    out = []
    for f in FIELDS:
        if not f.vocabulary or f.id not in present:
            continue
        bad = pl.col(f.id).is_not_null() & ~pl.col(f.id).is_in(f.vocabulary)
        unknown = rows.filter(bad).get_column(f.id).unique().to_list()
        # difflib runs once per distinct misspelling, not per row.
        suggestion = {
            v: (difflib.get_close_matches(v, f.vocabulary, n=1, cutoff=0.5) or [None])[0]
            for v in unknown
        }
        guess = pl.col(f.id).replace_strict(suggestion, default=None, return_dtype=pl.String)
        raw = _shown(pl.col(f"{f.id}__raw"))
        choices = "、".join(f.vocabulary)
        zh = (
            pl.when(guess.is_not_null())
            .then(pl.format("「{}」不是有效的{}；是否应为「{}」？", raw, pl.lit(f.zh), guess))
            .otherwise(
                pl.format("「{}」不是有效的{}（可填：{}）", raw, pl.lit(f.zh), pl.lit(choices))
            )
        )
        en = (
            pl.when(guess.is_not_null())
            .then(
                pl.format(
                    "{}: '{}' is not in the vocabulary; did you mean {}?", pl.lit(f.id), raw, guess
                )
            )
            .otherwise(
                pl.format(
                    "{}: '{}' is not in the vocabulary ({})", pl.lit(f.id), raw, pl.lit(choices)
                )
            )
        )
        out.append(_issue(rows, bad, f.id, "vocabulary", "error", zh, en))
    return out


def _negative_counts(rows: pl.DataFrame, present: set[str]) -> list[pl.DataFrame]:
    return [
        _issue(
            rows,
            pl.col(f.id) < 0,
            f.id,
            "negative",
            "error",
            pl.format(
                "「{}」不能为负数，实际为「{}」", pl.lit(f.zh), _shown(pl.col(f"{f.id}__raw"))
            ),
            pl.format(
                "{} cannot be negative, got '{}'", pl.lit(f.id), _shown(pl.col(f"{f.id}__raw"))
            ),
        )
        for f in FIELDS
        if f.type == "int" and f.id in present
    ]


def _parts_exceed_wholes(rows: pl.DataFrame, present: set[str]) -> list[pl.DataFrame]:
    out = []
    for f in FIELDS:
        if f.at_most is None or f.id not in present or f.at_most not in present:
            continue
        whole = FIELDS_BY_ID[f.at_most]
        part_v, whole_v = _shown(pl.col(f.id)), _shown(pl.col(whole.id))
        out.append(
            _issue(
                rows,
                pl.col(f.id) > pl.col(whole.id),
                f.id,
                "part_exceeds_whole",
                "error",
                pl.format("{}（{}）大于{}（{}）", pl.lit(f.zh), part_v, pl.lit(whole.zh), whole_v),
                pl.format(
                    "{} ({}) exceeds {} ({})", pl.lit(f.id), part_v, pl.lit(whole.id), whole_v
                ),
            )
        )
    return out


def _duplicates(rows: pl.DataFrame) -> pl.DataFrame:
    """The second and later rows of an org_code + period within the file."""
    keys = ["org_code", "period"]
    ordered = rows.select(
        "_sheet_no", "_sheet", "_row", "org_code", "period", "org_code__raw"
    ).sort("_sheet_no", "_row")
    repeated = ordered.filter(
        ~pl.struct(keys).is_first_distinct()
        & pl.col("org_code").is_not_null()
        & pl.col("period").is_not_null()
    )
    first = (
        ordered.join(repeated.select(keys).unique(), on=keys, how="semi")
        .group_by(keys)
        .agg(
            _first_sheet_no=pl.col("_sheet_no").first(),
            _first_sheet=pl.col("_sheet").first(),
            _first_row=pl.col("_row").first(),
        )
    )
    repeated = repeated.join(first, on=keys, how="left")
    other_sheet = pl.col("_first_sheet_no") != pl.col("_sheet_no")
    where_zh = (
        pl.when(other_sheet)
        .then(
            pl.format("工作表「{}」第 {} 行", _shown(pl.col("_first_sheet")), pl.col("_first_row"))
        )
        .otherwise(pl.format("第 {} 行", pl.col("_first_row")))
    )
    where_en = (
        pl.when(other_sheet)
        .then(pl.format("row {} of sheet {}", pl.col("_first_row"), _shown(pl.col("_first_sheet"))))
        .otherwise(pl.format("row {}", pl.col("_first_row")))
    )
    return _issue(
        repeated,
        pl.lit(True),
        "org_code",
        "duplicate",
        "error",
        pl.format(
            "与{}重复（同一机构代码 {} 和报告期 {}）",
            where_zh,
            pl.col("org_code"),
            pl.col("period"),
        ),
        pl.format(
            "duplicate of {} (same org_code {} and period {})",
            where_en,
            pl.col("org_code"),
            pl.col("period"),
        ),
    )


def _warnings(
    rows: pl.DataFrame, present: set[str], default_period: Period | None
) -> list[pl.DataFrame]:
    out = []
    org_type = pl.col("org_type")
    if "hospital_grade" in present:
        out.append(
            _issue(
                rows,
                org_type.is_in(PRIMARY_CARE_TYPES) & pl.col("hospital_grade").is_not_null(),
                "hospital_grade",
                "grade_for_primary_care",
                "warning",
                pl.format("{}是基层医疗卫生机构，不应填写医院等级", org_type),
                pl.format("hospital_grade given for a primary-care facility ({})", org_type),
            )
        )
        out.append(
            _issue(
                rows,
                org_type.is_in(HOSPITAL_TYPES) & pl.col("hospital_grade").is_null(),
                "hospital_grade",
                "grade_missing",
                "warning",
                pl.format("{}未填写医院等级，不计入按等级统计的指标", org_type),
                pl.format(
                    "no hospital_grade for a hospital ({}): left out of grade-based indicators",
                    org_type,
                ),
            )
        )
    if "area" in present:
        out.append(
            _issue(
                rows,
                pl.col("area").is_null(),
                "area",
                "area_missing",
                "warning",
                pl.lit("城乡为空，不计入城市/农村签约覆盖率"),
                pl.lit("area (城乡) is blank: left out of the urban/rural signing coverage"),
            )
        )
    if default_period is not None and "period" in present:
        given = str(default_period)
        out.append(
            _issue(
                rows,
                pl.col("period").is_not_null() & (pl.col("period") != given),
                "period",
                "period_differs",
                "warning",
                pl.format(
                    "报告期 {} 与 --period {} 不同，按表中报告期入库",
                    pl.col("period"),
                    pl.lit(given),
                ),
                pl.format(
                    "period {} differs from --period {}; the file's period is kept",
                    pl.col("period"),
                    pl.lit(given),
                ),
            )
        )
    return out


def sheet_issues(records: list[dict[str, object]]) -> pl.DataFrame:
    """File- and sheet-level records (unknown columns, skipped sheets) as a frame."""
    return pl.DataFrame(records, schema={"_sheet_no": pl.Int64(), **ISSUE_SCHEMA})
