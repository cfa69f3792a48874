"""The columns of the two reference registers (domain.md §3b) and how their headers match.

Headers are compared in :func:`kpi_audit.ingest.headers.header_key` form (NFKC,
simplified, no spaces or ``*``, a trailing unit in brackets dropped), as submissions'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kpi_audit.core.fields import HOSPITAL_GRADES, HOSPITAL_RANKS, ORG_TYPES, OWNERSHIPS
from kpi_audit.ingest.headers import header_key

RegisterKind = Literal["areas", "institutions"]
ColumnKind = Literal["text", "code", "int", "year", "period", "enum"]

AREA_TYPES = ("市辖区", "县", "县级市", "其他")


@dataclass(frozen=True)
class RegisterField:
    id: str
    zh: str
    en: str
    kind: ColumnKind
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    note_zh: str = ""


AREA_FIELDS: tuple[RegisterField, ...] = (
    RegisterField("area_code", "行政区划代码", "Area code", "code", True, ("区划代码",),
                  note_zh="6位 GB/T 2260 代码"),
    RegisterField("county", "区县名称", "County", "text", True, ("所属区县", "区县")),
    RegisterField("city", "所属市", "City", "text"),
    RegisterField("area_type", "区划类型", "Area type", "enum", choices=AREA_TYPES,
                  note_zh="空白时按代码末两位：01–20 市辖区，21–80 县，81–99 县级市"),
    RegisterField("year", "年度", "Year", "year", True, ("年份",)),
    RegisterField("population", "常住人口", "Resident population", "int", True),
    RegisterField("urban_population", "城镇常住人口", "Urban population", "int"),
    RegisterField("rural_population", "农村常住人口", "Rural population", "int"),
    RegisterField("key_population", "重点人群数", "Key population", "int"),
    RegisterField("households", "家庭户数", "Households", "int"),
)  # fmt: skip

INSTITUTION_FIELDS: tuple[RegisterField, ...] = (
    RegisterField("org_code", "机构代码", "Institution code", "code", True,
                  ("组织机构代码", "统一社会信用代码")),
    RegisterField("org_name", "机构名称", "Institution name", "text", True),
    RegisterField("county", "所属区县", "County", "text", True, ("区县名称", "区县")),
    RegisterField("city", "所属市", "City", "text"),
    RegisterField("org_type", "机构类别", "Institution type", "enum", True, ("机构类型",),
                  choices=ORG_TYPES),
    RegisterField("hospital_grade", "医院等级", "Hospital grade", "enum",
                  choices=HOSPITAL_GRADES),
    RegisterField("hospital_rank", "医院等次", "Hospital rank", "enum", choices=HOSPITAL_RANKS),
    RegisterField("ownership", "主办性质", "Ownership", "enum", choices=OWNERSHIPS),
    RegisterField("township", "所属乡镇(街道)", "Township", "text", aliases=("所属乡镇",)),
    RegisterField("reports_from", "应报起始期", "Reports from", "period",
                  note_zh="空白：一直应报"),
    RegisterField("reports_until", "应报截止期", "Reports until", "period",
                  note_zh="空白：仍应报"),
)  # fmt: skip

REGISTER_FIELDS: dict[RegisterKind, tuple[RegisterField, ...]] = {
    "areas": AREA_FIELDS,
    "institutions": INSTITUTION_FIELDS,
}
# Headers only a register has: a row naming one of them is a register's header row.
_MARKS: dict[RegisterKind, tuple[str, ...]] = {
    "areas": ("area_code", "population"),
    "institutions": ("reports_from", "reports_until"),
}
_TRAILING_BRACKETS = re.compile(r"(\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕)$")


def _index(fields: Sequence[RegisterField]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in fields:
        for spelling in (f.zh, f.en, f.id, *f.aliases):
            out.setdefault(header_key(spelling), f.id)
    return out


_INDEXES = {kind: _index(fields) for kind, fields in REGISTER_FIELDS.items()}


def match_register_header(kind: RegisterKind, text: str | None) -> str | None:
    """The register field a header cell means, or None."""
    if text is None:
        return None
    index = _INDEXES[kind]
    key = header_key(text)
    while key:
        if key in index:
            return index[key]
        stripped = _TRAILING_BRACKETS.sub("", key)
        if stripped == key:
            return None
        key = stripped
    return None


def register_kind_of(cells: Sequence[str | None]) -> RegisterKind | None:
    """Which register a header row belongs to: it names the register's required columns
    and a register-only one (行政区划代码 + 常住人口; 应报起始期 or 应报截止期), or — an
    institution register without a window — no column of a submission's figures."""
    from kpi_audit.ingest.headers import match_header

    for kind, fields in REGISTER_FIELDS.items():
        named = {m for m in (match_register_header(kind, c) for c in cells) if m}
        required = {f.id for f in fields if f.required}
        if not required <= named:
            continue
        marks = set(_MARKS[kind])
        if (marks <= named) if kind == "areas" else bool(marks & named):
            return kind
        own = {f.id for f in fields}
        submission = {m for m in map(match_header, cells) if m}
        if kind == "institutions" and submission <= own | {"area"}:
            return kind
    return None
