"""`kpi-audit targets` (being built)."""

import typer

targets_app = typer.Typer(help="List, show and validate target sets.", no_args_is_help=True)


@targets_app.command("list")
def list_() -> None:
    """(being built)"""
