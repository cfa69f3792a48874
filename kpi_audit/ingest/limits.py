"""Bounded inputs: what a submission file may be before kpi-audit reads it.

Files come from hundreds of institutions and are read unattended. Before a workbook is
handed to the reader (calamine allocates a sheet's whole used range at once), its zip
entries' declared sizes and each sheet's used range are checked here, so that a 5 KB
workbook with one value at XFD1048576, or a few MB that inflate to gigabytes, is refused
with one line instead of taking the machine's memory. Only regular files are read
(a FIFO named ``x.csv`` would block for ever).

The limits and their defaults (docs/operations.md); each can be changed with the
environment variable next to it:

====================  ===========================  ==========================================
limit                 default                      environment variable
====================  ===========================  ==========================================
file size             256 MiB                      KPI_AUDIT_MAX_FILE_BYTES
one zip entry         512 MiB uncompressed         KPI_AUDIT_MAX_ENTRY_BYTES
all zip entries       1 GiB uncompressed           KPI_AUDIT_MAX_UNZIPPED_BYTES
compression ratio     100 : 1 (entries > 1 MiB)    KPI_AUDIT_MAX_RATIO
cells of one sheet    25,000,000 (rows × columns)  KPI_AUDIT_MAX_CELLS
rows of one sheet     1,048,576 (Excel's own)      KPI_AUDIT_MAX_ROWS
columns of one sheet  16,384 (Excel's own)         KPI_AUDIT_MAX_COLUMNS
====================  ===========================  ==========================================
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import cast

from kpi_audit.core.errors import InputError
from kpi_audit.ingest.cell_extent import column_number, open_part, scan_cells
from kpi_audit.ingest.merged import MergeCollector
from kpi_audit.ingest.ods_extent import scan_ods
from kpi_audit.ingest.xlsb_extent import scan_xlsb, xlsb_sheet_parts
from kpi_audit.ingest.zip_parts import sheet_parts


def _inflate_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged or lying zip entry raises: zipfile's CRC and size checks,
    zlib's or ISA-L's (open_part) inflate errors."""
    errors: tuple[type[BaseException], ...] = (zipfile.BadZipFile, zlib.error, EOFError)
    try:
        from isal import isal_zlib
    except ImportError:  # pragma: no cover - an older environment
        return errors
    return (*errors, cast("type[BaseException]", isal_zlib.error))


_MIB = 1024 * 1024
_DRAIN = _MIB  # how much of an entry is inflated at a time when only its size is wanted
# An entry smaller than this is never refused for its ratio (tiny XML compresses well).
_RATIO_FLOOR = _MIB
# How much of a sheet's XML is read to find its <dimension> (it comes before <sheetData>).
_DIMENSION_HEAD = 64 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 256 * _MIB
    max_entry_bytes: int = 512 * _MIB
    max_unzipped_bytes: int = 1024 * _MIB
    max_ratio: int = 100
    max_cells: int = 25_000_000
    max_rows: int = 1_048_576
    max_columns: int = 16_384

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, each replaced by its KPI_AUDIT_MAX_… variable when set."""
        given: dict[str, int] = {}
        for f in fields(cls):
            name = "KPI_AUDIT_" + f.name.upper()
            text = os.environ.get(name)
            if text:
                try:
                    given[f.name] = int(text.replace("_", ""))
                except ValueError:
                    raise InputError(
                        code="limit_env", params={"name": name, "text": repr(text)}
                    ) from None
        return cls(**given)


def read_regular_file(path: Path, limits: Limits) -> bytes:
    """The bytes of ``path`` if it is a regular file within ``limits.max_file_bytes``.

    Opened non-blocking and checked on the open descriptor, so a FIFO or a device is
    refused without waiting for a writer that never comes.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(
            code="unreadable_file", params={"reason": exc.strerror or exc}, path=str(path)
        ) from exc
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                code="not_regular_file", params={"case": _kind(info.st_mode)}, path=str(path)
            )
        if info.st_size > limits.max_file_bytes:
            raise InputError(
                code="file_too_large",
                params={"size": _size(info.st_size), "limit": _size(limits.max_file_bytes)},
                path=str(path),
            )
        os.set_blocking(fh.fileno(), True)
        return fh.read()


@dataclass(frozen=True)
class WorkbookScan:
    """What bounding a workbook found on the way (every .xlsx sheet's XML is read
    whole there): the sheets that hold a formula element, so that
    :mod:`kpi_audit.ingest.formulas` reads only those, and each sheet's merged ranges
    (:mod:`kpi_audit.ingest.merged`)."""

    formulas: set[str] = field(default_factory=set)
    merged: dict[str, tuple[tuple[int, int, int, int], ...]] = field(default_factory=dict)


def check_workbook(path: Path, data: bytes, limits: Limits) -> WorkbookScan:
    """Refuse a zip-based workbook (.xlsx/.xlsm/.xlsb/.ods) whose entries would inflate
    past the limits, or a sheet whose used range has more cells than allowed.
    Not a zip (.xls, or a damaged file): nothing to check here, the reader decides."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return WorkbookScan()
    with book:
        _check_entries(path, book.infolist(), limits)
        try:
            return _check_sheets(path, book, limits)
        except _inflate_errors() as exc:
            # a CRC that does not match what the data inflates to: a damaged file, or
            # an entry whose declared size hides what it inflates to
            raise InputError(
                code="unreadable_workbook", params={"detail": str(exc)}, path=str(path)
            ) from exc


def _check_sheets(path: Path, book: zipfile.ZipFile, limits: Limits) -> WorkbookScan:
    read: list[_Bounded] = []

    def opened(part: str, merges: MergeCollector | None = None) -> _Bounded:
        read.append(_Bounded(book, path, part, limits.max_entry_bytes, merges))
        return read[-1]

    if _is_ods(book):
        with opened("content.xml") as xml:
            scan_ods(xml, lambda sheet, rows, cols: _within(path, sheet, rows, cols, limits))
        scan = WorkbookScan()
    else:
        for name, part in xlsb_sheet_parts(book).items():
            with opened(part) as sheet:
                scan_xlsb(sheet, partial(_within, path, name, limits=limits))
        scan = WorkbookScan()
        for name, part in sheet_parts(book).items():
            merges = MergeCollector()
            if _check_dimension(path, name, partial(opened, merges=merges), part, limits):
                scan.formulas.add(name)
            if merges.found:
                scan.merged[name] = merges.ranges()
    # a part read twice (the exact walk after the usual way) counts with its longer read
    sizes: dict[str, int] = {}
    for reader in read:
        sizes[reader.part] = max(sizes.get(reader.part, 0), reader.size)
    _check_true_sizes(path, book, opened, sizes, limits)
    return scan


def _check_true_sizes(
    path: Path,
    book: zipfile.ZipFile,
    opened: Callable[[str], _Bounded],
    scanned: dict[str, int],
    limits: Limits,
) -> None:
    """Inflate the entries not scanned above (shared strings, styles …) to their end,
    discarding what they hold: what each and all of them inflate to, not what the zip
    declares, must be within the limits (calamine reads them to their end too)."""
    total = sum(scanned.values())
    for info in book.infolist():
        if info.is_dir() or info.filename in scanned:
            continue
        with opened(info.filename) as part:
            while part.read(_DRAIN):
                pass
            total += part.size
    if total > limits.max_unzipped_bytes:
        raise InputError(
            code="workbook_too_large",
            params={"size": _size(total), "limit": _size(limits.max_unzipped_bytes)},
            path=str(path),
        )


class _Bounded:
    """A part's reader that refuses the part once it has inflated past ``limit`` bytes,
    whatever size the zip declares for it."""

    def __init__(
        self,
        book: zipfile.ZipFile,
        path: Path,
        part: str,
        limit: int,
        merges: MergeCollector | None = None,
    ) -> None:
        try:
            raw = open_part(book, part)
        except (NotImplementedError, RuntimeError) as exc:  # a method zipfile lacks, a password
            raise zipfile.BadZipFile(f"{part}: {exc}") from exc
        self._raw, self._path, self.part, self._limit = raw, path, part, limit
        self._declared = book.getinfo(part).file_size
        self._merges = merges  # fed what is read, when the part is a sheet
        self.size = 0  # bytes inflated so far

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(self._limit + 1 - self.size if n < 0 else n)
        self.size += len(data)
        if self.size > self._limit:
            raise InputError(
                code="part_too_large",
                params={
                    "case": "inflated",
                    "part": self.part,
                    "declared": _size(self._declared),
                    "limit": _size(self._limit),
                },
                path=str(self._path),
            )
        if self._merges is not None:
            self._merges.feed(data)
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _Bounded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_ods(book: zipfile.ZipFile) -> bool:
    """An OpenDocument spreadsheet: its sheets are in content.xml (ods_extent.py)."""
    names = set(book.namelist())
    if "content.xml" not in names:
        return False
    mimetype = book.read("mimetype")[:100] if "mimetype" in names else b""
    return b"opendocument.spreadsheet" in mimetype or "xl/workbook.xml" not in names


def _check_entries(path: Path, entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = 0
    for e in entries:
        total += e.file_size
        if e.file_size > limits.max_entry_bytes:
            raise InputError(
                code="part_too_large",
                params={
                    "part": e.filename,
                    "size": _size(e.file_size),
                    "limit": _size(limits.max_entry_bytes),
                },
                path=str(path),
            )
        ratio = e.file_size / max(e.compress_size, 1)
        if e.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
            raise InputError(
                code="part_ratio",
                params={
                    "part": e.filename,
                    "ratio": f"{ratio:,.0f}",
                    "packed": _size(e.compress_size),
                    "size": _size(e.file_size),
                    "limit": limits.max_ratio,
                },
                path=str(path),
            )
    if total > limits.max_unzipped_bytes:
        raise InputError(
            code="workbook_too_large",
            params={"size": _size(total), "limit": _size(limits.max_unzipped_bytes)},
            path=str(path),
        )


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _check_dimension(
    path: Path, sheet: str, opened: Callable[[str], _Bounded], part: str, limits: Limits
) -> bool:
    """Refuse the sheet if its used range is too large; whether it holds a formula
    element (all of its XML is read here)."""
    with opened(part) as xml:
        head = xml.read(_DIMENSION_HEAD)
        found = _DIMENSION.search(head)
        box = None
        if found and found.group(3):  # "A1:XFD1048576"
            rows, columns = _extent(found.group(1), found.group(2), found.group(3), found.group(4))
            _within(path, sheet, rows, columns, limits)
            box = (int(found.group(4)), column_number(found.group(3)))
        # calamine allocates what the cells span, not what <dimension> says: the cells
        # are checked against it (or, with none or a one-cell one, their extent is
        # found): cell_extent.py, two counts per chunk when every cell is written the
        # usual way, an exact walk of the tags otherwise.
        return scan_cells(
            head,
            xml,
            lambda rows, columns: _within(path, sheet, rows, columns, limits),
            lambda: opened(part),
            box,
        )


def _extent(c1: bytes | None, r1: bytes | None, c2: bytes, r2: bytes) -> tuple[int, int]:
    first_col = column_number(c1) if c1 else 1
    first_row = int(r1) if r1 else 1
    # calamine allocates from the first used cell to the last
    return int(r2) - first_row + 1, column_number(c2) - first_col + 1


def check_csv(path: Path, columns: int, limits: Limits) -> None:
    """Refuse a CSV file whose first rows are wider than the column limit, before polars
    allocates a column per field (a 2 MB line of commas asked for 2 million columns:
    31 s and gigabytes). Its rows are bounded by the file size limit alone: a CSV export
    is not a sheet, and may hold more rows than Excel has."""
    _within(path, None, 0, columns, limits)


def _within(path: Path, sheet: str | None, rows: int, columns: int, limits: Limits) -> None:
    for name, value, limit in (
        ("rows", rows, limits.max_rows),
        ("columns", columns, limits.max_columns),
    ):
        if value > limit:
            raise InputError(
                code=f"too_many_{name}",
                params={name: f"{value:,}", "limit": f"{limit:,}"},
                path=str(path),
                sheet=sheet,
            )
    if rows * columns > limits.max_cells:
        raise InputError(
            code="too_many_cells",
            params={
                "rows": f"{rows:,}",
                "columns": f"{columns:,}",
                "cells": f"{rows * columns:,}",
                "limit": f"{limits.max_cells:,}",
            },
            path=str(path),
            sheet=sheet,
        )


def _kind(mode: int) -> str:
    """What the path is instead of a regular file: the case of error.not_regular_file."""
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISDIR(mode):
        return "folder"
    return "other"


def _size(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", _MIB), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} bytes"
