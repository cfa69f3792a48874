"""Reference values (``targets/reference/*.toml``): what a document reports an area had
reached, shown as context next to the matching indicators and never judged against.
Parsed into :class:`~kpi_audit.core.models.ReferenceValue` with problems as data, like
the target files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.models import Indicator, ReferenceValue, Source
from kpi_audit.spec.catalog import load_catalog
from kpi_audit.spec.targets import bundled_target_sets
from kpi_audit.spec.tomlsource import ConfigProblem, EntryReader, TomlSource

__all__ = ["bundled_reference_files", "load_reference_values", "parse_reference_file"]

SET_KEYS = ("name", "document", "number", "area", "note")
REFERENCE_KEYS = ("id", "indicator", "value", "year", "label_zh", "label_en", "clause", "quote")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def bundled_reference_files() -> list[Path]:
    """The bundled reference files: ``reference/*.toml`` beside the bundled target sets."""
    folders = {p.parent for p in bundled_target_sets().values()}
    return sorted(p for folder in folders for p in (folder / "reference").glob("*.toml"))


def parse_reference_file(
    path: Path, catalog: dict[str, Indicator]
) -> tuple[list[ReferenceValue], list[ConfigProblem]]:
    source, problems = TomlSource.read(path)
    if source.data is None:
        return [], problems
    data = source.data
    for key in data:
        if key not in ("set", "reference"):
            problems.append(
                ConfigProblem(
                    source.path,
                    source.table_line(key),
                    key,
                    "unknown table (expected [set] and [[reference]])",
                )
            )
    raw_set = data.get("set")
    header = EntryReader(source, "set", None, raw_set if isinstance(raw_set, dict) else {}, "set")
    header._check_keys(SET_KEYS)
    document = header._text("document", required=True)
    name, number = header._text("name") or path.stem, header._text("number")
    area = header._text("area")
    problems.extend(header.problems)
    entries = data.get("reference")
    if not isinstance(entries, list) or not entries:
        problems.append(ConfigProblem(source.path, None, "reference", "no [[reference]] entries"))
        return [], problems
    values = []
    for index, entry in enumerate(entries):
        raw_id = entry.get("id")
        prefix = (
            raw_id if isinstance(raw_id, str) and _ID.match(raw_id) else f"reference[{index + 1}]"
        )
        reader = EntryReader(source, "reference", index, entry, prefix)
        value = _reference(reader, entry, catalog, name, document, number, area)
        problems.extend(reader.problems)
        if value is not None:
            values.append(value)
    return ([] if problems else values), problems


def _reference(
    r: EntryReader,
    entry: dict[str, Any],
    catalog: dict[str, Indicator],
    name: str,
    document: str,
    number: str,
    area: str,
) -> ReferenceValue | None:
    r._check_keys(REFERENCE_KEYS)
    ident = r._text("id", required=True)
    if ident and not _ID.match(ident):
        r._add("id", "must be letters, digits, - and _")
    indicator = r._text("indicator", required=True)
    if indicator and indicator not in catalog:
        r._add("indicator", f"unknown indicator {indicator!r}")
    value = r._number("value", required=True)
    year = entry.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        r._add("year", "missing or not a year: the year the value was reached")
    labels = r._text("label_zh", required=True), r._text("label_en", required=True)
    clause, quote = r._text("clause", required=True), r._text("quote", required=True)
    if r.problems or value is None or not isinstance(year, int):
        return None
    return ReferenceValue(
        id=ident,
        indicator=indicator,
        value=float(value),
        year=year,
        area=area,
        label_zh=labels[0],
        label_en=labels[1],
        source=Source(document=document, number=number, clause=clause, quote=quote),
        reference_set=name,
    )


def load_reference_values(
    paths: Sequence[Path] | None = None, catalog: dict[str, Indicator] | None = None
) -> tuple[ReferenceValue, ...]:
    """Every reference value in ``paths`` (default: the bundled ones); ConfigError with
    the first problem of an invalid file."""
    catalog = load_catalog() if catalog is None else catalog
    out: list[ReferenceValue] = []
    for path in bundled_reference_files() if paths is None else paths:
        values, problems = parse_reference_file(Path(path), catalog)
        if problems:
            raise ConfigError(f"invalid reference file: {problems[0]}")
        out.extend(values)
    return tuple(out)
