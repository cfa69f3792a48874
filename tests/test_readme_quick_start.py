"""The README's quick start: its command names real paths, and every line of the
abridged output it shows is a line the command prints (at 110 columns)."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

from rich.console import Console

from kpi_audit.evaluate import run_audit
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.render.terminal import print_result
from kpi_audit.spec.targets import load_target_sets
from kpi_audit.store.db import connect

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _quick_start() -> tuple[list[str], list[str]]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, flags=re.S)
    command = blocks[0].strip().split("&& ")[-1]
    return shlex.split(command), blocks[2].splitlines()


def test_the_quick_start_output_is_what_the_command_prints() -> None:
    argv, shown = _quick_start()
    assert argv[:2] == [".venv/bin/kpi-audit", "check"]
    paths = [REPO / a for a in argv[2:4]]
    assert all(p.is_dir() for p in paths), paths
    period = argv[argv.index("--period") + 1]
    sets = argv[argv.index("--targets") + 1]
    con = connect(":memory:")
    try:
        ingest_paths(con, paths)
        result = run_audit(con, period=period, target_sets=load_target_sets([sets]))
    finally:
        con.close()
    out = io.StringIO()
    print_result(result, Console(file=out, width=110, no_color=True, force_terminal=False))
    printed = {line.rstrip() for line in out.getvalue().splitlines()}
    missing = [line for line in shown if line.rstrip() not in printed and line != "…"]
    assert missing == []
