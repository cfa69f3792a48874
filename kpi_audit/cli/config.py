"""The config file for scheduled runs: ``kpi-audit.toml`` in the working folder, or the
file named by ``--config`` / ``KPI_AUDIT_CONFIG``.

::

    db = "/srv/kpi/kpi_audit.duckdb"
    targets = ["zhengzhou-2016"]
    lang = "zh"
    outputs = ["reports/latest.xlsx", "reports/latest.html", "reports/latest.json"]
    wait = 600

Every key is optional. The command line wins over the environment, which wins over the
file. ``targets`` and ``lang`` are defaults for every command that has those options;
``outputs`` are the default ``-o`` files of ``check`` and ``report``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from kpi_audit.core.errors import ConfigError

ENV_CONFIG = "KPI_AUDIT_CONFIG"
DEFAULT_CONFIG = "kpi-audit.toml"
KEYS = ("db", "targets", "lang", "outputs", "wait")
# Commands (by path) that take --targets / --lang / -o.
_TARGETS = ("check", "report", "export", ("targets", "list"), ("targets", "show"))
_LANG = (
    "check",
    "report",
    "ingest",
    "quality",
    "registers",
    "submissions",
    "template",
    "export",
    ("quality", "rules"),
    ("targets", "list"),
    ("targets", "show"),
    ("targets", "validate"),
)
_OUTPUTS = ("check", "report")


def config_path(given: Path | None) -> Path | None:
    """--config, else KPI_AUDIT_CONFIG, else ./kpi-audit.toml when it exists."""
    if given is not None:
        return given
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    here = Path(DEFAULT_CONFIG)
    return here if here.is_file() else None


def load_config(path: Path | None) -> dict[str, Any]:
    """The checked settings of the config file (empty without one)."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            code="config_unreadable", params={"reason": exc.strerror}, path=str(path)
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            code="config_not_toml", params={"detail": str(exc)}, path=str(path)
        ) from exc
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(
            code="config_unknown_keys",
            params={"keys": unknown, "known": list(KEYS)},
            path=str(path),
        )
    for key in ("targets", "outputs"):
        if isinstance(data.get(key), str):
            data[key] = [data[key]]
        if key in data and not all(isinstance(v, str) for v in data[key]):
            raise ConfigError(code="config_not_strings", params={"key": key}, path=str(path))
    if "lang" in data and data["lang"] not in ("zh", "en"):
        raise ConfigError(code="config_lang", params={"value": repr(data["lang"])}, path=str(path))
    if "wait" in data and (not isinstance(data["wait"], int | float) or data["wait"] < 0):
        raise ConfigError(code="config_wait", path=str(path))
    if "db" in data and not isinstance(data["db"], str):
        raise ConfigError(code="config_db", path=str(path))
    return data


def default_map(config: dict[str, Any]) -> dict[str, Any]:
    """click's default_map: per command, the option defaults the config gives."""
    defaults: dict[str, Any] = {}

    def put(command: str | tuple[str, str], option: str, value: Any) -> None:
        node = defaults
        for part in (command,) if isinstance(command, str) else command:
            node = node.setdefault(part, {})
        node[option] = value

    for key, commands, option in (
        ("targets", _TARGETS, "targets"),
        ("lang", _LANG, "lang"),
        ("outputs", _OUTPUTS, "output"),
    ):
        if key in config:
            for command in commands:
                put(command, option, config[key])
    return defaults
