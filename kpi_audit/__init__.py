"""kpi-audit: KPI compliance auditor for China's health-system reform offices."""

from kpi_audit._version import __version__

__all__ = ["__version__"]
