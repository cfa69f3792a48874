"""``check --format json``: exactly the object of domain.md §5 (plus additive keys).

Numbers are JSON numbers, never strings; a value that cannot be evaluated is null.
``reason`` and ``message`` are in the output language (``lang``, Chinese by default);
``reason_code`` / ``code`` and their parameters say the same as data, and every data
issue carries ``message_zh`` and ``message_en``.
``to_json_dict`` builds the document as Python data (each array of rows from a frame);
``write_json`` writes the same document at the writer's floor (render/json_text.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import IO, Any

import polars as pl

from kpi_audit.core.models import ReferenceValue
from kpi_audit.core.result import AuditResult
from kpi_audit.render.i18n import message_expr, reason_expr
from kpi_audit.render.json_text import Rows, records, write_document

# Raised whenever keys are added (domain.md §5). 2: reason_code, reason_params,
# value_kind; data issues' code, params, message_zh, message_en; reason/message follow
# --lang. 3: quality, quality_coverage. 4: files_refused. 5: results' binding,
# tolerance, progress_value, progress_gap; aspiration_summary, reference_values.
# 6: rank, rank_change,
# rank_change_year_earlier, value_previous, value_year_earlier on results.
# 7: results' basis, reporting, provisional; completeness expected_basis, expected,
# rejected_institutions; registers.
SCHEMA_VERSION = 8

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
    "value_kind",
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
    "binding",
    "tolerance",
    "progress_value",
    "progress_gap",
    "rank",
    "rank_change",
    "rank_change_year_earlier",
    "value_previous",
    "value_year_earlier",
    "basis",
    "reporting",
    "provisional",
    "left_out",
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


def result_rows(result: AuditResult, lang: str = "zh") -> pl.DataFrame:
    """The results with ``reason`` in ``lang`` and each indicator's ``value_kind`` (what
    the JSON and CSV writers show)."""
    return result.results.with_columns(
        reason=reason_expr(result.results, lang),
        value_kind=pl.col("indicator").replace_strict(
            dict(result.value_kinds), default="number", return_dtype=pl.String
        ),
    )


def results_frame(result: AuditResult, lang: str = "zh") -> pl.DataFrame:
    """One column per key of a JSON result, in the contract's order (objects as structs;
    ``reason_params`` a JSON object's text, embedded as an object)."""
    reporting = pl.when(pl.col("reporting_expected").is_not_null()).then(
        pl.struct(
            expected="reporting_expected",
            reported="reporting_reported",
            rejected="reporting_rejected",
            missing="reporting_missing",
            missing_prior_share="missing_prior_share",
        )
    )
    return (
        result_rows(result, lang)
        .with_columns(reporting=reporting)
        .select(
            *RESULT_KEYS,
            source=pl.struct(document="source_document", clause="source_clause"),
        )
    )


def issues_frame(result: AuditResult, lang: str = "zh") -> pl.DataFrame:
    return result.data_issues.with_columns(message=message_expr(lang)).select(ISSUE_KEYS)


def results_records(result: AuditResult, lang: str = "zh") -> list[dict[str, Any]]:
    return records(results_frame(result, lang))


def issue_records(result: AuditResult, lang: str = "zh") -> list[dict[str, Any]]:
    return records(issues_frame(result, lang))


RowsOf = Callable[[pl.DataFrame], Any]


def to_json_dict(
    result: AuditResult, lang: str = "zh", *, rows: RowsOf = records
) -> dict[str, Any]:
    """The document; ``rows`` makes each array of rows from its frame (dicts by default)."""
    from kpi_audit.render.quality import coverage_records, quality_records

    return {
        "tool": result.tool,
        "version": result.version,
        "schema_version": SCHEMA_VERSION,
        "generated_at": result.generated_at.isoformat(timespec="seconds"),
        "period": result.period,
        "target_sets": list(result.target_sets),
        "area": result.area,
        "summary": result.summary(),
        "aspiration_summary": result.aspiration_summary(),
        "reference_values": [reference_record(r) for r in result.reference_values],
        "results": rows(results_frame(result, lang)),
        "data_issues": rows(issues_frame(result, lang)),
        "completeness": {
            **asdict(result.completeness),
            "counties_without_data": list(result.completeness.counties_without_data),
        },
        "quality": quality_records(result.quality, lang),
        "quality_coverage": coverage_records(result.quality),
        "files_refused": [
            {"file": f.file, "status": f.status, "message": f.message} for f in result.files_refused
        ],
        "registers": [
            {
                "kind": r.kind,
                "year": r.year,
                "rows": r.rows,
                "files": list(r.files),
                "last_loaded": r.last_loaded.isoformat(timespec="seconds")
                if r.last_loaded
                else None,
            }
            for r in result.registers
        ],
    }


def reference_record(r: ReferenceValue) -> dict[str, Any]:
    """A reference value as JSON: context, never a threshold."""
    return {
        "id": r.id,
        "indicator": r.indicator,
        "value": r.value,
        "year": r.year,
        "area": r.area,
        "label_zh": r.label_zh,
        "label_en": r.label_en,
        "source": {
            "document": r.source.citation,
            "clause": r.source.clause,
            "quote": r.source.quote,
        },
    }


def write_json(result: AuditResult, stream: IO[str], lang: str = "zh") -> None:
    write_document(to_json_dict(result, lang, rows=Rows), stream)
