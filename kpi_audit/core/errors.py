"""Real failures (not data problems) and the one place they map to exit codes.

Data problems in a submission are *records* (see ``kpi_audit.ingest.validate``), not exceptions.

An error the user sees is data too: a stable ``code`` and its ``params``, whose words are
the ``error.<code>`` entry of ``kpi_audit/render/words/errors.py`` (Chinese and English).
``str(exc)`` is the English message, for library users and logs; the CLI renders the
code in the user's language (``kpi_audit.render.i18n.error_line``, called in cli/app.py).
An error raised with a message and no code is shown as that English message.
Exit codes are a contract (domain.md §6): 0 no target failed, 1 a target failed,
2 usage error, 3 input or configuration error (also an unwritable output path),
4 internal error (a bug in kpi-audit), 5 the store is busy (another run held it for
longer than ``--wait``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
# Added to the contract: a bug in kpi-audit itself, so cron never mistakes it for
# "a target failed" (1).
EXIT_INTERNAL = 4
# Another process held the store for longer than --wait: try again later.
EXIT_BUSY = 5


class KpiAuditError(Exception):
    """Base class; ``exit_code`` says how the CLI ends."""

    exit_code = EXIT_INPUT

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
        path: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        if message is None:
            if code is None:
                raise TypeError("a KpiAuditError needs a message or a code")
            message = _english(code, self.params)
        super().__init__(message)
        self.message = message
        self.path = path
        self.sheet = sheet
        self.row = row
        self.column = column

    def location(self) -> str:
        parts = [p for p in (self.path, self.sheet and f"sheet {self.sheet}") if p]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class UsageError(KpiAuditError):
    """Bad command-line usage (exit 2)."""

    exit_code = EXIT_USAGE


class InputError(KpiAuditError):
    """A file cannot be read or understood: missing, corrupt, no header, bad encoding."""

    exit_code = EXIT_INPUT


class ConfigError(KpiAuditError):
    """An invalid target file or indicator catalog."""

    exit_code = EXIT_INPUT


class NoDataError(KpiAuditError):
    """Nothing loaded for the requested period."""

    exit_code = EXIT_INPUT


class OutputError(KpiAuditError):
    """An output cannot be written: read-only folder, a file where a folder must be, a
    folder where the file should go. An environment problem, so exit 3, never 4."""

    exit_code = EXIT_INPUT


class StoreBusyError(KpiAuditError):
    """Another process held the store's lock for longer than we were allowed to wait."""

    exit_code = EXIT_BUSY


def _english(code: str, params: Mapping[str, Any]) -> str:
    """The English message of ``code`` from the word table (loaded when an error is made)."""
    from kpi_audit.render.i18n import coded_text

    shown = {k: str(v) if isinstance(v, KpiAuditError) else v for k, v in params.items()}
    return coded_text("error", code, shown, "en")
