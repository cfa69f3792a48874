"""The word tables of :mod:`kpi_audit.render.i18n`, one module per area. Each is a
``dict[str, tuple[str, str]]`` of ``key -> (zh, en)``; :data:`LABELS` is their union
(a key is in exactly one table). Import words through :mod:`kpi_audit.render.i18n`."""

from __future__ import annotations

from kpi_audit.render.words.cli import CLI
from kpi_audit.render.words.errors import ERRORS
from kpi_audit.render.words.issues import ISSUES
from kpi_audit.render.words.quality import QUALITY
from kpi_audit.render.words.reasons import REASONS
from kpi_audit.render.words.report import REPORT
from kpi_audit.render.words.targets import TARGETS
from kpi_audit.render.words.template import TEMPLATE
from kpi_audit.render.words.terminal import TERMINAL

TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "report": REPORT,
    "terminal": TERMINAL,
    "targets": TARGETS,
    "cli": CLI,
    "errors": ERRORS,
    "reasons": REASONS,
    "issues": ISSUES,
    "quality": QUALITY,
    "template": TEMPLATE,
}


def merged() -> dict[str, tuple[str, str]]:
    """Every table in one dict; a key in two tables is an error."""
    labels: dict[str, tuple[str, str]] = {}
    for area, table in TABLES.items():
        twice = labels.keys() & table.keys()
        if twice:
            raise ValueError(f"word keys in more than one table ({area}): {sorted(twice)}")
        labels.update(table)
    return labels
