"""The text encoding of a CSV file: given (``--encoding``) or detected.

Detection, in order: a BOM (UTF-8, UTF-16 LE/BE); UTF-16 without a BOM by its NUL
bytes; strict UTF-8; and otherwise GB18030 (a superset of GBK and GB2312) or Big5
(as Windows writes it, cp950), whichever decoding reads more *common* characters.

Either legacy decoding of the other's bytes mostly succeeds, so success says little;
what differs is which characters come out. Each encoding orders its table by how
common a character is: GB2312's level-1 hanzi (rows B0–D7, the 3,755 most used
simplified characters) and Big5's level-1 (A440–C67E, the 5,401 most used
traditional ones) hold nearly all of real text, while a wrong decoding spreads over
the rare levels, GBK's extension and symbol rows. A character counts +1 when common
in the table it was decoded with, −1 when rare, 0 when a symbol or ASCII; the
characters submissions are written in (the catalog's headers and vocabularies,
simplified or traditional) count once more. GB18030 wins a tie.
"""

from __future__ import annotations

import codecs
import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kpi_audit.core.errors import InputError, UsageError

# How much of a file the GB18030 / Big5 choice looks at.
SNIFF_CHARS = 256 * 1024
# The names shown for the encodings detection picks.
_SHOWN = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "gb18030": "GB18030",
    "cp950": "Big5",
}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # as shown to the user: GB18030, Big5, UTF-8 … or the name given


def check_encoding(name: str | None) -> str | None:
    """``name`` if it names a text encoding Python knows; else :class:`UsageError`."""
    if name is None or name == "":
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise UsageError(code="unknown_encoding", params={"name": repr(name)}) from None
    if not info._is_text_encoding:  # base64, rot13 …
        raise UsageError(code="not_text_encoding", params={"name": repr(name)}) from None
    return name


def decode_text(path: Path, data: bytes, encoding: str | None = None) -> Decoded:
    """The text of a CSV file, in ``encoding`` when given, else detected."""
    if encoding:
        return Decoded(_decoded(path, data, encoding), encoding)
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return Decoded(_decoded(path, data, name), _SHOWN[name])
    head = data[:4096]
    if len(head) >= 4 and head.count(0) > len(head) // 4:
        le = head[1::2].count(0) > head[0::2].count(0)
        name = "utf-16-le" if le else "utf-16-be"
        return Decoded(_decoded(path, data, name), _SHOWN[name])
    try:
        return Decoded(data.decode("utf-8"), _SHOWN["utf-8"])
    except UnicodeDecodeError:
        pass
    candidates: dict[str, str] = {}
    for name in ("gb18030", "cp950"):
        try:
            candidates[name] = data.decode(name)
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise InputError(
            code="undecodable",
            path=str(path),
        )
    best = max(candidates, key=lambda name: score(candidates[name], name))  # ties: gb18030
    return Decoded(candidates[best], _SHOWN[best])


def _decoded(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            code="decode_as", params={"encoding": encoding, "reason": exc.reason}, path=str(path)
        ) from exc


def score(text: str, encoding: str) -> int:
    """How much like real Chinese text the start of ``text`` (decoded with ``encoding``,
    gb18030 or cp950) reads: see the module docstring."""
    common = _common_in(encoding)
    domain = _domain_characters()
    total = 0
    for ch, n in Counter(text[:SNIFF_CHARS]).items():
        if ch < "\x80":
            continue
        total += n * (common(ch) + (ch in domain))
    return total


def _common_in(encoding: str) -> Callable[[str], int]:
    return _common_gb if encoding == "gb18030" else _common_big5


@functools.lru_cache(maxsize=65536)
def _common_gb(ch: str) -> int:
    """+1 a GB2312 level-1 hanzi, 0 a GB2312 symbol (rows A1–A9), −1 anything else."""
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return -1
    if 0xB0 <= lead <= 0xD7:
        return 1
    return 0 if lead <= 0xA9 else -1


@functools.lru_cache(maxsize=65536)
def _common_big5(ch: str) -> int:
    """+1 a Big5 level-1 hanzi, 0 a Big5 symbol (A140–A3FE), −1 anything else."""
    try:
        b = ch.encode("cp950")
    except UnicodeEncodeError:
        return -1
    if len(b) != 2:
        return -1
    code = b[0] << 8 | b[1]
    if 0xA440 <= code <= 0xC67E:
        return 1
    return 0 if code <= 0xA3FE else -1


@functools.cache
def _domain_characters() -> frozenset[str]:
    from kpi_audit.core.fields import AREAS, FIELDS, HOSPITAL_GRADES, ORG_TYPE_SYNONYMS, ORG_TYPES
    from kpi_audit.ingest.headers import T2S

    words = [f.zh for f in FIELDS] + [f.zh_hant for f in FIELDS]
    words += [*ORG_TYPES, *ORG_TYPE_SYNONYMS, *HOSPITAL_GRADES, *AREAS, "县区市镇乡街道社区"]
    chars = {ch for w in words for ch in w if ord(ch) > 0x2E80}
    return frozenset(chars | set(T2S))
