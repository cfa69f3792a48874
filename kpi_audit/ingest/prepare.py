"""One file read, coerced and validated, with no database: what the load step stores."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kpi_audit.core.errors import InputError
from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.core.periods import Period
from kpi_audit.ingest.coerce import coerce_cells
from kpi_audit.ingest.headers import unit_factor
from kpi_audit.ingest.issues import ISSUE_SCHEMA, sheet_issues
from kpi_audit.ingest.merged import merged_issue
from kpi_audit.ingest.read import FileGrids, FileRead, Sheet, SheetNames, read_file, sheet_names
from kpi_audit.ingest.validate import Validation, validate_rows
from kpi_audit.render.i18n import issue_messages


@dataclass(frozen=True)
class PreparedFile:
    read: FileRead
    rows: pl.DataFrame  # coerced rows of every sheet + _sheet_no, _sheet, _status
    issues: pl.DataFrame  # _sheet_no + ISSUE_SCHEMA


def prepare_file(
    path: Path,
    data: bytes,
    *,
    period: Period | None = None,
    sheet: SheetNames = None,
    encoding: str | None = None,
    grids: FileGrids | None = None,
) -> PreparedFile:
    """Read, coerce and validate one file; raises :class:`InputError` if unreadable.
    ``sheet``: the sheets to read, one or several (default: every visible one);
    ``encoding``: the text encoding of a CSV file (default: detected); ``grids``: its
    cells, when read already (read.file_grids with the same ``sheet`` and ``encoding``)."""
    read = read_file(path, data, sheet=sheet, encoding=encoding, grids=grids)
    for s in read.sheets:
        if "period" not in s.columns and period is None:
            raise InputError(
                code="no_period_column",
                path=str(path),
                sheet=s.name,
            )
    rows = pl.concat(
        [_coerced(i, s, period) for i, s in enumerate(read.sheets)], how="diagonal_relaxed"
    )
    if rows.height == 0:
        raise InputError(
            code="no_data_rows", path=str(path), sheet=", ".join(sheet_names(sheet)) or None
        )
    checked = validate_rows(rows, default_period=period, uncomputed=_uncomputed(read))

    headers = pl.DataFrame(
        [(i, f, h) for i, s in enumerate(read.sheets) for f, h in s.headers.items()],
        schema={"_sheet_no": pl.Int64(), "field": pl.String(), "header": pl.String()},
        orient="row",
    )
    row_issues = checked.issues.join(headers, on=["_sheet_no", "field"], how="left")
    issues = (
        pl.concat(
            [_sheet_level_issues(read), _encoding_suspect(read, checked), row_issues],
            how="diagonal_relaxed",
        )
        .with_columns(file=pl.lit(str(path)))
        .select("_sheet_no", *ISSUE_SCHEMA)
    )
    return PreparedFile(read, checked.rows, issues)


def _encoding_suspect(read: FileRead, checked: Validation) -> pl.DataFrame:
    """A file-level warning when a CSV file's every data row has a non-ASCII value that
    is not in its field's vocabulary (机构类别, 城乡 …): the mark of a wrong decoding."""
    if read.encoding is None:
        return sheet_issues([])
    data = checked.rows.filter(pl.col("_status") != "skipped").height
    garbled = checked.issues.filter(
        (pl.col("code") == "vocabulary") & pl.col("value").str.contains(r"[^\x00-\x7F]")
    )
    if data == 0 or garbled.select("_sheet_no", "row").n_unique() < data:
        return sheet_issues([])
    fields = [f for f in FIELDS_BY_ID if f in set(garbled.get_column("field").to_list())]
    _, zh, en = issue_messages("encoding_suspect", encoding=read.encoding, fields=fields)
    record = {"severity": "warning", "code": "encoding_suspect", "message_zh": zh}
    return sheet_issues([{**record, "message_en": en}])


def _uncomputed(read: FileRead) -> pl.DataFrame | None:
    """The formula cells without a cached value of every sheet (None: there are none)."""
    cells = [
        (i, row, f, formula, s.headers[f])
        for i, s in enumerate(read.sheets)
        for row, f, formula in s.uncomputed
    ]
    if not cells:
        return None
    return pl.DataFrame(
        cells,
        schema={
            "_sheet_no": pl.Int64(),
            "_row": pl.Int64(),
            "field": pl.String(),
            "formula": pl.String(),
            "header": pl.String(),
        },
        orient="row",
    )


def _units(sheet: Sheet) -> dict[str, tuple[int, str]]:
    """The count fields whose header states 万 or 千: field id → (factor, unit)."""
    found = {f: unit_factor(h) for f, h in sheet.headers.items() if FIELDS_BY_ID[f].type == "int"}
    return {f: u for f, u in found.items() if u is not None}


def _coerced(sheet_no: int, sheet: Sheet, period: Period | None) -> pl.DataFrame:
    factors = {f: factor for f, (factor, _) in _units(sheet).items()}
    return coerce_cells(sheet.cells, sheet.columns, period, factors).with_columns(
        _sheet_no=pl.lit(sheet_no, dtype=pl.Int64),
        _sheet=pl.lit(sheet.name, dtype=pl.String),
    )


def _sheet_level_issues(read: FileRead) -> pl.DataFrame:
    records: list[dict[str, object]] = []
    for i, s in enumerate(read.sheets):
        for letter, header in s.unknown:
            _, zh, en = issue_messages("unknown_column", letter=letter, header=header)
            records.append(
                {
                    "_sheet_no": i,
                    "sheet": s.name,
                    "row": s.header_row,
                    "header": header,
                    "severity": "notice",
                    "code": "unknown_column",
                    "message_zh": zh,
                    "message_en": en,
                }
            )
        for f, (factor, unit) in _units(s).items():
            header = s.headers[f]
            _, zh, en = issue_messages("unit_converted", header=header, unit=unit, factor=factor)
            records.append(
                {
                    "_sheet_no": i,
                    "sheet": s.name,
                    "row": s.header_row,
                    "field": f,
                    "header": header,
                    "severity": "notice",
                    "code": "unit_converted",
                    "message_zh": zh,
                    "message_en": en,
                }
            )
        for merged in s.merged:
            records.append(
                {"_sheet_no": i, "sheet": s.name, "row": merged.first_row, **merged_issue(merged)}
            )
    for skipped in read.skipped:
        _, zh, en = issue_messages(
            "sheet_skipped", sheet=skipped.name, row=skipped.row, case=skipped.reason
        )
        records.append(
            {
                "sheet": skipped.name,
                "severity": "notice",
                "code": "sheet_skipped",
                "message_zh": zh,
                "message_en": en,
            }
        )
    return sheet_issues(records)
