"""The per-row rules of a submission, as polars expressions with their messages.

Each rule says which rows it flags (a mask), under which code and severity, and what
the zh/en messages say; :func:`rules` builds the rules that apply to a file's columns.
Cross-row checks (duplicates, total lines) live in :mod:`kpi_audit.ingest.validate`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache, partial

import polars as pl

from kpi_audit.core.fields import (
    FIELDS,
    FIELDS_BY_ID,
    HOSPITAL_TYPES,
    PRIMARY_CARE_TYPES,
    REQUIRED_FIELDS,
    Field,
)
from kpi_audit.ingest.issues import Severity, shown

# What must hold of a column for a rule to flag anything, answered for every column at
# once from per-column statistics (null counts, minima): ("values", c) c is not all
# null; ("blanks", c) c has a null; ("negative", c) c has a value below zero.
Gate = tuple[str, str]
# Given the rows a rule flagged: the zh and en message expressions for them.
Messages = Callable[[pl.DataFrame], tuple[pl.Expr, pl.Expr]]


@dataclass(frozen=True)
class Rule:
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
    messages: Messages
    gate: Gate | None = None
    flagged: pl.Expr | None = None  # mask.any(), named uniquely among the rules


def _static(zh: str, en: str) -> Messages:
    return _exprs(pl.lit(zh), pl.lit(en))


def _exprs(zh: pl.Expr, en: pl.Expr) -> Messages:
    """Messages that do not depend on which rows were flagged."""
    return lambda _rows: (zh, en)


@lru_cache(maxsize=256)
def rules(
    present: frozenset[str], parsed: frozenset[str], default_period: str | None
) -> tuple[Rule, ...]:
    """The rules for a set of columns; a folder of files from one template shares them,
    so they are built once, not per file."""
    built = [
        *_required(present, parsed),
        *_parse_problems(present, parsed),
        *_vocabulary(present),
        *_negative_counts(present),
        *_parts_exceed_wholes(present),
        *_warnings(present, default_period),
    ]
    return tuple(
        replace(r, flagged=r.mask.fill_null(False).any().alias(f"_rule{i}"))
        for i, r in enumerate(built)
    )


# ---- the rules ---------------------------------------------------------------------


def _required(present: frozenset[str], parsed: frozenset[str]) -> list[Rule]:
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
        out.append(Rule(blank, field_id, "required", "error", messages, ("blanks", field_id)))
    return out


_PROBLEM_WORDS = {
    "not_a_number": ("数字", "a number"),
    "not_whole": ("整数", "a whole number"),
    "not_a_boolean": ("是 或 否", "是 or 否 (yes/no)"),
}


def _parse_problems(present: frozenset[str], parsed: frozenset[str]) -> list[Rule]:
    out = []
    for field_id in sorted(parsed):
        column = f"{field_id}__problem"
        raw = shown(pl.col(f"{field_id}__raw"))
        if field_id == "period":
            out.append(
                Rule(
                    pl.col(column) == "bad_period",
                    field_id,
                    "bad_period",
                    "error",
                    _exprs(
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
                Rule(
                    pl.col(column) == code,
                    field_id,
                    code,
                    "error",
                    _exprs(
                        pl.format(f"「{name}」应为{words[0]}，实际为「{{}}」", raw),
                        pl.format(f"{field_id} should be {words[1]}, got '{{}}'", raw),
                    ),
                    ("values", column),
                )
            )
    return out


def _vocabulary(present: frozenset[str]) -> list[Rule]:
    return [
        Rule(
            pl.col(f.id).is_not_null() & ~pl.col(f.id).is_in(f.vocabulary),
            f.id,
            "vocabulary",
            "error",
            partial(_vocabulary_messages, f=f),
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
    raw = shown(pl.col(f"{f.id}__raw"))
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


def _negative_counts(present: frozenset[str]) -> list[Rule]:
    return [
        Rule(
            pl.col(f.id) < 0,
            f.id,
            "negative",
            "error",
            _exprs(
                pl.format(
                    "「{}」不能为负数，实际为「{}」", pl.lit(f.zh), shown(pl.col(f"{f.id}__raw"))
                ),
                pl.format(
                    "{} cannot be negative, got '{}'", pl.lit(f.id), shown(pl.col(f"{f.id}__raw"))
                ),
            ),
            ("negative", f.id),
        )
        for f in FIELDS
        if f.type == "int" and f.id in present
    ]


def _parts_exceed_wholes(present: frozenset[str]) -> list[Rule]:
    out = []
    for f in FIELDS:
        if f.at_most is None or f.id not in present or f.at_most not in present:
            continue
        whole = FIELDS_BY_ID[f.at_most]
        out.append(
            Rule(
                pl.col(f.id) > pl.col(whole.id),
                f.id,
                "part_exceeds_whole",
                "error",
                _exprs(*_part_whole_messages(f, whole)),
            )
        )
    return out


def _part_whole_messages(part: Field, whole: Field) -> tuple[pl.Expr, pl.Expr]:
    part_v, whole_v = shown(pl.col(part.id)), shown(pl.col(whole.id))
    return (
        pl.format("{}（{}）大于{}（{}）", pl.lit(part.zh), part_v, pl.lit(whole.zh), whole_v),
        pl.format("{} ({}) exceeds {} ({})", pl.lit(part.id), part_v, pl.lit(whole.id), whole_v),
    )


def _warnings(present: frozenset[str], default_period: str | None) -> list[Rule]:
    out = []
    org_type = pl.col("org_type")
    if "hospital_grade" in present:
        out.append(
            Rule(
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
            Rule(
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
            Rule(
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
            Rule(
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
