"""`kpi-audit check [FILES...]`: evaluate the targets for a period and report."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kpi_audit.cli.options import (
    DbOption,
    FailOn,
    FailOnOption,
    FilesArgument,
    Lang,
    LangOption,
    Level,
    LevelOption,
    PeriodOption,
    SheetOption,
    StrictOption,
    TargetsOption,
    WaitOption,
    audit_from_options,
    exit_code,
)
from kpi_audit.render import format_from_path


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def check(
    ctx: typer.Context,
    files: FilesArgument = None,
    period: PeriodOption = None,
    targets: TargetsOption = None,
    level: LevelOption = Level.all,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = OutputFormat.table,
    fail_on: FailOnOption = FailOn.fail,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write the report to this file (.xlsx, .html, .json, .csv).",
            show_default=False,
        ),
    ] = None,
    sheet: SheetOption = None,
    strict: StrictOption = False,
    lang: LangOption = Lang.zh,
    db: DbOption = None,
    wait: WaitOption = None,
) -> None:
    """Check the targets for a period: exit 0 when none failed, 1 when one did."""
    result = audit_from_options(
        ctx,
        db=db,
        wait=wait,
        files=files,
        period=period,
        targets=targets,
        level=level,
        sheet=sheet,
        strict=strict,
        # only the HTML report draws the 8-period trends
        trends=output is not None and format_from_path(output) == "html",
    )
    from rich.console import Console

    if fmt == OutputFormat.json:
        from kpi_audit.render.json_out import write_json

        write_json(result, sys.stdout, lang.value)
    elif fmt == OutputFormat.csv:
        from kpi_audit.render.csv_out import write_csv

        write_csv(result, sys.stdout, lang.value)
    else:
        from kpi_audit.render.terminal import print_result

        print_result(result, Console(highlight=False), level=level.value, lang=lang.value)
    if output is not None:
        from kpi_audit.render import write_report
        from kpi_audit.render.labels import label

        written = write_report(result, output, lang=lang.value)
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            label("cli.wrote", lang.value, path=str(output), fmt=written), markup=False
        )
    raise typer.Exit(exit_code(result, fail_on))


def register(app: typer.Typer) -> None:
    app.command("check")(check)
