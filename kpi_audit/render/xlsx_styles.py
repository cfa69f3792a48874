"""How the Excel report's cells look: number formats, the table column type, the
prepared cell styles every sheet shares, and cells that keep text from becoming a
formula."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kpi_audit.render.format import STATUS_COLOURS

# Text starting with these is a formula to Excel (or to Lotus-style entry); such cells
# are written as strings with the quote prefix, so they stay text even when edited.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PATTERN = r"^[=+\-@\t\r]"

PERCENT = "0.0%"
# The third section is exactly zero: a value at the target (± as in the other reports).
PERCENT_GAP = "+0.0%;-0.0%;±0.0%"
NUMBER = "#,##0.00"
NUMBER_GAP = "+#,##0.00;-#,##0.00;±0.00"
COUNT = "#,##0"
COUNT_GAP = "+#,##0;-#,##0;±0"
INTEGER = "0"

ColumnKind = Literal["text", "wrap", "integer", "count", "value", "gap", "status", "plain"]


@dataclass(frozen=True)
class Column:
    """One table column: heading label key, frame column, how it is written."""

    heading: str  # a key of i18n.LABELS
    source: str  # the frame column
    kind: ColumnKind = "text"
    # "value"/"gap" columns follow the row's ``_share`` / ``_whole`` flags: percent,
    # whole number (an indicator that counts) or plain number.


class Styles:
    """Prepared style arrays, made once per workbook and shared by every cell."""

    def __init__(self, wb: Workbook, ws: WriteOnlyWorksheet) -> None:
        self._wb = wb
        thin = Side(style="thin", color="BFBFBF")

        def make(**attrs: Any) -> Any:
            cell = WriteOnlyCell(ws)
            for name, value in attrs.items():
                setattr(cell, name, value)
            return cell._style

        self.header = make(
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="D9E1F2"),
            border=Border(bottom=thin),
            alignment=Alignment(vertical="center", wrap_text=True),
        )
        # Numbers sit right-aligned under right-aligned headings.
        self.header_num = make(
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="D9E1F2"),
            border=Border(bottom=thin),
            alignment=Alignment(horizontal="right", vertical="center", wrap_text=True),
        )
        self.title = make(font=Font(bold=True, size=14))
        self.bold = make(font=Font(bold=True))
        self.quoted_text = make(quotePrefix=True)
        self.wrap = make(alignment=Alignment(wrap_text=True, vertical="top"))
        self.integer = make(number_format=INTEGER)
        self.count = make(number_format=COUNT)
        self.value = {True: make(number_format=PERCENT), False: make(number_format=NUMBER)}
        self.gap = {True: make(number_format=PERCENT_GAP), False: make(number_format=NUMBER_GAP)}
        self.whole = {"value": self.count, "gap": make(number_format=COUNT_GAP)}
        self.status = {
            status: make(
                fill=PatternFill("solid", fgColor=fill),
                font=Font(color=text, bold=status == "fail"),
            )
            for status, (fill, text) in STATUS_COLOURS.items()
        }

    def id(self, style: Any) -> int:
        """The index of ``style`` among the workbook's cell formats (registering it)."""
        return self._wb._cell_styles.add(style)


def styled(ws: WriteOnlyWorksheet, value: Any, style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    cell._style = style
    if cell.data_type == "f":  # text that starts with "=" is text here, never a formula
        cell.data_type = "s"
    return cell


def text_cell(ws: WriteOnlyWorksheet, text: str | None, styles: Styles) -> Any:
    """Plain text, except that text Excel would read as a formula becomes a quoted
    string cell (never a formula: facility names come from outside)."""
    if text and text.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(ws, text)
        cell.data_type = "s"
        cell._style = styles.quoted_text
        return cell
    return text
