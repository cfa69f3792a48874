"""Formula cells saved without their value (openpyxl and other writers that cannot
calculate): a row error ``formula_not_computed``, never a silent blank."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from _ingest_helpers import EAST, FIXTURES, write_submission

from kpi_audit.ingest import formulas, read
from kpi_audit.ingest.limits import Limits, check_workbook
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.ingest.prepare import prepare_file

FIXTURE = FIXTURES / "formula_without_cached_value.xlsx"


def _with_sheet_xml(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook ``data`` with ``old`` replaced by ``new`` in its first sheet's XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert old in body
                body = body.replace(old, new)
            dst.writestr(info, body)
    return out.getvalue()


def test_a_formula_without_its_value_is_an_error_of_its_row(store) -> None:
    (f,) = ingest_paths(store, [FIXTURE]).files
    assert (f.rows_loaded, f.rows_rejected) == (2, 1)
    found = f.issues.filter(code="formula_not_computed")
    # I2 (中医诊疗人次 of A001) only: L3 is under 备注, which is no field
    assert found.select(
        "sheet", "row", "field", "header", "value", "severity", "org_code"
    ).rows() == [("东县", 2, "tcm_visits", "中医诊疗人次", "=H2/10", "error", "A001")]
    assert found.get_column("message_zh").to_list() == [
        "第 2 行「中医诊疗人次」：公式未计算，请在Excel中重新计算后保存"
    ]
    assert found.get_column("message_en").to_list() == [
        "row 2, 中医诊疗人次: the formula has no computed value; recalculate it in Excel and save"
    ]
    rejected = store.execute("SELECT org_code, source_row FROM rejects").fetchall()
    assert rejected == [("A001", 2)]


def test_a_formula_with_its_cached_value_reads_the_value() -> None:
    data = _with_sheet_xml(
        FIXTURE.read_bytes(), b"<f>H2/10</f><v /></c>", b"<f>H2/10</f><v>100</v></c>"
    )
    prepared = prepare_file(FIXTURE, data)
    assert prepared.issues.filter(code="formula_not_computed").height == 0
    assert prepared.rows.get_column("tcm_visits").to_list() == [100, 200, 300]


def test_only_sheets_with_formulas_are_scanned(tmp_path: Path, monkeypatch) -> None:
    plain = write_submission(tmp_path / "plain.xlsx", EAST)
    assert check_workbook(plain, plain.read_bytes(), Limits()).formulas == set()
    assert check_workbook(FIXTURE, FIXTURE.read_bytes(), Limits()).formulas == {"东县"}

    def no_scan(data: bytes, sheets: object) -> None:
        raise AssertionError("scanned a workbook without formulas")

    monkeypatch.setattr(read, "uncached_formulas", no_scan)
    assert prepare_file(plain, plain.read_bytes()).rows.height == 3


@pytest.mark.parametrize("chunk", [7, 64, 100, 1024 * 1024])
def test_cells_across_chunk_boundaries_are_found(monkeypatch, chunk: int) -> None:
    monkeypatch.setattr(formulas, "_CHUNK", chunk)
    found = formulas.uncached_formulas(FIXTURE.read_bytes(), ["东县", "no such sheet"])
    assert found == {"东县": {("I", 2): "=H2/10", ("L", 3): '=IF(H3>0,"有","无")'}}


def test_shared_and_prefixed_formula_cells() -> None:
    xml = (
        b'<x:c r="B7" t="str"><x:f t="shared" si="0"/></x:c>'
        b'<c r="C7"><f>A7*2</f><v>14</v></c>'
        b'<c r="D7" s="1"><f>SUM(A1:A6)</f></c>'
    )
    assert formulas._cells(xml) == {("B", 7): "=", ("D", 7): "=SUM(A1:A6)"}


@pytest.mark.parametrize(
    "cached",
    [b"<v></v>", b"<v/>", b"<v />"],  # LibreOffice writes <v></v>, Excel <v/>
)
def test_a_formula_whose_cached_result_is_an_empty_string_is_a_blank(cached: bytes) -> None:
    # =IF(…,"") computed: its result is the empty string, a missing value, not an error
    data = _with_sheet_xml(
        FIXTURE.read_bytes(),
        b'<c r="I2"><f>H2/10</f><v /></c>',
        b'<c r="I2" t="str"><f>IF(H2&gt;0,"",1)</f>' + cached + b"</c>",
    )
    prepared = prepare_file(FIXTURE, data)
    assert prepared.issues.filter(code="formula_not_computed").height == 0
    assert prepared.rows.get_column("tcm_visits").to_list() == [None, 200, 300]


def test_only_a_string_result_may_be_empty() -> None:
    xml = (
        b'<c r="A1" t="str"><f>IF(1&gt;2,5,"")</f><v></v></c>'  # LibreOffice: computed ""
        b'<c r="B1" s="3" t=\'str\'><f>""</f><v/></c>'  # Excel: computed ""
        b'<c r="C1" t="str"><f>A1</f></c>'  # no <v> at all: not computed
        b'<c r="D1"><f>A1*2</f><v></v></c>'  # an empty number: not computed (openpyxl)
        b'<c r="E1" t="n"><f>A1*3</f><v/></c>'
        b'<c r="F1" t="b"><f>A1=1</f><v/></c>'
    )
    assert formulas._cells(xml) == {
        ("C", 1): "=A1",
        ("D", 1): "=A1*2",
        ("E", 1): "=A1*3",
        ("F", 1): "=A1=1",
    }


def test_the_reviewers_libreoffice_empty_string_row_loads_blank(store) -> None:
    (f,) = ingest_paths(store, [FIXTURES / "formula_cached_odd_libreoffice.xlsx"]).files
    assert f.issues.filter(code="formula_not_computed").height == 0
    row = store.execute(
        "SELECT total_visits, tcm_visits FROM submissions WHERE org_code = '12345678901234567X'"
    ).fetchall()
    assert row == [(500, None)]
