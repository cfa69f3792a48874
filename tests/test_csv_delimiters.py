"""CSV field separators: a comma, a tab (Excel's 「Unicode 文本」 export: UTF-16 with
tabs) or a semicolon (a European locale's 「CSV」), chosen by the header row they split."""

from __future__ import annotations

from pathlib import Path

import pytest
from _ingest_helpers import EAST, FIXTURES, HEADER

from kpi_audit.core.errors import InputError
from kpi_audit.ingest.prepare import prepare_file
from kpi_audit.ingest.read import read_file
from kpi_audit.ingest.registers import prepare_register
from kpi_audit.render.i18n import error_line


def _csv(path: Path, rows: list[list[object]], sep: str, encoding: str = "utf-8") -> Path:
    lines = [sep.join("" if v is None else str(v) for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(";", "utf-8"), ("\t", "utf-8-sig"), ("\t", "utf-16"), (";", "gb18030"), (",", "utf-8")],
)
def test_each_separator_reads_the_same_rows(tmp_path: Path, sep: str, encoding: str) -> None:
    path = _csv(tmp_path / "east.csv", [HEADER, *EAST], sep, encoding)
    prepared = prepare_file(path, path.read_bytes())
    assert prepared.issues.height == 0
    assert prepared.rows.get_column("_status").to_list() == ["loaded"] * 3
    assert prepared.rows.get_column("org_name").to_list() == [r[1] for r in EAST]
    assert prepared.rows.get_column("total_visits").to_list() == [1000, 500, 800]


def test_excels_unicode_text_export_reads() -> None:
    path = FIXTURES / "excel_unicode_text_utf16_tab.csv"
    prepared = prepare_file(path, path.read_bytes())
    assert prepared.read.encoding == "UTF-16"
    assert prepared.rows.get_column("org_code").to_list() == [
        "001234567890123456",
        "123456789012345678",
        "12345678901234567X",
        "000123",
    ]
    assert prepared.rows.get_column("county").to_list()[:2] == ["青石县", "东湖区"]


def test_a_comma_file_whose_values_hold_semicolons_and_tabs_stays_comma(tmp_path: Path) -> None:
    rows = [list(r) for r in EAST]
    rows[0][1] = '"东县人民医院;总院\t本部"'
    path = _csv(tmp_path / "east.csv", [HEADER, *rows], ",")
    prepared = prepare_file(path, path.read_bytes())
    assert prepared.rows.get_column("org_name").to_list()[0] == "东县人民医院;总院\t本部"
    assert prepared.rows.height == 3


def test_a_register_with_semicolons_reads(tmp_path: Path) -> None:
    rows = [
        ["行政区划代码", "区县名称", "年度", "常住人口"],
        ["410102", "东县", "2024", "500000"],
    ]
    path = _csv(tmp_path / "areas.csv", rows, ";")
    register = prepare_register(path, path.read_bytes())
    assert register is not None and register.kind == "areas"
    assert register.rows.get_column("population").to_list() == [500000]


def test_no_header_says_which_separators_were_tried(tmp_path: Path) -> None:
    path = _csv(tmp_path / "notes.csv", [["说明", "备注"], ["1", "2"]], "|")
    with pytest.raises(InputError) as caught:
        read_file(path, path.read_bytes())
    zh, en = error_line(caught.value, "zh"), error_line(caught.value, "en")
    assert "逗号、制表符和分号" in zh and "按 UTF-8 读取" in zh
    assert "comma, tab and semicolon" in en and "read as UTF-8" in en
