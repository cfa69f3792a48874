"""JSON text at the writer's floor for documents whose bulk is a few large frames.

A document is built as plain Python data (``to_json_dict``) in which each large array
(the results, the data issues) may stand as ``Rows(frame)``. ``write_document`` indents
the small skeleton with ``json.dumps`` and writes each ``Rows`` as the JSON array of its
rows, one compact object per line, serialised by polars in Rust — no Python object per
value, one write per piece.

What stays exactly as ``json.dumps`` writes it: key order (the frame's column order),
strings (``ensure_ascii=False``: UTF-8, the same escapes) and numbers — Python's
``repr`` of a float. polars writes floats like ``repr`` except below 1e-4 in magnitude
(``1e-7`` and ``0.00001`` for ``1e-07`` and ``1e-05``); the few rows holding such a value
are rewritten number by number. NaN and ±inf become null, as the contract asks of a value
that cannot be evaluated. Only the whitespace inside an array item differs: an item is
one line without spaces, ``{"a":1,"b":null}``.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from typing import IO, Any

import polars as pl

# String columns that hold a JSON object as text (a reason's parameters): embedded as an
# object, not as a string, in both the text and the records; an empty text is {}.
RAW_JSON_COLUMNS = frozenset({"reason_params", "params"})

_TINY = 1e-4  # below this magnitude polars and repr() spell a float differently
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')


class Rows:
    """A frame standing, inside a document, for the JSON array of its rows."""

    __slots__ = ("frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts, as the text has them: NaN/±inf as None, raw JSON parsed."""
    floats = [c for c, d in frame.schema.items() if d.is_float()]
    rows = frame.with_columns(
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in floats
    ).to_dicts()
    raw = [c for c in frame.columns if c in RAW_JSON_COLUMNS]
    for r in rows if raw else ():
        for c in raw:
            r[c] = None if r[c] is None else json.loads(r[c] or "{}")
    return rows


def write_document(doc: Any, stream: IO[str], *, indent: int = 2) -> None:
    """Write ``doc`` (JSON data with ``Rows`` in it) and a final newline to ``stream``.

    The rows go straight from polars to the stream's UTF-8 byte buffer when it has one
    (files, stdout): the text never becomes a Python string."""
    binary = _utf8_buffer(stream)
    for piece in document_pieces(doc, indent=indent):
        if isinstance(piece, str):
            stream.write(piece)
        elif binary is not None:
            stream.flush()
            piece.to_frame().write_csv(binary, include_header=False, quote_style="never")
            binary.flush()
        else:
            stream.write(_joined(piece))
    stream.write("\n")


def dumps(doc: Any, *, indent: int = 2) -> str:
    return "".join(
        p if isinstance(p, str) else _joined(p) for p in document_pieces(doc, indent=indent)
    )


def document_pieces(doc: Any, *, indent: int = 2) -> Iterator[str | pl.Series]:
    """The document's text in order: strings, and for each non-empty ``Rows`` a series of
    its lines (each ending the line before the next piece)."""
    frames: list[pl.DataFrame] = []
    nonce = secrets.token_hex(8)  # no string in the document can spell the placeholder

    def placeholder(value: object) -> str:
        if not isinstance(value, Rows):
            raise TypeError(f"{type(value).__name__} is not JSON serialisable")
        frames.append(value.frame)
        return f"\x00{nonce}:{len(frames) - 1}\x00"

    skeleton = json.dumps(
        doc, ensure_ascii=False, indent=indent, allow_nan=False, default=placeholder
    )
    pos = 0
    for i, frame in enumerate(frames):
        token = json.dumps(f"\x00{nonce}:{i}\x00")
        at = skeleton.index(token, pos)
        line = skeleton[skeleton.rfind("\n", 0, at) + 1 : at]
        outer = " " * (len(line) - len(line.lstrip(" ")))
        if frame.height == 0:
            yield skeleton[pos:at] + "[]"
        else:
            yield skeleton[pos:at] + "[\n"
            yield array_lines(frame, item_indent=outer + " " * indent)
            yield outer + "]"
        pos = at + len(token)
    yield skeleton[pos:]


def array_lines(frame: pl.DataFrame, *, item_indent: str) -> pl.Series:
    """One line per row: the indent, the row's JSON, a comma on all but the last."""
    comma = pl.when(pl.int_range(pl.len()) < pl.len() - 1).then(pl.lit(",")).otherwise(pl.lit(""))
    lines = frame.select(pl.concat_str(pl.lit(item_indent), _row_json(frame), comma)).to_series()
    tiny = _tiny_rows(frame)
    if tiny is not None:
        fixed = [_TOKEN.sub(_python_number, lines[i]) for i in tiny]
        lines = lines.scatter(tiny, fixed)
    return lines


def _joined(lines: pl.Series) -> str:
    return lines.str.join("\n").item() + "\n"


def _utf8_buffer(stream: IO[str]) -> IO[bytes] | None:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    buffer = getattr(stream, "buffer", None)
    return buffer if encoding == "utf8" and buffer is not None else None


def _row_json(frame: pl.DataFrame) -> pl.Expr:
    raw = [c for c in frame.columns if c in RAW_JSON_COLUMNS]
    marks = {c: f"\x01{c}\x01" for c in raw}
    row = pl.struct(
        pl.lit(marks[c]).alias(c) if c in marks else pl.col(c) for c in frame.columns
    ).struct.json_encode()
    for c, mark in marks.items():
        text = pl.when(pl.col(c) == "").then(pl.lit("{}")).otherwise(pl.col(c)).fill_null("null")
        row = row.str.replace(json.dumps(mark), text, literal=True, n=1)
    return row


def _tiny_checks(
    expr: pl.Expr, dtype: pl.DataType | pl.datatypes.DataTypeClass
) -> Iterator[pl.Expr]:
    """True where ``expr`` holds (or, for a list, may hold) a float 0 < |x| < 1e-4."""
    if dtype.is_float():
        yield ((expr.abs() < _TINY) & (expr != 0)).fill_null(False)
    elif isinstance(dtype, pl.Struct):
        for f in dtype.fields:
            yield from _tiny_checks(expr.struct.field(f.name), f.dtype)
    elif dtype.is_nested():  # lists and arrays: rewrite every row that has one
        yield expr.is_not_null()


def _tiny_rows(frame: pl.DataFrame) -> list[int] | None:
    """Indices of the rows to rewrite number by number (None when there is none)."""
    checks = [check for c, d in frame.schema.items() for check in _tiny_checks(pl.col(c), d)]
    if not checks:
        return None
    flagged = frame.select(pl.any_horizontal(checks).arg_true()).to_series()
    return flagged.to_list() if flagged.len() else None


def _python_number(m: re.Match[str]) -> str:
    token = m.group()
    if token.startswith('"') or not any(ch in token for ch in ".eE"):
        return token  # a string, or an integer
    return repr(float(token))
