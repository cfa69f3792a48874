"""The typer application: global options, command registration, and the single place
where exceptions become exit codes and one-line messages."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from kpi_audit import __version__
from kpi_audit.cli.coercion import defer_coercion
from kpi_audit.cli.console import silence_stdout
from kpi_audit.cli.help import HelpContext, help_text, localize, summary
from kpi_audit.cli.lang import META_KEY, Lang, run_lang
from kpi_audit.core.errors import (
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    KpiAuditError,
)
from kpi_audit.store.db import ENV_DB, ENV_WAIT

if TYPE_CHECKING:
    from collections.abc import Collection

    from rich.console import Console

    from kpi_audit.core.result import AuditResult


def err_console() -> Console:
    """The stderr console, made when an error is reported (rich is not needed to start)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


# Command name → the module whose ``register(app)`` adds it. A module is imported only when
# its command runs (or --help lists it), so `kpi-audit --version` imports none of them.
COMMANDS: dict[str, str] = {
    "ingest": "kpi_audit.cli.commands.ingest",
    "submissions": "kpi_audit.cli.commands.submissions",
    "registers": "kpi_audit.cli.commands.registers",
    "template": "kpi_audit.cli.commands.template",
    "check": "kpi_audit.cli.commands.check",
    "report": "kpi_audit.cli.commands.report",
    "targets": "kpi_audit.cli.commands.targets",
    "quality": "kpi_audit.cli.commands.quality",
    "export": "kpi_audit.cli.commands.export",
}
# Each command's help, as a key of the word table (render/words/cli.py): its first
# sentence is its line in `kpi-audit --help`, listed without importing and building all
# nine commands (half of that start). A test holds each equal to the command's own help,
# in both languages.
SUMMARIES: dict[str, str] = {name: f"help.{name}" for name in COMMANDS}
# Plain click help: rich's help formatter alone costs more than the rest of the start.
_TYPER_SETTINGS: dict[str, Any] = {
    "pretty_exceptions_enable": False,
    "add_completion": False,
    "rich_markup_mode": None,
}


class _MappedErrorsGroup(TyperGroup):
    """Turns library exceptions into one clear line on stderr and the contract exit
    code; ``--debug`` shows the traceback as well. Loads each command on first use, its
    help in the run's language (cli/help.py)."""

    context_class = HelpContext

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[META_KEY] = lang = run_lang(args)
        localize(self, lang, ctx)
        defer_coercion(self.get_params(ctx))  # options left at their defaults need no pydantic
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = command = _load_command(cmd_name)
            localize(command, _lang(ctx), ctx)
            # its help option inherits this context's names (-h, --help)
            defer_coercion(command.get_params(ctx))
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list of --help, from SUMMARIES for the commands not loaded."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        lang = _lang(ctx)
        rows = [
            (name, summary(help_text(SUMMARIES[name], lang) or "", lang, limit))
            if name in SUMMARIES and name not in self.commands
            else (name, self.get_command(ctx, name).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException):
            raise
        except KpiAuditError as exc:
            from kpi_audit.render.i18n import error_line

            _report(ctx, exc, error_line(exc, _lang(ctx)))
            code = exc.exit_code
        except KeyboardInterrupt:
            err_console().print(_words("cli.interrupted", ctx))
            code = 130
        except BrokenPipeError:
            # stdout closed early (`kpi-audit ... | head`) where no command guarded it: a
            # closed stdout never changes the code (domain.md §6).
            silence_stdout()
            code = (ctx.find_root().obj or {}).get("exit_code", EXIT_OK)
        except Exception as exc:
            from kpi_audit.core.environment import environment_failure

            failure = environment_failure(exc)
            if failure is not None:  # a full disk, a read-only place: exit 3, not 4
                from kpi_audit.render.i18n import error_line

                _report(ctx, exc, error_line(failure, _lang(ctx)))
                code = failure.exit_code
            else:
                line = _words("cli.internal_error", ctx, error=f"{type(exc).__name__}: {exc}")
                _report(ctx, exc, line)
                code = EXIT_INTERNAL
        # Raised outside the except blocks so the Exit carries no reference to the
        # failed call's frames (which hold open DuckDB objects).
        raise typer.Exit(code)


def outcome_code(result: AuditResult, failing: Collection[str], *, quality: bool = False) -> int:
    """The exit code of a completed audit (domain.md §6): 3 when a named file was
    refused (the audit of the others is written all the same), else 1 when a result
    has a status in ``failing`` (or, with ``quality``, the data-quality review found an
    error), else 0. Exceptions map in :class:`_MappedErrorsGroup`."""
    if result.files_refused:
        return EXIT_INPUT
    if quality and result.quality is not None and result.quality.errors():
        return EXIT_FAILED
    summary = result.summary()
    return EXIT_FAILED if any(summary.get(s) for s in failing) else EXIT_OK


def _lang(ctx: Any) -> str:
    """The run's language (kpi_audit/cli/lang.py), decided when the arguments were parsed."""
    return str(ctx.find_root().meta.get(META_KEY, "zh"))


def _words(key: str, ctx: Any, **params: object) -> str:
    from kpi_audit.render.i18n import label

    return label(key, _lang(ctx), **params)


def _report(ctx: Any, exc: BaseException, line: str) -> None:
    obj = ctx.find_root().obj or {}
    if obj.get("debug"):
        err_console().print_exception(show_locals=False)
    err_console().print(line, markup=False, soft_wrap=True)


app = typer.Typer(
    cls=_MappedErrorsGroup,
    name="kpi-audit",
    help="help.app",
    no_args_is_help=True,
    # shell completion on: `kpi-audit --install-completion` (bash, zsh, fish, PowerShell)
    **{**_TYPER_SETTINGS, "add_completion": True},
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kpi-audit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", envvar=ENV_DB, help="help.root.db"),
    ] = None,
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            envvar=ENV_WAIT,
            metavar="SECONDS",
            min=0,
            help="help.root.wait",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="help.root.quiet"),
    ] = False,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="help.root.verbose")
    ] = 0,
    lang: Annotated[
        Lang | None,
        typer.Option(
            "--lang",
            help="help.root.lang",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="help.root.config",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="help.root.debug")] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="help.root.version"),
    ] = None,
) -> None:
    setup_logging(quiet=quiet, verbose=verbose)
    from kpi_audit.cli.config import config_path, default_map, load_config

    # a --lang before the command is the command's (lang_option in cli/options.py)
    ctx.obj = {"db": db, "wait": wait, "debug": debug, "quiet": quiet, "lang": lang}
    settings = load_config(config_path(config))
    if settings:
        # the command line and the environment win over the file
        ctx.obj["db"] = db if db is not None else settings.get("db") and Path(settings["db"])
        ctx.obj["wait"] = wait if wait is not None else settings.get("wait")
        ctx.default_map = {**(ctx.default_map or {}), **default_map(settings)}


def setup_logging(*, quiet: bool = False, verbose: int = 0) -> None:
    """kpi-audit's messages go through ``logging`` to stderr: INFO by default (what was
    written, waiting for the store), WARNING and worse with --quiet, DEBUG with -v (each
    file's ingest and the audit's steps with their times; in English, as diagnostics)."""
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    logger = logging.getLogger("kpi_audit")
    for handler in list(logger.handlers):
        if getattr(handler, "_kpi_audit", False):
            logger.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler._kpi_audit = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


class _StderrHandler(logging.StreamHandler):
    """Writes to the *current* sys.stderr (CliRunner swaps it per invocation)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _load_command(name: str) -> Any:
    """The click command ``name``, built from its module's ``register(app)``."""
    holder = typer.Typer(**_TYPER_SETTINGS)
    importlib.import_module(COMMANDS[name]).register(holder)
    return typer.main.get_group(holder).commands[name]


def main() -> None:
    _reopen_closed_streams()
    try:
        app()
    except SystemExit as done:
        code = _flush_stdout()
        raise (SystemExit(code) if code is not None else done) from None
    except BaseException as exc:  # pragma: no cover - typer already mapped what it could
        print(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL)
    code = _flush_stdout()
    if code is not None:
        sys.exit(code)


def _reopen_closed_streams() -> None:
    """Started with stdout or stderr closed (``>&-``): Python has None there. Write into
    /dev/null instead, as into a closed pipe: the output is lost, the exit code is not."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _flush_stdout() -> int | None:
    """Flush now, so a closed pipe is silenced here instead of failing at exit (120).
    A stdout that cannot take the output (``>/dev/full``) is exit 3, said on stderr."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except OSError as exc:
        from kpi_audit.core.environment import environment_failure

        failure = environment_failure(exc)
        if failure is None:
            raise
        from kpi_audit.cli.lang import run_lang
        from kpi_audit.render.i18n import error_line

        silence_stdout()
        print(f"stdout: {error_line(failure, run_lang(sys.argv[1:]))}", file=sys.stderr)
        return failure.exit_code
    return None
