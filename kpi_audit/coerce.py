"""Vectorised value coercion: the text of a submission cell → a typed value.

Everything here is a polars expression over a String column (or, for periods, a
mapping computed once per distinct value), so a 100,000-row sheet is coerced without
a Python call per cell. Each ``*_value`` has a ``*_problem`` partner giving a problem
code (null when the text is fine or missing); :mod:`kpi_audit.validate` turns those
codes into issue records.

A blank cell and the placeholders people type for "nothing" (``—``, ``-``, ``/``,
``无``) are *missing* — never zero.
"""

from __future__ import annotations

import polars as pl

from kpi_audit.fields import FIELDS_BY_ID, ORG_TYPE_SYNONYMS
from kpi_audit.headers import T2S
from kpi_audit.periods import Period, parse_period

# Compared after NFKC (which turns － into -, ／ into /) and trimming.
MISSING_MARKERS = ("", "-", "--", "—", "——", "–", "/", "无")
TRUE_WORDS = ("是", "y", "yes", "true", "1", "1.0", "√")
FALSE_WORDS = ("否", "n", "no", "false", "0", "0.0", "×")

# The largest integer a float holds exactly; beyond it a float-looking count is
# not trusted to be whole.
_FLOAT_EXACT = 2**53
_T2S_FROM = list(T2S)
_T2S_TO = list(T2S.values())
# 三级甲等 / 三甲 / 二级乙等 … : the grade vocabulary keeps only the level.
_GRADE_WITH_CLASS = r"^([一二三])级?[甲乙丙]等?$"


def cleaned(raw: pl.Expr) -> pl.Expr:
    """NFKC-normalised, trimmed text; null for blank and missing markers."""
    s = raw.str.normalize("NFKC").str.strip_chars()
    return pl.when(s.is_in(MISSING_MARKERS)).then(None).otherwise(s)


def numeric_text(raw: pl.Expr) -> pl.Expr:
    """Cleaned text without thousands separators or inner spaces (NFKC already turned
    full-width digits and ， into ASCII)."""
    return (
        cleaned(raw).str.replace_all(",", "", literal=True).str.replace_all(" ", "", literal=True)
    )


def int_from_text(text: pl.Expr) -> pl.Expr:
    """The whole number in :func:`numeric_text` output: ``1234``, ``120.0``, ``1.2E+05``."""
    f = text.cast(pl.Float64, strict=False)
    via_float = (
        pl.when(f.is_finite() & (f == f.floor()) & (f.abs() < _FLOAT_EXACT))
        .then(f)
        .otherwise(None)
        .cast(pl.Int64)
    )
    # The direct cast keeps integers beyond a float's precision exact.
    return pl.coalesce(text.cast(pl.Int64, strict=False), via_float)


def int_problem_from(text: pl.Expr, value: pl.Expr) -> pl.Expr:
    """``not_whole`` for 12.5, ``not_a_number`` for text that is no number at all."""
    return (
        pl.when(text.is_null() | value.is_not_null())
        .then(None)
        .when(text.cast(pl.Float64, strict=False).is_finite())
        .then(pl.lit("not_whole"))
        .otherwise(pl.lit("not_a_number"))
    )


def int_value(raw: pl.Expr) -> pl.Expr:
    """Whole numbers: ``1,234``, ``１，２３４``, `` 12 ``, ``120.0``, ``1.2E+05``."""
    return int_from_text(numeric_text(raw))


def int_problem(raw: pl.Expr) -> pl.Expr:
    text = numeric_text(raw)
    return int_problem_from(text, int_from_text(text))


def bool_from_text(word: pl.Expr) -> pl.Expr:
    word = word.str.to_lowercase()
    return (
        pl.when(word.is_in(TRUE_WORDS))
        .then(True)
        .when(word.is_in(FALSE_WORDS))
        .then(False)
        .otherwise(None)
        .cast(pl.Boolean)
    )


def bool_value(raw: pl.Expr) -> pl.Expr:
    """是/否, Y/N, yes/no, true/false, 1/0 (any case)."""
    return bool_from_text(cleaned(raw))


def bool_problem_from(text: pl.Expr, value: pl.Expr) -> pl.Expr:
    return pl.when(text.is_not_null() & value.is_null()).then(pl.lit("not_a_boolean"))


def bool_problem(raw: pl.Expr) -> pl.Expr:
    return bool_problem_from(cleaned(raw), bool_value(raw))


def text_from_text(text: pl.Expr, *, squeeze: bool = False) -> pl.Expr:
    return text.str.replace_all(r"\s+", "") if squeeze else text


def text_value(raw: pl.Expr, *, squeeze: bool = False) -> pl.Expr:
    """Trimmed text; ``squeeze`` also drops inner spaces (codes and place names,
    which are compared across files)."""
    return text_from_text(cleaned(raw), squeeze=squeeze)


def enum_from_text(text: pl.Expr, field_id: str) -> pl.Expr:
    s = text_from_text(text, squeeze=True).str.replace_many(_T2S_FROM, _T2S_TO)
    if field_id == "org_type":
        s = s.replace(ORG_TYPE_SYNONYMS)
    elif field_id == "hospital_grade":
        s = s.str.replace(_GRADE_WITH_CLASS, "${1}级")
    return s


def enum_value(raw: pl.Expr, field_id: str) -> pl.Expr:
    """The vocabulary spelling: no spaces, simplified characters, synonyms resolved
    (卫生所 → 诊所), 三级甲等 → 三级. Whether it *is* in the vocabulary is validation's
    business."""
    return enum_from_text(cleaned(raw), field_id)


def period_values(raw: pl.Series) -> pl.Series:
    """Canonical periods (``2024Q3`` / ``2024``), null where the text is no period.

    :func:`kpi_audit.periods.parse_period` is the one definition of a period spelling;
    it runs once per *distinct* text (a file has a handful), not per row.
    """
    text = raw.to_frame("t").select(cleaned(pl.col("t"))).to_series()
    distinct = text.drop_nulls().unique()
    mapping = {t: _canonical(t) for t in distinct.to_list()}
    return text.replace_strict(mapping, default=None, return_dtype=pl.String).rename(raw.name)


def _canonical(text: str) -> str | None:
    period = parse_period(text)
    return None if period is None else str(period)


def period_year(canonical: pl.Expr) -> pl.Expr:
    return canonical.str.slice(0, 4).cast(pl.Int32, strict=False)


def period_quarter(canonical: pl.Expr) -> pl.Expr:
    return canonical.str.extract(r"Q([1-4])$", 1).cast(pl.Int32)


def _typed(text: pl.Expr, field_id: str) -> pl.Expr:
    kind = FIELDS_BY_ID[field_id].type
    if kind == "int":
        return int_from_text(text)
    if kind == "bool":
        return bool_from_text(text)
    if kind == "enum":
        return enum_from_text(text, field_id)
    return text_from_text(text, squeeze=field_id in ("org_code", "county", "city"))


def _problem(text: pl.Expr, value: pl.Expr, field_id: str) -> pl.Expr | None:
    kind = FIELDS_BY_ID[field_id].type
    if kind == "int":
        return int_problem_from(text, value)
    if kind == "bool":
        return bool_problem_from(text, value)
    return None


def coerce_cells(
    cells: pl.DataFrame, columns: dict[str, str], default_period: Period | None
) -> pl.DataFrame:
    """Typed submission columns from a sheet's text cells.

    ``columns`` maps field id → the column of ``cells`` holding it. The result has, for
    every field of the catalog, its typed column (null when the sheet lacks it); for
    each present field ``<id>__raw`` (the text as written) and, where parsing can fail,
    ``<id>__problem``; and ``period`` / ``period_year`` / ``period_quarter``, taking
    ``default_period`` where the sheet has no period or the cell is blank.
    """
    # In stages, each materialised once: polars does not share a sub-expression
    # (the NFKC pass, the cleaned text) between the expressions of one select.
    fields = [f for f in columns if f != "period"]
    # NFKC only changes non-ASCII text: skip it for the (typically numeric) columns
    # that have none.
    non_ascii = (
        cells.select(pl.col(columns[f]).str.contains(r"[^\x00-\x7F]").any() for f in fields).row(0)
        if fields
        else ()
    )
    out = cells.select(
        pl.col("_row"),
        *(pl.col(c).alias(f"{f}__raw") for f, c in columns.items()),
        *(
            (pl.col(columns[f]).str.normalize("NFKC") if needs else pl.col(columns[f]))
            .str.strip_chars()
            .alias(f"{f}__norm")
            for f, needs in zip(fields, non_ascii, strict=True)
        ),
    )
    out = out.with_columns(
        pl.when(pl.col(f"{f}__norm").is_in(MISSING_MARKERS))
        .then(None)
        .otherwise(pl.col(f"{f}__norm"))
        .alias(f"{f}__text")
        for f in fields
    )
    out = out.with_columns(
        pl.col(f"{f}__text")
        .str.replace_all(",", "", literal=True)
        .str.replace_all(" ", "", literal=True)
        for f in fields
        if FIELDS_BY_ID[f].type == "int"
    )
    out = out.with_columns(_typed(pl.col(f"{f}__text"), f).alias(f) for f in fields)
    problems = [(f, _problem(pl.col(f"{f}__text"), pl.col(f), f)) for f in fields]
    out = out.with_columns(p.alias(f"{f}__problem") for f, p in problems if p is not None)
    out = out.drop(*(f"{f}__{part}" for f in fields for part in ("norm", "text")))
    out = out.with_columns(
        pl.lit(None, dtype=_dtype(f)).alias(f)
        for f in FIELDS_BY_ID
        if f not in columns and f != "period"
    )
    return _with_period(out, cells, columns.get("period"), default_period)


def _with_period(
    out: pl.DataFrame, cells: pl.DataFrame, column: str | None, default_period: Period | None
) -> pl.DataFrame:
    fallback = pl.lit(None if default_period is None else str(default_period), dtype=pl.String)
    if column is None:
        period = fallback
    else:
        written = period_values(cells.get_column(column)).alias("_period_written")
        blank = cells.select(cleaned(pl.col(column)).is_null()).to_series().alias("_blank")
        out = out.with_columns(written, blank).with_columns(
            period__problem=pl.when(~pl.col("_blank") & pl.col("_period_written").is_null()).then(
                pl.lit("bad_period")
            )
        )
        # Only a blank cell falls back to --period; unreadable text stays an error.
        period = pl.when(pl.col("_blank")).then(fallback).otherwise(pl.col("_period_written"))
    out = out.with_columns(period.alias("period"))
    return out.with_columns(
        period_year(pl.col("period")).alias("period_year"),
        period_quarter(pl.col("period")).alias("period_quarter"),
    ).drop("_period_written", "_blank", strict=False)


def _dtype(field_id: str) -> pl.DataType:
    kind = FIELDS_BY_ID[field_id].type
    if kind == "int":
        return pl.Int64()
    if kind == "bool":
        return pl.Boolean()
    return pl.String()
