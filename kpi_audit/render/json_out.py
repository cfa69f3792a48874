"""``check --format json``: exactly the object of domain.md §5 (plus additive keys).

Numbers are JSON numbers, never strings; a value that cannot be evaluated is null.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import IO, Any

import polars as pl

from kpi_audit.core.result import AuditResult

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
)
ISSUE_KEYS = (
    "kind",
    "file",
    "sheet",
    "row",
    "field",
    "value",
    "message",
    "org_code",
    "org_name",
    "county",
)


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def results_records(result: AuditResult) -> list[dict[str, Any]]:
    frame = result.results.select(
        *RESULT_KEYS,
        source=pl.struct(document="source_document", clause="source_clause"),
    )
    return [{k: _finite(v) for k, v in r.items()} for r in frame.to_dicts()]


def to_json_dict(result: AuditResult) -> dict[str, Any]:
    return {
        "tool": result.tool,
        "version": result.version,
        "generated_at": result.generated_at.isoformat(timespec="seconds"),
        "period": result.period,
        "target_sets": list(result.target_sets),
        "area": result.area,
        "summary": result.summary(),
        "results": results_records(result),
        "data_issues": result.data_issues.select(ISSUE_KEYS).to_dicts(),
        "completeness": {
            **asdict(result.completeness),
            "counties_without_data": list(result.completeness.counties_without_data),
        },
    }


def write_json(result: AuditResult, stream: IO[str]) -> None:
    json.dump(to_json_dict(result), stream, ensure_ascii=False, indent=2, allow_nan=False)
    stream.write("\n")
