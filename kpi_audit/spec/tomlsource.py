"""Reading the project's TOML files (the indicator catalog, target files) so that every
problem can name its file, line and key.

tomllib reports the line of a syntax error only inside its message and gives no line
numbers for keys at all, so keys are located by scanning the text: the n-th
``[[name]]`` header, then the ``key =`` line inside that block.

:class:`EntryReader` is the base of the parsers of one table (an ``[[indicator]]``, the
``[set]`` of a target file, a ``[[target]]``): it reads typed values and records each
problem at its key's line, so every file reports mistakes the same way.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from kpi_audit.core.models import LEVELS, Level

_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration file, as data (``path:line: key: message``)."""

    path: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass
class TomlSource:
    """A TOML file's text and parsed data (``data`` is None when it does not parse)."""

    path: str
    text: str
    data: dict[str, Any] | None

    @classmethod
    def read(cls, path: Path) -> tuple[TomlSource, list[ConfigProblem]]:
        """Read and parse ``path``; unreadable files and syntax errors come back as
        problems rather than exceptions."""
        shown = str(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return cls(shown, "", None), [ConfigProblem(shown, None, "", f"cannot read: {reason}")]
        except UnicodeDecodeError:
            return cls(shown, "", None), [ConfigProblem(shown, None, "", "not UTF-8 text")]
        return cls.parse(shown, text)

    @classmethod
    def parse(cls, path: str, text: str) -> tuple[TomlSource, list[ConfigProblem]]:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            m = _AT_LINE.search(message)
            line = int(m.group(1)) if m else None
            message = _AT_LINE.sub("", message)
            return cls(path, text, None), [
                ConfigProblem(path, line, "toml", f"invalid TOML: {message}")
            ]
        return cls(path, text, data), []

    # ---- locating things in the text -------------------------------------------------

    @cached_property
    def _lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def _headers(self) -> list[tuple[int, str, bool]]:
        """Every table header: (1-based line, table name, is an array-of-tables)."""
        found: list[tuple[int, str, bool]] = []
        for number, line in enumerate(self._lines, start=1):
            m = _HEADER.match(line)
            if m and line.strip().startswith("["):
                name = m.group(1).strip().strip("\"'")
                found.append((number, name, line.strip().startswith("[[")))
        return found

    def table_line(self, name: str, index: int | None = None) -> int | None:
        """Line of ``[name]`` (``index`` None) or of the ``index``-th (0-based)
        ``[[name]]`` header."""
        matches = [
            n
            for n, header, is_array in self._headers
            if header == name and is_array == (index is not None)
        ]
        position = 0 if index is None else index
        return matches[position] if position < len(matches) else None

    def key_line(self, name: str, index: int | None, key: str) -> int | None:
        """Line where ``key`` is assigned inside the table located by ``table_line``;
        the table's header line when the key is not written there (a missing key)."""
        start = self.table_line(name, index)
        if start is None:
            return None
        later_headers = [n for n, _, _ in self._headers if n > start]
        end = later_headers[0] if later_headers else len(self._lines) + 1
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*(=|\.)")
        for number in range(start + 1, end):
            if pattern.match(self._lines[number - 1]):
                return number
        return start


class EntryReader:
    """Reads one table of a TOML file (the ``index``-th ``[[table]]``, or ``[table]``
    when ``index`` is None), collecting each problem as a :class:`ConfigProblem` keyed
    ``prefix.key`` at the line where the key is written (the table's header line when
    it is not)."""

    def __init__(
        self, source: TomlSource, table: str, index: int | None, entry: dict[str, Any], prefix: str
    ) -> None:
        self.source = source
        self.table = table
        self.index = index
        self.entry = entry
        self.prefix = prefix
        self.problems: list[ConfigProblem] = []

    def line(self, key: str) -> int | None:
        return self.source.key_line(self.table, self.index, key)

    def problem(self, key: str, message: str, *, at: str | None = None) -> ConfigProblem:
        """``key`` may be dotted (``numerator.field``): the line is its first part's,
        or ``at``'s when given."""
        line = self.line(at or key.split(".")[0])
        return ConfigProblem(self.source.path, line, f"{self.prefix}.{key}", message)

    def _add(self, key: str, message: str, *, at: str | None = None) -> None:
        self.problems.append(self.problem(key, message, at=at))

    def _add_to_table(self, message: str) -> None:
        """A problem with the table as a whole, at its header line."""
        line = self.source.table_line(self.table, self.index)
        self.problems.append(ConfigProblem(self.source.path, line, self.prefix, message))

    def _check_keys(self, known: tuple[str, ...], *, suggest: bool = True) -> None:
        """Each key not in ``known`` is a problem; ``suggest`` names the closest known
        key when there is one (else the message lists them all)."""
        for key in self.entry:
            if key in known:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6) if suggest else []
            self._add(
                key,
                f"unknown key (did you mean {close[0]!r}?)"
                if close
                else f"unknown key (expected one of {', '.join(known)})",
            )

    def _text(
        self, key: str, *, required: bool = False, if_empty: str = "must not be empty"
    ) -> str:
        """The stripped string at ``key`` ("" when absent or not a string). A required
        key that is absent is "missing"; one that is blank gets ``if_empty``."""
        value = self.entry.get(key)
        if value is None:
            if required:
                self._add(key, "missing")
            return ""
        if not isinstance(value, str):
            self._add(key, "must be a string")
            return ""
        if required and not value.strip():
            self._add(key, if_empty)
        return value.strip()

    def _number(self, key: str, *, required: bool) -> float | int | None:
        value = self.entry.get(key)
        if value is None:
            if required:
                self._add(key, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._add(key, f"not a number: {value!r}")
            return None
        return value

    def _levels(
        self, default: tuple[Level, ...], *, limit: Callable[[str], str | None] | None = None
    ) -> tuple[Level, ...]:
        """``levels`` in the canonical order (``default`` when absent). ``limit`` returns
        why a known level is not allowed here, or None."""
        raw = self.entry.get("levels")
        if raw is None:
            return default
        if not isinstance(raw, list) or not raw:
            self._add("levels", f"must be a non-empty list of {', '.join(LEVELS)}")
            return ()
        for level in raw:
            reason: str | None
            if level not in LEVELS:
                reason = f"unknown level {level!r} (expected {', '.join(LEVELS)})"
            else:
                reason = limit(level) if limit else None
            if reason:
                self._add("levels", reason)
                return ()
        # Always in the canonical order, whatever order the file lists them in.
        return tuple(level for level in LEVELS if level in raw)
