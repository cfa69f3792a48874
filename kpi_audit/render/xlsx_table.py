"""Writing a polars frame into a write-only openpyxl sheet as a filterable table.

openpyxl (write-only mode) writes the workbook: every sheet's settings, title rows,
headers, the small sheets' cells, charts and styles. The data rows of the tables are
rendered column-wise by polars into SpreadsheetML and spliced into the saved file
(:class:`RowSplicer`), because openpyxl's per-cell writer costs tens of microseconds
a cell — minutes for a national quarter. Small and large results take the same path.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any
from xml.sax.saxutils import escape as xml_escape

import polars as pl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kpi_audit.render.format import STATUS_COLOURS, display_width, status_text
from kpi_audit.render.i18n import label
from kpi_audit.render.xlsx_bytes import use_fast_deflate, utf8_bytes, write_behind
from kpi_audit.render.xlsx_styles import (
    FORMULA_PATTERN,
    Column,
    Styles,
    styled,
    text_cell,
)

# Excel's last row is 1,048,576; one is the header.
MAX_DATA_ROWS = 1_048_575
# Characters XML 1.0 cannot hold; openpyxl refuses them. Tab, LF and CR are allowed.
_ILLEGAL_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
# Sheets up to this many character widths print one page wide (landscape A4 holds about
# 150 at 100%; fitted down to ~70% they stay readable); wider ones print at 100%.
FIT_WIDTH_LIMIT = 215
WRAP_WIDTH = 24  # a wrapped text column is at most this wide


def clean_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip characters XML cannot carry and turn NaN/±inf (which Excel cannot store)
    into blanks — set-wise, before any row is written."""
    texts = [n for n, d in frame.schema.items() if d == pl.String]
    floats = [n for n, d in frame.schema.items() if d.is_float()]
    if not frame.height or not (texts or floats):
        return frame
    # one scan says which columns hold anything to clean; only those are rewritten
    found = frame.select(
        *(pl.col(n).str.contains(_ILLEGAL_XML).any().alias(n) for n in texts),
        *((~pl.col(n).is_finite()).any().alias(n) for n in floats),
    ).row(0, named=True)
    exprs = [pl.col(n).str.replace_all(_ILLEGAL_XML, "") for n in texts if found[n]]
    exprs += [pl.when(pl.col(n).is_finite()).then(pl.col(n)).alias(n) for n in floats if found[n]]
    return frame.with_columns(exprs) if exprs else frame


def width_expr(column: pl.Expr) -> pl.Expr:
    """Width in Excel character units: a CJK character (3 UTF-8 bytes) counts as two."""
    text = column.cast(pl.String)
    chars = text.str.len_chars()
    return chars + (text.str.len_bytes() - chars) // 2


_FIXED_WIDTH: dict[str, int] = {
    "integer": 8,
    "count": 14,
    "value": 11,
    "gap": 11,
    "status": 12,
    "plain": 12,
}


def column_widths(frame: pl.DataFrame, columns: Sequence[Column], lang: str) -> list[float]:
    text_sources = [c.source for c in columns if c.kind in ("text", "wrap")]
    data_widths: dict[str, int] = {}
    if frame.height and text_sources:
        maxima = frame.select(width_expr(pl.col(s)).max().alias(s) for s in text_sources)
        data_widths = {k: (v or 0) for k, v in maxima.row(0, named=True).items()}
    widths = []
    for col in columns:
        heading = display_width(label(col.heading, lang)) + 3  # room for the filter button
        if col.kind == "wrap":
            body = min(data_widths.get(col.source, 0), WRAP_WIDTH)
        elif col.kind == "text":
            body = data_widths.get(col.source, 0)
        else:
            body = _FIXED_WIDTH[col.kind]
        widths.append(float(min(max(heading, body + 2, 8), 60)))
    return widths


def _escape(text: pl.Expr) -> pl.Expr:
    return (
        text.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


_TEXT_KINDS = ("text", "wrap", "plain", "status")
_MARKUP = "[&<>]"


@dataclass(frozen=True)
class Found:
    """What a text column holds somewhere: characters to escape, formula-like text.
    Where it holds none, its cells skip that step (the same XML, less work)."""

    markup: bool = True
    formula: bool = True


def scan_texts(frame: pl.DataFrame, columns: Sequence[Column]) -> dict[str, Found]:
    """:class:`Found` for each text column of ``frame``, in one scan."""
    sources = list(dict.fromkeys(c.source for c in columns if c.kind in _TEXT_KINDS))
    if not sources or not frame.height:
        return {}
    texts = [pl.col(s).cast(pl.String) for s in sources]
    row = frame.select(
        *(t.str.contains(_MARKUP).any().alias(f"m{i}") for i, t in enumerate(texts)),
        *(t.str.contains(FORMULA_PATTERN).any().alias(f"f{i}") for i, t in enumerate(texts)),
    ).row(0, named=True)
    return {s: Found(bool(row[f"m{i}"]), bool(row[f"f{i}"])) for i, s in enumerate(sources)}


def _cell_xml(
    col: Column, letter: str, row: pl.Expr, styles: Styles, lang: str, found: Found = Found()
) -> list[pl.Expr]:
    """The parts of one column's ``<c>`` elements as polars expressions: every part
    after the reference is null where the value is, so the concatenated cell is null
    for a blank (and the row's concat_str leaves it out)."""
    if col.kind in ("text", "wrap", "plain"):
        parts = _text_parts(col, styles, found)
    elif col.kind == "status":
        parts = _status_parts(col, styles, lang, found)
    else:
        parts = _number_parts(col, styles)
    return [pl.lit(f'<c r="{letter}'), row, *parts]


def _text_parts(col: Column, styles: Styles, found: Found) -> list[pl.Expr]:
    text = pl.col(col.source).cast(pl.String)
    plain = f' s="{styles.id(styles.wrap)}"' if col.kind == "wrap" else ""
    s_attr = pl.lit(plain)
    if found.formula:
        # Text Excel would take for a formula keeps the quote-prefix style (stays text
        # when edited); an inline string is never evaluated.
        quoted = pl.lit(f' s="{styles.id(styles.quoted_text)}"')
        s_attr = pl.when(text.str.contains(FORMULA_PATTERN)).then(quoted).otherwise(s_attr)
    return [
        pl.lit('"'),
        s_attr,
        pl.lit(' t="inlineStr"><is><t xml:space="preserve">'),
        _escape(text) if found.markup else text,
        pl.lit("</t></is></c>"),
    ]


def _status_parts(col: Column, styles: Styles, lang: str, found: Found) -> list[pl.Expr]:
    v = pl.col(col.source)
    words = {st: xml_escape(status_text(st, lang)) for st in STATUS_COLOURS}
    ids = {st: str(styles.id(styles.status[st])) for st in STATUS_COLOURS}
    other = _escape(v) if found.markup else v  # a status outside the vocabulary, as is
    return [
        pl.lit('" s="'),
        v.replace_strict(ids, default="0", return_dtype=pl.String),
        pl.lit('" t="inlineStr"><is><t>'),
        v.replace_strict(words, default=other, return_dtype=pl.String),
        pl.lit("</t></is></c>"),
    ]


def _number_parts(col: Column, styles: Styles) -> list[pl.Expr]:
    if col.kind in ("value", "gap"):
        pair = styles.value if col.kind == "value" else styles.gap
        sid = (
            pl.when(pl.col("_share"))
            .then(pl.lit(str(styles.id(pair[True]))))
            .when(pl.col("_whole"))
            .then(pl.lit(str(styles.id(styles.whole[col.kind]))))
            .otherwise(pl.lit(str(styles.id(pair[False]))))
        )
    else:
        style = styles.integer if col.kind == "integer" else styles.count
        sid = pl.lit(str(styles.id(style)))
    return [
        pl.lit('" s="'),
        sid,
        pl.lit('" t="n"><v>'),
        pl.col(col.source).cast(pl.String),
        pl.lit("</v></c>"),
    ]


SheetValue = str | int | float | None


def row_xml(row: int, cells: Sequence[tuple[SheetValue, int | None]]) -> str:
    """One ``<row>`` from column A on, a cell per (value, style id or None): text as an
    inline string (never a formula), a number with 16 significant digits (as openpyxl
    writes them), None as a blank (kept when styled). For the small sheets and the title
    rows around a spliced table, which openpyxl would write at tens of µs a cell."""
    parts = [f'<row r="{row}">']
    for i, (value, style) in enumerate(cells, start=1):
        s_attr = f' s="{style}"' if style is not None else ""
        ref = f"{get_column_letter(i)}{row}"
        if isinstance(value, str):
            text = xml_escape(re.sub(_ILLEGAL_XML, "", value))
            parts.append(f'<c r="{ref}"{s_attr} t="inlineStr"><is>')
            parts.append(f'<t xml:space="preserve">{text}</t></is></c>')
        elif value is not None:
            parts.append(f'<c r="{ref}"{s_attr} t="n"><v>{value:.16g}</v></c>')
        elif style is not None:
            parts.append(f'<c r="{ref}"{s_attr}/>')
    parts.append("</row>")
    return "".join(parts)


def rows_xml(
    frame: pl.DataFrame,
    columns: Sequence[Column],
    styles: Styles,
    lang: str,
    first_row: int,
    chunk: int = 50_000,
) -> Iterator[memoryview]:
    """The ``<row>`` elements for ``frame``, starting at sheet row ``first_row``, in
    chunks of ``chunk`` rows — built set-wise, one polars expression per column."""
    for flag in ("_share", "_whole"):
        if flag not in frame.columns:
            frame = frame.with_columns(pl.lit(False).alias(flag))
    frame = frame.with_columns(pl.col("_share", "_whole").fill_null(False))
    found = scan_texts(frame, columns)
    nulls = frame.null_count().row(0, named=True)
    r = pl.col("_r")
    pieces = [pl.lit('<row r="'), r, pl.lit('">')]
    for i, c in enumerate(columns, start=1):
        if nulls[c.source] == frame.height:
            continue  # a blank column: no cells
        parts = _cell_xml(c, get_column_letter(i), r, styles, lang, found.get(c.source, Found()))
        # a column with blanks is one cell expression, null (left out) where blank; the
        # parts of one without go straight into the row (no cell strings in between)
        pieces += [pl.concat_str(parts)] if nulls[c.source] else parts
    row = pl.concat_str([*pieces, pl.lit("</row>")], ignore_nulls=True)
    for start in range(0, frame.height, chunk):
        part = frame.slice(start, chunk).with_row_index("_r", offset=first_row + start)
        part = part.with_columns(r.cast(pl.String))  # once for every cell
        yield from utf8_bytes(part.select(row).to_series())


@dataclass
class RowSplicer:
    """Collects each table's data rows while openpyxl writes the sheets, and puts them
    into the saved workbook (:meth:`apply`)."""

    styles: Styles
    lang: str
    pending: list[tuple[WriteOnlyWorksheet, pl.DataFrame, tuple[Column, ...], int]] = field(
        default_factory=list
    )
    # sheets whose whole <sheetData> body is made elsewhere (the chart sheet)
    bodies: list[tuple[WriteOnlyWorksheet, bytes]] = field(default_factory=list)

    def add_body(self, ws: WriteOnlyWorksheet, xml: bytes) -> None:
        """``xml``, every ``<row>`` of ``ws`` (to which nothing is appended), goes into
        the sheet's ``<sheetData>``."""
        self.bodies.append((ws, xml))

    def add(
        self, ws: WriteOnlyWorksheet, frame: pl.DataFrame, columns: Sequence[Column], first_row: int
    ) -> None:
        # Register every style now: styles.xml is written by openpyxl's save.
        for c in columns:
            _cell_xml(c, "A", pl.lit("1"), self.styles, self.lang)
        self.pending.append((ws, frame, tuple(columns), first_row))

    def apply(self, source: IO[bytes], out: IO[bytes]) -> None:
        """Copy the workbook ``source`` to ``out`` with the rows inserted before each
        sheet's ``</sheetData>``."""
        by_part: dict[str, Callable[[], Iterable[memoryview]]] = {
            ws.path.lstrip("/"): partial(rows_xml, frame, columns, self.styles, self.lang, first)
            for ws, frame, columns, first in self.pending
            if frame.height
        }
        # (a sheet's part name is known only once the workbook is saved)
        by_part.update(
            {ws.path.lstrip("/"): partial(iter, [memoryview(b)]) for ws, b in self.bodies}
        )
        with (
            zipfile.ZipFile(source) as zin,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
        ):
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename not in by_part:
                    zout.writestr(info, data)
                    continue
                head, tail = data.decode("utf-8").rsplit("</sheetData>", 1)
                with zout.open(info.filename, "w", force_zip64=True) as part:
                    use_fast_deflate(part)
                    part.write(head.encode("utf-8"))
                    write_behind(part, by_part[info.filename]())
                    part.write(("</sheetData>" + tail).encode("utf-8"))


def write_table(
    ws: WriteOnlyWorksheet,
    frame: pl.DataFrame,
    columns: Sequence[Column],
    styles: Styles,
    splicer: RowSplicer,
    *,
    lang: str,
    preamble: Sequence[Sequence[Any]] = (),
    freeze_columns: int = 0,
) -> int:
    """Write ``preamble`` rows (a title block, may be empty) and a header, and hand the
    data rows to ``splicer``. Sets the column widths, freezes the header (and
    ``freeze_columns`` leading columns) and puts an autofilter on the table — before
    the first row, as a streaming sheet requires. ``frame`` may carry a boolean
    ``_share`` column choosing percent or plain-number formats for value/gap columns.
    Returns the number of the last row."""
    if frame.height > MAX_DATA_ROWS - len(preamble):
        raise ValueError(f"{frame.height} rows do not fit in one sheet")
    # only the columns written are cleaned and kept (a results frame carries many more)
    keep = dict.fromkeys([c.source for c in columns] + ["_share", "_whole"])
    frame = clean_frame(frame.select(c for c in keep if c in frame.columns))
    widths = column_widths(frame, columns, lang)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    # Shrinking a wide sheet to one page width makes it unreadable: only narrow ones fit.
    ws.sheet_properties.pageSetUpPr.fitToPage = sum(widths) <= FIT_WIDTH_LIMIT
    ws.print_title_rows = f"{len(preamble) + 1}:{len(preamble) + 1}"  # header on every page
    header_row = len(preamble) + 1
    last_row = header_row + frame.height
    ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
    for row in preamble:
        ws.append([text_cell(ws, v, styles) if isinstance(v, str) else v for v in row])
    ws.append(
        [
            styled(
                ws,
                label(c.heading, lang),
                styles.header if c.kind in ("text", "wrap", "status") else styles.header_num,
            )
            for c in columns
        ]
    )
    splicer.add(ws, frame, columns, header_row + 1)
    return last_row
