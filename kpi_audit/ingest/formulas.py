"""Formula cells that have no cached value, found in a workbook's sheet XML.

calamine reads a formula cell's cached result (the value Excel saved with it). A
workbook written by a program that cannot calculate (openpyxl, some exporters) saves
the formula alone; calamine then reads a blank cell, and a blank is *missing*. Such
cells are found here so that ingest reports them instead of loading a silent blank.
A formula with no ``<v>``, or an empty one when its result is not a string, has no
value; a string result with an empty ``<v>`` was computed, to the empty string (a
blank: missing).

Only .xlsx / .xlsm sheets are looked at (their XML is the place formulas live), only
after :func:`kpi_audit.ingest.limits.check_workbook` has bounded what the entries
inflate to, and only the sheets it found may hold formulas (a small sheet without any
costs nothing more). Each sheet is streamed in chunks: a chunk with no ``<f`` element
costs a byte search (a regex only where ``<f`` or ``:f`` occurs); only chunks holding a
formula are searched for cells.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from kpi_audit.ingest.cell_extent import may_hold_formulas, open_part
from kpi_audit.ingest.zip_parts import sheet_parts

# (column letters, row) → the formula text, per sheet name
Uncached = dict[str, dict[tuple[str, int], str]]

_CHUNK = 1024 * 1024
# A cell whose only content is a formula, with no or an empty cached value:
# <c r="G2"><f>F2/10</f><v /></c>, <c r="G3" t="str"><f t="shared" si="0"/></c>.
# Groups: the cell's attributes around r (for its type), column, row, formula, <v>.
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\b([^>]*?)\br="([A-Z]{1,3})(\d{1,7})"([^>]*)>\s*'
    rb"<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
# A string result may be empty: =IF(…,"") computed is <c t="str"><f>…</f><v></v></c>
# (LibreOffice) or <v/> (Excel), a blank. An empty <v> of any other type (a number, the
# default; a boolean; an error) holds no value: openpyxl writes <c><f>…</f><v/></c>.
_STRING_TYPE = re.compile(rb"""\bt\s*=\s*["']str["']""")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'"}


def uncached_formulas(data: bytes, sheets: Iterable[str]) -> Uncached:
    """The formula cells without a cached value in each of ``sheets`` (names) of the
    zip workbook ``data``; sheets without any are left out. Not a zip (.xls): none."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return {}
    found: Uncached = {}
    with book:
        parts = sheet_parts(book)
        for name in sheets:
            part = parts.get(name)
            cells = _scan(book, part) if part else {}
            if cells:
                found[name] = cells
    return found


def _scan(book: zipfile.ZipFile, part: str) -> dict[tuple[str, int], str]:
    cells: dict[tuple[str, int], str] = {}
    tail = b""
    with open_part(book, part) as xml:
        while chunk := xml.read(_CHUNK):
            text = tail + chunk
            # cut after the last complete cell; the rest joins the next chunk
            ends = [m.end() for m in _CELL_END.finditer(text, max(0, len(text) - 64 * 1024))]
            cut = ends[-1] if ends else max(0, len(text) - 64 * 1024)
            head, tail = text[:cut], text[cut:]
            if may_hold_formulas(head):
                cells.update(_cells(head))
        if tail and may_hold_formulas(tail):
            cells.update(_cells(tail))
    return cells


def _cells(xml: bytes) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for m in _FORMULA_CELL.finditer(xml):
        if m.group(6) and _STRING_TYPE.search(m.group(1) + m.group(4)):
            continue  # computed, and its result is the empty string
        formula = (m.group(5) or b"").decode("utf-8", "replace")
        for entity, ch in _ENTITIES.items():
            formula = formula.replace(entity, ch)
        out[(m.group(2).decode(), int(m.group(3)))] = "=" + formula if formula else "="
    return out
