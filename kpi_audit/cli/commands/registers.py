"""`kpi-audit registers`: the reference registers loaded (areas by year, institutions)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from kpi_audit.cli.console import echo, out_console
from kpi_audit.cli.options import DbOption, Lang, LangOption, WaitOption, open_store

_HEADINGS = ("kind", "year", "rows", "counties", "files", "last_loaded")


class RegistersFormat(StrEnum):
    table = "table"
    json = "json"


def registers(
    ctx: typer.Context,
    db: DbOption = None,
    wait: WaitOption = None,
    lang: LangOption = Lang.zh,
    fmt: Annotated[
        RegistersFormat, typer.Option("--format", "-f", help="help.opt.format.list")
    ] = RegistersFormat.table,
) -> None:
    """List the loaded registers (area register per year, institution register) and the
    data issues between them and the submissions."""
    from rich.table import Table

    from kpi_audit.render.i18n import label
    from kpi_audit.store.registers import register_coverage_issues, register_summary

    con = open_store(ctx, db, wait, read_only=True)
    try:
        summary = register_summary(con)
        issues = register_coverage_issues(con)
    finally:
        con.close()
    language = lang.value
    if fmt is RegistersFormat.json:
        payload = {
            "registers": [
                {**r, "last_loaded": r["last_loaded"].isoformat(timespec="seconds")}
                for r in summary.iter_rows(named=True)
            ],
            "issues": [
                {
                    "code": r["code"],
                    "severity": r["severity"],
                    "county": r["county"],
                    "year": r["year"],
                    "message": r["message_en" if language == "en" else "message_zh"],
                }
                for r in issues.iter_rows(named=True)
            ],
        }
        echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if summary.height == 0:
        echo(label("cli.no_registers", language))
        return
    headings = tuple(label(f"cli.reg.{h}", language) for h in _HEADINGS)
    rows = [
        (
            label(f"cli.reg.kind.{r['kind']}", language),
            "" if r["year"] is None else str(r["year"]),
            str(r["rows"]),
            str(r["counties"]),
            str(r["files"]),
            f"{r['last_loaded']:%Y-%m-%d %H:%M}",
        )
        for r in summary.iter_rows(named=True)
    ]
    console = out_console()
    if console.is_terminal:
        table = Table(*headings, show_edge=False)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        echo("\t".join(headings))
        for row in rows:
            echo("\t".join(row))
    for message in issues.get_column("message_en" if language == "en" else "message_zh"):
        echo(f"  ! {message}")


def register(app: typer.Typer) -> None:
    app.command("registers", help="help.registers")(registers)
