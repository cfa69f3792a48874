"""`kpi-audit template`: write the blank submission workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi_audit.cli.console import echo
from kpi_audit.cli.options import Lang, LangOption
from kpi_audit.core.errors import UsageError


def template(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The .xlsx file to write.", show_default=False)
    ],
    # the sheet names and instructions follow it; the headers are always Chinese
    lang: LangOption = Lang.zh,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write the blank workbook institutions fill in (data sheet + instructions)."""
    from kpi_audit.core.fields import FIELDS, REQUIRED_FIELDS
    from kpi_audit.ingest.template import write_template  # openpyxl: only when needed
    from kpi_audit.render.i18n import label

    if output.exists() and not force:
        raise UsageError(f"{output} already exists (use --force to overwrite it)")
    write_template(output, lang=lang.value)
    echo(
        label(
            "cli.template_wrote",
            lang.value,
            path=str(output),
            n=len(FIELDS),
            required=len(REQUIRED_FIELDS),
        )
    )


def register(app: typer.Typer) -> None:
    app.command("template")(template)
