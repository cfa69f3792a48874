"""kpi-audit: KPI compliance auditor for China's health-system reform offices."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kpi-audit")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"
