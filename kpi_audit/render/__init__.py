"""Renderers: each takes one evaluated :class:`~kpi_audit.core.result.AuditResult`.

- ``terminal.print_result(result, console, *, level, lang)`` — rich tables
- ``json_out.to_json_dict(result, lang)`` / ``json_out.write_json(result, stream, lang)`` —
  domain.md §5
- ``csv_out.write_csv(result, stream, lang)`` — one row per result
- ``xlsx.write_xlsx(result, path, *, lang)`` — the workbook for leaders
- ``html.write_html(result, path, *, lang)`` — the self-contained page
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kpi_audit.core.errors import UsageError

if TYPE_CHECKING:
    from kpi_audit.core.result import AuditResult

FileFormat = Literal["json", "csv", "xlsx", "html"]
_BY_SUFFIX: dict[str, FileFormat] = {
    ".json": "json",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
}


def format_from_path(path: Path) -> FileFormat:
    try:
        return _BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise UsageError(code="unknown_report_suffix", params={"name": path.name}) from None


def write_report(
    result: AuditResult, path: str | Path, fmt: FileFormat | None = None, *, lang: str = "zh"
) -> FileFormat:
    """Write ``result`` to ``path`` in ``fmt`` (default: from the file extension)."""
    path = Path(path)
    fmt = fmt or format_from_path(path)
    from kpi_audit.core.atomic import atomic_write

    if fmt == "json":
        from kpi_audit.render.json_out import write_json

        with atomic_write(path, "w", encoding="utf-8") as fh:
            write_json(result, fh, lang)
    elif fmt == "csv":
        from kpi_audit.render.csv_out import write_csv

        # UTF-8 with BOM so that Excel on Chinese Windows opens it correctly.
        with atomic_write(path, "w", encoding="utf-8-sig", newline="") as fh:
            write_csv(result, fh, lang)
    elif fmt == "xlsx":
        from kpi_audit.render.xlsx import write_xlsx

        write_xlsx(result, path, lang=lang)
    elif fmt == "html":
        from kpi_audit.render.html import write_html

        write_html(result, path, lang=lang)
    else:  # pragma: no cover - Literal guards this
        raise UsageError(code="unknown_format", params={"fmt": fmt})
    return fmt
