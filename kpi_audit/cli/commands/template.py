"""`kpi-audit template`: write the blank submission workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi_audit.cli.console import echo
from kpi_audit.cli.options import Lang
from kpi_audit.core.errors import UsageError


def template(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The .xlsx file to write.", show_default=False)
    ],
    lang: Annotated[
        Lang,
        typer.Option(
            "--lang",
            help="Language of the sheet names and instructions (the headers are always Chinese).",
        ),
    ] = Lang.zh,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the blank workbook institutions fill in (data sheet + instructions)."""
    from kpi_audit.core.fields import FIELDS, REQUIRED_FIELDS
    from kpi_audit.ingest.template import write_template  # openpyxl: only when needed

    if output.exists() and not force:
        raise UsageError(f"{output} already exists (use --force to overwrite it)")
    write_template(output, lang=lang.value)
    echo(f"wrote {output}: template with {len(FIELDS)} columns ({len(REQUIRED_FIELDS)} required)")


def register(app: typer.Typer) -> None:
    app.command("template")(template)
