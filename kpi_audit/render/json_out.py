"""``check --format json``: exactly the object of domain.md §5 (plus additive keys).

Numbers are JSON numbers, never strings; a value that cannot be evaluated is null.
``reason`` and ``message`` are in the output language (``lang``, Chinese by default);
``reason_code`` / ``code`` and their parameters say the same as data, and every data
issue carries ``message_zh`` and ``message_en``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import IO, Any

import polars as pl

from kpi_audit.core.result import AuditResult
from kpi_audit.render.i18n import message_expr, parse_params, reason_expr

# Raised whenever keys are added (domain.md §5). 2: reason_code, reason_params,
# data issues' code, params, message_zh, message_en; reason/message follow --lang.
SCHEMA_VERSION = 2

RESULT_KEYS = (
    "target_id",
    "target_set",
    "indicator",
    "level",
    "unit",
    "unit_name",
    "county",
    "period",
    "value",
    "numerator",
    "denominator",
    "operator",
    "threshold",
    "threshold_high",
    "gap",
    "status",
    "reason",
    "reason_code",
    "reason_params",
)
ISSUE_KEYS = (
    "kind",
    "file",
    "sheet",
    "row",
    "field",
    "value",
    "code",
    "params",
    "message",
    "message_zh",
    "message_en",
    "org_code",
    "org_name",
    "county",
)


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _with_params(records: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The JSON object string in ``key`` as an object (null when there is none)."""
    for r in records:
        r[key] = parse_params(r[key]) if r[key] is not None else None
    return records


def result_rows(result: AuditResult, lang: str = "zh") -> pl.DataFrame:
    """The results with ``reason`` in ``lang`` (what the JSON and CSV writers show)."""
    return result.results.with_columns(reason=reason_expr(result.results, lang))


def results_records(result: AuditResult, lang: str = "zh") -> list[dict[str, Any]]:
    frame = result_rows(result, lang).select(
        *RESULT_KEYS,
        source=pl.struct(document="source_document", clause="source_clause"),
    )
    records = [{k: _finite(v) for k, v in r.items()} for r in frame.to_dicts()]
    return _with_params(records, "reason_params")


def issue_records(result: AuditResult, lang: str = "zh") -> list[dict[str, Any]]:
    frame = result.data_issues.with_columns(message=message_expr(lang)).select(ISSUE_KEYS)
    return _with_params(frame.to_dicts(), "params")


def to_json_dict(result: AuditResult, lang: str = "zh") -> dict[str, Any]:
    return {
        "tool": result.tool,
        "version": result.version,
        "schema_version": SCHEMA_VERSION,
        "generated_at": result.generated_at.isoformat(timespec="seconds"),
        "period": result.period,
        "target_sets": list(result.target_sets),
        "area": result.area,
        "summary": result.summary(),
        "results": results_records(result, lang),
        "data_issues": issue_records(result, lang),
        "completeness": {
            **asdict(result.completeness),
            "counties_without_data": list(result.completeness.counties_without_data),
        },
    }


def write_json(result: AuditResult, stream: IO[str], lang: str = "zh") -> None:
    json.dump(to_json_dict(result, lang), stream, ensure_ascii=False, indent=2, allow_nan=False)
    stream.write("\n")
