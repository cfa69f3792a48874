"""The used range of a sheet's XML, as calamine will allocate it, found from its cells.

calamine places a cell at its ``r`` attribute (``r="C40"``: row 40, column 3) or, when a
cell has none, at the row counter (the enclosing ``<row r=…>``, else one past the row
before) and the column counter (one past the cell before in the row); it then allocates
the range from the first to the last non-empty cell densely, whatever the sheet's
``<dimension>`` says. Column letters may be lower case, row numbers any length, element
names may carry a prefix (``<x:c>``), attributes may come in any order, in single
quotes, with spaces around ``=``. What a hostile file can do with that is bounded here
before calamine sees it.

Two ways, per sheet:

* **usual** (almost every workbook: Excel, WPS, LibreOffice, openpyxl write cells as
  ``<c r="B7" …>``): a box of T rows × C columns is taken from the sheet's
  ``<dimension>`` when it has one, else from its cells (the widest column of the first
  cells, the row of each chunk's last cell); then two counts per chunk of XML, done by
  polars' regex engine outside the GIL (so that two files are scanned on two cores),
  compare the cell starts (``<c`` + a space, ``/`` or ``>``) with the cells written
  ``<c r="`` + a column ≤ C + a row ≤ T + ``"``. Equal: every cell is written the usual
  way and lies in the box, and T × C bounds what calamine allocates.
* **exact** (anything else, from the start of the sheet again: a cell outside the box,
  written otherwise, a prefix, rows out of order, XML that is not UTF-8): the row and
  cell tags are walked one by one with calamine's own counters, so cells without ``r``,
  cells whose ``r`` disagrees with their row, rows out of order or without ``r``,
  prefixes, quotes and spacing are all placed where calamine would place them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import IO, Protocol

_CHUNK = 4 * 1024 * 1024
# How much of the first chunk with cells is read for the widest column of the sheet.
_FIRST_CELLS = 256 * 1024

# The start of a formula element (<f>, <f t="shared" …/>, <x:f>).
ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")

# usual way (Python, on the first cells only): the column letters of usual cells
_USUAL_REF = re.compile(rb'<c r="([A-Z]+)\d')
_LAST_REF = b'<c r="'
_USUAL_VALUE = re.compile(rb'([A-Z]+)([1-9]\d*)"')
# usual way (polars, Rust regex syntax): every cell start, prefixed cells, formulas
_CELL_START = r"<c[\s/>]"
_PREFIXED_CELL = r":c[\s/>]"
_FORMULA = r"<(?:[A-Za-z0-9_]+:)?f[\s/>]"

# exact way: a row or cell tag (start, end or empty), its attributes, one by one
_TAG = re.compile(
    rb"<(/?)(?:[^\s<>/=\"':]+:)?(row|c)(?=[\s/>])"
    rb"((?:\s*[^\s<>/=\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_ATTR = re.compile(rb"([^\s<>/=\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_POSITION = re.compile(rb"([A-Za-z]*)(\d+)")

Within = Callable[[int, int], None]  # (rows, columns) → raises when too large


class Readable(Protocol):
    """A part being read: a zip entry, or limits.py's bounded reader of one."""

    def read(self, n: int = -1, /) -> bytes: ...


Reopen = Callable[[], AbstractContextManager[Readable]]


def scan_cells(
    head: bytes,
    xml: Readable,
    within: Within,
    reopen: Reopen,
    box: tuple[int, int] | None = None,
) -> bool:
    """Call ``within(rows, columns)`` with the extent of the cells read so far, chunk by
    chunk (it raises to refuse the sheet); ``head`` is what was read of ``xml`` already;
    ``box`` the last row and column of the sheet's ``<dimension>``, if it has one.
    Returns whether the sheet has a formula element. ``reopen`` gives the sheet's XML
    from the start again, for the exact walk."""
    usual = _Usual(box)
    for text in xml_pieces(head, xml):
        if not usual.read(text):
            return _exact(reopen, within)
        within(usual.rows, usual.columns)
    return usual.formulas


def xml_pieces(first: bytes, xml: Readable) -> Iterator[bytes]:
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
    """A workbook part opened for reading to the end of its compressed data, as
    calamine's zip reader reads it, not only as far as the size the zip declares (an
    entry that declares 2 KB may inflate to gigabytes: the reader of the part bounds
    what it takes); zipfile still checks the CRC over all of it. Inflated by ISA-L (the
    ``isal`` package, about twice zlib's speed on a sheet's XML) when it is there, zlib
    as before without it."""
    opened = book.open(part)
    opened._left = 1 << 62  # type: ignore[attr-defined]  # zipfile stops at the declared size
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
    """Cells all written ``<c r="B7"`` within T rows × C columns (the box)."""

    def __init__(self, box: tuple[int, int] | None) -> None:
        self.rows, self.columns = box or (0, 0)  # T and C
        self.formulas = False  # a formula element seen
        self._declared = box is not None  # the box is the <dimension>'s, fixed
        self._letters = column_letters(self.columns).encode() if box else b""
        self._pattern: tuple[int, str] | None = None  # (T it was built for, pattern)

    def read(self, text: bytes) -> bool:
        """Take one chunk (cut before a tag); False if it is not written the usual way
        or has a cell outside the box."""
        if not self._declared and not self._grow(text):
            return False
        exprs = {"starts": _CELL_START}
        if self.rows and self.columns:
            exprs["usual"] = self._within()
        if b":" in text:  # rare past the first chunk
            exprs["prefixed"] = _PREFIXED_CELL
        if not self.formulas:
            exprs["formulas"] = _FORMULA
        counts = _count(text, exprs)
        if counts is None or counts.get("prefixed", 0):
            return False
        self.formulas = self.formulas or counts.get("formulas", 0) > 0
        return counts["starts"] == counts.get("usual", 0)

    def _grow(self, text: bytes) -> bool:
        """Without a <dimension>: C from the first cells, T from the chunk's last cell
        (the largest, in a sheet whose rows go in order: the counts check it)."""
        last = text.rfind(_LAST_REF)
        if last < 0:  # no cell written the usual way: none at all, or only others
            return True
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
        return True

    def _within(self) -> str:
        if self._pattern is None or self._pattern[0] != self.rows:
            letters = _not_after(self._letters.decode(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "A")
            digits = _not_after(str(self.rows), "0123456789", "1")
            self._pattern = (self.rows, f'<c r="{letters}{digits}"')
        return self._pattern[1]


def _count(text: bytes, patterns: dict[str, str]) -> dict[str, int] | None:
    """How often each pattern matches ``text``, by polars (in parallel, outside the
    GIL); None if ``text`` is not UTF-8 (calamine would not read it either)."""
    import polars as pl

    try:
        chunk = pl.Series([text], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        return None
    found = pl.select(
        pl.lit(chunk).str.count_matches(pattern).alias(name) for name, pattern in patterns.items()
    )
    return {name: int(found.item(0, name)) for name in patterns}


def _not_after(value: str, alphabet: str, lowest_first: str) -> str:
    """A regex for the strings of ``alphabet`` (in its order) that come no later than
    ``value``: shorter ones (not starting below ``lowest_first``, so no leading zero),
    and those as long that are not greater. "R" → ``[A-Q]|R``; "120" → 1-99, 100-119, 120."""
    every = f"[{alphabet[0]}-{alphabet[-1]}]"
    n = len(value)
    options = []
    if n > 1:
        options.append(f"[{lowest_first}-{alphabet[-1]}]{every}{{0,{n - 2}}}")
    for i, ch in enumerate(value):
        low = lowest_first if i == 0 else alphabet[0]
        if ch > low:
            below = alphabet[alphabet.index(ch) - 1]
            rest = n - i - 1
            options.append(value[:i] + f"[{low}-{below}]" + (f"{every}{{{rest}}}" if rest else ""))
    options.append(value)
    return "(?:" + "|".join(options) + ")"


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


def column_letters(number: int) -> str:
    """The letters of column ``number`` (1 → A, 27 → AA): :func:`column_number` back."""
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n
