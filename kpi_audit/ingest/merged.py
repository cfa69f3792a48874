"""Merged cells in a sheet's data rows (an .xlsx ``<mergeCell ref="A3:A9"/>``).

Offices' consolidated sheets often merge 区县 (or 报告期, 城乡) down over the block of
institutions it belongs to. calamine gives the value to the range's first cell and
blanks to the rest, so every row but the first would lose its county. Here:

* a text field (county, type, period, a 是/否 column …) merged down is filled into the
  rows below from the range's first row, with a notice;
* a count, or the institution's own code or name, is not: a count copied down would be
  counted once per row, and a code copied down would make one institution of several.
  Those rows keep the blank, with a warning that says why.

Merges across columns only (one row) and merges within the header rows change nothing
(header_levels.py reads a merged header from its blank continuation cells). The
references are collected while limits.py inflates each sheet to bound it, so the sheet
is not read again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.ingest.cell_extent import column_letters, column_number

# <mergeCell ref="A3:A9"/> (a prefix, single quotes and spacing allowed)
_REF = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})[\"']"
)
# A hostile sheet may declare millions of merges: past this many, the rest are ignored.
MAX_MERGES = 20_000
# The longest tag that may be cut between two chunks read.
_OVERLAP = 512
# Never copied down: a count would be counted once per row, a code or a name would make
# one institution of several.
_NOT_FILLED = frozenset({"org_code", "org_name"})


class MergeCollector:
    """The merged ranges of one sheet's XML, fed chunk by chunk as it is inflated."""

    def __init__(self) -> None:
        self.found: dict[bytes, tuple[int, int, int, int]] = {}
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        tail = self._tail
        self._tail = chunk[-_OVERLAP:] if len(chunk) >= _OVERLAP else (tail + chunk)[-_OVERLAP:]
        # most chunks hold no merge: looked for without copying the chunk
        seen = b"mergeCell" in chunk or b"mergeCell" in tail + chunk[:_OVERLAP]
        if not seen or len(self.found) >= MAX_MERGES:
            return
        text = tail + chunk
        for m in _REF.finditer(text):
            if len(self.found) >= MAX_MERGES:
                return
            c1, r1, c2, r2 = m.groups()
            self.found[m.group(0)] = (
                int(r1),
                column_number(c1.upper()),
                int(r2),
                column_number(c2.upper()),
            )

    def ranges(self) -> tuple[tuple[int, int, int, int], ...]:
        """(first row, first column, last row, last column), 1-based, in sheet order."""
        return tuple(sorted(set(self.found.values())))


@dataclass(frozen=True)
class MergedSpan:
    """A merged range over data rows of a known field: filled down, or left blank."""

    ref: str  # "A3:A9"
    field: str
    header: str
    first_row: int
    last_row: int
    value: str
    filled: bool


def fill_merged(
    body: pl.DataFrame,
    merges: tuple[tuple[int, int, int, int], ...],
    column_of_letter: dict[str, str],
    field_of_column: dict[str, str],
    headers: dict[str, str],
    first_data_row: int,
) -> tuple[pl.DataFrame, list[MergedSpan]]:
    """``body`` (``_row`` + a column per headed column) with text fields merged down
    filled from the range's first row, and what was done with each such range."""
    spans: list[MergedSpan] = []
    fills: dict[str, tuple[list[int], list[str]]] = {}
    rows = body.get_column("_row")
    for r1, c1, r2, c2 in merges:
        if r2 <= r1 or r1 < first_data_row:
            continue
        letter = column_letters(c1)
        column = column_of_letter.get(letter)
        field = field_of_column.get(column) if column else None
        if column is None or field is None:
            continue
        first = body.filter(pl.col("_row") == r1).get_column(column)
        value = first[0] if first.len() else None
        if value is None or not value.strip():
            continue
        filled = field not in _NOT_FILLED and FIELDS_BY_ID[field].type != "int"
        ref = f"{letter}{r1}:{column_letters(c2)}{r2}"
        spans.append(MergedSpan(ref, field, headers[field], r1, r2, value, filled))
        if filled:
            below = rows.filter(rows.is_between(r1 + 1, r2)).to_list()
            target = fills.setdefault(column, ([], []))
            target[0].extend(below)
            target[1].extend([value] * len(below))
    for column, (at, values) in fills.items():
        update = pl.DataFrame(
            {"_row": at, column: values}, schema={"_row": pl.Int64, column: pl.String}
        ).unique("_row", keep="first")
        body = body.update(update, on="_row", how="left")
    return body, spans
