"""The per-row rules of a submission, as polars expressions with their messages.

Each rule says which rows it flags (a mask), under which code and severity, and what
the zh/en messages say (``issue.<code>`` in :mod:`kpi_audit.render.i18n`); :func:`rules`
builds the rules that apply to a file's columns. Cross-row checks (duplicates, total
lines) live in :mod:`kpi_audit.ingest.validate`.
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
from kpi_audit.render.i18n import issue_exprs

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


def _coded(code: str, **params: pl.Expr | str) -> Messages:
    """The messages of ``issue.<code>`` (kpi_audit.render.words.issues), parameters as
    expressions or literal texts; they do not depend on which rows were flagged."""
    exprs = {k: pl.lit(v) if isinstance(v, str) else v for k, v in params.items()}
    zh, en = issue_exprs(code, **exprs)
    return lambda _rows: (zh, en)


@lru_cache(maxsize=256)
def rules(present: frozenset[str], parsed: frozenset[str]) -> tuple[Rule, ...]:
    """The rules for a set of columns; a folder of files from one template shares them,
    so they are built once, not per file."""
    built = [
        *_required(present, parsed),
        *_parse_problems(present, parsed),
        *_vocabulary(present),
        *_code_in_scientific_notation(present),
        *_negative_counts(present),
        *_parts_exceed_wholes(present),
        *_warnings(present),
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
            messages = _coded("required.period")
        else:
            messages = _coded("required", header_zh=f.zh, header_en=f"{field_id} ({f.zh})")
        out.append(Rule(blank, field_id, "required", "error", messages, ("blanks", field_id)))
    return out


# The problems coerce.py records for a cell it cannot read (issue.<code> in i18n).
_PROBLEMS = ("not_a_number", "not_whole", "not_a_boolean")


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
                    _coded("bad_period", value=raw),
                    ("values", column),
                )
            )
            continue
        name = FIELDS_BY_ID[field_id].zh
        for code in _PROBLEMS:
            out.append(
                Rule(
                    pl.col(column) == code,
                    field_id,
                    code,
                    "error",
                    _coded(code, header_zh=name, header_en=field_id, value=raw),
                    ("values", column),
                )
            )
    return out


# 1.23457E+17: a long code that Excel kept as a number and wrote as it displays it
# (a point or a sign with the E: 12E45 may be a code, 1.23457E17 is not).
SCIENTIFIC_CODE = r"^[+-]?(\d+\.\d+[eE][+-]?|\d+[eE][+-])\d+$"


def _code_in_scientific_notation(present: frozenset[str]) -> list[Rule]:
    """An org_code written in scientific notation has lost its digits: it can no longer
    tell the institution from its neighbours, nor match the register."""
    if "org_code" not in present:
        return []
    return [
        Rule(
            pl.col("org_code").str.contains(SCIENTIFIC_CODE),
            "org_code",
            "code_scientific",
            "error",
            _coded("code_scientific", value=shown(pl.col("org_code__raw"))),
            ("values", "org_code"),
        )
    ]


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
    names = {"header_zh": pl.lit(f.zh), "header_en": pl.lit(f.id), "value": raw}
    # the choices are data: listed with 、 in both languages
    zh_guess, en_guess = issue_exprs("vocabulary.guess", guess=guess, **names)
    zh, en = issue_exprs("vocabulary", choices=pl.lit("、".join(f.vocabulary)), **names)
    has_guess = guess.is_not_null()
    return (
        pl.when(has_guess).then(zh_guess).otherwise(zh),
        pl.when(has_guess).then(en_guess).otherwise(en),
    )


def _negative_counts(present: frozenset[str]) -> list[Rule]:
    return [
        Rule(
            pl.col(f.id) < 0,
            f.id,
            "negative",
            "error",
            _coded("negative", header_zh=f.zh, header_en=f.id, value=shown(pl.col(f"{f.id}__raw"))),
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
                _coded(
                    "part_exceeds_whole",
                    header_zh=f.zh,
                    header_en=f.id,
                    value=shown(pl.col(f.id)),
                    whole_zh=whole.zh,
                    whole_en=whole.id,
                    whole_value=shown(pl.col(whole.id)),
                ),
            )
        )
    return out


def _warnings(present: frozenset[str]) -> list[Rule]:
    out = []
    org_type = pl.col("org_type")
    if "hospital_grade" in present:
        out.append(
            Rule(
                org_type.is_in(PRIMARY_CARE_TYPES) & pl.col("hospital_grade").is_not_null(),
                "hospital_grade",
                "grade_for_primary_care",
                "warning",
                _coded("grade_for_primary_care", org_type=org_type),
            )
        )
        out.append(
            Rule(
                org_type.is_in(HOSPITAL_TYPES) & pl.col("hospital_grade").is_null(),
                "hospital_grade",
                "grade_missing",
                "warning",
                _coded("grade_missing", org_type=org_type),
            )
        )
    if "area" in present:
        out.append(
            Rule(
                pl.col("area").is_null(),
                "area",
                "area_missing",
                "warning",
                _coded("area_missing"),
            )
        )
    return out
