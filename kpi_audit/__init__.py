"""kpi-audit: KPI compliance auditor for China's health-system reform offices.

The public Python API (the README's "Python API" section runs it)::

    import kpi_audit as ka

    con = ka.open_store("kpi_audit.duckdb")  # or ":memory:"
    ka.ingest_paths(con, ["sample_data/submissions"]).raise_for_failures()
    result = ka.run_audit(con, period="2024Q3", target_sets=ka.load_target_sets(["zhengzhou-2016"]))
    ka.write_report(result, "out/2024Q3.xlsx")

Every name below is imported on first use, so ``import kpi_audit`` loads neither polars,
DuckDB, openpyxl nor jinja2. Failures are :class:`KpiAuditError` subclasses; data problems
in submissions are records (``IngestReport.issues``, ``AuditResult.data_issues``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kpi_audit._version import __version__

# public name → (module, attribute)
_EXPORTS: dict[str, tuple[str, str]] = {
    # the steps of an audit
    "open_store": ("kpi_audit.store.db", "connect"),
    "ingest_paths": ("kpi_audit.ingest.load", "ingest_paths"),
    "load_catalog": ("kpi_audit.spec.catalog", "load_catalog"),
    "load_target_sets": ("kpi_audit.spec.targets", "load_target_sets"),
    "bundled_target_sets": ("kpi_audit.spec.targets", "bundled_target_sets"),
    "run_audit": ("kpi_audit.evaluate.engine", "run_audit"),
    "audit": ("kpi_audit.evaluate", "audit"),
    "write_report": ("kpi_audit.render", "write_report"),
    # what they return and take
    "AuditResult": ("kpi_audit.core.result", "AuditResult"),
    "IngestReport": ("kpi_audit.ingest.report", "IngestReport"),
    "FileReport": ("kpi_audit.ingest.report", "FileReport"),
    "TargetSet": ("kpi_audit.core.models", "TargetSet"),
    "Target": ("kpi_audit.core.models", "Target"),
    "Indicator": ("kpi_audit.core.models", "Indicator"),
    "Period": ("kpi_audit.core.periods", "Period"),
    "parse_period": ("kpi_audit.core.periods", "parse_period"),
    # the errors (each maps to one CLI exit code)
    "KpiAuditError": ("kpi_audit.core.errors", "KpiAuditError"),
    "UsageError": ("kpi_audit.core.errors", "UsageError"),
    "InputError": ("kpi_audit.core.errors", "InputError"),
    "ConfigError": ("kpi_audit.core.errors", "ConfigError"),
    "NoDataError": ("kpi_audit.core.errors", "NoDataError"),
    "OutputError": ("kpi_audit.core.errors", "OutputError"),
    "StoreBusyError": ("kpi_audit.core.errors", "StoreBusyError"),
}

__all__ = [
    "AuditResult",
    "ConfigError",
    "FileReport",
    "Indicator",
    "IngestReport",
    "InputError",
    "KpiAuditError",
    "NoDataError",
    "OutputError",
    "Period",
    "StoreBusyError",
    "Target",
    "TargetSet",
    "UsageError",
    "__version__",
    "audit",
    "bundled_target_sets",
    "ingest_paths",
    "load_catalog",
    "load_target_sets",
    "open_store",
    "parse_period",
    "run_audit",
    "write_report",
]

if TYPE_CHECKING:
    from kpi_audit.core.errors import (
        ConfigError,
        InputError,
        KpiAuditError,
        NoDataError,
        OutputError,
        StoreBusyError,
        UsageError,
    )
    from kpi_audit.core.models import Indicator, Target, TargetSet
    from kpi_audit.core.periods import Period, parse_period
    from kpi_audit.core.result import AuditResult
    from kpi_audit.evaluate import audit
    from kpi_audit.evaluate.engine import run_audit
    from kpi_audit.ingest.load import ingest_paths
    from kpi_audit.ingest.report import FileReport, IngestReport
    from kpi_audit.render import write_report
    from kpi_audit.spec.catalog import load_catalog
    from kpi_audit.spec.targets import bundled_target_sets, load_target_sets
    from kpi_audit.store.db import connect as open_store


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'kpi_audit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
