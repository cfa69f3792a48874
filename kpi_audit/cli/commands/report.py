"""`kpi-audit report`: evaluate the targets and write the report file (Excel, HTML, JSON
or CSV). The exit code follows `check`: 0 no target failed, 1 at least one did — the
file is written either way."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from kpi_audit.core.result import AuditResult


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    html = "html"
    json = "json"
    csv = "csv"


def report(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The report file to write.", show_default=False)
    ],
    files: FilesArgument = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Report format (default: from the extension of --output).",
            show_default=False,
        ),
    ] = None,
    period: PeriodOption = None,
    targets: TargetsOption = None,
    level: LevelOption = Level.all,
    fail_on: FailOnOption = FailOn.fail,
    lang: LangOption = Lang.zh,
    sheet: SheetOption = None,
    strict: StrictOption = False,
    db: DbOption = None,
    wait: WaitOption = None,
) -> None:
    """Write the audit as a report for leaders and institutions (Chinese by default)."""
    chosen = fmt.value if fmt else format_from_path(output)  # bad extension: usage error
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
        trends=chosen == "html",  # only the HTML report draws the 8-period trends
    )
    from kpi_audit.render import write_report

    written = write_report(result, output, chosen, lang=lang.value)
    typer.echo(wrote_line(result, output, written, lang.value))
    raise typer.Exit(exit_code(result, fail_on))


def wrote_line(result: AuditResult, path: Path, fmt: str, lang: str) -> str:
    """``已生成报告：out.xlsx（xlsx）  ✔ 达标 25 · ✘ 未达标 18 · …`` — one line."""
    from kpi_audit.core.result import STATUSES
    from kpi_audit.render.labels import STATUS_SYMBOL, label

    counts = result.summary()
    tally = " · ".join(
        f"{STATUS_SYMBOL[s]} {label(f'status.{s}', lang)} {counts[s]}" for s in STATUSES
    )
    return f"{label('cli.wrote', lang, path=path, fmt=fmt)}  {tally}"


def register(app: typer.Typer) -> None:
    app.command("report")(report)
