"""``check --format csv``: one row per result, the JSON result keys flattened."""

from __future__ import annotations

from typing import IO

from kpi_audit.core.result import AuditResult
from kpi_audit.render.json_out import RESULT_KEYS

CSV_COLUMNS = (*RESULT_KEYS, "source_document", "source_clause")


def write_csv(result: AuditResult, stream: IO[str]) -> None:
    stream.write(result.results.select(CSV_COLUMNS).write_csv())
