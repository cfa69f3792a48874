"""Options shared by several commands, in typer's Annotated style, and the helpers
that resolve them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from kpi_audit.core.errors import EXIT_FAILED, EXIT_OK, UsageError
from kpi_audit.store.db import DEFAULT_WAIT_SECONDS, ENV_DB, ENV_WAIT, default_db_path

if TYPE_CHECKING:
    import duckdb

    from kpi_audit.core.models import Level as CoreLevel
    from kpi_audit.core.result import AuditResult

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help=f"DuckDB store file (env {ENV_DB}; default ./kpi_audit.duckdb).",
        show_default=False,
    ),
]
WaitOption = Annotated[
    float | None,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        min=0,
        help=f"How long to wait for another run that holds the store, then exit 5 "
        f"(env {ENV_WAIT}; default {DEFAULT_WAIT_SECONDS:g}).",
        show_default=False,
    ),
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        "-p",
        help="Reporting period: 2024Q3, 2024年第三季度, 2024 (whole year), or latest.",
    ),
]
DataPeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        "-p",
        help="Period of files that have no 报告期 column: 2024Q3, 2024年第三季度, 2024.",
    ),
]
TargetsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--targets",
        "-t",
        help="Target set name (e.g. zhengzhou-2016) or path to a target file; repeatable.",
    ),
]
SheetOption = Annotated[
    str | None, typer.Option("--sheet", help="Read only this sheet (name or 1-based number).")
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Reject a whole file when any row has an error.")
]


class Level(StrEnum):
    facility = "facility"
    county = "county"
    city = "city"
    all = "all"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


LevelOption = Annotated[Level, typer.Option("--level", help="Which level(s) to report.")]
LangOption = Annotated[Lang, typer.Option("--lang", help="Report language.")]


def parse_date_option(text: str | None, option: str) -> date | None:
    """An ISO date given on the command line (UsageError when it is not one)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option}: '{text}' is not a date (write it as 2024-10-12)") from None


def resolve_db(ctx: typer.Context, db: Path | None) -> Path:
    """The command's --db, else the top-level --db / KPI_AUDIT_DB, else the default."""
    if db is not None:
        return db
    root = ctx.find_root().obj or {}
    return root.get("db") or default_db_path()


def resolve_wait(ctx: typer.Context, wait: float | None) -> float:
    """The command's --wait, else the top-level --wait / KPI_AUDIT_WAIT, else the default."""
    if wait is not None:
        return wait
    root = ctx.find_root().obj or {}
    given = root.get("wait")
    return DEFAULT_WAIT_SECONDS if given is None else float(given)


def open_store(
    ctx: typer.Context, db: Path | None, wait: float | None, *, read_only: bool
) -> duckdb.DuckDBPyConnection:
    """The store for a command: read-only for commands that only read, so any number of
    them run at once; waiting up to --wait seconds for a writer."""
    from kpi_audit.store.db import connect

    return connect(resolve_db(ctx, db), read_only=read_only, wait=resolve_wait(ctx, wait))


class FailOn(StrEnum):
    fail = "fail"
    warn = "warn"
    not_evaluable = "not-evaluable"
    quality = "quality"  # a failed target, or a data-quality finding of severity error


FAILING_STATUSES: dict[FailOn, tuple[str, ...]] = {
    FailOn.fail: ("fail",),
    FailOn.warn: ("fail", "warn"),
    FailOn.not_evaluable: ("fail", "warn", "not_evaluable"),
    FailOn.quality: ("fail",),
}

FailOnOption = Annotated[
    FailOn,
    typer.Option(
        "--fail-on",
        help="Exit 1 when any result is at this level or worse (fail < warn < not-evaluable); "
        "quality: a failed target or a data-quality finding of severity error.",
    ),
]
FilesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Submission files, folders or globs to ingest first (optional: without them "
        "the store is used as loaded).",
        show_default=False,
    ),
]


def exit_code(result: AuditResult, fail_on: FailOn = FailOn.fail) -> int:
    """1 when any result has a status ``fail_on`` counts as failing, else 0."""
    summary = result.summary()
    if fail_on == FailOn.quality and result.quality is not None and result.quality.errors():
        return EXIT_FAILED
    return EXIT_FAILED if any(summary[s] for s in FAILING_STATUSES[fail_on]) else EXIT_OK


def audit_from_options(
    ctx: typer.Context,
    *,
    db: Path | None,
    wait: float | None = None,
    files: list[str] | None,
    period: str | None,
    targets: list[str] | None,
    level: Level,
    sheet: str | None,
    strict: bool,
    trends: bool,
) -> AuditResult:
    """What `check` and `report` share: open the store and run the audit."""
    from kpi_audit.evaluate import audit

    given = (period or "latest").strip()
    con = open_store(ctx, db, wait, read_only=not files)
    try:
        return audit(
            con,
            period=given,
            target_specs=targets or [],
            files=files or [],
            levels=None if level == Level.all else [cast("CoreLevel", level.value)],
            sheet=sheet,
            strict=strict,
            # --period also names the period of files without a 报告期 column
            data_period=None if given.lower() == "latest" else given,
            trends=trends,
        )
    finally:
        con.close()
