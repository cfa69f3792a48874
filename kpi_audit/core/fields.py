"""The submission field catalog: the contract headers of domain.md §3 and the fields
added so that more targets can be measured, with the lookups every stage uses.

The table itself is data: :mod:`kpi_audit.core.field_table` (§3) and
:mod:`kpi_audit.core.field_table_added` (adding a field means adding an entry there and a
migration that adds its column, ``kpi_audit/store/migrations.py``); the institution-type
vocabularies and classes are in :mod:`kpi_audit.core.vocabularies`. All are re-exported
here: import from this module.
"""

from __future__ import annotations

from kpi_audit.core.field_table import CONTRACT_FIELDS, Field, FieldType
from kpi_audit.core.field_table_added import ADDED_FIELDS
from kpi_audit.core.vocabularies import (
    AREAS,
    CONTRACT_ORG_TYPES,
    GRADED_TYPES,
    HOSPITAL_GRADES,
    HOSPITAL_RANKS,
    HOSPITAL_TYPES,
    ORG_CLASSES,
    ORG_TYPE_SYNONYMS,
    ORG_TYPES,
    OTHER_TYPES,
    OWNERSHIPS,
    PRIMARY_CARE_TYPES,
    PUBLIC_HEALTH_TYPES,
    TCM_HOSPITAL_TYPES,
    TCM_INSTITUTION_TYPES,
)

__all__ = [
    "AREAS",
    "ATTRIBUTE_FIELDS",
    "BOOL_FIELDS",
    "CONTRACT_ORG_TYPES",
    "FIELDS",
    "FIELDS_BY_ID",
    "GRADED_TYPES",
    "HOSPITAL_GRADES",
    "HOSPITAL_RANKS",
    "HOSPITAL_TYPES",
    "INT_FIELDS",
    "ORG_CLASSES",
    "ORG_TYPES",
    "ORG_TYPE_SYNONYMS",
    "OTHER_TYPES",
    "OWNERSHIPS",
    "PRIMARY_CARE_TYPES",
    "PUBLIC_HEALTH_TYPES",
    "REQUIRED_FIELDS",
    "TCM_HOSPITAL_TYPES",
    "TCM_INSTITUTION_TYPES",
    "TEXT_FIELDS",
    "Field",
    "FieldType",
]

# the template's columns in order: the contract headers, then the added fields
FIELDS: tuple[Field, ...] = (*CONTRACT_FIELDS, *ADDED_FIELDS)
FIELDS_BY_ID: dict[str, Field] = {f.id: f for f in FIELDS}
REQUIRED_FIELDS = tuple(f.id for f in FIELDS if f.required)
INT_FIELDS = tuple(f.id for f in FIELDS if f.type == "int")
BOOL_FIELDS = tuple(f.id for f in FIELDS if f.type == "bool")
TEXT_FIELDS = tuple(f.id for f in FIELDS if f.type in ("text", "enum"))
# Facts about the institution (not counts): usable in indicator filters.
ATTRIBUTE_FIELDS = (
    "city",
    "county",
    "org_type",
    "hospital_grade",
    "area",
    "hospital_rank",
    "ownership",
    *BOOL_FIELDS,
)
