"""The language of the whole CLI run (help texts, errors, every line a command prints),
decided from the raw arguments before typer builds or parses anything.

``--lang en|zh`` anywhere on the command line (before or after the command name; the
last one wins, nothing after ``--`` counts), else ``KPI_AUDIT_LANG``, else ``lang`` in
the config file (``--config`` / ``KPI_AUDIT_CONFIG`` / ``./kpi-audit.toml``), else
Chinese. The same order as a command's own ``--lang`` option: the command line, then
the environment, then the config file. Imports nothing heavy: it runs on every start.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

ENV_LANG = "KPI_AUDIT_LANG"
LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
# where the root group keeps the run's language (click's Context.meta, shared by all)
META_KEY = "kpi_audit.lang"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


def option_value(args: Sequence[str], *names: str) -> str | None:
    """The value of the last ``--name value`` / ``--name=value`` in ``args`` (before
    ``--``), else None."""
    found = None
    items = list(args)
    for i, arg in enumerate(items):
        if arg == "--":
            break
        for name in names:
            if arg == name and i + 1 < len(items):
                found = items[i + 1]
            elif arg.startswith(name + "="):
                found = arg[len(name) + 1 :]
    return found


def config_lang(args: Sequence[str]) -> str | None:
    """``lang`` of the config file the run will read, when it names one (errors in the
    file are the root command's to report: here they mean no answer)."""
    from kpi_audit.cli.config import DEFAULT_CONFIG, ENV_CONFIG

    given = option_value(args, "--config") or os.environ.get(ENV_CONFIG)
    path = Path(given) if given else Path(DEFAULT_CONFIG)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    if "lang" not in text:  # the usual case: no need to parse the file
        return None
    import tomllib

    try:
        value = tomllib.loads(text).get("lang")
    except tomllib.TOMLDecodeError:
        return None
    return value if value in LANGS else None


def run_lang(args: Sequence[str]) -> str:
    """The language of a run with these arguments (see the module docstring)."""
    given = option_value(args, "--lang")
    if given is not None and given in LANGS:
        return given
    env = os.environ.get(ENV_LANG, "").strip()
    if env in LANGS:
        return env
    return config_lang(args) or DEFAULT_LANG
