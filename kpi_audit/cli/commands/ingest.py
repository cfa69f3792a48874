"""`kpi-audit ingest PATH...`: load submission files into the store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpi_audit.cli.console import echo, out_console
from kpi_audit.cli.options import (
    DEFAULT_ISSUES_SHOWN,
    DataPeriodOption,
    DbOption,
    EncodingOption,
    Lang,
    LangOption,
    SheetOption,
    StrictOption,
    WaitOption,
    open_store,
    parse_date_option,
    parsed_encoding,
)

if TYPE_CHECKING:  # polars, rich and the ingest stage load only when the command runs
    import polars as pl
    from rich.console import Console

    from kpi_audit.ingest.load import ProgressCallback
    from kpi_audit.ingest.report import FileReport, IngestReport


_SEVERITY_RANK = {"error": 0, "warning": 1, "notice": 2}


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            help="help.ingest.paths",
            show_default=False,
        ),
    ],
    period: DataPeriodOption = None,
    sheet: SheetOption = None,
    strict: StrictOption = False,
    encoding: EncodingOption = None,
    show_all: Annotated[
        bool,
        typer.Option("--show-all", help="help.ingest.show_all"),
    ] = False,
    lang: LangOption = Lang.zh,
    received: Annotated[
        str | None,
        typer.Option(
            "--received",
            help="help.ingest.received",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    wait: WaitOption = None,
) -> None:
    """Load institution submissions; rows with errors are kept aside as rejects."""
    encoding = parsed_encoding(encoding)
    from kpi_audit.ingest.load import ingest_paths

    received_on = parse_date_option(received, "--received")
    con = open_store(ctx, db, wait, read_only=False)
    try:
        with _progress() as on_progress:
            report = ingest_paths(
                con,
                paths,
                period=period,
                sheet=sheet,
                strict=strict,
                on_progress=on_progress,
                received=received_on,
                encoding=encoding,
            )
    finally:
        con.close()
    _print_report(report, show_all=show_all, lang=lang.value)
    report.raise_for_failures()


def _print_report(report: IngestReport, *, show_all: bool, lang: str) -> None:
    """The files (a table on a terminal, else one line each), the issues, the summary."""
    console = out_console(soft_wrap=True)
    if console.is_terminal:
        _print_table(console, report, lang)
    else:
        for f in report.files:
            echo(_file_line(f, lang))
    _print_issues(report.issues, limit=None if show_all else DEFAULT_ISSUES_SHOWN, lang=lang)
    echo(_summary(report, lang))


@contextmanager
def _progress() -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("ingest", total=None)

    def advance(path: str, done: int, total: int) -> None:
        progress.update(task, completed=done, total=total, description=Path(path).name)

    with progress:
        yield advance


def label(key: str, lang: str, **fmt: object) -> str:
    """The words of ``key`` (kpi_audit.render.i18n, loaded when the command runs)."""
    from kpi_audit.render.i18n import label as i18n_label

    return i18n_label(key, lang, **fmt)


def _counted(key: str, n: int, lang: str) -> str:
    """``1 row`` / ``2 rows`` (``{key}.one`` is the form for 1)."""
    return label(f"{key}.one" if n == 1 else key, lang, n=n)


def _detail(f: FileReport, lang: str) -> str:
    if f.status == "failed":
        from kpi_audit.render.i18n import error_text

        error = error_text(f.cause, lang) if f.cause is not None else f.error or ""
        # The error names the file for the one-line message; the table already does.
        for sep in (": ", ", ", "：", "，"):
            error = error.removeprefix(f"{f.path}{sep}")
        return error
    if f.status == "unchanged":
        if f.loaded_before is None:
            return label("ingest.unchanged_plain", lang)
        at, path = f.loaded_before
        return label("ingest.unchanged", lang, at=at, path=path)
    sep = label("ingest.list_sep", lang)
    where = []
    if f.sheets:
        where.append(label("ingest.sheets", lang, sheets=sep.join(f.sheets)))
    if f.periods:
        where.append(label("ingest.periods", lang, periods=sep.join(f.periods)))
    if f.status == "rejected":
        counts = label(
            "ingest.strict_counts", lang, rows=_counted("ingest.rows", f.rows_rejected, lang)
        )
    else:
        rows = _counted("ingest.rows", f.rows_loaded, lang)
        counts = label("ingest.counts", lang, rows=rows, rejected=f.rows_rejected)
    return " · ".join([*where, counts])


def _status_word(status: str, lang: str) -> str:
    return label(f"ingest.status.{status}", lang)


def _file_line(f: FileReport, lang: str) -> str:
    from kpi_audit.render.format import display_width

    word = _status_word(f.status, lang)
    # padded to 9 screen columns (a Chinese character takes two)
    return f"{word}{' ' * max(9 - display_width(word), 0)}  {f.path}  {_detail(f, lang)}"


def _print_table(console: Console, report: IngestReport, lang: str) -> None:
    from rich.table import Table

    table = Table(
        *(label(f"ingest.col.{c}", lang) for c in ("status", "file", "detail")), show_edge=False
    )
    style = {"loaded": "green", "unchanged": "dim", "rejected": "yellow", "failed": "red"}
    for f in report.files:
        word = _status_word(f.status, lang)
        table.add_row(f"[{style[f.status]}]{word}[/]", f.path, _detail(f, lang))
    console.print(table)


def _print_issues(issues: pl.DataFrame, *, limit: int | None, lang: str) -> None:
    """Errors one per line (each is a rejected row); warnings and notices that share a
    code and a column grouped into one line, unless ``limit`` is None (--show-all),
    which lists every issue."""
    if issues.height == 0:
        return
    import polars as pl

    counts = issues.get_column("severity").value_counts()
    by = dict(
        zip(
            counts.get_column("severity").to_list(),
            counts.get_column("count").to_list(),
            strict=True,
        )
    )
    parts = [
        _counted(f"ingest.n_{s}", by[s], lang) for s in ("error", "warning", "notice") if s in by
    ]
    echo(label("ingest.issues", lang, counts=label("ingest.list_sep", lang).join(parts)))
    message = "message_zh" if lang == "zh" else "message_en"
    # Errors first: a screenful of notices must not hide the rows that were rejected.
    rank = pl.col("severity").replace_strict(_SEVERITY_RANK, default=len(_SEVERITY_RANK))
    issues = issues.sort(rank, maintain_order=True)
    if limit is None:
        for r in issues.iter_rows(named=True):  # --show-all: the user asked for every line
            echo(_issue_line(r, message))
        return
    lines = _grouped_lines(issues, message, lang)
    for text, _ in lines[:limit]:
        echo(text)
    hidden = sum(n for _, n in lines[limit:])
    if hidden:
        echo("  " + label("ingest.more", lang, n=hidden))


def _issue_line(r: dict[str, Any], message: str) -> str:
    column = f" {r['header']}" if r["header"] and r["code"] != "unknown_column" else ""
    return f"  {_where(r)}{column}  {r['severity']} {r['code']}: {r[message]}"


def _where(r: dict[str, Any]) -> str:
    return ":".join(str(p) for p in (r["file"], r["sheet"], r["row"]) if p is not None)


def _grouped_lines(issues: pl.DataFrame, message: str, lang: str) -> list[tuple[str, int]]:
    """(line, issues it stands for): every error on its own line, then one line per
    group of warnings or notices sharing severity, code, field and header (the 「备注」
    column every file of a folder has), in the order of ``issues``."""
    import polars as pl

    errors = issues.filter(pl.col("severity") == "error")
    groups = (
        issues.filter(pl.col("severity") != "error")
        .group_by("severity", "code", "field", "header", maintain_order=True)
        .agg(
            pl.first("file", "sheet", "row", message),
            n=pl.len(),
            n_files=pl.col("file").n_unique(),
            same_message=pl.col(message).n_unique() == 1,
        )
    )
    lines = [(_issue_line(r, message), 1) for r in errors.iter_rows(named=True)]
    for g in groups.iter_rows(named=True):  # one per group: a handful
        if g["n"] == 1:
            lines.append((_issue_line(g, message), 1))
            continue
        files = _counted("ingest.files", g["n_files"], lang)
        if g["n"] == g["n_files"]:
            where = label("ingest.group.in_files", lang, files=files)
        else:
            where = label("ingest.group.times", lang, files=files, n=g["n"])
        example = "" if g["same_message"] else label("ingest.group.example", lang)
        text = label(
            "ingest.group", lang, example=example, message=g[message], where=where, first=_where(g)
        )
        lines.append((f"  {g['severity']} {g['code']}: {text}", g["n"]))
    return lines


def _summary(report: IngestReport, lang: str) -> str:
    from kpi_audit.ingest.report import STATUSES

    by_status = label("ingest.list_sep", lang).join(
        label("ingest.by_status", lang, n=len(report.with_status(s)), status=_status_word(s, lang))
        for s in STATUSES
        if report.with_status(s)
    )
    line = label(
        "ingest.summary",
        lang,
        files=_counted("ingest.files", len(report.files), lang),
        by_status=by_status,
        rows=_counted("ingest.rows", report.rows_loaded, lang),
        rejected=report.rows_rejected,
    )
    if report.rows_rejected and not report.with_status("rejected"):
        line += label("ingest.summary.rejected_note", lang)
    return line


def register(app: typer.Typer) -> None:
    app.command("ingest", help="help.ingest")(ingest)
