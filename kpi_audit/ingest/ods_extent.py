"""The used range of each sheet of an OpenDocument spreadsheet (.ods), as calamine will
allocate it, found from ``content.xml`` before calamine sees it.

An .ods sheet says how often a row or a cell repeats (``table:number-rows-repeated``,
``table:number-columns-repeated``) instead of writing it out, so an 833-byte file can
ask for a grid of 100 million cells: calamine then took 17 s and 6.3 GB to read it.
calamine allocates, per sheet, the box from the first to the last non-empty cell
(trailing and leading empty rows and cells cost nothing: LibreOffice pads every sheet
with them). A cell counts here as non-empty when it has a value type or any content;
a repeated row or cell counts as often as it repeats. Tables nested in a cell are
sheets of their own, and the table around them goes on where it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kpi_audit.ingest.cell_extent import Readable, xml_pieces

# A table, row or cell tag (start, end or empty), with any namespace prefix.
_TAG = re.compile(
    rb"<(/?)(?:[\w.-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
    rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["']\s*(\d+)""")
_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated\s*=\s*["']\s*(\d+)""")
_VALUE_TYPE = re.compile(rb"value-type\s*=")
_NAME = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?name\s*=\s*(?:"([^"]*)"|'([^']*)')""")

Within = Callable[[str, int, int], None]  # (sheet, rows, columns) → raises when too large


@dataclass
class _Table:
    name: str
    row: int = 0  # the next row's index
    column: int = 0  # the next cell's index in the current row
    repeat: int = 1  # how often the current row repeats
    open_cell: tuple[int, int] | None = None  # (first column, repeats) of a cell with content
    top: int | None = None  # the box of non-empty cells
    bottom: int = 0
    left: int | None = None
    right: int = 0

    def filled(self, first: int, count: int) -> None:
        """Cells ``first`` … ``first + count - 1`` of the current row are non-empty."""
        self.top = self.row if self.top is None else min(self.top, self.row)
        self.bottom = max(self.bottom, self.row + self.repeat - 1)
        self.left = first if self.left is None else min(self.left, first)
        self.right = max(self.right, first + count - 1)

    def extent(self) -> tuple[int, int]:
        if self.top is None or self.left is None:
            return 0, 0
        return self.bottom - self.top + 1, self.right - self.left + 1


def scan_ods(xml: Readable, within: Within) -> None:
    """Call ``within(sheet, rows, columns)`` for each sheet of ``content.xml`` with the
    box of its non-empty cells, as the cells are read (it raises to refuse)."""
    tables: list[_Table] = []
    for text in xml_pieces(b"", xml):
        for tag in _TAG.finditer(text):
            closing, name, attrs, empty = tag.groups()
            if name == b"table":
                if closing:
                    if tables:
                        done = tables.pop()
                        within(done.name, *done.extent())
                elif not empty:
                    tables.append(_Table(_sheet_name(attrs)))
                continue
            if not tables:
                continue
            table = tables[-1]
            if name == b"table-row":
                _row(table, closing, attrs, empty)
            else:
                _cell(table, closing, attrs, empty)
        for table in tables:  # once a chunk: what was read so far
            within(table.name, *table.extent())
    for table in tables:  # an unclosed table: what was read of it
        within(table.name, *table.extent())


def _row(table: _Table, closing: bytes, attrs: bytes, empty: bytes) -> None:
    if closing:
        table.row, table.column, table.repeat = table.row + table.repeat, 0, 1
        return
    table.column, table.repeat = 0, _repeats(_ROWS_REPEATED, attrs)
    if empty:
        table.row, table.repeat = table.row + table.repeat, 1


def _cell(table: _Table, closing: bytes, attrs: bytes, empty: bytes) -> None:
    if closing:
        if table.open_cell is not None:  # a cell with content: non-empty
            table.filled(*table.open_cell)
            table.open_cell = None
        return
    count = _repeats(_COLUMNS_REPEATED, attrs)
    first, table.column = table.column, table.column + count
    if not empty:
        table.open_cell = (first, count)
    elif _VALUE_TYPE.search(attrs):
        table.filled(first, count)


def _repeats(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    found = pattern.search(attrs)
    return max(int(found.group(1)), 1) if found else 1


def _sheet_name(attrs: bytes) -> str:
    found = _NAME.search(attrs)
    name = (found.group(1) or found.group(2) or b"") if found else b""
    return name.decode("utf-8", "replace") or "?"
