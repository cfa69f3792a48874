"""The 图表 / Charts sheet: for each target with county values, a small table
(county, value, threshold) and a native Excel bar chart of it, with the threshold
drawn as a line over the bars."""

from __future__ import annotations

import polars as pl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kpi_audit.core.result import AuditResult
from kpi_audit.render.format import STATUS_COLOURS
from kpi_audit.render.i18n import label
from kpi_audit.render.report_frames import county_ranking
from kpi_audit.render.xlsx_styles import Column, Styles
from kpi_audit.render.xlsx_table import RowSplicer, clean_frame, row_xml, rows_xml

CHART_ROWS = 18  # rows a chart covers at its default height; blocks are at least this tall
BAR_COLOURS = {"pass": "70AD47", "fail": "C00000", "warn": "ED7D31", "not_evaluable": "A5A5A5"}


COUNTY_COLUMNS = (
    Column("col.county", "unit_name"),
    Column("col.value", "value", "value"),
    Column("col.threshold", "threshold", "value"),
)


def write_chart_sheet(
    ws: WriteOnlyWorksheet,
    result: AuditResult,
    summary: pl.DataFrame,
    styles: Styles,
    splicer: RowSplicer,
    lang: str,
) -> None:
    """The blocks' rows are made as sheet XML (polars for the county rows) and spliced
    in by ``splicer``; openpyxl writes the settings and the charts."""
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 11
    ws.column_dimensions["C"].width = 11
    bold, header = styles.id(styles.bold), styles.id(styles.header)
    headings = [(label(c.heading, lang), header) for c in COUNTY_COLUMNS]
    body: list[bytes] = []
    row = 1
    for target in summary.iter_rows(named=True):
        counties = clean_frame(
            county_ranking(result, target["target_id"])
            .filter(pl.col("value").is_not_null())
            .select("unit_name", "value", "status")
        )
        if counties.is_empty():
            continue
        share, whole = bool(target["_share"]), bool(target["_whole"])
        title = f"{target['indicator_name']}  {target['requirement']}"
        header_row = row + 1
        last_row = header_row + counties.height
        block = max(counties.height + 3, CHART_ROWS + 2)
        # a count (kind sum / count) shows as a whole number, as in the tables
        # numbers as openpyxl wrote this sheet's cells (16 significant digits): a few
        # per county, so the chart tables keep their values to the last digit
        table = counties.with_columns(
            value=pl.Series([_digits(v) for v in counties["value"]], dtype=pl.String),
            threshold=pl.lit(_digits(target["threshold"]), dtype=pl.String),
            _share=pl.lit(share and not whole),
            _whole=pl.lit(whole),
        )
        body.append((row_xml(row, [(title, bold)]) + row_xml(header_row, headings)).encode())
        body.extend(bytes(b) for b in rows_xml(table, COUNTY_COLUMNS, styles, lang, header_row + 1))
        body.append(
            "".join(f'<row r="{r}"></row>' for r in range(last_row + 1, row + block)).encode()
        )
        ws.add_chart(
            _chart(ws, title, header_row, last_row, counties["status"].to_list(), share, whole),
            f"E{row}",
        )
        row += block
    if body:
        splicer.add_body(ws, b"".join(body))
    else:
        ws.append([label("report.no_county_values", lang)])


def _digits(value: float | None) -> str | None:
    return None if value is None else f"{value:.16g}"


def _chart(
    ws: WriteOnlyWorksheet,
    title: str,
    header_row: int,
    last_row: int,
    statuses: list[str],
    share: bool,
    whole: bool,
) -> BarChart:
    categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    bars = BarChart()
    bars.type = "col"
    bars.title = title
    bars.legend.position = "b"
    bars.add_data(
        Reference(ws, min_col=2, min_row=header_row, max_row=last_row), titles_from_data=True
    )
    bars.set_categories(categories)
    series = bars.series[0]
    series.graphicalProperties.solidFill = BAR_COLOURS["pass"]
    for i, status in enumerate(statuses):
        if status != "pass":
            point = DataPoint(idx=i)
            point.graphicalProperties.solidFill = BAR_COLOURS.get(status, "A5A5A5")
            series.dPt.append(point)

    line = LineChart()
    line.add_data(
        Reference(ws, min_col=3, min_row=header_row, max_row=last_row), titles_from_data=True
    )
    line.set_categories(categories)
    threshold = line.series[0]
    threshold.graphicalProperties.line.solidFill = STATUS_COLOURS["fail"][1]
    threshold.graphicalProperties.line.dashStyle = "dash"
    threshold.graphicalProperties.line.width = 22000  # EMU, about 1.75 pt
    threshold.marker.symbol = "none"
    threshold.smooth = False
    bars += line

    bars.y_axis.number_format = "0%" if share else ("0" if whole else "0.0")
    bars.y_axis.majorGridlines = None
    # Recent Excel hides axes unless told they are not deleted.
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    bars.width = 18
    bars.height = 8.5
    return bars
