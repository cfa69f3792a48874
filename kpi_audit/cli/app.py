"""The typer application: global options, command registration, and the single place
where exceptions become exit codes and one-line messages."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from kpi_audit import __version__
from kpi_audit.core.errors import EXIT_INTERNAL, KpiAuditError
from kpi_audit.store.db import ENV_DB

err_console = Console(stderr=True, highlight=False)


class _MappedErrorsGroup(TyperGroup):
    """Turns library exceptions into one clear line on stderr and the contract exit
    code; ``--debug`` shows the traceback as well."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException):
            raise
        except KpiAuditError as exc:
            _report(ctx, exc, f"error: {exc}")
            code = exc.exit_code
        except KeyboardInterrupt:
            err_console.print("interrupted")
            code = 130
        except BrokenPipeError:
            # stdout closed early (`kpi-audit ... | head`): stop quietly, as Unix tools do.
            _silence_stdout()
            code = 141
        except Exception as exc:
            _report(
                ctx,
                exc,
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            )
            code = EXIT_INTERNAL
        # Raised outside the except blocks so the Exit carries no reference to the
        # failed call's frames (which hold open DuckDB objects).
        raise typer.Exit(code)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (e.g. under CliRunner)
        pass


def _report(ctx: Any, exc: BaseException, line: str) -> None:
    obj = ctx.find_root().obj or {}
    if obj.get("debug"):
        err_console.print_exception(show_locals=False)
    err_console.print(line, markup=False, soft_wrap=True)


app = typer.Typer(
    cls=_MappedErrorsGroup,
    name="kpi-audit",
    help="KPI compliance auditor for health-system reform offices (医改办): ingest quarterly "
    "institution submissions, check them against the reform documents' targets, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
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
        typer.Option("--db", envvar=ENV_DB, help="DuckDB store file (default ./kpi_audit.duckdb)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = None,
) -> None:
    ctx.obj = {"db": db, "debug": debug}


def _register() -> None:
    from kpi_audit.cli.commands import (
        check,
        ingest,
        report,
        submissions,
        targets,
        template,
    )

    for module in (ingest, submissions, template, check, report):
        module.register(app)
    app.add_typer(targets.targets_app, name="targets")


_register()


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except BaseException:  # pragma: no cover - typer already mapped everything it could
        sys.exit(EXIT_INTERNAL)
