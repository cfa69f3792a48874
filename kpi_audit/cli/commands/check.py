"""`kpi-audit check [FILES...]`: evaluate the targets for a period and report."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from kpi_audit.cli.console import out_console, stdout_closed_ok
from kpi_audit.cli.options import (
    DEFAULT_MAX_MISSING_SHARE,
    DEFAULT_MIN_REPORTING,
    DbOption,
    EncodingOption,
    FailOn,
    FailOnOption,
    FilesArgument,
    Lang,
    LangOption,
    Level,
    LevelOption,
    MaxMissingShareOption,
    MinReportingOption,
    OutputsOption,
    PeriodOption,
    SheetOption,
    StrictOption,
    TargetsOption,
    WaitOption,
    audit_from_options,
    draws_trends,
    exit_code,
    log,
    log_refused,
    parsed_encoding,
    planned_outputs,
    write_outputs,
)


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
        OutputFormat, typer.Option("--format", "-f", help="help.opt.format.stdout")
    ] = OutputFormat.table,
    fail_on: FailOnOption = FailOn.fail,
    output: OutputsOption = None,
    sheet: SheetOption = None,
    strict: StrictOption = False,
    encoding: EncodingOption = None,
    min_reporting: MinReportingOption = DEFAULT_MIN_REPORTING,
    max_missing_share: MaxMissingShareOption = DEFAULT_MAX_MISSING_SHARE,
    lang: LangOption = Lang.zh,
    db: DbOption = None,
    wait: WaitOption = None,
) -> None:
    """Check the targets for a period: exit 0 when none failed, 1 when one did, 3 when a
    named file could not be loaded (the others are audited all the same)."""
    encoding = parsed_encoding(encoding)
    planned = planned_outputs(output or [])  # before the audit: a bad path fails fast
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
        min_reporting=min_reporting,
        max_missing_share=max_missing_share,
        encoding=encoding,
        trends=draws_trends(planned),
    )
    code = exit_code(result, fail_on)
    ctx.find_root().ensure_object(dict)["exit_code"] = code
    with stdout_closed_ok():
        if fmt == OutputFormat.json:
            from kpi_audit.render.json_out import write_json

            write_json(result, sys.stdout, lang.value)
        elif fmt == OutputFormat.csv:
            from kpi_audit.render.csv_out import write_csv

            write_csv(result, sys.stdout, lang.value)
        else:
            from kpi_audit.render.terminal import print_result

            print_result(result, out_console(), level=level.value, lang=lang.value)
    from kpi_audit.render.i18n import label

    for path, written in write_outputs(result, planned, lang.value):
        log.info("%s", label("cli.wrote", lang.value, path=str(path), fmt=written))
    log_refused(result, lang.value)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("check", help="help.check")(check)
