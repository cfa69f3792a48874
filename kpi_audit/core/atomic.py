"""Atomic file output: a reader (or the next cron run) sees the old complete file or the
new complete file, never a partial one.

Every writer in kpi-audit goes through :func:`atomic_write`: the bytes go to a temp file
in the target's folder (so the rename stays on one file system), are flushed and
fsynced, and the temp file is ``os.replace``d onto the target; the folder is fsynced so
the rename survives a power cut. New files get the mode the umask gives (0666 & ~umask),
as a plain ``open()`` would. Temp files left by a killed run are removed by the next
write to the same target. :func:`check_writable` finds an impossible output path before
any work is done.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from kpi_audit.core.errors import OutputError

TEMP_SUFFIX = ".kpi-audit-tmp"
# A temp file whose writer's PID is alive is left alone, unless it is this old
# (the PID was reused by an unrelated process).
STALE_AFTER_SECONDS = 24 * 3600


def temp_path_for(path: Path) -> Path:
    """``.<name>.<pid>.<random>.kpi-audit-tmp`` next to ``path`` (hidden, and named so the
    next run can tell whose it is)."""
    return path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


@contextmanager
def atomic_write(
    path: str | Path,
    mode: str = "wb",
    *,
    encoding: str | None = None,
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temp file for writing; on a clean exit make it ``path`` atomically.

    On an exception the temp file is removed and ``path`` is left as it was. An OS error
    (read-only folder, disk full) becomes :class:`OutputError` (exit 3).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path)
    _ensure_folder(target)
    remove_stale_temps(target)
    tmp = temp_path_for(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise _output_error(target, exc) from exc
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _output_error(target, exc) from exc
        raise
    _fsync_folder(target.parent)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_write(path) as fh:
        fh.write(data)


def write_text_atomic(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    with atomic_write(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temp files a killed run left next to ``path``; returns those removed."""
    removed: list[Path] = []
    try:
        candidates = list(path.parent.glob(f".{_glob_escape(path.name)}.*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    now = time.time()
    for tmp in candidates:
        pid = _writer_pid(tmp, path.name)
        if pid is None or pid == os.getpid():
            continue
        try:
            old = now - tmp.stat().st_mtime > STALE_AFTER_SECONDS
            if old or not _alive(pid):
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


def check_writable(path: str | Path) -> None:
    """Raise :class:`OutputError` (one line) unless ``path`` can be written atomically:
    it is not a folder or a special file, its folder exists or can be made (no file in
    the way), and a file can be created there."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(code="output_is_folder", path=str(target))
    if target.exists() and not target.is_file():
        raise OutputError(code="output_not_regular", path=str(target))
    folder = _existing_folder(target)
    probe = folder / f".{target.name}.{os.getpid()}.probe{TEMP_SUFFIX}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _output_error(target, exc) from exc
    os.close(fd)
    probe.unlink(missing_ok=True)


def _existing_folder(target: Path) -> Path:
    """The nearest folder above ``target`` that exists; a file in the way is an error."""
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(
            code="output_folder_is_file", params={"folder": str(folder)}, path=str(target)
        )
    return folder


def _ensure_folder(target: Path) -> None:
    if target.is_dir():
        raise OutputError(code="output_is_folder", path=str(target))
    _existing_folder(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _output_error(target, exc) from exc


def _output_error(target: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""
    return OutputError(
        code="cannot_write_file", params={"reason": f"{reason}{where}"}, path=str(target)
    )


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the file system can)."""
    _fsync_folder(folder)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a temp it names may still be written)."""
    return _alive(pid)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is still atomic
    finally:
        os.close(fd)


def _writer_pid(tmp: Path, name: str) -> int | None:
    middle = tmp.name[len(name) + 2 : -len(TEMP_SUFFIX)]  # "<pid>.<random>"
    pid, _, _ = middle.partition(".")
    return int(pid) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)
