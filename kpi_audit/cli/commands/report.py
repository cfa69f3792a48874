"""`kpi-audit report` (being built)."""

import typer


def register(app: typer.Typer) -> None:
    pass
