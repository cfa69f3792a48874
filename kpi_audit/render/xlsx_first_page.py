"""The workbook's first sheet (首页): what the HTML first page shows — the documents by
title and number, targets counted, the counties behind with their worst gaps, and the
county × target matrix (cells coloured and marked ✔ ✘ ! ? with the value) — from the
same frames (render/first_page.py). A small sheet: written cell by cell."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kpi_audit.core.result import STATUSES, AuditResult
from kpi_audit.render.first_page import (
    TARGET_CATEGORIES,
    county_matrix,
    failing_counties,
    target_counts,
    target_overview,
)
from kpi_audit.render.format import STATUS_SYMBOL, reporting_headline
from kpi_audit.render.i18n import label
from kpi_audit.render.xlsx_table import Styles, styled

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


def write_first_page(
    ws: WriteOnlyWorksheet, result: AuditResult, styles: Styles, lang: str
) -> None:
    overview = target_overview(result, lang)
    counts = target_counts(overview)
    matrix = county_matrix(result, overview)
    n_cols = max(len(matrix.columns), 2)
    ws.column_dimensions["A"].width = COUNTY_WIDTH
    for i in range(2, n_cols + 2):
        ws.column_dimensions[get_column_letter(i)].width = CELL_WIDTH
    title = f"{result.area} {result.period} {label('report.title', lang)}"
    ws.append([styled(ws, title, styles.title)])
    ws.append([f"{label('page1.documents', lang)}: {'；'.join(documents(result))}"])
    ws.append([f"{label('report.generated', lang)}: {result.generated_at:%Y-%m-%d %H:%M}"])
    headline = reporting_headline(result, lang)
    if headline:
        ws.append([styled(ws, headline, styles.bold)])
    ws.append([])
    # one row per category, word and count in cells of their own (never cut off)
    ws.append([styled(ws, label("page1.targets_counted", lang), styles.bold)])
    for category in TARGET_CATEGORIES:
        word = f"{STATUS_SYMBOL.get(category, '')} {label(f'cat.{category}', lang)}".strip()
        ws.append([styled(ws, word, styles.status.get(category, styles.bold)), counts[category]])
    units = result.summary()
    ws.append(
        [label("page1.units_counted", lang).rstrip("：: ")]
        + [f"{STATUS_SYMBOL[s]} {label(f'status.{s}', lang)} {units[s]}" for s in STATUSES]
    )
    ws.append([])
    ws.append([styled(ws, label("page1.failing", lang), styles.bold)])
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
        ws.append([styled(ws, f["county"], styles.bold), f"{line}：{worst}"])
    ws.append([])
    ws.append(
        [styled(ws, label("page1.matrix", lang), styles.bold), label("page1.matrix_note", lang)]
    )
    ws.append(
        [styled(ws, label("col.county", lang), styles.header)]
        + [styled(ws, c["number"], styles.header_num) for c in matrix.columns]
    )
    for county, cells in matrix.rows:
        ws.append(
            [styled(ws, county, styles.bold)]
            + [
                styled(ws, f"{c.mark} {c.value}".strip(), styles.status[c.status])
                if c.status
                else None
                for c in cells
            ]
        )
    ws.append([])
    ws.append(
        [
            styled(ws, label("col.no", lang), styles.header_num),
            styled(ws, label("col.indicator", lang), styles.header),
        ]
    )
    for col in matrix.columns:
        ws.append(
            [styled(ws, col["number"], styles.count), f"{col['name']}（{col['requirement']}）"]
        )
