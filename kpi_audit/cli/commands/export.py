"""`kpi-audit export --format parquet DIR`: the store as Hive-partitioned Parquet."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kpi_audit.cli.options import DbOption, Lang, LangOption, TargetsOption, WaitOption, open_store


class ExportFormat(StrEnum):
    parquet = "parquet"


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(metavar="DIR", help="help.export.dir")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="help.export.format")
    ] = ExportFormat.parquet,
    targets: TargetsOption = None,
    force: Annotated[bool, typer.Option("--force", help="help.export.force")] = False,
    lang: LangOption = Lang.zh,
    db: DbOption = None,
    wait: WaitOption = None,
) -> None:
    """Write submissions, rejects, registers, the audit results of every loaded period
    and their quality findings as Parquet partitioned by period (period=2024Q3/), for
    Spark, Trino or a data platform to read."""
    from kpi_audit.export.parquet import export_store

    con = open_store(ctx, db, wait, read_only=True)
    try:
        report = export_store(con, out, target_specs=targets or [], replace=force)
    finally:
        con.close()
    from kpi_audit.render.i18n import label

    # the datasets by the names of their folders under DIR
    counts = label("cli.export.sep", lang).join(f"{name} {n:,}" for name, n in report.rows.items())
    key = "cli.export.wrote.one" if len(report.periods) == 1 else "cli.export.wrote"
    typer.echo(label(key, lang, path=out, fmt=fmt.value, n=len(report.periods), counts=counts))


def register(app: typer.Typer) -> None:
    app.command("export", help="help.export")(export)
