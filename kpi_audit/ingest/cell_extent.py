"""The used range of a sheet's XML, as calamine will allocate it, found from its cells.

calamine places a cell at its ``r`` attribute (``r="C40"``: row 40, column 3) or, when a
cell has none, at the row counter (the enclosing ``<row r=…>``, else one past the row
before) and the column counter (one past the cell before in the row); it then allocates
the range from the first to the last cell densely. Column letters may be lower case,
row numbers any length, element names may carry a prefix (``<x:c>``), attributes may
come in any order, in single quotes, with spaces around ``=``. What a hostile file can
do with that is bounded here before calamine sees it.

Two ways, per sheet:

* **usual** (almost every workbook: Excel, WPS, LibreOffice, openpyxl write cells as
  ``<c r="B7" …>``): each chunk of XML costs a few searches done in C, whatever its
  size, and no Python step per cell. Every cell start must be ``<c r="`` (no prefix,
  ``r`` first: then ``r`` is the cell's position); the widest column C is read from the
  first cells, the last row T from the chunk's last cell; one search then looks for any
  cell written otherwise or beyond them (a column after C, a row after T, lower case, a
  leading zero). None found: the chunk's cells lie within T rows × C columns, and both
  are reached, so the extent is exact.
* **exact** (anything else, from the start of the sheet again): the row and cell tags
  are walked one by one with calamine's own counters, so cells without ``r``, cells
  whose ``r`` disagrees with their row, rows out of order or without ``r``, prefixes,
  quotes and spacing are all placed where calamine would place them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO

_CHUNK = 4 * 1024 * 1024
# How much of the first chunk with cells is read for the widest column of the sheet.
_FIRST_CELLS = 256 * 1024

# The start of a formula element (<f>, <f t="shared" …/>, <x:f>).
ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")

# usual way: a cell start that is not `<c r="` + a capital letter
_UNUSUAL_START = re.compile(rb'<c(?! r="[A-Z])[\s/>]')
# after a ':' (rare in a sheet's data): a prefixed cell or formula element
_PREFIXED = re.compile(rb":[cf][\s/>]")
_USUAL_REF = re.compile(rb'<c r="([A-Z]+)\d')
_LAST_REF = b'<c r="'
_USUAL_VALUE = re.compile(rb'([A-Z]+)([1-9]\d*)"')

# exact way: a row or cell tag (start, end or empty), its attributes, one by one
_TAG = re.compile(
    rb"<(/?)(?:[^\s<>/=\"':]+:)?(row|c)(?=[\s/>])"
    rb"((?:\s*[^\s<>/=\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_ATTR = re.compile(rb"([^\s<>/=\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_POSITION = re.compile(rb"([A-Za-z]*)(\d+)")

Within = Callable[[int, int], None]  # (rows, columns) → raises when too large
Reopen = Callable[[], IO[bytes]]


def scan_cells(head: bytes, xml: IO[bytes], within: Within, reopen: Reopen) -> bool:
    """Call ``within(rows, columns)`` with the extent of the cells read so far, chunk by
    chunk (it raises to refuse the sheet); ``head`` is what was read of ``xml`` already.
    Returns whether the sheet has a formula element. ``reopen`` gives the sheet's XML
    from the start again, for the exact walk."""
    usual = _Usual()
    for text in _pieces(head, xml):
        if not usual.read(text):
            return _exact(reopen, within)
        within(usual.rows, usual.columns)
    return usual.formulas


def _pieces(first: bytes, xml: IO[bytes]) -> Iterator[bytes]:
    """The XML in pieces, each cut just before a ``<`` (so that no ``<c r="…`` is cut)."""
    pending = first
    while more := xml.read(_CHUNK):
        pending += more
        cut = pending.rfind(b"<")
        if cut > 0:
            yield pending[:cut]
            pending = pending[cut:]
    if pending:
        yield pending


def open_part(book: zipfile.ZipFile, part: str) -> IO[bytes]:
    """A workbook part opened for reading, inflated by ISA-L (the ``isal`` package,
    about twice zlib's speed on a sheet's XML) when it is there; zipfile still checks
    the CRC and the sizes. zlib as before without it."""
    opened = book.open(part)
    if book.getinfo(part).compress_type == zipfile.ZIP_DEFLATED:
        try:
            from isal import isal_zlib
        except ImportError:  # pragma: no cover - an older environment
            return opened
        # zipfile's own decompressor, replaced before the first read (xlsx_table.py
        # does the same for the compressor)
        opened._decompressor = isal_zlib.decompressobj(-15)  # type: ignore[attr-defined]
    return opened


def may_hold_formulas(xml: bytes) -> bool:
    """Whether ``xml`` has a formula element; the regex runs only where the bytes
    ``<f`` or ``:f`` occur at all (a fast scan: most sheets have neither)."""
    return (b"<f" in xml or b":f" in xml) and ANY_FORMULA.search(xml) is not None


class _Usual:
    """The extent of cells all written ``<c r="B7"``: T rows × C columns, both reached."""

    def __init__(self) -> None:
        self.rows = 0  # T: the last row seen, the largest
        self.columns = 0  # C: the widest column (its letters: _letters)
        self.formulas = False  # a formula element seen
        self._letters = b""
        self._beyond: re.Pattern[bytes] | None = None
        self._beyond_row = 0

    def read(self, text: bytes) -> bool:
        """Take one chunk (cut before a tag); False if it is not written the usual way."""
        colon = b":" in text  # rare past the first chunk
        if colon and any(m.group()[1:2] == b"c" for m in _PREFIXED.finditer(text)):
            return False  # a prefixed cell, <x:c …>
        if not self.formulas:
            self.formulas = (b"<f" in text or colon) and may_hold_formulas(text)
        last = text.rfind(_LAST_REF)
        if last < 0:  # no cell written the usual way: none at all, or only others
            return _UNUSUAL_START.search(text) is None
        if not self._letters:
            letters = set(_USUAL_REF.findall(text, 0, _FIRST_CELLS)) or set(
                _USUAL_REF.findall(text)
            )
            if not letters:
                return False
            widest = max(letters, key=lambda s: (len(s), s))
            self._letters, self.columns = widest, column_number(widest)
        value = _USUAL_VALUE.match(text, last + len(_LAST_REF))
        if value is None or column_number(value.group(1)) > self.columns:
            return False
        self.rows = max(self.rows, int(value.group(2)))
        if self._beyond is None or self.rows != self._beyond_row:
            self._beyond, self._beyond_row = _beyond(self._letters, self.rows), self.rows
        rows = self._beyond.findall(text)
        if not rows:
            return True
        if b"" in rows:  # a cell written otherwise, or past the widest column
            return False
        self.rows = max(self.rows, *map(int, rows))
        return True


def _beyond(letters: bytes, row: int) -> re.Pattern[bytes]:
    """Cell starts not written ``<c r="`` + a capital, and cells ``<c r="…`` past
    ``letters`` (a later column, more letters, lower case, not a letter, a leading
    zero): matched with an empty group; and the row numbers of the cells that may be
    past ``row`` (the group): those with as many digits and the same first digits or
    more, or with more digits (a few rows' worth in a sheet whose rows go in order).
    One search, whose every candidate starts ``<c``."""
    k = len(letters)
    if k == 1:  # the common case, shorter to try: A-Z then anything but 1-9
        column = b"[^A-%s]|.(?:[^1-9]|" % letters
    else:
        later = _greater(letters.decode(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        column = b"[^A-Z]|[A-Z]{%d}|%s|[A-Z]{1,%d}(?:[^1-9A-Z]|" % (k + 1, later, k)
    digits = str(row)
    n = len(digits)
    lead = digits[: max(1, n - 3)]
    same_or_later = b"(?:%s|%s)" % (lead.encode(), _greater(lead, "0123456789"))
    later_row = rb"(?=\d{%d})((?:[1-9]\d{%d}|%s\d{%d})\d*)" % (
        n,
        n,
        same_or_later,
        n - len(lead),
    )
    return re.compile(rb'<c(?:(?! r="[A-Z])[\s/>]| r="(?:' + column + later_row + b")))")


def _greater(value: str, alphabet: str) -> bytes:
    """A regex alternation for the strings of ``len(value)`` characters of ``alphabet``
    (in its order) greater than ``value``; one that never matches if there are none."""
    every = f"[{alphabet[0]}-{alphabet[-1]}]"
    options = []
    for i, ch in enumerate(value):
        above = alphabet[alphabet.index(ch) + 1 :]
        if above:
            rest = len(value) - i - 1
            options.append(value[:i] + f"[{above[0]}-{above[-1]}]" + (every * rest))
    return ("(?:" + "|".join(options) + ")").encode() if options else b"(?!)"


def _exact(reopen: Reopen, within: Within) -> bool:
    """Walk every row and cell tag from the start, as calamine does. The sheet is read
    whole (its size is bounded by the entry limits already): a tag is never cut."""
    with reopen() as xml:
        text = xml.read()
    row_index, col_index = 0, 0  # calamine's counters (0-based)
    rows, columns = 0, 0  # 1-based extent of the cells seen
    for tag in _TAG.finditer(text):
        closing, name, attrs, empty = tag.groups()
        if closing:
            if name == b"row":
                row_index, col_index = row_index + 1, 0
            continue
        position = _position(attrs)
        if name == b"row":
            if position is not None:
                row_index = position[0]
            if empty:
                row_index, col_index = row_index + 1, 0
            continue
        if position is not None:
            row, col = position
            col_index = col
        else:
            row, col = row_index, col_index
        rows, columns = max(rows, row + 1), max(columns, col + 1)
        col_index += 1
    within(rows, columns)
    return may_hold_formulas(text)


def _position(attrs: bytes) -> tuple[int, int] | None:
    """(row, column), 0-based, of the first ``r`` attribute among ``attrs``; None
    without one (or one calamine refuses to read: the read then fails, allocating
    nothing). Column letters in either case; no letters counts as column A."""
    for key, double, single in _ATTR.findall(attrs):
        if key == b"r":
            found = _POSITION.fullmatch(double if double or not single else single)
            if found is None or int(found.group(2)) == 0:
                return None
            letters = found.group(1).upper()
            return int(found.group(2)) - 1, max(column_number(letters) - 1, 0)
    return None


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n
