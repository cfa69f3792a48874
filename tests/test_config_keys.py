"""The config file's keys reach every command that has the option (cli/config.py), and
options given on a command group reach its subcommand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpi_audit.cli.app import app

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("KPI_AUDIT_LANG", "KPI_AUDIT_CONFIG", "KPI_AUDIT_TARGETS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_config_files_lang_reaches_quality_rules_and_targets_validate(here: Path) -> None:
    (here / "kpi-audit.toml").write_text('lang = "en"\n', encoding="utf-8")
    first = invoke("quality", "rules").splitlines()[0]
    assert first.endswith("Outlier against the institution's own history")
    assert invoke("targets", "validate", str(REPO / "targets" / "zhengzhou-2016.toml")) == (
        "OK: 53 targets\n"
    )


def test_the_config_files_targets_reach_export(here: Path) -> None:
    db = here / "k.duckdb"
    invoke("--db", str(db), "ingest", str(REPO / "sample_data" / "submissions"))
    (here / "kpi-audit.toml").write_text('targets = ["zhengzhou-2016"]\n', encoding="utf-8")
    out = invoke("--lang", "en", "--db", str(db), "export", str(here / "parquet"))
    assert "results 3,076 rows" in out  # zhengzhou-2016 only
    (here / "kpi-audit.toml").unlink()
    every = invoke("--lang", "en", "--db", str(db), "export", str(here / "all"))
    assert "results 3,076 rows" not in every  # every bundled set


def test_options_given_on_the_quality_group_reach_rules(here: Path) -> None:
    english = invoke("quality", "--lang", "en", "rules").splitlines()[0]
    assert english.endswith("Outlier against the institution's own history")
    rules = json.loads(invoke("quality", "-f", "json", "rules"))
    assert rules[0]["id"] == "outlier_history"
    # the subcommand's own option still wins
    assert invoke("quality", "-f", "json", "rules", "-f", "csv").startswith("id,kind,")
