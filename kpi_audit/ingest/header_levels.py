"""Two-level headers: a merged parent cell over child headers in the row below.

Offices' own sheets often group columns under a merged cell::

    机构代码 | 机构名称 | … | 诊疗人次              | 服务常住人口
             |          |   | 总诊疗人次 | 中医诊疗人次 |

(机构代码 merged down over both rows, 诊疗人次 merged across two columns.) The reader
sees the parent once, in the first column of its span, and blanks elsewhere. Read as
one header row, the second row would be taken for data and the children lost; here
each column is labelled by its child (alone, or run together with its parent:
中医 under 诊疗人次 is 中医诊疗人次), or by its parent where it has no child. A child
that means no field even with its parent refuses the file: its column's meaning is not
known, and a guess would load numbers under the wrong field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kpi_audit.ingest.headers import count_known_fields, match_header

# The fields whose cells a data row always has: blank in a row under the header, that
# row is no data row.
_KEYS = ("org_code", "org_name")
_NUMBER = re.compile(r"^[\s\d.,，%-]*$")


@dataclass(frozen=True)
class Label:
    shown: str  # as written: "诊疗人次 / 中医诊疗人次", or the one header
    field: str | None  # the field id it means, None for an unknown column


def one_level(cells: Sequence[str | None]) -> list[Label | None]:
    """The labels of a one-row header (None for a column without a header)."""
    return [
        Label(" ".join(t.split()), match_header(t)) if t is not None and t.strip() else None
        for t in cells
    ]


def is_sub_header(header: Sequence[str | None], below: Sequence[str | None]) -> bool:
    """Whether ``below`` (the row under the header row) continues the header: it has no
    org_code / org_name where the header names them, and it names a field or has text
    under a blank header cell (a merged parent's continuation)."""
    keys = [i for i, t in enumerate(header) if match_header(t) in _KEYS]
    if not keys or any(_text(below[i]) for i in keys):
        return False
    if count_known_fields(below) > 0:
        return True
    return any(
        _text(c) and not _NUMBER.match(c or "") and not _text(h)
        for h, c in zip(header, below, strict=True)
    )


def two_levels(
    header: Sequence[str | None], below: Sequence[str | None]
) -> tuple[list[Label | None], list[str]]:
    """The labels of a two-row header, and the labels (parent / child) that mean no
    field."""
    labels: list[Label | None] = []
    unmatched: list[str] = []
    parent: str | None = None
    for h, c in zip(header, below, strict=True):
        top, child = _text(h), _text(c)
        if top:
            parent = top
        own = top or (parent if child else None)
        if not child:
            labels.append(Label(own, match_header(own)) if own else None)
            continue
        shown = f"{own} / {child}" if own else child
        tries = [child, f"{own}{child}", f"{child}{own}"] if own else [child]
        field = next((f for f in map(match_header, tries) if f is not None), None)
        if field is None and own:
            unmatched.append(shown)
        labels.append(Label(shown, field))
    return labels, unmatched


def _text(cell: str | None) -> str:
    return " ".join(cell.split()) if cell else ""
