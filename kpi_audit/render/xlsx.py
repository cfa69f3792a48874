"""The Excel workbook for leaders: summary, one sheet per level, data issues,
completeness, sources and native bar charts of the county values.

Usage: ``write_xlsx(result, path, lang="zh")``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kpi_audit.core.atomic import atomic_write
from kpi_audit.core.fields import FIELDS
from kpi_audit.core.result import STATUSES, AuditResult
from kpi_audit.render.format import display_of, indicator_name, kind_text, level_text, status_text
from kpi_audit.render.html_sections import refused as refused_rows
from kpi_audit.render.i18n import label, localized
from kpi_audit.render.quality import write_quality_sheet
from kpi_audit.render.report_frames import (
    completeness_counts,
    completeness_rows,
    level_rows,
    levels_present,
    references,
    register_lines,
    share_flags,
    target_summary,
)
from kpi_audit.render.xlsx_charts import write_chart_sheet
from kpi_audit.render.xlsx_first_page import documents, write_first_page
from kpi_audit.render.xlsx_styles import Column, Styles, styled
from kpi_audit.render.xlsx_table import MAX_DATA_ROWS, RowSplicer, write_table

SUMMARY_COLUMNS = (
    Column("col.target_set", "target_set"),
    Column("col.target_id", "target_id", "wrap"),
    Column("col.indicator", "indicator_name", "wrap"),
    Column("col.operator", "requirement"),
    Column("col.threshold", "threshold", "value"),
    Column("col.from_year", "from_year", "integer"),
    Column("col.city_value", "city_value", "value"),
    Column("col.gap", "city_gap", "gap"),
    Column("col.city_status", "city_status", "status"),
    Column("col.n_pass", "n_pass", "count"),
    Column("col.n_fail", "n_fail", "count"),
    Column("col.n_warn", "n_warn", "count"),
    Column("col.n_not_evaluable", "n_not_evaluable", "count"),
    Column("col.n_facility_fail", "n_facility_fail", "count"),
    Column("col.source", "source", "wrap"),
    Column("col.reference", "reference", "wrap"),
)
REFUSED_COLUMNS = (
    Column("col.file", "file", "wrap"),
    Column("col.status", "status"),
    Column("col.reason", "reason", "wrap"),
)
_RESULT_TAIL = (
    Column("col.value", "value", "value"),
    Column("col.threshold", "threshold", "value"),
    Column("col.gap", "gap", "gap"),
    Column("col.status", "status", "status"),
    Column("col.numerator", "numerator", "count"),
    Column("col.denominator", "denominator", "count"),
    Column("col.reason", "reason_text", "wrap"),
    Column("col.target_set", "target_set"),
)
LEVEL_COLUMNS: dict[str, tuple[Column, ...]] = {
    "city": (
        Column("col.target_id", "target_id", "wrap"),
        Column("col.indicator", "indicator_name", "wrap"),
        Column("col.unit", "unit_name", "wrap"),
        *_RESULT_TAIL,
    ),
    "county": (
        Column("col.target_id", "target_id", "wrap"),
        Column("col.indicator", "indicator_name", "wrap"),
        Column("col.unit", "unit_name", "wrap"),
        *_RESULT_TAIL,
        Column("col.rank", "rank", "integer"),
        Column("col.rank_change", "rank_change", "integer"),
        Column("col.rank_change_year", "rank_change_year_earlier", "integer"),
        Column("col.value_previous", "value_previous", "value"),
        Column("col.value_year_earlier", "value_year_earlier", "value"),
    ),
    "facility": (
        Column("col.target_id", "target_id", "wrap"),
        Column("col.indicator", "indicator_name", "wrap"),
        Column("col.org_code", "unit"),
        Column("col.org_name", "unit_name", "wrap"),
        Column("col.county", "county"),
        *_RESULT_TAIL,
    ),
}
ISSUE_COLUMNS = (
    Column("col.kind", "kind_text"),
    Column("col.file", "file", "wrap"),
    Column("col.sheet", "sheet"),
    Column("col.row", "row", "integer"),
    Column("col.field", "field"),
    Column("col.issue_value", "value"),
    Column("col.message", "message", "wrap"),
    Column("col.org_code", "org_code"),
    Column("col.org_name", "org_name", "wrap"),
    Column("col.county", "county"),
)
COMPLETENESS_COLUMNS = (
    Column("col.kind", "kind_text"),
    Column("col.county", "county"),
    Column("col.org_code", "org_code"),
    Column("col.org_name", "org_name", "wrap"),
    Column("col.message", "message", "wrap"),
)
SOURCE_COLUMNS = (
    Column("col.target_id", "target_id", "wrap"),
    Column("col.target_set", "target_set"),
    Column("col.indicator", "indicator_name", "wrap"),
    Column("col.operator", "requirement"),
    Column("col.from_year", "from_year", "integer"),
    Column("col.until_year", "until_year", "integer"),
    Column("col.document", "document", "wrap"),
    Column("col.number", "number"),
    Column("col.clause", "clause"),
    Column("col.quote", "quote", "wrap"),
)


def write_xlsx(result: AuditResult, path: Path, *, lang: str = "zh") -> None:
    """Write the workbook to ``path`` (streamed: any number of facility rows)."""
    result = localized(result, lang)
    wb = Workbook(write_only=True)
    shares = share_flags(result)
    summary = target_summary(result, lang, shares)

    first = _new_sheet(wb, label("sheet.first_page", lang))
    styles = Styles(wb, first)
    rows = RowSplicer(styles, lang)
    write_first_page(first, result, styles, rows, lang)
    ws = _new_sheet(wb, label("sheet.summary", lang))
    _write_summary(ws, result, summary, styles, rows, lang)
    write_chart_sheet(
        _new_sheet(wb, label("sheet.charts", lang)), result, summary, styles, rows, lang
    )
    for level in levels_present(result):
        _write_level(wb, result, level, shares, styles, rows, lang)
    _write_issues(_new_sheet(wb, label("sheet.issues", lang)), result, styles, rows, lang)
    _write_completeness(
        _new_sheet(wb, label("sheet.completeness", lang)), result, styles, rows, lang
    )
    if result.files_refused:  # a mixed run: say which attachments were not read
        _write_refused(
            _new_sheet(wb, label("sheet.files_refused", lang)), result, styles, rows, lang
        )
    if result.quality is not None:  # the data-quality review ran
        write_quality_sheet(wb, result.quality, lang)
    _write_sources(_new_sheet(wb, label("sheet.sources", lang)), result, shares, styles, rows, lang)
    # openpyxl writes the small workbook in memory; the rows are spliced into it on the
    # way to the file, which appears only when complete (atomic_write).
    skeleton = io.BytesIO()
    wb.save(skeleton)
    with atomic_write(path) as out:
        rows.apply(skeleton, out)


def _new_sheet(wb: Workbook, title: str) -> WriteOnlyWorksheet:
    """A sheet that prints on landscape A4 with every column on one page width (leaders
    print these). Set at creation: a write-only sheet writes its properties first."""
    ws = wb.create_sheet(title)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _write_summary(
    ws: WriteOnlyWorksheet,
    result: AuditResult,
    summary: pl.DataFrame,
    styles: Styles,
    rows: RowSplicer,
    lang: str,
) -> None:
    counts = result.summary()
    title = f"{result.area} {result.period} {label('report.title', lang)}"
    meta = (
        f"{label('page1.documents', lang)}: {'；'.join(documents(result))}    "
        f"{label('report.generated', lang)}: {result.generated_at:%Y-%m-%d %H:%M}"
    )
    # One cell per status, word and count together: "✘ 未达标 88".
    totals: list[object] = [label("report.summary", lang)] + [
        styled(ws, f"{status_text(status, lang)} {counts[status]}", styles.status[status])
        for status in STATUSES
    ]
    preamble = [[styled(ws, title, styles.title)], [meta], totals, []]
    refs = {
        i: "\n".join(references(result, i, lang)) or None for i in summary["indicator"].unique()
    }
    summary = summary.with_columns(
        reference=pl.col("indicator").replace_strict(refs, default=None, return_dtype=pl.String)
    )
    write_table(
        ws, summary, SUMMARY_COLUMNS, styles, rows, lang=lang, preamble=preamble, freeze_columns=3
    )


def _write_level(
    wb: Workbook,
    result: AuditResult,
    level: str,
    shares: dict[str, bool],
    styles: Styles,
    splicer: RowSplicer,
    lang: str,
) -> None:
    rows = level_rows(result, level, lang, shares)
    name = level_text(level, lang)
    # A national quarter may exceed Excel's row limit: continue on "机构 (2)", …
    for part, start in enumerate(range(0, max(rows.height, 1), MAX_DATA_ROWS), start=1):
        ws = _new_sheet(wb, name if part == 1 else f"{name} ({part})")
        write_table(
            ws,
            rows.slice(start, MAX_DATA_ROWS),
            LEVEL_COLUMNS[level],
            styles,
            splicer,
            lang=lang,
            freeze_columns=3 if level != "facility" else 4,
        )


def _field_names(lang: str) -> dict[str, str]:
    return {f.id: (f.en if lang == "en" else f.zh) for f in FIELDS}


def _write_issues(
    ws: WriteOnlyWorksheet, result: AuditResult, styles: Styles, rows: RowSplicer, lang: str
) -> None:
    kinds = {k: kind_text(k, lang) for k in result.data_issues["kind"].unique().drop_nulls()}
    issues = result.data_issues.with_columns(
        pl.col("kind")
        .replace_strict(kinds, default=pl.col("kind"), return_dtype=pl.String)
        .alias("kind_text"),
        pl.col("field").replace(_field_names(lang)),
    )
    write_table(ws, issues, ISSUE_COLUMNS, styles, rows, lang=lang)


def _write_completeness(
    ws: WriteOnlyWorksheet, result: AuditResult, styles: Styles, splicer: RowSplicer, lang: str
) -> None:
    c = result.completeness
    preamble = [
        [name, value if isinstance(value, str) else styled(ws, value, styles.count)]
        for name, value in completeness_counts(result, lang)
    ]
    preamble += [
        [
            label("comp.counties_without_data", lang),
            "、".join(c.counties_without_data) or label("comp.none", lang),
        ],
        [],
    ]
    rows = completeness_rows(result, lang)
    kinds = {
        k: kind_text(k, lang) for k in ("missing_report", "reported_with_errors", "county_no_data")
    }
    rows = rows.with_columns(
        pl.col("kind")
        .replace_strict(kinds, default=pl.col("kind"), return_dtype=pl.String)
        .alias("kind_text")
    )
    write_table(ws, rows, COMPLETENESS_COLUMNS, styles, splicer, lang=lang, preamble=preamble)


def _write_refused(
    ws: WriteOnlyWorksheet, result: AuditResult, styles: Styles, splicer: RowSplicer, lang: str
) -> None:
    """The files named for the run that were not read: file name, status and reason."""
    schema = dict.fromkeys(("file", "status", "reason"), pl.String)
    refused = pl.DataFrame(refused_rows(result, lang), schema=schema)
    preamble = [[styled(ws, label("report.files_refused_note", lang), styles.bold)], []]
    write_table(ws, refused, REFUSED_COLUMNS, styles, splicer, lang=lang, preamble=preamble)


def _write_sources(
    ws: WriteOnlyWorksheet,
    result: AuditResult,
    shares: dict[str, bool],
    styles: Styles,
    splicer: RowSplicer,
    lang: str,
) -> None:
    """Every target considered — also those not in force this period — and its source."""
    rows = pl.DataFrame(
        [
            {
                "target_id": t.id,
                "target_set": t.target_set,
                "indicator_name": indicator_name(result.indicator_names, t.indicator, lang),
                "requirement": display_of(result.value_kinds, t.indicator).requirement(t, lang),
                "from_year": t.from_year,
                "until_year": t.until_year,
                "document": t.source.document,
                "number": t.source.number,
                "clause": t.source.clause,
                "quote": t.source.quote,
            }
            for t in result.targets
        ],
        schema={
            "target_id": pl.String,
            "target_set": pl.String,
            "indicator_name": pl.String,
            "requirement": pl.String,
            "from_year": pl.Int64,
            "until_year": pl.Int64,
            "document": pl.String,
            "number": pl.String,
            "clause": pl.String,
            "quote": pl.String,
        },
    )
    # the reference registers first: the basis of every population and completeness figure
    preamble: list[list[Any]] = [[styled(ws, label("src.registers", lang), styles.bold)]]
    preamble += [[what, files] for what, files in register_lines(result, lang)]
    preamble.append([])
    write_table(ws, rows, SOURCE_COLUMNS, styles, splicer, lang=lang, preamble=preamble)
