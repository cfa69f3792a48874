"""``check --format csv``: one row per result, the JSON result keys flattened (the
reason in the output language, its parameters as a JSON object string)."""

from __future__ import annotations

from typing import IO

from kpi_audit.core.result import AuditResult
from kpi_audit.render.json_out import RESULT_KEYS, result_rows

CSV_COLUMNS = (*RESULT_KEYS, "source_document", "source_clause")


def write_csv(result: AuditResult, stream: IO[str], lang: str = "zh") -> None:
    stream.write(result_rows(result, lang).select(CSV_COLUMNS).write_csv())
