"""Running from cron (issue 13): the config file, environment variables, --quiet, and the
README's cron line run as cron runs it (env -i, cron's PATH)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _eval_helpers import Q3_2023, Q3_2024, insert_rows
from test_check_cli import targets_file
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.store.db import connect

REPO = Path(__file__).resolve().parent.parent
CRON_PATH = "/usr/bin:/bin"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    con = connect(tmp_path / "kpi_audit.duckdb")
    insert_rows(con, "2023Q3", Q3_2023)
    insert_rows(con, "2024Q3", Q3_2024)
    con.close()
    return tmp_path


def test_the_config_file_gives_db_targets_lang_and_outputs(office: Path, monkeypatch) -> None:
    spec = targets_file(office, visit=0.5, signing=0.6)
    (office / "kpi-audit.toml").write_text(
        f'db = "{office / "kpi_audit.duckdb"}"\ntargets = ["{spec}"]\nlang = "en"\n'
        'outputs = ["out/latest.json", "out/latest.html"]\nwait = 5\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("KPI_AUDIT_DB")
    result = CliRunner().invoke(app, ["-q", "report", "-p", "2024Q3"])
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("", "")  # --quiet: nothing when all is well
    doc = json.loads((office / "out" / "latest.json").read_text(encoding="utf-8"))
    assert doc["summary"]["pass"] == 4 and doc["target_sets"] == ["cli-test"]
    assert (office / "out" / "latest.html").read_text(encoding="utf-8").startswith("<!")
    # the command line wins over the file
    result = CliRunner().invoke(app, ["report", "-p", "2024Q3", "-o", "x.csv", "--lang", "zh"])
    assert result.exit_code == 0 and (office / "x.csv").exists()


def test_a_bad_config_file_is_exit_3(office: Path) -> None:
    (office / "bad.toml").write_text('colour = "blue"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", "bad.toml", "submissions"])
    assert result.exit_code == 3
    assert result.stderr == (
        "错误：bad.toml：未知的设置项 colour（可用：db、targets、lang、outputs、wait）\n"
    )
    result = CliRunner().invoke(app, ["--config", "bad.toml", "--lang", "en", "submissions"])
    assert result.exit_code == 3
    assert result.stderr == (
        "error: bad.toml: unknown key(s) colour (known: db, targets, lang, outputs, wait)\n"
    )


def test_targets_and_lang_from_the_environment(office: Path, monkeypatch) -> None:
    spec = targets_file(office, visit=0.5, signing=0.6)
    monkeypatch.setenv("KPI_AUDIT_TARGETS", spec)
    monkeypatch.setenv("KPI_AUDIT_LANG", "en")
    result = CliRunner().invoke(app, ["--db", "kpi_audit.duckdb", "check", "-p", "2024Q3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "2024Q3: 4 pass · 0 fail · 0 warn · 0 not evaluable"


def readme_cron_line() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- cron-line -->", 1)[1].split("```", 2)[1]
    (line,) = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
    return line


def test_the_readme_cron_line_runs_under_cron(tmp_path: Path) -> None:
    line = readme_cron_line()
    minute, hour, *_, command = line.split(None, 5)
    assert (minute, hour) == ("30", "6")
    # the installation the README's set-up makes: a venv with kpi-audit in it
    venv = tmp_path / "kpi-audit" / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "kpi-audit").symlink_to(Path(sys.executable).parent / "kpi-audit")
    office = tmp_path / "office"
    inbox = office / "inbox"
    shutil.copytree(REPO / "sample_data" / "submissions" / "2024Q3", inbox)
    command = command.replace("/srv/kpi-audit/.venv/bin", str(venv)).replace(
        "/srv/office", str(office)
    )
    done = subprocess.run(
        ["env", "-i", f"PATH={CRON_PATH}", "SHELL=/bin/sh", f"HOME={tmp_path}", "/bin/sh", "-c",
         command],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    # cron mails any output: a run whose targets fail (exit 1) still prints nothing
    assert (done.stdout, done.stderr) == ("", "")
    assert done.returncode in (0, 1)
    for name in ("latest.xlsx", "latest.html", "latest.json"):
        assert (office / "reports" / name).stat().st_size > 0
    doc = json.loads((office / "reports" / "latest.json").read_text(encoding="utf-8"))
    assert doc["period"] == "2024Q3" and doc["files_refused"] == []
    assert not re.search(r"\s>\s", command)  # no shell redirection truncating reports


def test_shell_completion_is_on() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kpi_audit", "--show-completion", "bash"],
        capture_output=True, text=True,
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout and "kpi" in done.stdout
