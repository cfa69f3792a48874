"""A register file (area or institution register, domain.md §3b): read → coerce → validate.

Recognised by its header row (:func:`register_kind_of`); the first sheet with one is
read. Cells are coerced with the submissions' expressions (NFKC, missing markers,
thousands separators); every problem is an issue record (code + message), and a row
with an error is not loaded. Storing is :mod:`kpi_audit.ingest.register_write`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kpi_audit.core.periods import parse_period
from kpi_audit.ingest.coerce import (
    cleaned,
    enum_word,
    int_from_text,
    int_problem_from,
    place_name,
    scaled_int_from_text,
)
from kpi_audit.ingest.coerce import numeric_text as _numeric_text
from kpi_audit.ingest.headers import unit_factor
from kpi_audit.ingest.merged import NOT_FILLED, fill_merged, merged_issue
from kpi_audit.ingest.read import HEADER_SCAN_ROWS, FileGrids, _Grid, file_grids
from kpi_audit.ingest.register_fields import (
    REGISTER_FIELDS,
    RegisterField,
    RegisterKind,
    match_register_header,
    register_kind_of,
)
from kpi_audit.ingest.rules import SCIENTIFIC_CODE
from kpi_audit.render.i18n import issue_exprs, issue_messages

REGISTER_ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "sheet": pl.String(),
    "source_row": pl.Int64(),
    "field": pl.String(),
    "header": pl.String(),
    "value": pl.String(),
    "severity": pl.String(),
    "code": pl.String(),
    "message_zh": pl.String(),
    "message_en": pl.String(),
    "area_code": pl.String(),
    "org_code": pl.String(),
}
_KEYS: dict[RegisterKind, tuple[str, ...]] = {
    "areas": ("area_code", "year"),
    "institutions": ("org_code",),
}


@dataclass(frozen=True)
class PreparedRegister:
    kind: RegisterKind
    sheet: str | None
    rows: pl.DataFrame  # the rows to load: source_row + the register's columns
    rejected: int  # rows with an error, not loaded
    issues: pl.DataFrame  # REGISTER_ISSUE_SCHEMA


def prepare_register(
    path: Path, data: bytes, encoding: str | None = None, grids: FileGrids | None = None
) -> PreparedRegister | None:
    """The register in a file, or None when no sheet has a register's header row
    (``encoding``: of a CSV file, default detected; ``grids``: the file's cells when
    read already: every sheet, or the ones --sheet named, hidden ones too)."""
    if grids is None:
        grids = file_grids(path, data, encoding=encoding)
    for g in (g for g in grids.grids if not g.hidden):
        for index, cells in enumerate(g.cells.head(HEADER_SCAN_ROWS).rows()):
            kind = register_kind_of(cells)
            if kind is not None:
                return _prepared(kind, g, index, cells)
    return None


def _register_fillable(kind: RegisterKind) -> Callable[[str], bool]:
    """A register's text, type, year and period columns merged down are filled into the
    rows below; its counts, codes and names are not (a copied count counts twice, a
    copied code or name makes one unit of several)."""
    kinds = {f.id: f.kind for f in REGISTER_FIELDS[kind]}
    return lambda fid: fid not in NOT_FILLED and kinds[fid] not in ("int", "code")


def _merged_filled(
    kind: RegisterKind, g: _Grid, raw: pl.DataFrame, columns: Mapping[str, str],
    headers: Mapping[str, str], index: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:  # fmt: skip
    """``raw`` with the merged cells over its rows filled (merged.py), and the notices."""
    letter_of = dict(zip(g.cells.columns, g.letters, strict=True))
    field_of = {letter_of[source]: fid for fid, source in columns.items()}
    body, merged = fill_merged(
        raw.rename({"source_row": "_row"}),
        g.merged,
        field_of,
        {fid: f"{fid}__raw" for fid in columns},
        dict(headers),
        index + 2,
        _register_fillable(kind),
    )
    notices = [{"source_row": m.first_row, **merged_issue(m)} for m in merged]
    return body.rename({"_row": "source_row"}), pl.DataFrame(notices, schema=REGISTER_ISSUE_SCHEMA)


def _prepared(kind: RegisterKind, g: _Grid, index: int, cells: tuple) -> PreparedRegister:
    sheet, grid = g.name, g.cells
    fields = REGISTER_FIELDS[kind]
    columns: dict[str, str] = {}
    headers: dict[str, str] = {}
    for source, text in zip(grid.columns, cells, strict=True):
        fid = match_register_header(kind, text)
        if fid is not None and fid not in columns:
            columns[fid], headers[fid] = source, " ".join(str(text).split())
    raw = (
        grid.with_row_index("source_row", offset=1)
        .slice(index + 1)
        .select(
            pl.col("source_row").cast(pl.Int64),
            *(
                (pl.col(columns[f.id]) if f.id in columns else pl.lit(None, pl.String)).alias(
                    f"{f.id}__raw"
                )
                for f in fields
            ),
        )
    )
    blank = pl.concat_str(
        [pl.col(f"{f.id}__raw") for f in fields], ignore_nulls=True
    ).str.strip_chars()
    raw = raw.filter(blank.fill_null("") != "")
    merged = pl.DataFrame(schema=REGISTER_ISSUE_SCHEMA)
    if g.merged:
        raw, merged = _merged_filled(kind, g, raw, columns, headers, index)
    units = {
        f.id: u
        for f in fields
        if f.kind == "int" and f.id in headers and (u := unit_factor(headers[f.id])) is not None
    }
    typed = raw.with_columns(_coerced(f, units.get(f.id, (1, ""))[0]) for f in fields)
    typed = _with_windows(typed) if kind == "institutions" else _with_area_type(typed)
    issues = pl.concat(
        [
            _unit_notices(units, headers, index + 1),
            merged,
            _placeholder_notices(fields, raw, headers),
            _issues(kind, typed, headers),
        ],
        how="diagonal_relaxed",
    )
    bad = issues.filter(pl.col("severity") == "error").get_column("source_row").unique()
    rows = typed.filter(~pl.col("source_row").is_in(bad.implode()))
    keep = ["source_row", *(f.id for f in fields)]
    if kind == "institutions":
        keep += ["reports_from_ord", "reports_until_ord"]
    else:
        keep += ["area_type_basis"]
    issues = issues.with_columns(sheet=pl.lit(sheet, pl.String)).select(*REGISTER_ISSUE_SCHEMA)
    return PreparedRegister(kind, sheet, rows.select(keep), raw.height - rows.height, issues)


# ---- coercion ---------------------------------------------------------------------

_SPACES = r"\s+"


def _number_text(raw: pl.Expr) -> pl.Expr:
    """A count's or a year's text as read for a number: 2024年 / 2024 年度 → 2024."""
    return _numeric_text(raw).str.replace(r"\s*年度?$", "")


def _coerced(f: RegisterField, factor: int = 1) -> pl.Expr:
    raw = pl.col(f"{f.id}__raw")
    if f.kind in ("int", "year"):
        text = _number_text(raw)
        value = int_from_text(text) if factor == 1 else scaled_int_from_text(text, factor)
        return value.alias(f.id)
    text = cleaned(raw)
    if f.kind == "code":
        return text.str.replace_all(_SPACES, "").str.replace(r"\.0+$", "").alias(f.id)
    if f.kind == "enum":
        squeezed = text.str.replace_all(_SPACES, "")
        return squeezed.map_batches(lambda s: _words(s, f.id), return_dtype=pl.String).alias(f.id)
    if f.kind == "period":
        return text.map_batches(_periods, return_dtype=pl.String).alias(f.id)
    if f.id in ("county", "city"):
        return text.map_batches(_places, return_dtype=pl.String).alias(f.id)
    return text.alias(f.id)


def _words(texts: pl.Series, field_id: str) -> pl.Series:
    """Each distinct text once: the vocabulary spelling (synonyms, traditional forms)."""
    distinct = texts.drop_nulls().unique().to_list()
    mapping = {t: enum_word(t, field_id) for t in distinct}
    return texts.replace_strict(mapping, default=None, return_dtype=pl.String)


def _places(texts: pl.Series) -> pl.Series:
    """Each distinct text once: the place name without spaces, in simplified characters."""
    mapping = {t: place_name(t) for t in texts.drop_nulls().unique().to_list()}
    return texts.replace_strict(mapping, default=None, return_dtype=pl.String)


def _periods(texts: pl.Series) -> pl.Series:
    """Each distinct text once: its canonical period label (2024Q2, 2024), else null."""
    mapping: dict[str, str | None] = {}
    for t in texts.drop_nulls().unique().to_list():
        p = parse_period(t)
        mapping[t] = None if p is None else str(p)
    return texts.replace_strict(mapping, default=None, return_dtype=pl.String)


def _ord(label: pl.Expr, bound_quarter: int) -> pl.Expr:
    year = label.str.slice(0, 4).cast(pl.Int64, strict=False)
    quarter = label.str.extract(r"Q([1-4])$").cast(pl.Int64, strict=False)
    return (year * 10 + quarter.fill_null(bound_quarter)).cast(pl.Int32)


def _with_windows(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(
        reports_from_ord=_ord(pl.col("reports_from"), 1),
        reports_until_ord=_ord(pl.col("reports_until"), 4),
    )


def _with_area_type(rows: pl.DataFrame) -> pl.DataFrame:
    tail = pl.col("area_code").str.slice(4, 2).cast(pl.Int64, strict=False)
    from_code = (
        pl.when(tail.is_between(1, 20))
        .then(pl.lit("市辖区"))
        .when(tail.is_between(21, 80))
        .then(pl.lit("县"))
        .when(tail.is_between(81, 99))
        .then(pl.lit("县级市"))
        .otherwise(pl.lit("其他"))
    )
    stated = pl.col("area_type").is_not_null()
    return rows.with_columns(
        area_type=pl.when(stated).then(pl.col("area_type")).otherwise(from_code),
        area_type_basis=pl.when(stated).then(pl.lit("stated")).otherwise(pl.lit("code")),
    )


# ---- validation as data -----------------------------------------------------------


def _placeholder_notices(
    fields: Sequence[RegisterField], raw: pl.DataFrame, headers: Mapping[str, str]
) -> pl.DataFrame:
    """One notice per column whose cells held a placeholder for "nothing" (无, —, N/A,
    不适用 …), read as missing: how many, and which."""
    present = [f for f in fields if f.id in headers]
    markers = {f.id: pl.col(f"{f.id}__raw").str.strip_chars() for f in present}
    masks = {
        f: cleaned(pl.col(f"{f}__raw")).is_null() & (m != "").fill_null(False)
        for f, m in markers.items()
    }
    counts = raw.select(mask.sum().alias(f) for f, mask in masks.items()).row(0, named=True)
    records = []
    for f in present:  # per column
        if not counts[f.id]:
            continue
        written = (
            raw.filter(masks[f.id])
            .select(markers[f.id].alias("m"))
            .group_by("m")
            .len()
            .sort("len", "m", descending=[True, False])
            .get_column("m")
            .to_list()
        )
        case = "count" if f.kind == "int" else "text"
        _, zh, en = issue_messages("register_placeholder_missing", header_zh=headers[f.id],
            header_en=f.en, count=counts[f.id], markers=written, case=case)  # fmt: skip
        records.append(
            {
                "field": f.id,
                "header": headers[f.id],
                "severity": "notice",
                "code": "register_placeholder_missing",
                "message_zh": zh,
                "message_en": en,
            }
        )
    return pl.DataFrame(records, schema=REGISTER_ISSUE_SCHEMA)


def _unit_notices(
    units: Mapping[str, tuple[int, str]], headers: Mapping[str, str], header_row: int
) -> pl.DataFrame:
    """One notice per column whose header states 万 or 千: its values were converted."""
    records = []
    for fid, (factor, unit) in units.items():
        header = headers[fid]
        _, zh, en = issue_messages("register_unit_converted", header=header, unit=unit,
                                   factor=factor)  # fmt: skip
        records.append(
            {
                "source_row": header_row,
                "field": fid,
                "header": header,
                "severity": "notice",
                "code": "register_unit_converted",
                "message_zh": zh,
                "message_en": en,
            }
        )
    return pl.DataFrame(records, schema=REGISTER_ISSUE_SCHEMA)


@dataclass
class _Found:
    """The issues of one register file, one frame per rule (REGISTER_ISSUE_SCHEMA)."""

    kind: RegisterKind
    rows: pl.DataFrame
    headers: dict[str, str]
    parts: list[pl.DataFrame] = field(default_factory=list)

    def add(
        self, mask: pl.Expr, f: RegisterField | None, code: str, severity: str, **p: pl.Expr
    ) -> None:
        """The rows where ``mask`` holds, as issues ``code`` (of field ``f``, if any)."""
        headers = self.headers
        params: dict[str, pl.Expr] = dict(p)
        if f is not None:
            params.setdefault("header_zh", pl.lit(headers.get(f.id, f.zh)))
            params.setdefault("header_en", pl.lit(f.en))
            params.setdefault("value", pl.col(f"{f.id}__raw"))
        zh, en = issue_exprs(code, **params)
        value = pl.col(f"{f.id}__raw") if f is not None else pl.lit(None, pl.String)
        areas = self.kind == "areas"
        key = pl.col("area_code" if areas else "org_code")
        self.parts.append(
            self.rows.filter(mask).select(
                pl.col("source_row"),
                pl.lit(f.id if f else None, pl.String).alias("field"),
                pl.lit(headers.get(f.id, f.zh) if f else None, pl.String).alias("header"),
                value.alias("value"),
                pl.lit(severity).alias("severity"),
                pl.lit(f"register_{code.removeprefix('register_')}").alias("code"),
                zh.alias("message_zh"),
                en.alias("message_en"),
                (key if areas else pl.lit(None, pl.String)).alias("area_code"),
                (pl.lit(None, pl.String) if areas else key).alias("org_code"),
            )
        )


def _issues(kind: RegisterKind, rows: pl.DataFrame, headers: dict[str, str]) -> pl.DataFrame:
    found = _Found(kind, rows, headers)
    fields = REGISTER_FIELDS[kind]
    _field_issues(found, fields)
    if kind == "areas":
        _area_issues(found, {f.id: f for f in fields})
    else:
        found.add(pl.col("reports_from_ord") > pl.col("reports_until_ord"), None,
            "register_window_reversed", "error", reports_from=pl.col("reports_from"),
            reports_until=pl.col("reports_until"))  # fmt: skip
    keys = list(_KEYS[kind])
    last = pl.col("source_row").max().over(keys)
    dup = (pl.len().over(keys) > 1) & (pl.col("source_row") != last)
    key_text = pl.concat_str([pl.col(k).cast(pl.String) for k in keys], separator=" ")
    found.add(dup & pl.all_horizontal(pl.col(k).is_not_null() for k in keys), None,
        "register_duplicate_key", "warning", key=key_text, row=last)  # fmt: skip
    if not found.parts:
        return pl.DataFrame(schema=REGISTER_ISSUE_SCHEMA)
    return pl.concat(found.parts, how="diagonal_relaxed").with_columns(
        sheet=pl.lit(None, pl.String)
    )


def _field_issues(found: _Found, fields: Sequence[RegisterField]) -> None:
    """Each field's own rules: required, a number, a year, a period, a vocabulary word."""
    add = found.add
    for f in fields:
        col, given = pl.col(f.id), pl.col(f"{f.id}__raw")
        if f.required:
            add(cleaned(given).is_null(), f, "register_required", "error")
        present = cleaned(given).is_not_null()
        if f.kind == "int":
            problem = int_problem_from(_number_text(given), col)
            add(present & problem.is_not_null(), f, "register_not_a_number", "error")
            add(col < 0, f, "register_negative", "error")
        elif f.kind == "year":
            add(present & ~col.is_between(1900, 2200).fill_null(False), f, "register_bad_year",
                "error")  # fmt: skip
        elif f.kind == "period":
            add(present & col.is_null(), f, "register_bad_period", "error")
        elif f.kind == "enum":
            ok = col.is_in(list(f.choices)).fill_null(False)
            choices = pl.lit(" / ".join(f.choices))
            add(present & ~ok, f, "register_vocabulary", "error", choices=choices)
        elif f.id == "area_code":
            add(present & ~col.str.contains(r"^\d{6}$").fill_null(False), f,
                "register_bad_area_code", "error")  # fmt: skip
        elif f.id == "org_code":  # as in a submission (ingest/rules.py)
            add(present & col.str.contains(SCIENTIFIC_CODE).fill_null(False), f,
                "register_code_scientific", "error")  # fmt: skip


def _area_issues(found: _Found, by_id: Mapping[str, RegisterField]) -> None:
    """The area register's rules across fields: parts within the whole, the urban and
    rural parts summing to it, an area type read from the code."""
    add = found.add
    for part in ("urban_population", "rural_population", "key_population"):
        add(pl.col(part) > pl.col("population"), by_id[part], "register_part_exceeds_whole",
            "error", population=pl.col("population"))  # fmt: skip
    total = pl.col("urban_population") + pl.col("rural_population")
    add((total != pl.col("population")).fill_null(False), None, "register_urban_rural_sum",
        "warning", total=total, population=pl.col("population"))  # fmt: skip
    valid_code = pl.col("area_code").str.contains(r"^\d{6}$").fill_null(False)
    add((pl.col("area_type_basis") == "code") & valid_code, None,
        "register_area_type_from_code", "notice", area_code=pl.col("area_code"),
        area_type=pl.col("area_type"))  # fmt: skip
