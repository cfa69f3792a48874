"""Start-up stays light: the CLI imports the heavy libraries only in the commands that use
them. Checked in a fresh interpreter (the test process has imported them already); the
time itself is measured in benchmarks/bench_startup.py, never here."""

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from kpi_audit.cli.app import COMMANDS, SUMMARIES, _load_command, app
from kpi_audit.cli.help import help_text, localize, summary

# pydantic: typer builds a TypeAdapter per processed option (kpi_audit/cli/coercion.py
# defers that until an option has a value)
HEAVY = ("polars", "duckdb", "openpyxl", "jinja2", "pyarrow", "fastexcel", "rich", "pydantic")


def _loaded_after(code: str) -> dict[str, list[str]]:
    probe = (
        "import sys, json\n"
        f"{code}\n"
        "names = sorted(sys.modules)\n"
        f"heavy = [m for m in names if m.split('.')[0] in {HEAVY!r}]\n"
        "commands = [m for m in names if m.startswith('kpi_audit.cli.commands.')]\n"
        "print(json.dumps({'heavy': heavy, 'commands': commands}))\n"
    )
    # as a user starts it: no store or wait set in the environment (a set --db is a value,
    # coerced by typer's pydantic adapter)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_AUDIT_")}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import kpi_audit.cli.app")
    assert loaded == {"heavy": [], "commands": []}


def test_version_loads_no_command_module() -> None:
    code = (
        "from kpi_audit.cli.app import app\n"
        "try:\n"
        "    app(['--version'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass"
    )
    assert _loaded_after(code) == {"heavy": [], "commands": []}


def _help_code(*argv: str) -> str:
    return (
        "import contextlib, io\n"
        "from kpi_audit.cli.app import COMMANDS, SUMMARIES, app\n"
        "from kpi_audit.cli.help import help_text\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n"
        f"        app({list(argv)!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
    )


def test_help_lists_every_command_without_loading_one() -> None:
    code = _help_code("--help") + (
        "text = ' '.join(buf.getvalue().split())\n"
        "assert all(f' {name} {help_text(SUMMARIES[name], \"zh\")[:6]}' in text\n"
        "           for name in COMMANDS), text"
    )
    assert _loaded_after(code) == {"heavy": [], "commands": []}


def test_command_help_loads_that_command_only() -> None:
    code = _help_code("check", "--help") + "assert '--fail-on' in buf.getvalue()"
    loaded = _loaded_after(code)
    assert loaded == {"heavy": [], "commands": ["kpi_audit.cli.commands.check"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_summary_is_the_commands_own_first_sentence(name: str, lang: str) -> None:
    """The line `kpi-audit --help` shows without loading the command is the first
    sentence of the help the command itself has, in either language."""
    command = _load_command(name)
    localize(command, lang)
    listed = summary(help_text(SUMMARIES[name], lang) or "", lang)
    assert listed == command.get_short_help_str(10_000)
    assert command.help.startswith(listed)
    assert len(listed) > 10


def test_deferred_coercion_still_validates_global_options() -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["--wait", "-1", "submissions"])
    assert refused.exit_code == 2
    assert "greater than or equal to 0" in refused.output
    not_a_number = runner.invoke(app, ["-v", "--wait", "soon", "check", "--help"])
    assert not_a_number.exit_code == 2
    assert "--wait" in not_a_number.output
