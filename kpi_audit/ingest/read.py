"""A spreadsheet file's bytes → sheets of text cells with a located header row.

Every cell is read as text (calamine via fastexcel for workbooks, polars for CSV), so
header detection and value coercion stay ours. Row numbers are the ones the user
sees: row 1 is the first row of the sheet in Excel, or the first line of a CSV file.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import fastexcel
import polars as pl

from kpi_audit.core.errors import InputError
from kpi_audit.core.fields import FIELDS_BY_ID, REQUIRED_FIELDS
from kpi_audit.ingest.cell_extent import column_letters
from kpi_audit.ingest.discover import SUFFIXES, WORKBOOK_SUFFIXES
from kpi_audit.ingest.encoding import decode_text
from kpi_audit.ingest.formulas import uncached_formulas
from kpi_audit.ingest.header_levels import Label, is_sub_header, one_level, two_levels
from kpi_audit.ingest.headers import count_known_fields, match_header
from kpi_audit.ingest.limits import Limits, check_csv, check_workbook
from kpi_audit.ingest.merged import MergedColumn, fill_merged
from kpi_audit.ingest.register_fields import REGISTER_FIELDS, match_register_header

HEADER_SCAN_ROWS = 20
_WIDTH_SCAN_CHARS = 8 * 1024 * 1024
# Fewer known headers than this in a row is a title or a note, not the header.
MIN_HEADER_FIELDS = 2
# The field separators a CSV file may use, in the order that wins a tie: the comma (every
# CSV file was read with it before), the tab (Excel's 「Unicode 文本」, UTF-16 with tabs),
# the semicolon (「CSV」 saved where the decimal mark is a comma).
CSV_SEPARATORS = (",", "\t", ";")


# --sheet: one name or 1-based number, several, or None for every visible sheet
SheetNames = str | Sequence[str] | None


def sheet_names(sheet: SheetNames) -> tuple[str, ...]:
    """The sheets named, in order, each once (none: every visible sheet)."""
    return (sheet,) if isinstance(sheet, str) else tuple(dict.fromkeys(sheet or ()))


@dataclass(frozen=True)
class Sheet:
    """The data rows of one sheet below its header row."""

    name: str | None  # None for a CSV file
    header_row: int  # 1-based
    cells: pl.DataFrame  # "_row" (Int64, 1-based) + one String column per headed column
    columns: dict[str, str]  # field id → column of ``cells``
    headers: dict[str, str]  # field id → the header as written
    unknown: list[tuple[str, str]]  # (column letter, header) of columns not understood
    raw_headers: list[str] = field(default_factory=list)  # every column of cells but _row
    # (row, field id, formula) of the data cells holding a formula with no cached value
    uncomputed: list[tuple[int, str, str]] = field(default_factory=list)
    merged: list[MergedColumn] = field(default_factory=list)  # merged cells over data rows


@dataclass(frozen=True)
class SkippedSheet:
    name: str
    # empty | no_header | no_institutions | hidden: the words are
    # issue.sheet_skipped.<reason> in i18n
    reason: str
    row: int | None = None  # the header row of a sheet skipped for what it names


class _NoInstitutions(InputError):
    """missing_columns of a sheet whose header names neither 机构代码 nor 机构名称: no
    sheet of institutions (a summary by county …), skipped when another sheet loads."""


@dataclass(frozen=True)
class FileRead:
    sheets: list[Sheet]
    skipped: list[SkippedSheet]
    encoding: str | None = None  # the text encoding of a CSV file, as shown (GB18030 …)
    separator: str | None = None  # the field separator of a CSV file (CSV_SEPARATORS)


@dataclass(frozen=True)
class FileGrids:
    """Every cell of a file's sheets as text, read once for whichever reader wants it:
    the submission's (read_file) and, when it is no submission, the register's."""

    grids: list[_Grid]
    only: tuple[str, ...]  # the sheets named (none: every sheet)
    encoding: str | None = None  # of a CSV file, as shown
    separator: str | None = None  # of a CSV file


def file_grids(
    path: Path, data: bytes, *, sheet: SheetNames = None, encoding: str | None = None
) -> FileGrids:
    """The grids of a file's sheets (only those ``sheet`` names, when it names some); a
    CSV file read in ``encoding`` when given, else in the one detected
    (ingest/encoding.py). Raises :class:`InputError` for a file that cannot be read or a
    missing ``--sheet``."""
    only = sheet_names(sheet)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        cells, letters, used, separator = _csv_grid(path, data, encoding)
        return FileGrids([_Grid(None, cells, letters)], only, used, separator)
    if suffix in WORKBOOK_SUFFIXES:
        return FileGrids(_workbook_grids(path, data, only), only)
    raise InputError(code="not_a_spreadsheet", params={"suffixes": list(SUFFIXES)}, path=str(path))


def read_file(
    path: Path,
    data: bytes,
    *,
    sheet: SheetNames = None,
    encoding: str | None = None,
    grids: FileGrids | None = None,
) -> FileRead:
    """The sheets of a file that have a recognisable header (or only those ``sheet``
    names: one or several), from ``grids`` when the file was read already (file_grids).

    Raises :class:`InputError` for a file that cannot be read, a missing ``--sheet``,
    or a file where no sheet has a header.
    """
    only = sheet_names(sheet)
    shown = ", ".join(only) or None  # where an error of the file is
    read = file_grids(path, data, sheet=sheet, encoding=encoding) if grids is None else grids
    used, separator = read.encoding, read.separator

    sheets: list[Sheet] = []
    skipped: list[SkippedSheet] = []
    not_institutions: list[_NoInstitutions] = []
    hidden: list[SkippedSheet] = []  # hidden sheets with a submission's header
    for g in read.grids:
        name = g.name
        if g.hidden:  # not read; said when it looks like a submission
            head = g.cells.head(HEADER_SCAN_ROWS).rows()
            index = _header_index(head)
            if index is not None and _names_institutions(head[index]):
                hidden.append(SkippedSheet(name or "", "hidden", index + 1))
                skipped.append(hidden[-1])
            continue
        if g.cells.height == 0:
            skipped.append(SkippedSheet(name or "", "empty"))
            continue
        try:
            located = _locate_header(path, g)
        except _NoInstitutions as exc:
            not_institutions.append(exc)
            skipped.append(SkippedSheet(name or "", "no_institutions", exc.row))
            continue
        if located is None:
            skipped.append(SkippedSheet(name or "", "no_header"))
            continue
        sheets.append(located)
    if not sheets and not_institutions:
        raise not_institutions[0]  # what it lacks, as when it was the only sheet
    if not sheets and hidden:
        raise InputError(
            code="no_header",
            params={"case": "hidden", "hidden": hidden[0].name, "row": hidden[0].row},
            path=str(path),
        )
    if not sheets:
        if all(g.cells.height == 0 for g in read.grids if not g.hidden):
            raise InputError(code="file_empty", path=str(path), sheet=shown)
        raise InputError(
            code="no_header",
            params={
                "rows": HEADER_SCAN_ROWS,
                "encoding": used,
                "case": "read_as" if used else None,
            },
            path=str(path),
            sheet=shown,
        )
    return FileRead(sheets, skipped, used, separator)


# ---- reading the grid of text cells ----------------------------------------------


@dataclass(frozen=True)
class _Grid:
    name: str | None
    cells: pl.DataFrame  # one String column per column of the sheet, every row from row 1
    letters: list[str]  # the column letter of each column
    uncached: dict[tuple[str, int], str] = field(default_factory=dict)  # formulas.py
    hidden: bool = False  # a hidden sheet not named: only its first rows, never read
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (r1, c1, r2, c2) of merged cells


def _workbook_grids(path: Path, data: bytes, only: Sequence[str] = ()) -> list[_Grid]:
    """Every sheet's grid, the hidden ones marked (hidden sheets hold drop-down lists
    and notes, not submissions: only their first rows, to say so when one looks like a
    submission), or the grids of the sheets ``only`` names (hidden ones too)."""
    # before calamine sees it: it allocates each sheet's whole used range at once
    scanned = check_workbook(path, data, Limits.from_env())
    try:
        reader = fastexcel.read_excel(data)
    except fastexcel.FastExcelError as exc:
        raise InputError(
            code="unreadable_workbook", params={"detail": _first_line(exc)}, path=str(path)
        ) from exc
    names = reader.sheet_names
    wanted = list(dict.fromkeys(_pick_sheet(path, names, w) for w in only)) if only else names
    grids: list[_Grid] = []
    for name in wanted:
        try:
            # header_row=None + skip_rows=0: every row from row 1, blank ones included,
            # so that positions are Excel's row numbers.
            loaded = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            hidden = not only and loaded.visible != "visible"
            batch, cell_errors = loaded.to_arrow_with_errors()
        except fastexcel.FastExcelError as exc:
            raise InputError(
                code="unreadable_sheet",
                params={"detail": _first_line(exc)},
                path=str(path),
                sheet=name,
            ) from exc
        if hidden:
            grids.append(_Grid(name, pl.DataFrame(batch).head(HEADER_SCAN_ROWS), [], hidden=True))
            continue
        frame = _with_error_cells(pl.DataFrame(batch), cell_errors)
        letters = [column_letters(c.absolute_index + 1) for c in loaded.available_columns()]
        grids.append(_Grid(name, frame, letters, merged=scanned.merged.get(name, ())))
    scan = [g.name for g in grids if g.name in scanned.formulas and not g.hidden]
    if scan:  # a formula without a cached value reads as a blank cell
        uncached = uncached_formulas(data, scan)
        grids = [replace(g, uncached=uncached.get(g.name or "", {})) for g in grids]
    return grids


_EXCEL_ERRORS = {
    "NA": "#N/A",
    "Div0": "#DIV/0!",
    "Value": "#VALUE!",
    "Ref": "#REF!",
    "Name": "#NAME?",
    "Num": "#NUM!",
    "Null": "#NULL!",
    "GettingData": "#GETTING_DATA",
}


def _with_error_cells(
    frame: pl.DataFrame, cell_errors: fastexcel.CellErrors | None
) -> pl.DataFrame:
    """Put Excel's error text (#N/A, #DIV/0! …) back where calamine left a null, so that
    a formula error reads as a bad value, not as a blank (= missing) cell."""
    by_column: dict[int, dict[int, str]] = {}
    for error in cell_errors.errors if cell_errors else []:  # one per error cell: usually none
        row, column = error.offset_position
        match = re.search(r"Error\((\w+)\)", error.detail)
        text = _EXCEL_ERRORS.get(match.group(1), "#ERROR") if match else "#ERROR"
        by_column.setdefault(column, {})[row] = text
    if not by_column:
        return frame
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    return frame.with_columns(
        pl.col(frame.columns[c]).fill_null(
            index.replace_strict(cells, default=None, return_dtype=pl.String)
        )
        for c, cells in by_column.items()
    )


def _pick_sheet(path: Path, names: list[str], wanted: str) -> str:
    if wanted in names:
        return wanted
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return names[int(wanted) - 1]
    raise InputError(
        code="no_such_sheet", params={"wanted": wanted, "sheets": list(names)}, path=str(path)
    )


def _csv_grid(
    path: Path, data: bytes, encoding: str | None = None
) -> tuple[pl.DataFrame, list[str], str, str]:
    """The cells of a CSV file, their column letters, the encoding it was read in and
    its field separator."""
    decoded = decode_text(path, data, encoding)
    text = decoded.text
    if not text.strip():
        return pl.DataFrame(), [], decoded.encoding, CSV_SEPARATORS[0]
    # a field may be any length (the csv module's default limit is 131,072 characters);
    # the whole text is in memory already, so no field can be longer than it
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    # the first rows, from at most their first 8 MB (a line of millions of commas would
    # otherwise be a list of millions of fields before it is refused)
    head = text[:_WIDTH_SCAN_CHARS]
    first = {
        sep: list(itertools.islice(csv.reader(io.StringIO(head), delimiter=sep), HEADER_SCAN_ROWS))
        for sep in CSV_SEPARATORS
    }
    # every split is held to the column limit before any is looked at
    check_csv(path, max(len(r) for rows in first.values() for r in rows), Limits.from_env())
    separator = _csv_separator(first)
    width = max(len(r) for r in first[separator])
    names = [f"c{i}" for i in range(width)]
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            has_header=False,
            separator=separator,
            schema=dict.fromkeys(names, pl.String),
            missing_columns="insert",
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            code="unreadable_csv", params={"detail": _first_line(exc)}, path=str(path)
        ) from exc
    letters = [column_letters(i + 1) for i in range(width)]
    return frame, letters, decoded.encoding, separator


def _csv_separator(first: dict[str, list[list[str]]]) -> str:
    """The separator whose split of the first rows names the most known headers (of a
    submission or a register) in one row; when none names MIN_HEADER_FIELDS, the one
    that splits the most rows into the same number of fields (more than one); a comma
    when nothing tells them apart."""
    known = {sep: _known_headers(rows) for sep, rows in first.items()}
    if max(known.values()) >= MIN_HEADER_FIELDS:
        return max(CSV_SEPARATORS, key=known.__getitem__)  # the first of the best
    alike = {sep: _same_width(rows) for sep, rows in first.items()}
    return max(CSV_SEPARATORS, key=alike.__getitem__)


def _known_headers(rows: list[list[str]]) -> int:
    """The most cells of one row that are a submission's or a register's header."""
    kinds = tuple(REGISTER_FIELDS)
    known = {
        c
        for c in {c for r in rows for c in r}
        if match_header(c) or any(match_register_header(k, c) for k in kinds)
    }
    return max((sum(c in known for c in r) for r in rows), default=0)


def _same_width(rows: list[list[str]]) -> int:
    """How many rows share the commonest number of fields, if it is more than one."""
    widths = Counter(len(r) for r in rows if len(r) > 1)
    return widths.most_common(1)[0][1] if widths else 0


# ---- the header row ---------------------------------------------------------------


def _locate_header(path: Path, g: _Grid) -> Sheet | None:
    sheet, grid, letters = g.name, g.cells, g.letters
    head = grid.head(HEADER_SCAN_ROWS).rows()
    index = _header_index(head)
    if index is None:
        return None
    labels, levels = _labels(path, sheet, head, index)

    columns: dict[str, str] = {}
    headers: dict[str, str] = {}
    letter_of: dict[str, str] = {}
    unknown: list[tuple[str, str]] = []
    renamed: dict[str, str] = {}
    for source, label, letter in zip(grid.columns, labels, letters, strict=True):
        if label is None:
            continue
        shown, field_id = label.shown, label.field
        name = shown if shown not in renamed.values() else f"{shown} ({letter})"
        renamed[source] = name
        if field_id is None:
            unknown.append((letter, shown))
            continue
        if field_id in columns:
            raise InputError(
                code="duplicate_column",
                params={
                    "first": letter_of[field_id],
                    "first_header": headers[field_id],
                    "second": letter,
                    "second_header": shown,
                    "field_zh": FIELDS_BY_ID[field_id].zh,
                },
                path=str(path),
                sheet=sheet,
                row=index + 1,
            )
        columns[field_id], headers[field_id], letter_of[field_id] = name, shown, letter

    missing = [f for f in REQUIRED_FIELDS if f not in columns and f != "period"]
    if missing:
        names = ", ".join(f"{FIELDS_BY_ID[f].zh} ({f})" for f in missing)
        identity = "org_code" in columns or "org_name" in columns
        raise (InputError if identity else _NoInstitutions)(
            code="missing_columns",
            params={"names_en": names, "names_zh": [FIELDS_BY_ID[f].zh for f in missing]},
            path=str(path),
            sheet=sheet,
            row=index + 1,
        )

    # A row is blank when its headed cells, run together, are only whitespace: one
    # expression however many columns (a per-column test costs more than the data on a
    # small sheet).
    blank = pl.concat_str(list(renamed), ignore_nulls=True).str.strip_chars() == ""
    body = (
        grid.lazy()
        .with_row_index("_row", offset=1)
        .slice(index + levels)
        .filter(~blank)
        .select(pl.col("_row").cast(pl.Int64), *(pl.col(s).alias(n) for s, n in renamed.items()))
        .collect()
    )
    field_of = {letter: f for f, letter in letter_of.items()}
    uncomputed = _uncomputed(g.uncached, field_of, index + levels, body) if g.uncached else []
    merged: list[MergedColumn] = []
    if g.merged:
        body, merged = fill_merged(body, g.merged, field_of, columns, headers, index + levels + 1)
    return Sheet(
        sheet,
        index + 1,
        body,
        columns,
        headers,
        unknown,
        list(renamed.values()),
        uncomputed,
        merged,
    )


def _header_index(head: list[tuple[str | None, ...]]) -> int | None:
    """The 0-based row of the first rows (``head``) that names the most known fields, if
    it names MIN_HEADER_FIELDS."""
    scores = [count_known_fields(row) for row in head]
    best = max(scores, default=0)
    return scores.index(best) if best >= MIN_HEADER_FIELDS else None


def _names_institutions(row: tuple[str | None, ...]) -> bool:
    """Whether a header row names 机构代码 or 机构名称 (a drop-down list sheet headed
    机构类别, 城乡 … does not)."""
    return not {"org_code", "org_name"}.isdisjoint(map(match_header, row))


def _labels(
    path: Path, sheet: str | None, head: list[tuple[str | None, ...]], index: int
) -> tuple[list[Label | None], int]:
    """Each column's label and how many rows the header has (1, or 2 when the row
    below continues it: header_levels.py); refuses a two-row header it cannot read."""
    header = head[index]
    if index + 1 >= len(head) or not is_sub_header(header, head[index + 1]):
        return one_level(header), 1
    labels, unmatched = two_levels(header, head[index + 1])
    if unmatched:
        raise InputError(
            code="two_level_header",
            params={"first": index + 1, "second": index + 2, "unmatched": list(unmatched)},
            path=str(path),
            sheet=sheet,
            row=index + 1,
        )
    return labels, 2


def _uncomputed(
    uncached: dict[tuple[str, int], str],
    field_of: dict[str, str],
    header_row: int,
    body: pl.DataFrame,
) -> list[tuple[int, str, str]]:
    """(row, field id, formula) of the uncached formulas in the data rows' known fields
    (``field_of``: column letter → field id)."""
    rows = set(body.get_column("_row").to_list())
    return sorted(
        (row, field_of[letter], formula)
        for (letter, row), formula in uncached.items()
        if letter in field_of and row > header_row and row in rows
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line.removeprefix("calamine error: ")
