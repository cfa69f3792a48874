import subprocess
import sys

from kpi_audit import __version__
from kpi_audit.cli.app import app


def test_version(runner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"kpi-audit {__version__}\n"


def test_unknown_command_is_a_usage_error(runner) -> None:
    result = runner.invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_python_dash_m_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kpi_audit", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout == f"kpi-audit {__version__}\n"
