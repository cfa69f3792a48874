"""Options shared by several commands, in typer's Annotated style, and the helpers
that resolve them."""

from __future__ import annotations

import logging
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from kpi_audit.cli.lang import DEFAULT_LANG, ENV_LANG, META_KEY, Lang
from kpi_audit.core.errors import UsageError
from kpi_audit.store.db import DEFAULT_WAIT_SECONDS, default_db_path

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb

    from kpi_audit.core.models import Level as CoreLevel
    from kpi_audit.core.result import AuditResult
    from kpi_audit.render import FileFormat

log = logging.getLogger("kpi_audit.cli")
# Every help= below (and in cli/app.py, cli/commands/) is a key of the word table
# (kpi_audit/render/words/cli.py), put in the run's language by cli/help.py.
DEFAULT_ISSUES_SHOWN = 20  # ingest lists this many issues unless --show-all

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="help.opt.db",
        show_default=False,
    ),
]
WaitOption = Annotated[
    float | None,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        min=0,
        help="help.opt.wait",
        show_default=False,
    ),
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        "-p",
        help="help.opt.period",
    ),
]
DataPeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        "-p",
        help="help.opt.data_period",
    ),
]
TargetsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--targets",
        "-t",
        envvar="KPI_AUDIT_TARGETS",
        help="help.opt.targets",
    ),
]
SheetOption = Annotated[list[str] | None, typer.Option("--sheet", help="help.opt.sheet")]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="help.opt.encoding",
        show_default=False,
    ),
]


def parsed_encoding(encoding: str | None) -> str | None:
    """--encoding, refused (exit 2) before anything is opened when Python has no such
    text encoding."""
    if not encoding:
        return None
    from kpi_audit.ingest.encoding import check_encoding

    return check_encoding(encoding)


StrictOption = Annotated[bool, typer.Option("--strict", help="help.opt.strict")]


class Level(StrEnum):
    facility = "facility"
    county = "county"
    city = "city"
    all = "all"


LevelOption = Annotated[Level, typer.Option("--level", help="help.opt.level")]


def given_before(ctx: typer.Context, name: str) -> Any:
    """The value of option ``name`` given on the command line to a command group this
    command runs under (``kpi-audit quality -f json rules``), else None."""
    from typer._click.core import ParameterSource

    parent = ctx.parent
    while parent is not None:
        given = parent.get_parameter_source(name) == ParameterSource.COMMANDLINE
        if given and name in parent.params:
            return parent.params[name]
        parent = parent.parent
    return None


def given_here(ctx: typer.Context, name: str) -> bool:
    """Whether option ``name`` of this command was given on its command line."""
    from typer._click.core import ParameterSource

    return ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE


def _lang_given_before(ctx: typer.Context, param: typer.CallbackParam, value: Lang) -> Lang:
    """A command's --lang: its own on the command line, else a --lang given before the
    command (``kpi-audit --lang en check``, ``kpi-audit quality --lang en rules``), else
    the environment / config / zh."""
    if param.name is None or given_here(ctx, param.name):
        return value
    before = given_before(ctx, param.name) or (ctx.find_root().obj or {}).get("lang")
    return value if before is None else Lang(before)


LangOption = Annotated[
    Lang,
    typer.Option(
        "--lang",
        envvar=ENV_LANG,
        callback=_lang_given_before,
        help="help.opt.lang",
    ),
]


def parse_date_option(text: str | None, option: str) -> date | None:
    """An ISO date given on the command line (UsageError when it is not one)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(code="not_a_date", params={"option": option, "text": text}) from None


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
    from kpi_audit.render.i18n import coded_text
    from kpi_audit.store.db import StoreWait, connect

    lang = str(ctx.find_root().meta.get(META_KEY, DEFAULT_LANG))

    def waiting(notice: StoreWait) -> None:  # the line in the run's language
        logging.getLogger("kpi_audit.store").info(
            "%s", coded_text("notice", notice.code, notice.params, lang)
        )

    return connect(
        resolve_db(ctx, db), read_only=read_only, wait=resolve_wait(ctx, wait), on_wait=waiting
    )


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
        help="help.opt.fail_on",
    ),
]
FilesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="help.opt.files",
        show_default=False,
    ),
]


MinReportingOption = Annotated[
    float,
    typer.Option(
        "--min-reporting",
        min=0.0,
        max=1.0,
        help="help.opt.min_reporting",
    ),
]
MaxMissingShareOption = Annotated[
    float,
    typer.Option(
        "--max-missing-share",
        min=0.0,
        max=1.0,
        help="help.opt.max_missing_share",
    ),
]
DEFAULT_MIN_REPORTING = 0.90  # = kpi_audit.evaluate.reporting (not imported: start-up time)
DEFAULT_MAX_MISSING_SHARE = 0.05


def exit_code(result: AuditResult, fail_on: FailOn = FailOn.fail) -> int:
    """3 when a named file was refused, 1 when any result has a status ``fail_on``
    counts as failing, else 0 (the mapping lives in cli/app.py)."""
    from kpi_audit.cli.app import outcome_code

    return outcome_code(result, FAILING_STATUSES[fail_on], quality=fail_on == FailOn.quality)


OutputsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--output",
        "-o",
        help="help.opt.outputs",
        show_default=False,
    ),
]


def draws_trends(planned: Sequence[tuple[Path, FileFormat]]) -> bool:
    """Whether an output draws the 8-period trends and runs of misses: the HTML report's
    lines and the Excel first page's 连续 N 期 do; JSON and CSV do not."""
    return any(f in ("html", "xlsx") for _, f in planned)


def planned_outputs(
    outputs: Sequence[Path], fmt: str | None = None
) -> list[tuple[Path, FileFormat]]:
    """Each -o with its format, checked before the audit runs: a bad extension is a
    usage error (2), a path that cannot be written an :class:`OutputError` (3)."""
    from kpi_audit.core.atomic import check_writable
    from kpi_audit.core.errors import UsageError
    from kpi_audit.render import format_from_path

    if fmt is not None and len(outputs) > 1:
        raise UsageError(code="format_with_several_outputs")
    planned = [(p, fmt or format_from_path(p)) for p in outputs]
    seen = [p.resolve() for p, _ in planned]
    if len(set(seen)) < len(seen):
        raise UsageError(code="output_twice")
    for path, _ in planned:
        check_writable(path)
    return planned  # type: ignore[return-value]


def log_refused(result: AuditResult, lang: str = "zh") -> None:
    """One line on stderr per file the run could not load (exit 3), in ``lang`` where
    its error has words (else in English, as the error's message)."""
    from kpi_audit.render.i18n import error_text, error_translated, label

    for f in result.files_refused:
        shown = lang if f.cause is not None and error_translated(f.cause) else "en"
        message = error_text(f.cause, shown) if f.cause is not None else f.message
        if not message.startswith(f.file):
            message = label("error.at", shown, where=f.file, message=message)
        log.error("%s", label("cli.refused", shown, message=message))


def write_outputs(
    result: AuditResult, planned: Sequence[tuple[Path, FileFormat]], lang: str
) -> list[tuple[Path, FileFormat]]:
    """Write every planned report (each atomically); returns them as written."""
    from kpi_audit.render import write_report

    return [(path, write_report(result, path, fmt, lang=lang)) for path, fmt in planned]


def audit_from_options(
    ctx: typer.Context,
    *,
    db: Path | None,
    wait: float | None = None,
    files: list[str] | None,
    period: str | None,
    targets: list[str] | None,
    level: Level,
    sheet: list[str] | None,
    strict: bool,
    trends: bool,
    min_reporting: float = DEFAULT_MIN_REPORTING,
    max_missing_share: float = DEFAULT_MAX_MISSING_SHARE,
    encoding: str | None = None,
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
            min_reporting=min_reporting,
            max_missing_share=max_missing_share,
            encoding=encoding,
        )
    finally:
        con.close()
