"""The blank workbook institutions fill in: a data sheet whose headers are the contract
headers of ``kpi_audit.core.fields.FIELDS`` (with dropdowns and validation), and an
instructions sheet generated from the same catalog.

Workbooks are written reproducibly (fixed document timestamps and zip entry times), so
writing the same content twice gives the same bytes.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from kpi_audit.core.atomic import write_bytes_atomic
from kpi_audit.core.errors import UsageError
from kpi_audit.core.fields import FIELDS, FIELDS_BY_ID, Field
from kpi_audit.render.i18n import LABELS, label

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
# Validations cover this many data rows (2 .. TEMPLATE_LAST_ROW): more than any county
# reports, and cheap because a validation is one range, not one cell each.
TEMPLATE_LAST_ROW = 5000
FIXED_TIMESTAMP = datetime(2024, 1, 1, 0, 0, 0)

# The words (sheet names, instructions, rules, validations) are ``template.*`` in
# kpi_audit.render.i18n (kpi_audit/render/words/template.py).
INSTRUCTION_KEYS = ("header", "field", "meaning", "unit", "type", "required", "rule")
INSTRUCTION_COLUMNS: dict[Lang, tuple[str, ...]] = {
    lang: tuple(label(f"template.col.{key}", lang) for key in INSTRUCTION_KEYS) for lang in LANGS
}
# What each field means, for the instructions sheet.
MEANING_ZH: dict[str, str] = {f.id: label(f"template.meaning.{f.id}") for f in FIELDS}
# A field's unit in English, by the Chinese word Field.unit holds.
_UNIT_KEYS = {zh: key for key, (zh, _) in LABELS.items() if key.startswith("template.unit.")}


_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
_OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")


def write_template(path: Path, *, lang: str = "zh") -> None:
    """Write the blank submission workbook to ``path`` (overwriting it)."""
    save_reproducible(build_template(lang=lang), path)


def build_template(*, lang: str = "zh") -> Workbook:
    """The template workbook: the data sheet first (it is what ingest reads), then the
    instructions."""
    if lang not in LANGS:
        raise UsageError(f"unknown template language {lang!r}; use one of {', '.join(LANGS)}")
    language: Lang = "en" if lang == "en" else "zh"
    wb = Workbook()
    data = wb.active  # a new workbook has one sheet
    data.title = label("template.sheet.data", language)
    _fill_data_sheet(data, language)
    _fill_instructions_sheet(
        wb.create_sheet(label("template.sheet.instructions", language)), language
    )
    return wb


def instruction_rows(lang: Lang = "zh") -> list[tuple[str, ...]]:
    """One row per field, in FIELDS order, with the columns of INSTRUCTION_COLUMNS."""
    yes, no = label("template.yes", lang), label("template.no", lang)
    rows: list[tuple[str, ...]] = []
    for f in FIELDS:
        unit = (
            f.unit if lang == "zh" or f.unit not in _UNIT_KEYS else label(_UNIT_KEYS[f.unit], lang)
        )
        rows.append(
            (
                f.zh,
                f.id,
                label(f"template.meaning.{f.id}", lang),
                unit,
                label(f"template.type.{f.type}", lang),
                yes if f.required else no,
                field_rule(f, lang),
            )
        )
    return rows


def field_rule(field: Field, lang: Lang = "zh") -> str:
    """The rule a value must follow, as the instructions sheet states it."""
    parts: list[str] = []
    if field.type == "int":
        parts.append(label("template.rule.int", lang))
        if field.at_most:
            limit = FIELDS_BY_ID[field.at_most].zh
            parts.append(label("template.rule.at_most", lang, limit=limit))
    elif field.type == "enum":
        values = label("template.list_sep", lang).join(field.vocabulary)
        parts.append(label("template.rule.enum", lang, values=values))
    elif field.type in ("bool", "period"):
        parts.append(label(f"template.rule.{field.type}", lang))
    elif field.id == "org_code":
        parts.append(label("template.rule.org_code", lang))
    else:
        parts.append(label("template.rule.text", lang))
    # the notes are Chinese only (Field.note_zh)
    if lang == "zh" and field.note_zh and field.type not in ("bool", "period"):
        parts.append(field.note_zh)
    if field.required:
        parts.append(label("template.rule.required", lang))
    return label("template.rule_sep", lang).join(parts)


def save_reproducible(wb: Workbook, path: Path) -> None:
    """Save ``wb`` so that the same content always gives the same bytes: fixed document
    created/modified times and fixed zip entry times (openpyxl stamps both with "now")."""
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook() would reset `modified` to now.
    ExcelWriter(wb, _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    write_bytes_atomic(path, buffer.getvalue())


class _FixedTimeZip(zipfile.ZipFile):
    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, FIXED_TIMESTAMP.timetuple()[:6])
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl streams each worksheet through a temporary file.
        self.writestr(str(arcname or filename), Path(filename).read_bytes())


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fill_data_sheet(ws: Worksheet, lang: Lang) -> None:
    ws.append([f.zh for f in FIELDS])
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 33
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, f in enumerate(FIELDS, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=f.required, color="9C0006" if f.required else "000000")
        cell.fill = _REQUIRED_FILL if f.required else _OPTIONAL_FILL
        cell.alignment = header_alignment
        widest = max([display_width(f.zh), *(display_width(v) for v in f.vocabulary)])
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = min(max(widest, 8) + 4, 28)
        if f.id == "org_code":
            ws.column_dimensions[letter].number_format = "@"
    for validation in _data_validations(lang):
        ws.add_data_validation(validation)


def _column_range(field_id: str) -> str:
    letter = get_column_letter(next(i for i, f in enumerate(FIELDS, 1) if f.id == field_id))
    return f"{letter}2:{letter}{TEMPLATE_LAST_ROW}"


def _data_validations(lang: Lang) -> list[DataValidation]:
    yes_no = _list_validation(("是", "否"), lang)  # the values ingest reads, not words
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=label("template.invalid", lang),
        error=label("template.invalid.count", lang),
    )
    others: list[DataValidation] = []
    for f in FIELDS:
        column = _column_range(f.id)
        if f.type == "bool":
            yes_no.add(column)
        elif f.type == "int":
            counts.add(column)
        elif f.type == "enum":
            others.append(_list_validation(f.vocabulary, lang, column))
        elif f.type == "period" or f.id == "org_code":
            hint = label(f"template.hint.{f.type if f.type == 'period' else f.id}", lang)
            others.append(_input_hint(f.zh, hint, column))
    return [*others, yes_no, counts]


def _list_validation(choices: tuple[str, ...], lang: Lang, column: str = "") -> DataValidation:
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=label("template.invalid", lang),
        error=label(
            "template.invalid.choice", lang, choices=label("template.list_sep", lang).join(choices)
        ),
    )
    if column:
        dv.add(column)
    return dv


def _input_hint(title: str, prompt: str, column: str) -> DataValidation:
    """A validation that accepts anything and shows ``prompt`` when a cell is selected."""
    dv = DataValidation(
        type=None, allow_blank=True, showInputMessage=True, promptTitle=title, prompt=prompt
    )
    dv.add(column)
    return dv


def _fill_instructions_sheet(ws: Worksheet, lang: Lang) -> None:
    ws.append([label("template.notes.title", lang)])
    ws["A1"].font = Font(bold=True, size=14)
    for n in range(1, 7):
        ws.append([label(f"template.notes.{n}", lang)])
    ws.append([])
    ws.append(list(INSTRUCTION_COLUMNS[lang]))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = _OPTIONAL_FILL
    for row in instruction_rows(lang):
        ws.append(list(row))
    wrap = Alignment(vertical="top", wrap_text=True)
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = wrap
    widths = (22, 26, 44, 8, 12, 10, 50) if lang == "zh" else (22, 26, 44, 10, 14, 10, 50)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
