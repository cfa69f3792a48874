"""`kpi-audit check [FILES...]`: evaluate the targets for a period and report."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kpi_audit.cli.options import (
    DbOption,
    Lang,
    LangOption,
    Level,
    LevelOption,
    PeriodOption,
    SheetOption,
    StrictOption,
    TargetsOption,
    resolve_db,
)
from kpi_audit.errors import EXIT_FAILED, EXIT_OK
from kpi_audit.result import AuditResult
from kpi_audit.store.db import connect


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class FailOn(StrEnum):
    fail = "fail"
    warn = "warn"
    not_evaluable = "not-evaluable"


FAILING_STATUSES: dict[FailOn, tuple[str, ...]] = {
    FailOn.fail: ("fail",),
    FailOn.warn: ("fail", "warn"),
    FailOn.not_evaluable: ("fail", "warn", "not_evaluable"),
}


def exit_code(result: AuditResult, fail_on: FailOn = FailOn.fail) -> int:
    """1 when any result has a status ``fail_on`` counts as failing, else 0."""
    summary = result.summary()
    return EXIT_FAILED if any(summary[s] for s in FAILING_STATUSES[fail_on]) else EXIT_OK


def check(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Submission files, folders or globs to ingest before checking (optional: "
            "without them the store is checked as loaded).",
            show_default=False,
        ),
    ] = None,
    period: PeriodOption = None,
    targets: TargetsOption = None,
    level: LevelOption = Level.all,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = OutputFormat.table,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Exit 1 when any result is at this level or worse (fail < warn < not-evaluable).",
        ),
    ] = FailOn.fail,
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
) -> None:
    """Check the targets for a period: exit 0 when none failed, 1 when one did."""
    from kpi_audit.evaluate import audit

    given = (period or "latest").strip()
    con = connect(resolve_db(ctx, db))
    try:
        result = audit(
            con,
            period=given,
            target_specs=targets or [],
            files=files or [],
            levels=None if level == Level.all else [level.value],
            sheet=sheet,
            strict=strict,
            data_period=None if given.lower() == "latest" else given,
        )
    finally:
        con.close()
    if fmt == OutputFormat.json:
        from kpi_audit.render.json_out import write_json

        write_json(result, sys.stdout)
    elif fmt == OutputFormat.csv:
        from kpi_audit.render.csv_out import write_csv

        write_csv(result, sys.stdout)
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
