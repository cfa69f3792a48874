"""`kpi-audit submissions`: what is loaded, by period and county."""

from __future__ import annotations

import typer

from kpi_audit.cli.console import echo, out_console
from kpi_audit.cli.options import DbOption, Lang, LangOption, WaitOption, open_store

_HEADINGS = ("period", "county", "facilities", "rejected", "files", "last_ingested")


def submissions(
    ctx: typer.Context, db: DbOption = None, wait: WaitOption = None, lang: LangOption = Lang.zh
) -> None:
    """List the loaded periods × counties: facilities, rejected rows, files, when."""
    from rich.table import Table

    from kpi_audit.render.i18n import label
    from kpi_audit.store.submissions import list_submissions

    con = open_store(ctx, db, wait, read_only=True)
    try:
        loaded = list_submissions(con)
    finally:
        con.close()
    if loaded.height == 0:
        echo(label("cli.nothing_loaded", lang.value))
        return
    headings = tuple(label(f"cli.sub.{h}", lang.value) for h in _HEADINGS)
    rows: list[tuple[str, ...]] = [
        (
            str(r["period"]),
            r["county"] or "",
            str(r["facilities"]),
            str(r["rejected"]),
            str(r["files"]),
            f"{r['last_ingested']:%Y-%m-%d %H:%M}",
        )
        for r in loaded.iter_rows(named=True)  # one line per period × county
    ]
    console = out_console()
    if console.is_terminal:
        table = Table(*headings, show_edge=False)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        for row in (headings, *rows):
            echo("\t".join(row))


def register(app: typer.Typer) -> None:
    app.command("submissions", help="help.submissions")(submissions)
