"""The fast JSON writer writes what json.dumps writes: the same keys in the same order,
the same strings and the same number spelling (Python's repr of a float), with only the
whitespace inside an array item different. The reference below builds the expected text
with the json module alone, row by row."""

from __future__ import annotations

import io
import json
import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_audit.render.json_text import Rows, dumps, records, write_document


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _reference(doc: dict, raw: tuple[str, ...] = ()) -> str:
    """json.dumps of ``doc``, each Rows as an array of one compact json.dumps line a row."""
    arrays: list[str] = []

    def stand_in(value: object) -> str:
        assert isinstance(value, Rows)
        lines = []
        for row in value.frame.to_dicts():
            row = {
                k: json.loads(v or "{}") if k in raw and v is not None else v
                for k, v in row.items()
            }
            lines.append(json.dumps(_finite(row), ensure_ascii=False, separators=(",", ":")))
        arrays.append(
            "[\n    " + ",\n    ".join(lines) + "\n  ]" if lines else "[]"
        )  # top-level key: items at 4 spaces, the bracket at 2
        return f"@@{len(arrays) - 1}@@"

    text = json.dumps(doc, ensure_ascii=False, indent=2, default=stand_in)
    for i, array in enumerate(arrays):
        text = text.replace(f'"@@{i}@@"', array)
    return text


floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1e-5, 1e-7, 5e-324, 0.0001, 9.99e-5, 1e16, 1e22, 140000.0, 0.30000000000000004]
)
texts = st.text(st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.none() | texts,
            st.none() | floats,
            st.none() | st.integers(-(2**63), 2**63 - 1),
            st.none() | st.booleans(),
            st.none() | floats,
        ),
        max_size=8,
    )
)
def test_rows_are_written_as_json_dumps_writes_them(rows: list[tuple]) -> None:
    frame = pl.DataFrame(
        rows,
        schema={"s": pl.String, "f": pl.Float64, "i": pl.Int64, "b": pl.Boolean, "g": pl.Float64},
        orient="row",
    ).with_columns(nested=pl.struct(x="g", label="s"))
    doc = {"tool": "kpi-audit", "results": Rows(frame), "after": [1.5, None, "是"]}
    assert dumps(doc) == _reference(doc)
    assert json.loads(dumps(doc))["results"] == _finite_rows(records(frame))


def _finite_rows(rows: list[dict]) -> list[dict]:
    return [_finite(r) for r in rows]  # type: ignore[misc]


def test_tiny_values_are_spelled_as_python_spells_them() -> None:
    frame = pl.DataFrame({"gap": [1e-05, -8.022650611681835e-07, 0.5], "label": ['1e-7"', "", "x"]})
    text = dumps({"results": Rows(frame)})
    assert '"gap":1e-05,' in text and '"gap":-8.022650611681835e-07,' in text
    assert '"label":"1e-7\\""' in text  # a string is never rewritten
    assert text == _reference({"results": Rows(frame)})


def test_raw_json_columns_are_embedded_as_objects() -> None:
    # the text is embedded as it is stored (compact, as json.dumps(separators=…) writes it)
    frame = pl.DataFrame(
        {"reason_params": ['{"n":3,"field":"签约人数"}', None, ""], "k": [1, 2, 3]}
    )
    doc = {"results": Rows(frame)}
    assert dumps(doc) == _reference(doc, raw=("reason_params",))
    assert json.loads(dumps(doc))["results"][2]["reason_params"] == {}
    assert records(frame)[0]["reason_params"] == {"n": 3, "field": "签约人数"}


def test_empty_frames_and_nested_placement() -> None:
    empty = pl.DataFrame(schema={"a": pl.Int64})
    doc = {"results": Rows(empty), "deeper": {"rows": Rows(pl.DataFrame({"a": [1, 2]}))}}
    text = dumps(doc)
    assert '"results": [],' in text
    assert '  "deeper": {\n    "rows": [\n      {"a":1},\n      {"a":2}\n    ]\n  }' in text
    assert json.loads(text) == {"results": [], "deeper": {"rows": [{"a": 1}, {"a": 2}]}}


def test_write_document_ends_with_a_newline() -> None:
    out = io.StringIO()
    write_document({"results": Rows(pl.DataFrame({"a": [1]}))}, out)
    assert out.getvalue() == '{\n  "results": [\n    {"a":1}\n  ]\n}\n'


def test_a_file_gets_the_same_text_through_its_byte_buffer(tmp_path) -> None:
    frame = pl.DataFrame({"unit": ["东县", 'a"b'], "gap": [1e-05, 0.25], "n": [1, None]})
    doc = {"tool": "kpi-audit", "results": Rows(frame), "data_issues": Rows(frame.head(0))}
    path = tmp_path / "out.json"
    with path.open("w", encoding="utf-8") as fh:
        write_document(doc, fh)
    assert path.read_text("utf-8") == _reference(doc) + "\n"
