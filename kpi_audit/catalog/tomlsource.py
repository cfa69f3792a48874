"""Reading the project's TOML files (the indicator catalog, target files) so that every
problem can name its file, line and key.

tomllib reports the line of a syntax error only inside its message and gives no line
numbers for keys at all, so keys are located by scanning the text: the n-th
``[[name]]`` header, then the ``key =`` line inside that block.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

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
