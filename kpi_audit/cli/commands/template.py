"""`kpi-audit template`: write the blank submission workbook."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kpi_audit.cli.console import echo
from kpi_audit.cli.options import Lang, LangOption
from kpi_audit.core.errors import UsageError


class TemplateKind(StrEnum):
    submissions = "submissions"
    areas = "areas"
    institutions = "institutions"


def template(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="help.template.output", show_default=False)
    ],
    # the sheet names and instructions follow it; the headers are always Chinese
    lang: LangOption = Lang.zh,
    force: Annotated[bool, typer.Option("--force", help="help.template.force")] = False,
    kind: Annotated[
        TemplateKind,
        typer.Option(
            "--kind",
            help="help.template.kind",
        ),
    ] = TemplateKind.submissions,
) -> None:
    """Write the blank workbook institutions fill in (data sheet + instructions), or with
    --kind areas|institutions the blank area or institution register."""
    from kpi_audit.core.fields import FIELDS, REQUIRED_FIELDS
    from kpi_audit.ingest.template import write_template  # openpyxl: only when needed
    from kpi_audit.render.i18n import label

    if output.exists() and not force:
        raise UsageError(code="output_exists", params={"path": str(output)})
    if kind is not TemplateKind.submissions:
        from kpi_audit.ingest.register_fields import REGISTER_FIELDS, RegisterKind
        from kpi_audit.ingest.register_template import write_register_template

        register_kind: RegisterKind = "areas" if kind is TemplateKind.areas else "institutions"
        fields = REGISTER_FIELDS[register_kind]
        write_register_template(output, register_kind, lang=lang.value)
        echo(
            label(
                "cli.register_template_wrote",
                lang.value,
                kind=label(f"cli.reg.kind.{kind.value}", lang.value),
                path=str(output),
                n=len(fields),
                required=sum(f.required for f in fields),
            )
        )
        return
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
    app.command("template", help="help.template")(template)
