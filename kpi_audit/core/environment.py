"""Failures of the machine, not of kpi-audit: a full disk, a read-only or forbidden
place, an I/O error. Whatever raised them — Python's own writes (an OSError with its
errno) or DuckDB's (an IOException whose text carries the system's reason) — they are
input/output errors for the user (exit 3), never an internal error (4, domain.md §6)."""

from __future__ import annotations

import errno
import os

from kpi_audit.core.errors import OutputError

_ERRNOS = (
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EFBIG,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.EIO,
)
_REASONS = {os.strerror(e): e for e in _ERRNOS}


def environment_failure(exc: BaseException) -> OutputError | None:
    """The user's error for ``exc`` when the machine caused it, else None."""
    reason: str | None = None
    if isinstance(exc, OSError) and exc.errno in _ERRNOS:
        reason = os.strerror(exc.errno)
        detail = str(exc.filename or errno.errorcode[exc.errno])
    elif type(exc).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        text = str(exc).strip()
        reason = next((r for r in _REASONS if r in text), None)
        detail = text.splitlines()[0] if text else ""
    if reason is None:
        return None
    return OutputError(code="environment_failure", params={"reason": reason, "detail": detail})
