"""The blank register workbooks (`kpi-audit template --kind areas|institutions`).

One data sheet whose header row is the register's Chinese headers (required ones in
bold on red, as the submission template), drop-down lists for the vocabularies, and an
instructions sheet; saved reproducibly and atomically.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kpi_audit.ingest.register_fields import REGISTER_FIELDS, RegisterKind
from kpi_audit.ingest.template import (
    _OPTIONAL_FILL,
    _REQUIRED_FILL,
    TEMPLATE_LAST_ROW,
    display_width,
    save_reproducible,
)
from kpi_audit.render.i18n import label

# The data sheet is named for the register in both languages (as the headers, data).
SHEET = {"areas": "行政区划与人口", "institutions": "机构名录"}
# The instructions sheet's columns; its words are template.register.* in render/i18n.
_COLUMNS = ("header", "field", "required", "type", "note")


def write_register_template(path: Path, kind: RegisterKind, *, lang: str = "zh") -> None:
    """Write the blank workbook of register ``kind`` to ``path`` (atomically)."""
    save_reproducible(build_register_template(kind, lang=lang), path)


def build_register_template(kind: RegisterKind, *, lang: str = "zh") -> Workbook:
    fields = REGISTER_FIELDS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET[kind]
    ws.append([f.zh for f in fields])
    ws.freeze_panes = "A2"
    for col, f in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=f.required, color="9C0006" if f.required else "000000")
        cell.fill = _REQUIRED_FILL if f.required else _OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(col)
        widest = max([display_width(f.zh), *(display_width(c) for c in f.choices)])
        ws.column_dimensions[letter].width = min(max(widest, 8) + 4, 28)
        if f.kind in ("code", "period"):
            ws.column_dimensions[letter].number_format = "@"
        if f.choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(f.choices) + '"', allow_blank=True
            )
            dv.add(f"{letter}2:{letter}{TEMPLATE_LAST_ROW}")
            ws.add_data_validation(dv)
    notes = wb.create_sheet(label("template.register.instructions", lang))
    notes.append([label(f"template.register.col.{c}", lang) for c in _COLUMNS])
    for f in fields:
        required = label("template.yes" if f.required else "template.no", lang)
        type_word = label(f"template.register.type.{f.kind}", lang)
        notes.append([f.zh, f.id, required, type_word, f.note_zh])
    for letter, width in zip("ABCDE", (18, 20, 8, 26, 60), strict=True):
        notes.column_dimensions[letter].width = width
    return wb
