"""The README's Python API example runs as written, and agrees with the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kpi_audit.cli.app import app

REPO = Path(__file__).resolve().parent.parent


def _api_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- api-example -->\n```python\n(.*?)```", text, re.S)
    assert match, "README.md has no <!-- api-example --> python block"
    return match.group(1)


def test_the_example_is_five_lines_of_work() -> None:
    lines = [ln for ln in _api_example().splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "import kpi_audit as ka"
    assert len(lines) - 1 == 5


def test_the_readme_example_runs_and_matches_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from a copy of the repository root: the example names sample_data/ and out/.
    (tmp_path / "sample_data").symlink_to(REPO / "sample_data")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_api_example(), "README.md", "exec"), {})

    cli = CliRunner().invoke(
        app,
        [
            "--db",
            str(tmp_path / "cli.duckdb"),
            "check",
            "sample_data/submissions",
            "--period",
            "2024Q3",
            "--targets",
            "zhengzhou-2016",
            "--format",
            "json",
        ],
    )
    assert cli.exit_code == 1, cli.output  # some targets are missed
    summary = json.loads(cli.stdout)["summary"]
    assert printed.getvalue() == f"{summary}\n"
    assert sum(summary.values()) > 0 and summary["fail"] > 0

    workbook = openpyxl.load_workbook(tmp_path / "out" / "2024Q3.xlsx", read_only=True)
    assert len(workbook.sheetnames) >= 3


def test_import_kpi_audit_loads_no_heavy_library() -> None:
    code = (
        "import sys, kpi_audit as ka; "
        "heavy = [m for m in ('polars', 'duckdb', 'openpyxl', 'jinja2', 'pyarrow') "
        "if m in sys.modules]; "
        "print(heavy, sorted(n for n in ka.__all__ if not hasattr(ka, n)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # nothing heavy on import; and every exported name resolves (which then imports them)
    assert out.stdout == "[] []\n"


def test_every_exported_name_is_listed_and_typed() -> None:
    import kpi_audit as ka

    assert set(ka.__all__) == {"__version__", *ka._EXPORTS}
    assert ka.open_store.__module__ == "kpi_audit.store.db"
    assert issubclass(ka.NoDataError, ka.KpiAuditError)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        ka.nothing  # noqa: B018
