"""Register ingest (domain.md §3b): recognised by headers, validated as data, superseding."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.store.registers import register_coverage_issues

AREAS = """行政区划代码,区县名称,所属市,区划类型,年度,常住人口,城镇常住人口,农村常住人口,\
重点人群数,家庭户数
410102,南山区,河川市,,2024,"512,300",480000,32300,150000,170000
410122,东县,河川市,县,2024,300000,120000,180000,90000,100000
41012X,西县,河川市,,2024,1,,,,
410181,北市,河川市,,2024,200000,250000,,,
410122,东县,河川市,县,2024,310000,,,,
"""
INSTITUTIONS = """机构代码,机构名称,所属区县,机构类别,医院等级,应报起始期,应报截止期
A1,河川市南山医院,南山区,综合医院,三级甲等,,
A2,东县卫生院,东县,乡镇卫生院,,2024年第一季度,2024Q2
A3,坏机构,东县,火星站,,,
A4,反窗,东县,村卫生室,,2024Q3,2024Q1
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_area_register_rows_types_and_issues(store, tmp_path: Path) -> None:
    report = ingest_paths(store, [_write(tmp_path, "areas.csv", AREAS)])
    (f,) = report.files
    assert (f.status, f.register, f.rows_loaded, f.rows_rejected) == ("loaded", "areas", 3, 2)
    rows = store.execute(
        "SELECT area_code, county, area_type, area_type_basis, population, urban_population"
        " FROM current_area_register ORDER BY area_code"
    ).fetchall()
    assert rows == [
        ("410102", "南山区", "市辖区", "code", 512300, 480000),  # 02 → 市辖区, from the code
        ("410122", "东县", "县", "stated", 310000, None),  # the later row of the key wins
    ]
    assert store.execute("SELECT count(*) FROM area_register").fetchall() == [(3,)]  # history
    errors = f.issues.filter(severity="error")
    codes = dict(zip(errors["row"].to_list(), errors["code"].to_list(), strict=True))
    assert codes[4] == "register_bad_area_code"
    assert codes[5] == "register_part_exceeds_whole"  # 城镇 250000 > 常住 200000
    messages = set(f.issues["message_zh"].to_list())
    assert "城镇常住人口（250000）大于常住人口（200000），该行未导入" in messages


def test_institution_register_windows_and_a_reload_supersedes(store, tmp_path: Path) -> None:
    ingest_paths(store, [_write(tmp_path, "inst.csv", INSTITUTIONS)])
    rows = store.execute(
        "SELECT org_code, org_type, hospital_grade, reports_from, reports_until,"
        " reports_from_ord, reports_until_ord FROM current_institution_register ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("A1", "综合医院", "三级", None, None, None, None),
        ("A2", "乡镇卫生院", None, "2024Q1", "2024Q2", 20241, 20242),
    ]
    issues = store.execute("SELECT source_row, code FROM register_issues ORDER BY 1").fetchall()
    assert issues == [(4, "register_vocabulary"), (5, "register_window_reversed")]
    again = ingest_paths(store, [tmp_path / "inst.csv"])
    assert again.files[0].status == "unchanged"
    later = (
        "机构代码,机构名称,所属区县,机构类别,应报截止期\nA1,河川市南山医院,南山区,综合医院,2024Q2\n"
    )
    ingest_paths(store, [_write(tmp_path, "later.csv", later)])
    assert store.execute(
        "SELECT org_code, reports_until_ord FROM current_institution_register ORDER BY 1"
    ).fetchall() == [("A1", 20242), ("A2", 20242)]
    assert store.execute(
        "SELECT count(*) FROM institution_register WHERE superseded_at IS NOT NULL"
    ).fetchall() == [(1,)]


def test_coverage_issues_between_register_and_submissions(store, tmp_path: Path) -> None:
    ingest_paths(store, [_write(tmp_path, "areas.csv", AREAS)])
    store.execute(
        "INSERT INTO files (path, sha256, size_bytes, ingested_at) VALUES ('s', 's', 1, now())"
    )
    store.execute(
        "INSERT INTO submissions (file_id, source_row, ingested_at, period, period_year,"
        " period_quarter, org_code, county) VALUES"
        " (1, 2, now(), '2024Q3', 2024, 3, 'X', '南山区'),"
        " (1, 3, now(), '2024Q3', 2024, 3, 'Y', '西湾区')"
    )
    issues = register_coverage_issues(store)
    assert issues.select("code", "county", "year").rows() == [
        ("register_county_missing", "西湾区", 2024),
        ("register_county_not_submitted", "东县", 2024),
    ]
    assert issues["message_zh"][0] == "报送数据中的西湾区不在已导入的 2024 年区划名录中"


def test_templates_read_back_as_registers_and_the_registers_command(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "s.duckdb")
    for kind, headers in (("areas", "行政区划代码"), ("institutions", "应报起始期")):
        out = tmp_path / f"{kind}.xlsx"
        result = runner.invoke(app, ["template", "--kind", kind, "-o", str(out)])
        assert result.exit_code == 0, result.output
        ws = openpyxl.load_workbook(out).active
        assert headers in [c.value for c in ws[1]]
        before = out.read_bytes()
        runner.invoke(app, ["template", "--kind", kind, "-o", str(out), "--force"])
        assert out.read_bytes() == before  # reproducible
    result = runner.invoke(app, ["registers", "--db", db])
    assert result.exit_code == 0 and "尚未导入" in result.output
    _write(tmp_path, "areas.csv", AREAS)
    assert runner.invoke(app, ["ingest", "--db", db, str(tmp_path / "areas.csv")]).exit_code == 0
    result = runner.invoke(app, ["registers", "--db", db, "--format", "json"])
    payload = json.loads(result.output)
    assert [(r["kind"], r["year"], r["rows"]) for r in payload["registers"]] == [("areas", 2024, 2)]
    result = runner.invoke(app, ["registers", "--db", db])
    assert "行政区划与人口" in result.output


def test_an_institution_register_code_in_scientific_notation_is_refused(
    store, tmp_path: Path
) -> None:
    text = INSTITUTIONS.splitlines()[0] + "\n1.23457E+17,某卫生院,东县,乡镇卫生院,,,\n"
    text += "A9,东县另一卫生院,东县,乡镇卫生院,,,\n"
    (f,) = ingest_paths(store, [_write(tmp_path, "inst_scientific.csv", text)]).files
    assert (f.rows_loaded, f.rows_rejected) == (1, 1)
    assert f.issues.select("row", "code").rows() == [(2, "register_code_scientific")]
    codes = store.execute("SELECT org_code FROM current_institution_register").fetchall()
    assert codes == [("A9",)]


def test_an_area_register_with_city_and_year_merged_down_is_filled(store, tmp_path: Path) -> None:
    """The usual office sheet: 所属市 and 年度 merged over every county's row, 区划类型 over
    two. Each is filled into the rows below; 常住人口 merged over two rows is not (it
    would count twice): the second row lacks its population, an error, not loaded."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["行政区划代码", "区县名称", "所属市", "区划类型", "年度", "常住人口"])
    ws.append(["410102", "南山区", "河川市", "市辖区", 2024, 512300])
    ws.append(["410103", "西湾区", None, None, None, 200000])
    ws.append(["410122", "东县", None, "县", None, 300000])
    ws.append(["410123", "北县", None, None, None, None])
    for ref in ("C2:C5", "E2:E5", "D2:D3", "F4:F5"):
        ws.merge_cells(ref)
    path = tmp_path / "merged_city_and_year_register.xlsx"
    wb.save(path)
    (f,) = ingest_paths(store, [path]).files
    assert (f.register, f.rows_loaded, f.rows_rejected) == ("areas", 3, 1)
    rows = store.execute(
        "SELECT county, city, area_type, year, population FROM current_area_register"
        " ORDER BY area_code"
    ).fetchall()
    assert rows == [
        ("南山区", "河川市", "市辖区", 2024, 512300),
        ("西湾区", "河川市", "市辖区", 2024, 200000),
        ("东县", "河川市", "县", 2024, 300000),
    ]
    merged = f.issues.filter(f.issues["code"].str.starts_with("merged_"))
    assert merged.select("row", "field", "severity", "code").rows() == [
        (2, "city", "notice", "merged_filled"),
        (2, "area_type", "notice", "merged_filled"),
        (2, "year", "notice", "merged_filled"),
        (4, "population", "warning", "merged_not_filled"),
    ]
    assert merged["message_zh"].to_list()[0] == (
        "「所属市」有 1 处合并单元格（C2:C5）：已把各自首行的值填入下方各行"
    )


def test_a_register_workbook_is_read_once(store, tmp_path: Path, monkeypatch) -> None:
    """Tried as a submission first, then as a register: from the same grids, not a
    second scan and read of the workbook (an institution register may be a province's)."""
    import fastexcel

    calls: list[int] = []
    original = fastexcel.read_excel

    def counted(source: bytes, *args: object, **kwargs: object) -> object:
        calls.append(len(source))
        return original(source, *args, **kwargs)

    monkeypatch.setattr(fastexcel, "read_excel", counted)
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in INSTITUTIONS.splitlines():
        ws.append(line.split(","))
    path = tmp_path / "institutions.xlsx"
    wb.save(path)
    (f,) = ingest_paths(store, [path]).files
    assert (f.register, f.rows_loaded) == ("institutions", 2)
    assert calls == [path.stat().st_size]


def test_sheet_names_the_register_sheet_to_read(store, tmp_path: Path) -> None:
    """--sheet picks the register among a workbook's sheets (an institution register
    first, the area register named), hidden ones included, as it does for submissions."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "机构名录"
    for line in INSTITUTIONS.splitlines():
        ws.append(line.split(","))
    areas = wb.create_sheet("行政区划与人口")
    areas.append(["行政区划代码", "区县名称", "所属市", "区划类型", "年度", "常住人口"])
    areas.append(["410102", "南山区", "河川市", "市辖区", 2024, 512300])
    areas.sheet_state = "hidden"
    path = tmp_path / "two_registers.xlsx"
    wb.save(path)
    (f,) = ingest_paths(store, [path], sheet="行政区划与人口").files
    assert (f.register, f.rows_loaded) == ("areas", 1)
    assert store.execute("SELECT count(*) FROM institution_register").fetchall() == [(0,)]
