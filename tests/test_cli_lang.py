"""The run's language: --lang anywhere, else KPI_AUDIT_LANG, else the config file, else zh
(kpi_audit/cli/lang.py); a --lang before the command is the command's."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.cli.lang import option_value, run_lang


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPI_AUDIT_LANG", raising=False)
    monkeypatch.delenv("KPI_AUDIT_CONFIG", raising=False)
    return tmp_path


def test_option_value_reads_both_spellings_and_stops_at_double_dash() -> None:
    assert option_value(["--lang", "en", "check"], "--lang") == "en"
    assert option_value(["check", "--lang=en"], "--lang") == "en"
    assert option_value(["--lang", "en", "check", "--lang", "zh"], "--lang") == "zh"
    assert option_value(["check", "--", "--lang", "en"], "--lang") is None
    assert option_value(["check", "--lang"], "--lang") is None


def test_order_argv_then_env_then_config_then_chinese(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_lang(["check"]) == "zh"
    (here / "kpi-audit.toml").write_text('lang = "en"\n', encoding="utf-8")
    assert run_lang(["check"]) == "en"
    (here / "other.toml").write_text('lang = "zh"\n', encoding="utf-8")
    assert run_lang(["--config", "other.toml", "check"]) == "zh"
    monkeypatch.setenv("KPI_AUDIT_LANG", "zh")
    assert run_lang(["check"]) == "zh"
    assert run_lang(["check", "--lang", "en"]) == "en"
    monkeypatch.setenv("KPI_AUDIT_LANG", "fr")  # not a language: the next source decides
    assert run_lang(["check"]) == "en"
    (here / "kpi-audit.toml").write_text("lang = [", encoding="utf-8")  # the root reports it
    assert run_lang(["check"]) == "zh"


def test_a_lang_before_the_command_is_the_commands(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()

    def heading(*args: str) -> str:
        result = runner.invoke(app, [*args, "template", "-o", "t.xlsx", "--force"])
        assert result.exit_code == 0, result.output
        return result.stdout

    assert heading().startswith("已生成模板：")
    assert heading("--lang", "en").startswith("wrote t.xlsx")
    monkeypatch.setenv("KPI_AUDIT_LANG", "zh")
    assert heading("--lang", "en").startswith("wrote t.xlsx")  # the command line wins
    monkeypatch.delenv("KPI_AUDIT_LANG")
    (here / "kpi-audit.toml").write_text('lang = "en"\n', encoding="utf-8")
    assert heading().startswith("wrote t.xlsx")  # the config file's lang
    assert heading("--lang", "zh").startswith("已生成模板：")
