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
(header_levels.py reads a merged header from its blank continuation cells); a header
cell merged down into the data rows is said, its rows left blank. Each column's ranges
make one notice. The references are collected while limits.py inflates each sheet to
bound it, so the sheet is not read again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.ingest.cell_extent import column_letters, column_number
from kpi_audit.render.i18n import issue_messages

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
NOT_FILLED = frozenset({"org_code", "org_name"})


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
class MergedColumn:
    """The merged ranges over data rows of one known field's column, and what was
    done: ``filled`` down, left blank (``not_filled``), or merged down from the header
    row (``from_header``: the data rows read as blank)."""

    field: str
    header: str
    outcome: str  # filled | not_filled | from_header
    refs: tuple[str, ...]  # "C3:C9", in sheet order
    first_row: int  # the first range's first row


def submission_fillable(field: str) -> bool:
    """Whether a submission field merged down is filled into the rows below."""
    return field not in NOT_FILLED and FIELDS_BY_ID[field].type != "int"


def fill_merged(
    body: pl.DataFrame,
    merges: tuple[tuple[int, int, int, int], ...],
    field_of: dict[str, str],
    columns: dict[str, str],
    headers: dict[str, str],
    first_data_row: int,
    fillable: Callable[[str], bool] = submission_fillable,
) -> tuple[pl.DataFrame, list[MergedColumn]]:
    """``body`` (``_row`` + a column per headed column; ``columns``: field id → its
    column, in the sheet's order; ``field_of``: column letter → field id) with the
    fields merged down that are ``fillable`` filled from each range's first row, and
    what was done, field by field."""
    if body.height == 0:
        return body, []
    last_row = int(body.get_column("_row").max())  # type: ignore[arg-type]
    # the first row with data: a header merged over the blank row below it (a two-row
    # header whose cells span both) covers no data
    first_row = max(first_data_row, int(body.get_column("_row").min()))  # type: ignore[arg-type]
    found: dict[tuple[str, str], list[tuple[int, int, str]]] = {}  # (field, outcome) → spans
    for r1, c1, r2, c2 in merges:
        field = field_of.get(column_letters(c1))
        if field is None or r2 <= r1 or r2 < first_row:
            continue  # across one row only, within the header, or not a known field
        ref = f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}"
        if r1 < first_data_row:
            outcome = "from_header"
        elif not fillable(field):
            outcome = "not_filled"
        else:
            outcome = "filled"
        found.setdefault((field, outcome), []).append((r1, min(r2, last_row), ref))
    said: list[tuple[int, int, MergedColumn]] = []
    order = list(columns)  # the sheet's column order
    for (field, outcome), spans in found.items():
        if outcome == "filled":
            body, spans = _filled_down(body, columns[field], spans)
        if spans:
            refs = tuple(ref for _, _, ref in spans)
            merged = MergedColumn(field, headers[field], outcome, refs, spans[0][0])
            said.append((spans[0][0], order.index(field), merged))
    return body, [m for _, _, m in sorted(said, key=lambda s: s[:2])]


def _filled_down(
    body: pl.DataFrame, column: str, spans: list[tuple[int, int, str]]
) -> tuple[pl.DataFrame, list[tuple[int, int, str]]]:
    """``column`` filled in each span's rows below its first from the first's value
    (one join for all the spans); the spans whose first row holds a value."""
    ranges = pl.DataFrame(
        spans, schema={"_r1": pl.Int64, "_r2": pl.Int64, "_ref": pl.String}, orient="row"
    ).sort("_r1")
    firsts = body.select(pl.col("_row").alias("_r1"), pl.col(column).alias("_value"))
    ranges = ranges.join(firsts, on="_r1", how="inner").filter(
        pl.col("_value").str.strip_chars() != ""
    )
    if ranges.height == 0:
        return body, []
    within = (
        body.select("_row")
        .sort("_row")
        .join_asof(ranges, left_on="_row", right_on="_r1", strategy="backward")
        .filter((pl.col("_row") > pl.col("_r1")) & (pl.col("_row") <= pl.col("_r2")))
        .select("_row", pl.col("_value").alias(column))
    )
    return body.update(within, on="_row", how="left"), [
        (r1, r2, ref) for r1, r2, ref in ranges.select("_r1", "_r2", "_ref").rows()
    ]


# How many merged ranges a notice names (a sheet may merge its county 200 times).
_REFS_SHOWN = 5


def merged_issue(merged: MergedColumn) -> dict[str, object]:
    """The issue record of one column's merged ranges (a notice when they were filled,
    else a warning): field, header, value (the first range), code, severity, messages;
    the reader adds where (sheet, row)."""
    code = f"merged_{merged.outcome}"
    shown = "、".join(merged.refs[:_REFS_SHOWN]) + (" …" if len(merged.refs) > _REFS_SHOWN else "")
    _, zh, en = issue_messages(code, header=merged.header, refs=shown, n=len(merged.refs))
    return {
        "field": merged.field,
        "value": merged.refs[0],
        "header": merged.header,
        "severity": "notice" if merged.outcome == "filled" else "warning",
        "code": code,
        "message_zh": zh,
        "message_en": en,
    }
