"""`kpi-audit quality --period P [--format table|json|csv]` and `kpi-audit quality rules`:
the data-quality review of the store, and the rule catalogue."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from kpi_audit.cli.options import (
    DbOption,
    Lang,
    LangOption,
    PeriodOption,
    WaitOption,
    given_before,
    given_here,
    open_store,
)
from kpi_audit.core.errors import EXIT_FAILED, EXIT_OK

quality_app = typer.Typer(
    help="help.quality",
    invoke_without_command=True,
    rich_markup_mode=None,
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="help.opt.format.stdout")
]


@quality_app.callback()
def quality(
    ctx: typer.Context,
    period: PeriodOption = None,
    fmt: FormatOption = OutputFormat.table,
    fail_on_error: Annotated[
        bool,
        typer.Option("--fail-on-error", help="help.quality.fail_on_error"),
    ] = False,
    lang: LangOption = Lang.zh,
    db: DbOption = None,
    wait: WaitOption = None,
) -> None:
    """Review the period's submissions against the rule catalogue (exit 0 unless
    --fail-on-error and an error finding)."""
    if ctx.invoked_subcommand is not None:
        return
    from kpi_audit.quality import review

    con = open_store(ctx, db, wait, read_only=True)
    try:
        result = review(con, period=(period or "latest").strip())
    finally:
        con.close()
    if fmt == OutputFormat.json:
        from kpi_audit.render.quality import review_json

        json.dump(review_json(result, lang.value), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == OutputFormat.csv:
        from kpi_audit.render.quality import write_quality_csv

        write_quality_csv(result, sys.stdout, lang.value)
    else:
        from rich.console import Console

        from kpi_audit.render.quality import print_review

        print_review(result, Console(highlight=False, soft_wrap=False), lang=lang.value)
    raise typer.Exit(EXIT_FAILED if fail_on_error and result.errors() else EXIT_OK)


@quality_app.command("rules", help="help.quality.rules")
def rules(
    ctx: typer.Context,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="help.quality.rules.format")
    ] = OutputFormat.table,
    lang: LangOption = Lang.zh,
) -> None:
    """List the rule catalogue: id, kind, severity, parameters."""
    from kpi_audit.quality import load_rules
    from kpi_audit.render.quality import rule_rows, write_rule_rows_csv

    group_fmt = None if given_here(ctx, "fmt") else given_before(ctx, "fmt")
    if group_fmt is not None:
        fmt = OutputFormat(group_fmt)  # kpi-audit quality -f json rules
    rows = rule_rows(load_rules(), lang.value)
    if fmt == OutputFormat.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if fmt == OutputFormat.csv:
        write_rule_rows_csv(rows, sys.stdout)
        return
    for r in rows:
        params = ", ".join(f"{k}={_short(v)}" for k, v in r["parameters"].items())
        typer.echo(f"{r['id']}  [{r['kind']}, {r['severity']}]  {r['name']}")
        typer.echo(f"    {params}")


def _short(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, [])) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def register(app: typer.Typer) -> None:
    app.add_typer(quality_app, name="quality")
