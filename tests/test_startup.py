"""Start-up stays light: the CLI imports the heavy libraries only in the commands that use
them. Checked in a fresh interpreter (the test process has imported them already); the
time itself is measured in benchmarks/bench_startup.py, never here."""

import json
import subprocess
import sys

from kpi_audit.cli.app import COMMANDS

HEAVY = ("polars", "duckdb", "openpyxl", "jinja2", "pyarrow", "fastexcel", "rich")


def _loaded_after(code: str) -> dict[str, list[str]]:
    probe = (
        "import sys, json\n"
        f"{code}\n"
        "names = sorted(sys.modules)\n"
        f"heavy = [m for m in names if m.split('.')[0] in {HEAVY!r}]\n"
        "commands = [m for m in names if m.startswith('kpi_audit.cli.commands.')]\n"
        "print(json.dumps({'heavy': heavy, 'commands': commands}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
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


def test_help_lists_every_command_without_heavy_libraries() -> None:
    code = (
        "import contextlib, io\n"
        "from kpi_audit.cli.app import COMMANDS, app\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n"
        "        app(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "assert all(f'  {name} ' in buf.getvalue() for name in COMMANDS), buf.getvalue()"
    )
    loaded = _loaded_after(code)
    assert loaded["heavy"] == []
    assert loaded["commands"] == sorted(COMMANDS.values())  # each for its one-line help
