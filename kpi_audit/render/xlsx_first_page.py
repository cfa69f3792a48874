"""The workbook's first sheet (首页): what the HTML first page shows — the documents by
title and number, targets counted, the counties behind with their worst gaps, and the
county × target matrix (cells coloured and marked ✔ ✘ ! ? with the value) — from the
same frames (render/first_page.py). A small sheet: its rows are made as sheet XML cell by
cell (row_xml) and spliced in."""

from __future__ import annotations

import polars as pl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kpi_audit.core.result import STATUSES, AuditResult
from kpi_audit.render.first_page import (
    TARGET_CATEGORIES,
    Matrix,
    county_matrix,
    failing_counties,
    target_counts,
    target_overview,
)
from kpi_audit.render.format import STATUS_SYMBOL, reporting_headline
from kpi_audit.render.i18n import label
from kpi_audit.render.xlsx_styles import Styles
from kpi_audit.render.xlsx_table import RowSplicer, SheetValue, row_xml

COUNTY_WIDTH = 10.0
CELL_WIDTH = 7.0
NAME_WIDTH = 60.0


def documents(result: AuditResult) -> list[str]:
    return list(
        dict.fromkeys(
            f"{t.source.document}（{t.source.number}）" if t.source.number else t.source.document
            for t in result.targets
        )
    )


Cells = list[tuple[SheetValue, int | None]]  # one row: (value, style id or None) per cell


def write_first_page(
    ws: WriteOnlyWorksheet, result: AuditResult, styles: Styles, splicer: RowSplicer, lang: str
) -> None:
    """The sheet's rows are made as sheet XML here and spliced in by ``splicer``."""
    overview = target_overview(result, lang)
    matrix = county_matrix(result, overview)
    n_cols = max(len(matrix.columns), 2)
    ws.column_dimensions["A"].width = COUNTY_WIDTH
    for i in range(2, n_cols + 2):
        ws.column_dimensions[get_column_letter(i)].width = CELL_WIDTH
    rows = [
        *_head_rows(result, overview, styles, lang),
        *_failing_rows(result, overview, styles, lang),
        *_matrix_rows(matrix, styles, lang),
    ]
    body = "".join(row_xml(i, cells) for i, cells in enumerate(rows, start=1))
    splicer.add_body(ws, body.encode())


def _head_rows(
    result: AuditResult, overview: pl.DataFrame, styles: Styles, lang: str
) -> list[Cells]:
    """Title, documents, time, reporting headline; the targets and units counted."""
    title_style = styles.id(styles.title)  # registered in the order of first use
    bold = styles.id(styles.bold)
    counts = target_counts(overview)
    title = f"{result.area} {result.period} {label('report.title', lang)}"
    rows: list[Cells] = [
        [(title, title_style)],
        [(f"{label('page1.documents', lang)}: {'；'.join(documents(result))}", None)],
        [(f"{label('report.generated', lang)}: {result.generated_at:%Y-%m-%d %H:%M}", None)],
    ]
    headline = reporting_headline(result, lang)
    if headline:
        rows.append([(headline, bold)])
    rows += [[], [(label("page1.targets_counted", lang), bold)]]
    # one row per category, word and count in cells of their own (never cut off)
    for category in TARGET_CATEGORIES:
        word = f"{STATUS_SYMBOL.get(category, '')} {label(f'cat.{category}', lang)}".strip()
        style = styles.status.get(category, styles.bold)
        rows.append([(word, styles.id(style)), (counts[category], None)])
    units = result.summary()
    units_row: Cells = [(label("page1.units_counted", lang).rstrip("：: "), None)]
    units_row += [
        (f"{STATUS_SYMBOL[s]} {label(f'status.{s}', lang)} {units[s]}", None) for s in STATUSES
    ]
    rows.append(units_row)
    rows.append([])
    return rows


def _failing_rows(
    result: AuditResult, overview: pl.DataFrame, styles: Styles, lang: str
) -> list[Cells]:
    """The counties behind, each with its worst gaps."""
    bold = styles.id(styles.bold)
    rows: list[Cells] = [[(label("page1.failing", lang), bold)]]
    for f in failing_counties(result, overview, lang):
        worst = "；".join(
            f"{w['name']} {w['value']}（{w['gap']}"
            + (
                f"，{label('page1.streak', lang, n=w['periods_missed'])}"
                if w["periods_missed"]
                else ""
            )
            + "）"
            for w in f["worst"]
        )
        line = label("page1.failing_line", lang, n=f["n_missed"], m=f["n_judged"])
        rows.append([(f["county"], bold), (f"{line}：{worst}", None)])
    rows.append([])
    return rows


def _matrix_rows(matrix: Matrix, styles: Styles, lang: str) -> list[Cells]:
    """The county × target matrix (cells coloured and marked, with the value) and the
    key of its numbered columns."""
    bold, header, header_num = (
        styles.id(s) for s in (styles.bold, styles.header, styles.header_num)
    )
    status = {k: styles.id(v) for k, v in styles.status.items()}
    rows: list[Cells] = [
        [(label("page1.matrix", lang), bold), (label("page1.matrix_note", lang), None)],
        [(label("col.county", lang), header)] + [(c["number"], header_num) for c in matrix.columns],
    ]
    for county, cells in matrix.rows:
        rows.append(
            [(county, bold)]
            + [
                (f"{c.mark} {c.value}".strip(), status[c.status]) if c.status else (None, None)
                for c in cells
            ]
        )
    rows.append([])
    rows.append([(label("col.no", lang), header_num), (label("col.indicator", lang), header)])
    count = styles.id(styles.count)
    for col in matrix.columns:
        rows.append([(col["number"], count), (f"{col['name']}（{col['requirement']}）", None)])
    return rows
