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


def test_verbose_adds_a_line_per_file_and_per_audit_step(runner, tmp_path) -> None:
    import re
    from pathlib import Path

    sample = Path(__file__).resolve().parent.parent / "sample_data" / "submissions" / "2024Q3"
    db = str(tmp_path / "k.duckdb")
    args = ["--db", db, "check", str(sample), "-p", "2024Q3", "-t", "zhengzhou-2016"]
    plain = runner.invoke(app, [*args, "-o", str(tmp_path / "a.json")])
    assert plain.exit_code == 1 and plain.stderr.count("\n") == 1  # the "wrote" line only
    result = runner.invoke(app, ["-v", *args, "-o", str(tmp_path / "b.json")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"store {db} opened for writing"
    # the files are all loaded already: each one says so, with its time
    files = [line for line in lines if line.startswith(str(sample))]
    assert len(files) == 7
    assert all(
        re.fullmatch(r".*\.(xlsx|csv): unchanged, 0 rows loaded, 0 rejected, \d+\.\d\d s", f)
        for f in files
    )
    assert re.search(
        r"^audit of 2024Q3: 1 target sets, trends off, \d+ results, \d+\.\d\d s$",
        result.stderr,
        re.M,
    )
    assert re.search(r"^data-quality review: \d+\.\d\d s$", result.stderr, re.M)
