"""Options shared by several commands, in typer's Annotated style, and the helpers
that resolve them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kpi_audit.store.db import ENV_DB, default_db_path

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help=f"DuckDB store file (env {ENV_DB}; default ./kpi_audit.duckdb).",
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


def resolve_db(ctx: typer.Context, db: Path | None) -> Path:
    """The command's --db, else the top-level --db / KPI_AUDIT_DB, else the default."""
    if db is not None:
        return db
    root = ctx.find_root().obj or {}
    return root.get("db") or default_db_path()
