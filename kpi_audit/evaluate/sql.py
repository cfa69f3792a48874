"""Compiling indicator Measures and Conditions to DuckDB SQL.

Field names are whitelisted against the submission field catalog
(:mod:`kpi_audit.core.fields`) and values become quoted literals, so nothing from a target
or catalog file reaches SQL unchecked.

NULL semantics are deliberate: a Condition on a blank cell is NULL (unknown), and so is
the AND of conditions unless another condition is already false. Evaluation uses that
to tell "not in scope" (FALSE) from "cannot tell, a field was not submitted" (NULL).
"""

from __future__ import annotations

import math

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.fields import BOOL_FIELDS, FIELDS_BY_ID, INT_FIELDS, ORG_CLASSES
from kpi_audit.core.models import Condition, Measure

_COMPARISONS = {"=": "=", "!=": "<>", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}
_TRUE_WORDS = {"true", "1", "是", "yes", "y"}
_FALSE_WORDS = {"false", "0", "否", "no", "n"}


def quote_ident(field: str) -> str:
    """The column for a catalog field id; anything else is a configuration error."""
    if field not in FIELDS_BY_ID:
        raise ConfigError(f"unknown submission field '{field}' in an indicator definition")
    return f'"{field}"'


def sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"not a finite number: {value}")
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ConfigError(f"unsupported value in a condition: {value!r}")


def _coerce(field: str, value: object) -> object:
    """Bring a condition value to the column's type (是/否 for flags, numbers for counts)."""
    if field in BOOL_FIELDS and not isinstance(value, bool):
        word = str(value).strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise ConfigError(f"'{value}' is not a yes/no value for field '{field}'")
    if field in INT_FIELDS and isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            raise ConfigError(f"'{value}' is not a number for field '{field}'") from None
    return value


def _values(cond: Condition) -> tuple[object, ...]:
    raw = cond.value if isinstance(cond.value, tuple | list) else (cond.value,)
    if not raw:
        raise ConfigError(f"empty value list in condition on '{cond.field}'")
    return tuple(raw)


def _membership(column: str, literals: list[str], negate: bool) -> str:
    """``IN`` spelled as ORs (``NOT IN`` as ANDs), same NULL semantics: DuckDB plans a
    long IN list as a join, one per condition, which costs more than the comparisons."""
    if negate:
        return "(" + " AND ".join(f"{column} <> {v}" for v in literals) + ")"
    return "(" + " OR ".join(f"{column} = {v}" for v in literals) + ")"


def compile_condition(cond: Condition) -> str:
    if cond.field == "org_class":
        types: list[str] = []
        for name in _values(cond):
            if name not in ORG_CLASSES:
                raise ConfigError(
                    f"unknown institution class '{name}' (known: {', '.join(ORG_CLASSES)})"
                )
            types.extend(ORG_CLASSES[str(name)])
        negate = cond.op in ("!=", "not in")
        if cond.op not in ("=", "!=", "in", "not in"):
            raise ConfigError(f"operator '{cond.op}' cannot be used with org_class")
        return _membership('"org_type"', [sql_literal(t) for t in types], negate)
    column = quote_ident(cond.field)
    if cond.op in ("in", "not in"):
        listed = [sql_literal(_coerce(cond.field, v)) for v in _values(cond)]
        return _membership(column, listed, cond.op == "not in")
    if cond.op not in _COMPARISONS:
        raise ConfigError(f"unknown condition operator '{cond.op}'")
    if isinstance(cond.value, tuple | list):
        raise ConfigError(f"operator '{cond.op}' on '{cond.field}' takes one value, not a list")
    value = sql_literal(_coerce(cond.field, cond.value))
    return f"({column} {_COMPARISONS[cond.op]} {value})"


def compile_where(where: tuple[Condition, ...]) -> str:
    """AND of the conditions (TRUE when there are none); NULL when it cannot be told."""
    if not where:
        return "TRUE"
    return "(" + " AND ".join(compile_condition(c) for c in where) + ")"


def compile_value(measure: Measure) -> str:
    """What one row contributes: the field (summed) or 1 (counted)."""
    if measure.field is None:
        return "1"
    if measure.field not in INT_FIELDS:
        raise ConfigError(f"field '{measure.field}' is not a count and cannot be summed")
    if measure.fallback:
        return (
            f"CAST(COALESCE({quote_ident(measure.field)}, {quote_ident(measure.fallback)}) "
            "AS DOUBLE)"
        )
    return f"CAST({quote_ident(measure.field)} AS DOUBLE)"
