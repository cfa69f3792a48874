"""Header normalisation and matching: the text in a header cell → a field id.

Recognised for every field of :data:`kpi_audit.core.fields.FIELDS`: the template header
(``zh``), its traditional form (``zh_hant``), the English id and label, the aliases —
and the variants people type: spaces or line breaks anywhere, full-width characters and
brackets (NFKC), a ``*`` marking a required column, a trailing unit in brackets
(``总诊疗人次（人次）``, ``签约人数(人)``), traditional characters in an alias.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

from kpi_audit.core.fields import FIELDS

# Traditional → simplified: the character table t2s_characters.tsv (a data file of this
# package, derived from OpenCC's; its header says how), and the pairs of zh_hant / zh
# headers in the catalog, which agree with it.


def _table_t2s() -> dict[str, str]:
    text = resources.files(__package__).joinpath("t2s_characters.tsv").read_text("utf-8")
    return dict(
        line.split("\t", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


def _catalog_t2s() -> dict[str, str]:
    pairs = _table_t2s()
    for f in FIELDS:
        if len(f.zh) != len(f.zh_hant):
            continue
        for hant, hans in zip(f.zh_hant, f.zh, strict=True):
            if hant != hans:
                pairs.setdefault(hant, hans)
    return pairs


T2S: dict[str, str] = _catalog_t2s()
_T2S_TABLE = str.maketrans(T2S)


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (headers, vocabulary words, place names):
    ``東湖區`` → ``东湖区``. A character written in simplified text too (乾, 於) stays."""
    return text.translate(_T2S_TABLE)


# A unit or note in brackets at the end of a header: （人次）, (人), [单位:人], 【必填】.
_TRAILING_BRACKETS = re.compile(r"(\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕)$")
_DROPPED = re.compile(r"[\s_\-.:*]+")


def header_key(text: str) -> str:
    """The comparison form of a header: NFKC, simplified, no spaces/underscores/``*``,
    lower case. ``' 总诊疗\\n人次 '`` and ``'總診療人次'`` share a key."""
    s = unicodedata.normalize("NFKC", text)
    s = to_simplified(s)
    return _DROPPED.sub("", s).lower()


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for f in FIELDS:
        for spelling in (f.zh, f.zh_hant, f.id, f.en, *f.aliases):
            key = header_key(spelling)
            owner = index.setdefault(key, f.id)
            if owner != f.id:  # pragma: no cover - guards the catalog
                raise RuntimeError(f"header {spelling!r} would mean both {owner} and {f.id}")
    return index


_INDEX = _build_index()


@lru_cache(maxsize=4096)
def match_header(text: str | None) -> str | None:
    """The field id a header cell means, or None for an unknown or blank header."""
    if text is None:
        return None
    key = header_key(text)
    while key:
        if key in _INDEX:
            return _INDEX[key]
        stripped = _TRAILING_BRACKETS.sub("", key)
        if stripped == key:
            return None
        key = stripped
    return None


# A unit in brackets that counts in ten-thousands or thousands: （万人次）, (万人), [单位:万户],
# (千人). Compared in header_key form (NFKC, no ``:``, lower case).
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|【([^【】]*)】|〔([^〔〕]*)〕")
_SCALED_UNIT = re.compile(r"^(?:单位)?([万千])(?:人次|人|户|次|名|个|张|床|例|元)?$")
_FACTORS = {"万": 10_000, "千": 1_000}


@lru_cache(maxsize=4096)
def unit_factor(text: str | None) -> tuple[int, str] | None:
    """``(factor, unit)`` when a header states its values in 万 or 千 of the field's unit
    — ``总诊疗人次（万人次）`` → ``(10000, "万人次")`` — else None (a plain （人次） is the
    field's own unit). Which field the header means is :func:`match_header`'s business."""
    if text is None:
        return None
    for match in _BRACKETED.finditer(header_key(text)):
        unit = next(g for g in match.groups() if g is not None)
        scaled = _SCALED_UNIT.match(unit)
        if scaled:
            return _FACTORS[scaled.group(1)], unit.removeprefix("单位")
    return None


def count_known_fields(cells: Sequence[str | None]) -> int:
    """How many distinct fields a row of cells names (to find the header row)."""
    return len({m for m in map(match_header, cells) if m is not None})
