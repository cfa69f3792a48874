"""The used range of each sheet of a binary workbook (.xlsb), as calamine will allocate
it, found from the sheet's records before calamine sees them.

An .xlsb sheet is a stream of records (MS-XLSB 2.1.4: a type and a size, each a
variable-length integer, then the data). A row header (BrtRowHdr) gives the row of
the cells after it, and each cell record starts with its column. calamine allocates
the box from the first to the last non-empty cell (a blank cell is empty), densely:
a 1.3 KB workbook with one value at XFD1048576 aborted the process (rc 134) before
this check. The sheets are found from ``xl/workbook.bin`` (BrtBundleSh) and its
relationships, as calamine finds them.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator

from kpi_audit.ingest.cell_extent import Readable, Within
from kpi_audit.ingest.zip_parts import relationship_targets

_CHUNK = 4 * 1024 * 1024
_ROW_HEADER = 0x0000
# BrtCellRk … BrtFmlaError: a column, then a value (BrtCellBlank, 0x0001, is empty)
_FIRST_CELL, _LAST_CELL = 0x0002, 0x000B
# BrtShortRk … BrtShortIsst: the column after the cell before (BrtShortBlank is empty)
_FIRST_SHORT, _LAST_SHORT = 0x000D, 0x0012
_END_SHEET_DATA = 0x0092
_BUNDLE_SHEET = 0x009C
_U32 = struct.Struct("<I")


def xlsb_sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part, from xl/workbook.bin and its relationships."""
    names = set(book.namelist())
    if "xl/workbook.bin" not in names or "xl/_rels/workbook.bin.rels" not in names:
        return {}
    targets = relationship_targets(book.read("xl/_rels/workbook.bin.rels"))
    parts: dict[str, str] = {}
    for typ, data in _records(book.read("xl/workbook.bin")):
        if typ == _BUNDLE_SHEET and len(data) >= 8:
            rel_id, at = _wide_string(data, 8)
            name, _ = _wide_string(data, at)
            part = targets.get(rel_id.encode("utf-8"))
            if part in names:
                parts[name or "?"] = part
    return parts


def scan_xlsb(sheet: Readable, within: Within) -> None:
    """Call ``within(rows, columns)`` with the box of the non-empty cells read so far,
    chunk by chunk (it raises to refuse the sheet)."""
    box = _Box()
    pending = b""
    while more := sheet.read(_CHUNK):
        pending += more
        used, done = box.read(pending)
        pending = pending[used:]
        if box.top is not None:
            within(box.bottom - box.top + 1, box.right - box.left + 1)
        if done:
            return


class _Box:
    """The box of the non-empty cells of the records read so far."""

    def __init__(self) -> None:
        self.row, self.column = 0, -1
        self.top: int | None = None
        self.bottom, self.left, self.right = 0, 1 << 32, -1

    def read(self, buf: bytes) -> tuple[int, bool]:
        """Take the complete records at the start of ``buf``: (bytes used, whether the
        sheet data ended)."""
        row, column, left, right = self.row, self.column, self.left, self.right
        filled = False  # the current row has a non-empty cell
        unpack = _U32.unpack_from
        used, done = 0, False
        for typ, start, end in _spans(buf):
            used = end
            if typ == _ROW_HEADER:
                if filled:
                    self._rows(row)
                    filled = False
                if end - start >= 4:
                    row = unpack(buf, start)[0]
                continue
            if _FIRST_CELL <= typ <= _LAST_CELL:
                if end - start < 4:
                    continue
                column = unpack(buf, start)[0]
            elif _FIRST_SHORT <= typ <= _LAST_SHORT:
                column += 1
            elif typ == _END_SHEET_DATA:
                done = True
                break
            else:
                continue
            filled = True
            if column < left:
                left = column
            if column > right:
                right = column
        if filled:
            self._rows(row)
        self.row, self.column, self.left, self.right = row, column, left, right
        return used, done

    def _rows(self, row: int) -> None:
        self.top = row if self.top is None else min(self.top, row)
        self.bottom = max(self.bottom, row)


def _spans(buffer: bytes) -> Iterator[tuple[int, int, int]]:
    """(type, data start, data end) of each complete record at the start of ``buffer``:
    a type of one or two bytes, a size of one to four, seven bits a byte."""
    i, n = 0, len(buffer)
    while i < n:
        b = buffer[i]
        j = i + 1
        typ = b & 0x7F
        if b & 0x80:
            if j >= n:
                return
            typ |= (buffer[j] & 0x7F) << 7
            j += 1
        size, shift = 0, 0
        while j < n and shift < 28:
            b = buffer[j]
            j += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        else:
            return  # the size is cut off (or longer than four bytes: the read fails)
        i = j + size
        if i > n:
            return
        yield typ, j, i


def _records(buffer: bytes) -> list[tuple[int, bytes]]:
    return [(typ, buffer[start:end]) for typ, start, end in _spans(buffer)]


def _wide_string(data: bytes, at: int) -> tuple[str, int]:
    """An XLWideString (a 32-bit count of UTF-16 units, then the units) at ``at``: the
    text and where the next field starts. A null one (count 0xFFFFFFFF) is ""."""
    if at + 4 > len(data):
        return "", len(data)
    (count,) = _U32.unpack_from(data, at)
    if count == 0xFFFFFFFF:
        return "", at + 4
    end = min(at + 4 + 2 * count, len(data))
    return data[at + 4 : end].decode("utf-16-le", "replace"), end
