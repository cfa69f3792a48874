"""`kpi-audit report`: evaluate the targets and write the report file (Excel, HTML, JSON
or CSV). The exit code follows `check`: 0 no target failed, 1 at least one did — the
file is written either way."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpi_audit.cli.console import echo
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
    PeriodOption,
    SheetOption,
    StrictOption,
    TargetsOption,
    WaitOption,
    audit_from_options,
    draws_trends,
    exit_code,
    log_refused,
    parsed_encoding,
    planned_outputs,
    write_outputs,
)
from kpi_audit.core.errors import UsageError

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
        list[Path],
        typer.Option(
            "--output",
            "-o",
            help="help.report.output",
            show_default=False,
        ),
    ],
    files: FilesArgument = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="help.report.format",
            show_default=False,
        ),
    ] = None,
    period: PeriodOption = None,
    targets: TargetsOption = None,
    level: LevelOption = Level.all,
    fail_on: FailOnOption = FailOn.fail,
    min_reporting: MinReportingOption = DEFAULT_MIN_REPORTING,
    max_missing_share: MaxMissingShareOption = DEFAULT_MAX_MISSING_SHARE,
    lang: LangOption = Lang.zh,
    sheet: SheetOption = None,
    strict: StrictOption = False,
    encoding: EncodingOption = None,
    db: DbOption = None,
    wait: WaitOption = None,
    split: Annotated[
        SplitBy | None,
        typer.Option(
            "--split",
            help="help.report.split",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the audit as a report for leaders and institutions (Chinese by default)."""
    run_audit = partial(
        audit_from_options,
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
        encoding=parsed_encoding(encoding),
    )
    if split is not None:
        _report_split(ctx, output, level, fmt, fail_on, lang, run_audit)
        return
    # before the audit: a bad extension is exit 2, a path that cannot be written exit 3
    planned = planned_outputs(output, fmt.value if fmt else None)
    result = run_audit(trends=draws_trends(planned))
    code = exit_code(result, fail_on)
    root = ctx.find_root().ensure_object(dict)
    root["exit_code"] = code
    for path, written in write_outputs(result, planned, lang.value):
        if not root.get("quiet"):
            echo(wrote_line(result, path, written, lang.value))
    log_refused(result, lang.value)
    raise typer.Exit(code)


class SplitBy(StrEnum):
    county = "county"


def _report_split(
    ctx: typer.Context,
    output: list[Path],
    level: Level,
    fmt: ReportFormat | None,
    fail_on: FailOn,
    lang: Lang,
    run_audit: Callable[..., AuditResult],
) -> None:
    if len(output) > 1:
        raise UsageError(code="split_one_folder", params={"given": len(output)})
    if level == Level.city:  # a county's report holds its county's results
        raise UsageError(code="split_needs_counties", params={"level": level.value})
    folder = output[0]
    from kpi_audit.core.atomic import check_writable
    from kpi_audit.render.i18n import label
    from kpi_audit.render.split import write_split

    formats = [fmt.value] if fmt else ["xlsx", "html"]
    if folder.exists() and not folder.is_dir():
        from kpi_audit.core.errors import OutputError

        raise OutputError(code="split_is_file", path=str(folder))
    check_writable(folder / "index.html")  # before the audit: a bad folder fails fast (3)
    result = run_audit(trends=True)
    written = write_split(result, folder, formats, lang=lang.value)
    if not ctx.find_root().ensure_object(dict).get("quiet"):
        for path in written[:-1]:
            echo(path.name)
        n = (len(written) - 1) // len(formats)
        echo(label("cli.wrote_split", lang.value, n=n, folder=folder, index=written[-1].name))
    log_refused(result, lang.value)
    raise typer.Exit(exit_code(result, fail_on))


def wrote_line(result: AuditResult, path: Path, fmt: str, lang: str) -> str:
    """``已生成报告：out.xlsx（xlsx）  ✔ 达标 25 · ✘ 未达标 18 · …`` — one line."""
    from kpi_audit.core.result import STATUSES
    from kpi_audit.render.format import STATUS_SYMBOL
    from kpi_audit.render.i18n import label

    counts = result.summary()
    tally = " · ".join(
        f"{STATUS_SYMBOL[s]} {label(f'status.{s}', lang)} {counts[s]}" for s in STATUSES
    )
    return f"{label('cli.wrote', lang, path=path, fmt=fmt)}  {tally}"


def register(app: typer.Typer) -> None:
    app.command("report", help="help.report")(report)
