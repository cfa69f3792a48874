from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from _ingest_helpers import (
    EAST,
    FIXTURES,
    HEADER,
    with_cells,
    write_csv,
    write_submission,
    write_workbook,
)

from kpi_audit.core.errors import InputError
from kpi_audit.ingest.discover import expand_paths
from kpi_audit.ingest.read import read_file


def _read(path: Path, sheet: str | None = None):
    return read_file(path, path.read_bytes(), sheet=sheet)


def _column(sheet, field_id: str) -> list[str | None]:
    return sheet.cells.get_column(sheet.columns[field_id]).to_list()


# ---- expand_paths -----------------------------------------------------------------


def test_expand_paths_files_folders_and_globs(tmp_path: Path) -> None:
    (tmp_path / "q3" / "east").mkdir(parents=True)
    a = write_csv(tmp_path / "q3" / "a.csv", [HEADER])
    b = write_submission(tmp_path / "q3" / "east" / "b.xlsx", EAST)
    (tmp_path / "q3" / "east" / "~$b.xlsx").write_bytes(b"lock")  # Excel's lock file
    (tmp_path / "q3" / "notes.txt").write_text("x")
    assert expand_paths([tmp_path / "q3"]) == [a, b]  # recursive, spreadsheets only
    assert expand_paths([str(tmp_path / "q3" / "**" / "*.xlsx")]) == [b]
    assert expand_paths([a, tmp_path / "q3"]) == [a, b]  # no duplicates, order kept


def test_expand_paths_names_what_matched_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder") as exc:
        expand_paths([tmp_path / "missing.xlsx"])
    assert exc.value.path == str(tmp_path / "missing.xlsx")
    with pytest.raises(InputError, match=r"matches no \.xlsx, \.xls or \.csv file"):
        expand_paths([str(tmp_path / "*.xlsx")])


# ---- header detection and row numbers ----------------------------------------------


def test_title_rows_merged_cells_and_blank_rows_above_the_header() -> None:
    read = _read(FIXTURES / "title_row_merged.xlsx")
    (sheet,) = read.sheets
    assert (sheet.name, sheet.header_row) == ("东县", 4)
    # Data rows are Excel rows 5, 6, 7 (title, note, blank row, header above them).
    assert sheet.cells["_row"].to_list() == [5, 6, 7]
    assert _column(sheet, "org_code") == ["A001", "A002", "A003"]
    assert [s.name for s in read.skipped] == ["填报说明"]


def test_blank_rows_between_data_are_dropped_but_numbering_is_kept(tmp_path: Path) -> None:
    path = write_submission(
        tmp_path / "gaps.xlsx",
        [
            EAST[0],
            [None] * len(HEADER),
            ["  "],
            ["\u3000", " ", None, "\t"],  # whitespace of every kind is still blank
            [None] * len(HEADER) + ["a note beside the table"],  # no header: not data
            EAST[1],
        ],
    )
    (sheet,) = _read(path).sheets
    assert sheet.cells["_row"].to_list() == [2, 7]


def test_cells_come_as_text_as_calamine_formats_them(tmp_path: Path) -> None:
    path = write_submission(
        tmp_path / "types.xlsx",
        [
            ["A1", "甲", "东县", "综合医院", None, None, 2024, 120.0, 12.5, "1,234", True],
        ],
    )
    (sheet,) = _read(path).sheets
    row = sheet.cells.row(0, named=True)
    assert (
        row["报告期"],
        row["总诊疗人次"],
        row["中医诊疗人次"],
        row["服务常住人口"],
        row["签约人数"],
    ) == ("2024", "120", "12.5", "1,234", "true")


def test_header_variants_map_to_fields_and_unknown_columns_are_listed() -> None:
    (sheet,) = _read(FIXTURES / "header_variants.xlsx").sheets
    assert set(sheet.columns) == {
        "org_code",
        "org_name",
        "org_type",
        "county",
        "area",
        "period",
        "total_visits",
        "tcm_visits",
        "signed_residents",
        "resident_population",
    }
    assert sheet.headers["org_name"] == "机构 名称"  # line break shown as a space
    assert sheet.unknown == [("K", "备注")]


def test_traditional_headers() -> None:
    (sheet,) = _read(FIXTURES / "traditional_headers.xlsx").sheets
    assert sheet.headers["org_code"] == "機構代碼"
    assert _column(sheet, "org_type") == ["綜合醫院", "鄉鎮衛生院"]


def test_legacy_xls_is_read_by_calamine() -> None:
    (sheet,) = _read(FIXTURES / "legacy.xls").sheets
    assert (sheet.name, sheet.header_row) == ("东县", 3)
    assert sheet.cells["_row"].to_list() == [4, 5, 6]
    assert _column(sheet, "total_visits") == ["1000", "500", "800"]


@pytest.mark.parametrize("name", ["gb18030.csv", "utf8_bom.csv"])
def test_csv_encodings_are_detected(name: str) -> None:
    (sheet,) = _read(FIXTURES / name).sheets
    assert sheet.name is None
    assert sheet.headers["org_code"] == "机构代码"  # no BOM left on the first header
    assert _column(sheet, "org_name") == ["东县人民医院", "东关社区卫生服务中心", "东乡卫生院"]
    assert sheet.cells["_row"].to_list() == [2, 3, 4]


def test_csv_with_a_title_line_and_ragged_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["东县报表"], [], HEADER, EAST[0][:3], EAST[1]])
    (sheet,) = _read(path).sheets
    assert sheet.header_row == 3
    assert sheet.cells["_row"].to_list() == [4, 5]
    assert _column(sheet, "org_type") == [None, "社区卫生服务中心"]


def test_sheet_chosen_by_name_or_number(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "two.xlsx", {"东县": [HEADER, EAST[0]], "西县": [HEADER, EAST[1]]}
    )
    assert [s.name for s in _read(path).sheets] == ["东县", "西县"]
    assert [s.name for s in _read(path, "西县").sheets] == ["西县"]
    assert [s.name for s in _read(path, "2").sheets] == ["西县"]
    with pytest.raises(InputError, match=r"no sheet named '北县' \(sheets: 东县, 西县\)"):
        _read(path, "北县")


def test_hidden_sheets_are_not_read(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "h.xlsx", {"东县": [HEADER, EAST[0]], "lists": [HEADER]})
    wb = openpyxl.load_workbook(path)
    wb["lists"].sheet_state = "hidden"
    wb.save(path)
    assert [s.name for s in _read(path).sheets] == ["东县"]


def test_two_columns_meaning_one_field_is_an_error(tmp_path: Path) -> None:
    path = write_submission(tmp_path / "d.xlsx", [], header=[*HEADER, "总诊疗量"])
    with pytest.raises(InputError) as exc:
        _read(path)
    assert str(exc.value) == (
        f"{path}, sheet 东县, row 1: columns H (总诊疗人次) and L (总诊疗量) "
        "both mean 总诊疗人次; keep one"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.xlsx", "not a readable workbook, damaged or truncated?"),
        ("not_a_spreadsheet.xlsx", "not a readable workbook, damaged or truncated?"),
        ("empty.xlsx", "the file is empty"),
        ("no_header.xlsx", "no sheet has a recognisable header row"),
        ("missing_required_column.xlsx", "missing required column(s): 机构类别 (org_type)"),
    ],
)
def test_unreadable_files_raise_one_line_naming_the_file(name: str, message: str) -> None:
    path = FIXTURES / name
    with pytest.raises(InputError) as exc:
        _read(path)
    text = str(exc.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_unknown_suffix_is_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK")
    with pytest.raises(InputError, match=r"not a spreadsheet"):
        _read(path)


def test_formula_errors_read_as_their_excel_text_not_as_blanks(tmp_path: Path) -> None:
    # openpyxl stores these strings as error cells, which calamine returns as null.
    path = write_submission(
        tmp_path / "err.xlsx",
        [with_cells(EAST[0], 中医诊疗人次="#DIV/0!"), with_cells(EAST[1], 签约人数="#N/A")],
    )
    (sheet,) = _read(path).sheets
    assert _column(sheet, "tcm_visits") == ["#DIV/0!", "200"]
    assert _column(sheet, "signed_residents") == [None, "#N/A"]


def test_utf16_text_from_excel_is_read() -> None:
    # Excel's "Unicode text" (UTF-16 with a BOM), once refused as neither UTF-8 nor GB18030
    read = _read(FIXTURES / "utf16.csv")
    (sheet,) = read.sheets
    assert sheet.cells.height == 3 and "org_code" in sheet.columns
