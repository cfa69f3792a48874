"""Value coercion: the text of a submission cell → a typed value.

Two kinds of column, two strategies, no Python call per cell either way:

* counts and the per-institution texts (org_code, org_name) differ on every row: they
  are polars expressions over the String column;
* the fields whose texts repeat down a sheet — the vocabularies, places, 是/否, the
  period — are coerced once per *distinct* combination of their texts (a few dozen on a
  sheet of any length) and joined back to the rows. The cleaning (:func:`cleaned`) is
  still the polars expression; what follows it (traditional → simplified characters in
  vocabulary words and place names, synonyms, 是/否 words, period spellings) is plain
  Python on the distinct texts.

Each coerced field that can fail to parse has an ``<id>__problem`` column giving a
problem code (null when the text is fine or missing); :mod:`kpi_audit.ingest.validate` turns
those codes into issue records.

A blank cell and the placeholders people type for "nothing" (``—``, ``-``, ``/``,
``无``, ``N/A``, ``不适用`` …: :data:`MISSING_MARKERS`) are *missing* — never zero.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import polars as pl

from kpi_audit.core.fields import FIELDS_BY_ID, ORG_TYPE_SYNONYMS
from kpi_audit.core.periods import Period, parse_period
from kpi_audit.ingest.headers import to_simplified

# Compared after NFKC (which turns － into -, ／ into /, Ｎ／Ａ into N/A) and trimming.
# An Excel error cell (#N/A, #DIV/0!) is none of them: it stays a bad value.
# ingest/validate.py notes per column and sheet where these were read as missing.
MISSING_MARKERS = (
    *("", "-", "--", "—", "——", "–", "/"),
    *("无", "無", "空", "不适用", "不適用"),
    *("N/A", "n/a", "N/a", "n/A", "NA", "na", "Na", "nA"),
)
TRUE_WORDS = ("是", "y", "yes", "true", "1", "1.0", "√")
FALSE_WORDS = ("否", "n", "no", "false", "0", "0.0", "×")

# The largest integer a float holds exactly; beyond it a float-looking count is
# not trusted to be whole.
_FLOAT_EXACT = 2**53
# Commas that separate thousands: 1,234 / 12,345,678.5 (spaces beside a comma removed).
_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
# Spaces that separate thousands: 1 234 / 12 345 678.5 (a sign standing apart, - 5, is
# joined to its number first).
_SPACED_THOUSANDS = r"^[+-]?\d{1,3}( \d{3})*(\.\d+)?$"
# Decimal numbers of a scaled column: 18 places after the point, 20 before.
_DECIMAL = pl.Decimal(38, 18)
# 三级甲等 / 三甲 / 二级乙等 … : the grade vocabulary keeps only the level.
_GRADE_WITH_CLASS = re.compile(r"^([一二三])级?[甲乙丙]等?$")
# Unicode White_Space, as polars' (Rust's) ``\s`` (Python's ``\s`` adds U+001C–U+001F).
_WHITESPACE = re.compile(
    r"[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
_BOOL_WORDS = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}


# ---- polars expressions (columns that differ on every row) ------------------------


def cleaned(raw: pl.Expr) -> pl.Expr:
    """NFKC-normalised, trimmed text; null for blank and missing markers."""
    s = raw.str.normalize("NFKC").str.strip_chars()
    return pl.when(s.is_in(MISSING_MARKERS)).then(None).otherwise(s)


def numeric_text(raw: pl.Expr) -> pl.Expr:
    """Cleaned text without thousands separators or inner spaces (NFKC already turned
    full-width digits and ， into ASCII)."""
    return without_separators(cleaned(raw))


def without_separators(text: pl.Expr) -> pl.Expr:
    """``text`` without its thousands separators: commas (``1,234`` / ``12,345.5``, a
    space beside one allowed: ``1, 234``) or spaces (``1 234`` / ``12 345 678``). Any other
    comma or inner space stays, so that ``12,34``, ``1,2345``, ``,123`` or ``12 34`` is
    no number rather than 1234."""
    s = text.str.replace(r"^([+-]) +", "$1").str.replace_all(r" *, *", ",")
    s = (
        pl.when(s.str.contains(_SPACED_THOUSANDS))
        .then(s.str.replace_all(" ", "", literal=True))
        .otherwise(s)
    )
    return (
        pl.when(s.str.contains(_THOUSANDS))
        .then(s.str.replace_all(",", "", literal=True))
        .otherwise(s)
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


def scaled_int_from_text(text: pl.Expr, factor: int) -> pl.Expr:
    """The whole number ``factor`` × the number in :func:`numeric_text` output, for a
    column whose header counts in 万 or 千 (``3.25`` × 10000 → 32500): exact decimal
    arithmetic, so that 0.07万 is 700, not 700.0000000000001; null where the product is
    not whole (1.23456万) or the text is no number."""
    exact = text.cast(_DECIMAL, strict=False) * factor
    whole = exact.cast(pl.Int64, strict=False)
    return pl.when(whole.cast(_DECIMAL) == exact).then(whole).otherwise(None)


def int_problem_from(text: pl.Expr, value: pl.Expr) -> pl.Expr:
    """``not_whole`` for 12.5, ``not_a_number`` for text that is no number at all."""
    return (
        pl.when(text.is_null() | value.is_not_null())
        .then(None)
        .when(text.cast(pl.Float64, strict=False).is_finite())
        .then(pl.lit("not_whole"))
        .otherwise(pl.lit("not_a_number"))
    )


# ---- plain Python on distinct texts (columns whose texts repeat) ------------------


def squeezed(text: str) -> str:
    """Without any whitespace (codes and place names are compared across files)."""
    return _WHITESPACE.sub("", text)


def enum_word(text: str, field_id: str) -> str:
    """The vocabulary spelling of a cleaned text: no spaces, simplified characters,
    synonyms resolved (卫生所 → 诊所), 三级甲等 → 三级. Whether it *is* in the
    vocabulary is validation's business."""
    s = to_simplified(squeezed(text))
    if field_id == "org_type":
        return ORG_TYPE_SYNONYMS.get(s, s)
    if field_id == "hospital_grade":
        return _GRADE_WITH_CLASS.sub(r"\1级", s)
    return s


def place_name(text: str) -> str:
    """A county or city as compared across files: no spaces, simplified characters
    (東湖區 and 东湖 区 are 东湖区)."""
    return to_simplified(squeezed(text))


def bool_word(text: str) -> bool | None:
    """是/否, Y/N, yes/no, true/false, 1/0 (any case) of a cleaned text; None when the
    text is none of them."""
    return _BOOL_WORDS.get(text.lower())


# ---- a sheet -----------------------------------------------------------------------

# Codes and place names are compared across files: inner spaces go.
_SQUEEZED = ("org_code", "county", "city")
# Coerced once per distinct text (see the module docstring); the period separately.
_DISTINCT_KINDS = ("enum", "bool")
_DISTINCT_TEXT = ("city", "county")
# Place names, in simplified characters (traditional ones would split a county in two).
_PLACES = ("city", "county")


def _by_distinct(field_id: str) -> bool:
    return FIELDS_BY_ID[field_id].type in _DISTINCT_KINDS or field_id in _DISTINCT_TEXT


def coerce_cells(
    cells: pl.DataFrame,
    columns: dict[str, str],
    default_period: Period | None,
    factors: Mapping[str, int] | None = None,
) -> pl.DataFrame:
    """Typed submission columns from a sheet's text cells.

    ``columns`` maps field id → the column of ``cells`` holding it. The result has, for
    every field of the catalog, its typed column (null when the sheet lacks it); for
    each present field ``<id>__raw`` (the text as written) and, where parsing can fail,
    ``<id>__problem``; and ``period`` / ``period_year`` / ``period_quarter``, taking
    ``default_period`` where the sheet has no period or the cell is blank. ``factors``
    maps a count field whose header states 万 or 千 (:func:`kpi_audit.ingest.headers.
    unit_factor`) to the factor its values are multiplied by.
    """
    scaled: Mapping[str, int] = factors or {}
    # Columns named after their field from here on, so that the expressions depend on
    # the field alone and are built once per process (the @cache functions below), not
    # once per file: for the small files of a folder, building them cost more than
    # running them.
    out = cells.select(pl.col("_row"), *(pl.col(c).alias(f"{f}__raw") for f, c in columns.items()))
    ints = [f for f in columns if FIELDS_BY_ID[f].type == "int"]
    distinct = [f for f in columns if _by_distinct(f)]
    texts = [f for f in columns if f not in ints and f not in distinct and f != "period"]
    # One pass to learn which columns need the full text path: an int column whose cells
    # all read as plain integers (what calamine writes for a number cell) needs no
    # cleaning; a text column of ASCII needs no NFKC.
    needs = (
        out.select(
            *(_int_needs_cleaning(f) for f in ints), *(_has_non_ascii(f) for f in texts)
        ).row(0, named=True)
        if ints or texts
        else {}
    )
    out = out.with_columns(
        *(_text_expr(f, nfkc=needs[f]) for f in texts),
        *(e for f in ints if not needs[f] and f not in scaled for e in _plain_int_exprs(f)),
    )
    cleaning = [f for f in ints if needs[f] or f in scaled]
    if cleaning:
        out = out.with_columns(_int_text(f, nfkc=needs[f]) for f in cleaning)
        out = out.with_columns(e for f in cleaning for e in _int_exprs(f, scaled.get(f, 1)))
        out = out.drop(f"{f}__text" for f in cleaning)
    if distinct:
        out = out.hstack(_coerced_by_distinct(out, distinct))
    out = out.with_columns(
        pl.lit(None, dtype=_dtype(f)).alias(f)
        for f in FIELDS_BY_ID
        if f not in columns and f != "period"
    )
    return _with_period(out, "period" in columns, default_period)


@cache
def _int_needs_cleaning(field_id: str) -> pl.Expr:
    raw = pl.col(f"{field_id}__raw")
    return (raw.is_not_null() & raw.cast(pl.Int64, strict=False).is_null()).any().alias(field_id)


@cache
def _has_non_ascii(field_id: str) -> pl.Expr:
    return pl.col(f"{field_id}__raw").str.contains(r"[^\x00-\x7F]").any().alias(field_id)


@cache
def _plain_int_exprs(field_id: str) -> tuple[pl.Expr, ...]:
    # Every cell is blank or a plain integer: the full path would give the same values
    # and no problem.
    return (
        pl.col(f"{field_id}__raw").cast(pl.Int64, strict=False).alias(field_id),
        pl.lit(None, dtype=pl.String).alias(f"{field_id}__problem"),
    )


def _trimmed(field_id: str, *, nfkc: bool) -> pl.Expr:
    """:func:`cleaned`, without the NFKC pass where the column is ASCII (it would change
    nothing there)."""
    raw = pl.col(f"{field_id}__raw")
    s = (raw.str.normalize("NFKC") if nfkc else raw).str.strip_chars()
    return pl.when(s.is_in(MISSING_MARKERS)).then(None).otherwise(s)


@cache
def _int_text(field_id: str, *, nfkc: bool) -> pl.Expr:
    return without_separators(_trimmed(field_id, nfkc=nfkc)).alias(f"{field_id}__text")


@cache
def _int_exprs(field_id: str, factor: int = 1) -> tuple[pl.Expr, ...]:
    text = pl.col(f"{field_id}__text")
    value = int_from_text(text) if factor == 1 else scaled_int_from_text(text, factor)
    return (
        value.alias(field_id),
        int_problem_from(text, value).alias(f"{field_id}__problem"),
    )


@cache
def _text_expr(field_id: str, *, nfkc: bool) -> pl.Expr:
    text = _trimmed(field_id, nfkc=nfkc)
    if field_id in _SQUEEZED:
        text = text.str.replace_all(r"\s+", "")
    return text.alias(field_id)


@cache
def _cleaned_raw(field_id: str) -> pl.Expr:
    return cleaned(pl.col(f"{field_id}__raw")).alias(field_id)


def _coerced_by_distinct(frame: pl.DataFrame, fields: list[str]) -> list[pl.Series]:
    """The typed (and problem) columns of ``fields``, computed once per distinct
    combination of their texts and joined back to the rows of ``frame``."""
    keys = [f"{f}__raw" for f in fields]
    raw = frame.select(keys)
    combos = raw.unique()
    texts = combos.select(_cleaned_raw(f) for f in fields)
    mapped: list[pl.Series] = combos.get_columns()
    for f in fields:
        column = texts.get_column(f).to_list()
        # Once per distinct text of the field; the list below only looks results up.
        typed = {t: _typed_word(t, f) for t in set(column) if t is not None}
        values = [None if t is None else typed[t] for t in column]
        mapped.append(pl.Series(f, values, dtype=_dtype(f)))
        if FIELDS_BY_ID[f].type == "bool":
            problems = [
                None if t is None or v is not None else "not_a_boolean"
                for t, v in zip(column, values, strict=True)
            ]
            mapped.append(pl.Series(f"{f}__problem", problems, dtype=pl.String))
    return _joined_back(raw, pl.DataFrame(mapped))


def _typed_word(text: str, field_id: str) -> str | bool | None:
    kind = FIELDS_BY_ID[field_id].type
    if kind == "bool":
        return bool_word(text)
    if kind == "enum":
        return enum_word(text, field_id)
    if field_id in _PLACES:
        return place_name(text)
    return squeezed(text) if field_id in _SQUEEZED else text


def _joined_back(raw: pl.DataFrame, mapped: pl.DataFrame) -> list[pl.Series]:
    """The columns of ``mapped`` that are not in ``raw``, aligned with ``raw``'s rows
    (``mapped`` holds one row per distinct row of ``raw``)."""
    joined = raw.join(mapped, on=raw.columns, how="left", nulls_equal=True, maintain_order="left")
    return joined.drop(raw.columns).get_columns()


def _with_period(
    out: pl.DataFrame, has_column: bool, default_period: Period | None
) -> pl.DataFrame:
    if not has_column:
        return out.with_columns(
            pl.lit(None if default_period is None else str(default_period), dtype=pl.String).alias(
                "period"
            ),
            pl.lit(default_period and default_period.year, dtype=pl.Int32).alias("period_year"),
            pl.lit(default_period and default_period.quarter, dtype=pl.Int32).alias(
                "period_quarter"
            ),
        )
    # A sheet has a handful of distinct period texts: each is parsed once, in Python,
    # and the results joined back to the rows.
    raw = out.select("period__raw")
    texts = raw.get_column("period__raw").unique()
    cleaned_texts = texts.to_frame("t").select(cleaned(pl.col("t"))).to_series().to_list()
    columns: dict[str, list[object]] = {
        "period__raw": texts.to_list(),
        "period": [],
        "period__problem": [],
        "period_year": [],
        "period_quarter": [],
    }
    for text in cleaned_texts:
        written = None if text is None else parse_period(text)
        # Only a blank cell falls back to --period; unreadable text stays an error.
        period = default_period if text is None else written
        columns["period"].append(None if period is None else str(period))
        columns["period__problem"].append(
            "bad_period" if text is not None and written is None else None
        )
        columns["period_year"].append(None if period is None else period.year)
        columns["period_quarter"].append(None if period is None else period.quarter)
    mapped = pl.DataFrame(columns, schema=_PERIOD_SCHEMA)
    return out.hstack(_joined_back(raw, mapped))


_PERIOD_SCHEMA = {
    "period__raw": pl.String(),
    "period": pl.String(),
    "period__problem": pl.String(),
    "period_year": pl.Int32(),
    "period_quarter": pl.Int32(),
}


def _dtype(field_id: str) -> pl.DataType:
    kind = FIELDS_BY_ID[field_id].type
    if kind == "int":
        return pl.Int64()
    if kind == "bool":
        return pl.Boolean()
    return pl.String()
