"""Row rules as polars expressions → issue records (errors as data).

Input: the coerced rows of one file (all its sheets), as made by
:func:`kpi_audit.ingest.coerce.coerce_cells` plus ``_sheet_no`` / ``_sheet``. Output: one
record per problem, and each row's fate: ``loaded``, ``rejected`` (it has an error) or
``skipped`` (a 合计 total line). Warnings and notices never reject a row.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import polars as pl

from kpi_audit.core.fields import (
    FIELDS,
    FIELDS_BY_ID,
    HOSPITAL_TYPES,
    PRIMARY_CARE_TYPES,
    REQUIRED_FIELDS,
    Field,
)
from kpi_audit.core.periods import Period

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


# What must hold of a column for a rule to flag anything, answered for every column at
# once from per-column statistics (null counts, minima): ("values", c) c is not all
# null; ("blanks", c) c has a null; ("negative", c) c has a value below zero.
Gate = tuple[str, str]


@dataclass(frozen=True)
class _Rule:
    """One row rule: the rows it flags, and the messages for them.

    A file is checked against every rule, but most rules flag nothing, so a rule costs
    as little as possible until it does: a rule with a ``gate`` is skipped when the
    column statistics close the gate; the masks of the others are evaluated together
    in one pass; and ``messages`` (given the flagged rows) is only called for a rule
    that flags a row.
    """

    mask: pl.Expr
    field: str | None
    code: str
    severity: Severity
    messages: Callable[[pl.DataFrame], tuple[pl.Expr, pl.Expr]]
    gate: Gate | None = None
    flagged: pl.Expr | None = None  # mask.any(), named uniquely among the rules


def _static(zh: str, en: str) -> Callable[[pl.DataFrame], tuple[pl.Expr, pl.Expr]]:
    return lambda _rows: (pl.lit(zh), pl.lit(en))


def validate_rows(rows: pl.DataFrame, *, default_period: Period | None = None) -> Validation:
    """Apply every row rule to the coerced rows of one file."""
    present = frozenset(f.id for f in FIELDS if f"{f.id}__raw" in rows.columns)
    parsed = frozenset(f for f in present if f"{f}__problem" in rows.columns)
    # Only a row without an org_code can be a total line: most files have none.
    maybe_totals = "org_code" in present and rows.get_column("org_code").has_nulls()
    total = _total_line(present) if maybe_totals else pl.lit(False)
    checked = rows.filter(~total) if maybe_totals else rows

    rules = _rules(present, parsed, None if default_period is None else str(default_period))
    parts = []
    for rule in _flagging(checked, rules, present):
        zh, en = rule.messages(checked.filter(rule.mask))
        parts.append(_issue(checked, rule.mask, rule.field, rule.code, rule.severity, zh, en))
    parts.append(_duplicates(checked))
    if maybe_totals:
        parts.append(
            _issue(
                rows,
                total,
                "org_name" if "org_name" in present else None,
                "total_row",
                "notice",
                pl.lit("合计行，已跳过"),
                pl.lit("a total line, skipped"),
            )
        )
    parts = [p for p in parts if p.height]
    if not parts:  # the usual case
        return Validation(rows.with_columns(_status=pl.lit("loaded")), _EMPTY_ROW_ISSUES)
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


def _flagging(rows: pl.DataFrame, rules: tuple[_Rule, ...], present: frozenset[str]) -> list[_Rule]:
    """The rules that may flag a row of ``rows`` (a gated rule whose gate is open may
    still flag none), in the order of ``rules``."""
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

    ungated = [r for r in rules if r.gate is None]
    # The ungated rules' masks in one pass.
    hits = dict(
        zip(
            (id(r) for r in ungated),
            rows.select(r.flagged for r in ungated).row(0) if ungated else (),
            strict=True,
        )
    )
    return [r for r in rules if (hits[id(r)] if r.gate is None else is_open(r.gate))]


@lru_cache(maxsize=256)
def _rules(
    present: frozenset[str], parsed: frozenset[str], default_period: str | None
) -> tuple[_Rule, ...]:
    """The rules for a set of columns; a folder of files from one template shares them,
    so they are built once, not per file."""
    rules = [
        *_required(present, parsed),
        *_parse_problems(present, parsed),
        *_vocabulary(present),
        *_negative_counts(present),
        *_parts_exceed_wholes(present),
        *_warnings(present, default_period),
    ]
    return tuple(
        replace(r, flagged=r.mask.fill_null(False).any().alias(f"_rule{i}"))
        for i, r in enumerate(rules)
    )


def _row_key(sheet_no: pl.Expr, row: pl.Expr) -> pl.Expr:
    """One integer per (sheet, row): cheaper to look up than a join of the wide frame."""
    return sheet_no.cast(pl.Int64) * (1 << 32) + row.cast(pl.Int64)


# ---- building issue records --------------------------------------------------------


_EMPTY_ROW_ISSUES = pl.DataFrame(
    schema={"_sheet_no": pl.Int64(), **{c: ISSUE_SCHEMA[c] for c in _ROW_ISSUE_COLUMNS}}
)


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
        pl.col("_sheet_no").cast(pl.Int64),
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


def _total_line(present: frozenset[str]) -> pl.Expr:
    if "org_code" not in present:
        return pl.lit(False)
    labels = [
        pl.col(f"{f}__raw").str.replace_all(r"\s+", "").str.contains(_TOTAL_LINE)
        for f in ("org_name", "county", "org_code")
        if f in present
    ]
    return (pl.col("org_code").is_null() & pl.any_horizontal(labels)).fill_null(False)


# ---- the rules ---------------------------------------------------------------------


def _required(present: frozenset[str], parsed: frozenset[str]) -> list[_Rule]:
    out = []
    for field_id in REQUIRED_FIELDS:
        f = FIELDS_BY_ID[field_id]
        blank = pl.col(field_id).is_null()
        if field_id in parsed:  # unreadable text is its own error
            blank = blank & pl.col(f"{field_id}__problem").is_null()
        if field_id == "period":
            messages = _static(
                "报告期为空（也可用 --period 指定）", "period is blank (or give it with --period)"
            )
        else:
            messages = _static(
                f"必填项「{f.zh}」为空", f"required field {field_id} ({f.zh}) is blank"
            )
        out.append(_Rule(blank, field_id, "required", "error", messages, ("blanks", field_id)))
    return out


_PROBLEM_WORDS = {
    "not_a_number": ("数字", "a number"),
    "not_whole": ("整数", "a whole number"),
    "not_a_boolean": ("是 或 否", "是 or 否 (yes/no)"),
}


def _parse_problems(present: frozenset[str], parsed: frozenset[str]) -> list[_Rule]:
    out = []
    for field_id in sorted(parsed):
        column = f"{field_id}__problem"
        raw = _shown(pl.col(f"{field_id}__raw"))
        if field_id == "period":
            out.append(
                _Rule(
                    pl.col(column) == "bad_period",
                    field_id,
                    "bad_period",
                    "error",
                    lambda _rows, raw=raw: (
                        pl.format(
                            "无法识别的报告期「{}」（应如 2024Q3、2024年第三季度、2024）", raw
                        ),
                        pl.format(
                            "'{}' is not a period (write 2024Q3, 2024年第三季度 or 2024)", raw
                        ),
                    ),
                    ("values", column),
                )
            )
            continue
        name = FIELDS_BY_ID[field_id].zh
        for code, words in _PROBLEM_WORDS.items():
            out.append(
                _Rule(
                    pl.col(column) == code,
                    field_id,
                    code,
                    "error",
                    lambda _rows, raw=raw, name=name, words=words, field_id=field_id: (
                        pl.format(f"「{name}」应为{words[0]}，实际为「{{}}」", raw),
                        pl.format(f"{field_id} should be {words[1]}, got '{{}}'", raw),
                    ),
                    ("values", column),
                )
            )
    return out


def _vocabulary(present: frozenset[str]) -> list[_Rule]:
    return [
        _Rule(
            pl.col(f.id).is_not_null() & ~pl.col(f.id).is_in(f.vocabulary),
            f.id,
            "vocabulary",
            "error",
            lambda flagged, f=f: _vocabulary_messages(flagged, f),
        )
        for f in FIELDS
        if f.vocabulary and f.id in present
    ]


def _vocabulary_messages(flagged: pl.DataFrame, f: Field) -> tuple[pl.Expr, pl.Expr]:
    unknown = flagged.get_column(f.id).unique().to_list()
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
        .otherwise(pl.format("「{}」不是有效的{}（可填：{}）", raw, pl.lit(f.zh), pl.lit(choices)))
    )
    en = (
        pl.when(guess.is_not_null())
        .then(
            pl.format(
                "{}: '{}' is not in the vocabulary; did you mean {}?", pl.lit(f.id), raw, guess
            )
        )
        .otherwise(
            pl.format("{}: '{}' is not in the vocabulary ({})", pl.lit(f.id), raw, pl.lit(choices))
        )
    )
    return zh, en


def _negative_counts(present: frozenset[str]) -> list[_Rule]:
    return [
        _Rule(
            pl.col(f.id) < 0,
            f.id,
            "negative",
            "error",
            lambda _rows, f=f: (
                pl.format(
                    "「{}」不能为负数，实际为「{}」", pl.lit(f.zh), _shown(pl.col(f"{f.id}__raw"))
                ),
                pl.format(
                    "{} cannot be negative, got '{}'", pl.lit(f.id), _shown(pl.col(f"{f.id}__raw"))
                ),
            ),
            ("negative", f.id),
        )
        for f in FIELDS
        if f.type == "int" and f.id in present
    ]


def _parts_exceed_wholes(present: frozenset[str]) -> list[_Rule]:
    out = []
    for f in FIELDS:
        if f.at_most is None or f.id not in present or f.at_most not in present:
            continue
        whole = FIELDS_BY_ID[f.at_most]
        out.append(
            _Rule(
                pl.col(f.id) > pl.col(whole.id),
                f.id,
                "part_exceeds_whole",
                "error",
                lambda _rows, f=f, whole=whole: _part_whole_messages(f, whole),
            )
        )
    return out


def _part_whole_messages(part: Field, whole: Field) -> tuple[pl.Expr, pl.Expr]:
    part_v, whole_v = _shown(pl.col(part.id)), _shown(pl.col(whole.id))
    return (
        pl.format("{}（{}）大于{}（{}）", pl.lit(part.zh), part_v, pl.lit(whole.zh), whole_v),
        pl.format("{} ({}) exceeds {} ({})", pl.lit(part.id), part_v, pl.lit(whole.id), whole_v),
    )


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
    if repeated.height == 0:
        return _EMPTY_ROW_ISSUES
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


def _warnings(present: frozenset[str], default_period: str | None) -> list[_Rule]:
    out = []
    org_type = pl.col("org_type")
    if "hospital_grade" in present:
        out.append(
            _Rule(
                org_type.is_in(PRIMARY_CARE_TYPES) & pl.col("hospital_grade").is_not_null(),
                "hospital_grade",
                "grade_for_primary_care",
                "warning",
                lambda _rows: (
                    pl.format("{}是基层医疗卫生机构，不应填写医院等级", org_type),
                    pl.format("hospital_grade given for a primary-care facility ({})", org_type),
                ),
            )
        )
        out.append(
            _Rule(
                org_type.is_in(HOSPITAL_TYPES) & pl.col("hospital_grade").is_null(),
                "hospital_grade",
                "grade_missing",
                "warning",
                lambda _rows: (
                    pl.format("{}未填写医院等级，不计入按等级统计的指标", org_type),
                    pl.format(
                        "no hospital_grade for a hospital ({}): left out of grade-based indicators",
                        org_type,
                    ),
                ),
            )
        )
    if "area" in present:
        out.append(
            _Rule(
                pl.col("area").is_null(),
                "area",
                "area_missing",
                "warning",
                _static(
                    "城乡为空，不计入城市/农村签约覆盖率",
                    "area (城乡) is blank: left out of the urban/rural signing coverage",
                ),
            )
        )
    if default_period is not None and "period" in present:
        given = default_period
        out.append(
            _Rule(
                pl.col("period").is_not_null() & (pl.col("period") != given),
                "period",
                "period_differs",
                "warning",
                lambda _rows: (
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
                ),
            )
        )
    return out


def sheet_issues(records: list[dict[str, object]]) -> pl.DataFrame:
    """File- and sheet-level records (unknown columns, skipped sheets) as a frame."""
    return pl.DataFrame(records, schema={"_sheet_no": pl.Int64(), **ISSUE_SCHEMA})
