"""Writing to stdout so that a closed pipe (`kpi-audit … | head`) never changes the
exit code (domain.md §6): the rest of the output is dropped, the command finishes its
work (reports named with -o are still written) and exits with the code it would have."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console


def silence_stdout() -> None:
    """Point stdout at /dev/null, so later writes (and the flush at exit) succeed."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (e.g. under CliRunner)
        pass


def is_closed_pipe(exc: BaseException) -> bool:
    """A write to a closed pipe: Python's BrokenPipeError, or the plain OSError that
    polars' writers raise for it ("Broken pipe (os error 32)")."""
    if isinstance(exc, BrokenPipeError):
        return True
    return isinstance(exc, OSError) and (
        exc.errno == errno.EPIPE or "Broken pipe (os error 32)" in str(exc)
    )


@contextmanager
def stdout_closed_ok() -> Iterator[None]:
    """Run the block; a closed stdout ends the block's output, not the command."""
    try:
        yield
        sys.stdout.flush()
    except OSError as exc:
        if not is_closed_pipe(exc):
            raise
        silence_stdout()


def echo(text: str = "") -> None:
    with stdout_closed_ok():
        typer.echo(text)


def out_console(**options: Any) -> Console:
    """A rich console on stdout whose closed pipe is silenced instead of rich's
    ``SystemExit(1)``."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            silence_stdout()

    options.setdefault("highlight", False)
    return _Console(**options)
