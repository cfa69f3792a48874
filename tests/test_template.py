"""The blank submission workbook (`kpi-audit template`)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from kpi_audit.cli.app import app
from kpi_audit.core.errors import UsageError
from kpi_audit.core.fields import FIELDS, FIELDS_BY_ID, INT_FIELDS
from kpi_audit.ingest.template import (
    MEANING_ZH,
    TEMPLATE_LAST_ROW,
    build_template,
    display_width,
    field_rule,
    instruction_rows,
    write_template,
)

ZH_HEADERS = [f.zh for f in FIELDS]


@pytest.fixture(scope="module")
def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "模板.xlsx"
    write_template(path)
    return path


@pytest.fixture(scope="module")
def data_sheet(template_path: Path) -> Worksheet:
    ws = openpyxl.load_workbook(template_path)["填报表"]
    assert isinstance(ws, Worksheet)
    return ws


def _validations(ws: Worksheet) -> dict[str, tuple[str | None, str | None, str | None]]:
    """sqref → (type, formula1, operator) of every data validation."""
    return {
        str(dv.sqref): (dv.type, dv.formula1, dv.operator)
        for dv in ws.data_validations.dataValidation
    }


def test_data_sheet_headers_are_the_contract_headers_in_catalog_order(data_sheet) -> None:
    headers = [c.value for c in data_sheet[1]]
    assert headers == ZH_HEADERS
    assert headers[:8] == [
        "机构代码",
        "机构名称",
        "所属市",
        "所属区县",
        "机构类别",
        "医院等级",
        "城乡",
        "报告期",
    ]
    assert data_sheet.max_row == 1  # blank: nothing below the header


def test_header_row_is_what_ingest_sees_through_calamine(template_path: Path) -> None:
    df = pl.read_excel(template_path, engine="calamine")  # the first sheet
    assert df.columns == ZH_HEADERS
    assert df.height == 0


def test_sheets_and_frozen_header(template_path: Path, data_sheet) -> None:
    assert openpyxl.load_workbook(template_path).sheetnames == ["填报表", "填报说明"]
    assert data_sheet.freeze_panes == "A2"


def test_required_headers_are_marked_by_style_not_text(data_sheet) -> None:
    styles = {c.value: (c.font.b, c.fill.fgColor.rgb) for c in data_sheet[1]}
    required = {f.zh for f in FIELDS if f.required}
    assert required == {"机构代码", "机构名称", "所属区县", "机构类别", "报告期"}
    assert {styles[h] for h in required} == {(True, "00F8CBAD")}
    assert {styles[h] for h in ZH_HEADERS if h not in required} == {(False, "00D9E1F2")}


def test_dropdowns_and_whole_number_validation(data_sheet) -> None:
    dvs = _validations(data_sheet)
    # A–H: code, name, city, county, type, grade, area, period; then the 23 count fields
    # (10 contract counts + 13 added: I..AE) and the 6 yes/no fields (AF..AK); then the
    # fields added for issue 9: 门诊人次, 县级临床重点专科数 (AL, AM), 医院等次 (AN),
    # 主办性质 (AO) and one more yes/no field (AP).
    assert dvs["E2:E5000"] == (
        "list",
        '"综合医院,中医医院,中西医结合医院,民族医院,专科医院,护理院,社区卫生服务中心,'
        "社区卫生服务站,乡镇卫生院,村卫生室,门诊部,诊所,街道卫生院,中医门诊部,中医诊所,"
        '妇幼保健院,专业公共卫生机构,其他"',
        None,
    )
    assert dvs["F2:F5000"] == ("list", '"三级,二级,一级,未定级"', None)
    assert dvs["G2:G5000"] == ("list", '"城市,农村"', None)
    assert dvs["AF2:AF5000 AG2:AG5000 AH2:AH5000 AI2:AI5000 AJ2:AJ5000 AK2:AK5000 AP2:AP5000"] == (
        "list",
        '"是,否"',
        None,
    )
    assert dvs["AN2:AN5000"] == ("list", '"甲等,乙等,丙等,未评"', None)
    assert dvs["AO2:AO5000"] == ("list", '"公立,非公立"', None)
    int_ranges = " ".join(
        f"{col}2:{col}5000"
        for col in [
            "I",
            "J",
            "K",
            "L",
            "M",
            "N",
            "O",
            "P",
            "Q",
            "R",
            "S",
            "T",
            "U",
            "V",
            "W",
            "X",
            "Y",
            "Z",
            "AA",
            "AB",
            "AC",
            "AD",
            "AE",
            "AL",
            "AM",
        ]
    )
    assert len(INT_FIELDS) == 25
    assert dvs[int_ranges] == ("whole", "0", "greaterThanOrEqual")
    assert TEMPLATE_LAST_ROW == 5000


def test_validation_messages_and_hints_are_chinese(data_sheet) -> None:
    by_range = {str(dv.sqref): dv for dv in data_sheet.data_validations.dataValidation}
    counts = by_range[next(r for r in by_range if r.startswith("I2:I5000"))]
    assert counts.showErrorMessage
    assert counts.error == "请填写大于或等于 0 的整数；不知道请留空，不要填 0"
    assert by_range["E2:E5000"].error.startswith("请从下拉列表中选择：综合医院、中医医院")
    period = by_range["H2:H5000"]
    assert (period.type, period.showInputMessage, period.promptTitle) == (None, True, "报告期")
    assert period.prompt == "如 2024Q3 或 2024年第三季度；全年填 2024"


def test_org_code_column_is_text_and_widths_fit_chinese(data_sheet) -> None:
    assert data_sheet.column_dimensions["A"].number_format == "@"
    # 专业公共卫生机构 is 8 wide characters = 16 columns; +4 of padding.
    assert data_sheet.column_dimensions["E"].width == 20
    for col, f in enumerate(FIELDS, start=1):
        letter = openpyxl.utils.get_column_letter(col)
        width = data_sheet.column_dimensions[letter].width
        assert width >= min(display_width(f.zh), 24), f.zh


def test_display_width_counts_cjk_double() -> None:
    assert display_width("总诊疗人次") == 10
    assert display_width("2024Q3") == 6
    assert display_width("（人次）") == 8


def test_instructions_sheet_has_one_row_per_field(template_path: Path) -> None:
    ws = openpyxl.load_workbook(template_path)["填报说明"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "表头")
    assert rows[header_at] == ("表头", "字段代码", "含义", "单位", "类型", "是否必填", "规则")
    table = rows[header_at + 1 :]
    assert len(table) == len(FIELDS)
    assert [r[1] for r in table] == [f.id for f in FIELDS]
    assert table[9] == (
        "中医诊疗人次",
        "tcm_visits",
        "报告期内中医（含民族医）诊疗人次",
        "人次",
        "整数",
        "否",
        "整数，≥0，不得大于总诊疗人次",
    )
    notes = "\n".join(str(r[0]) for r in rows[:header_at] if r[0])
    assert "留空" in notes and "切勿用 0 代替未知数" in notes and "2024年第三季度" in notes


def test_every_field_has_a_chinese_meaning() -> None:
    assert set(MEANING_ZH) == set(FIELDS_BY_ID)


def test_rules_are_derived_from_the_catalog() -> None:
    rules = {f.id: field_rule(f) for f in FIELDS}
    assert rules["org_code"] == "文本，保留前导零；各期保持一致，必填"
    assert (
        rules["hospital_grade"] == "从下拉列表选择：三级、二级、一级、未定级，医院填写;基层机构留空"
    )
    assert rules["key_signed"] == "整数，≥0，不得大于重点人群数"
    assert rules["provides_tcm"] == "填“是”或“否”"
    assert rules["period"] == "如 2024Q3、2024年第三季度；全年填 2024，必填"
    assert field_rule(FIELDS_BY_ID["signed_residents"], "en") == (
        "whole number ≥ 0; not more than 服务常住人口"
    )


def test_english_template_keeps_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "template_en.xlsx"
    write_template(path, lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Data", "Instructions"]
    assert [c.value for c in wb["Data"][1]] == ZH_HEADERS
    rows = list(wb["Instructions"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Header")
    assert rows[header_at + 1] == (
        "机构代码",
        "org_code",
        "institution code",
        None,
        "text",
        "yes",
        "text, leading zeros kept; the same in every period; required",
    )
    assert len(rows) - header_at - 1 == len(FIELDS) == len(instruction_rows("en"))
    error = next(
        dv.error for dv in wb["Data"].data_validations.dataValidation if dv.type == "whole"
    )
    assert error == "Enter a whole number ≥ 0; leave it blank if unknown (never 0)"


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown template language 'fr'"):
        build_template(lang="fr")


def test_same_content_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(first)
    write_template(second)
    assert first.read_bytes() == second.read_bytes()


# ---------------------------------------------------------------- CLI


def test_cli_writes_the_template(runner, tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    result = runner.invoke(app, ["template", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已生成模板：{out}（42 列，其中 5 列必填）\n"
    assert pl.read_excel(out, engine="calamine").columns == ZH_HEADERS


def test_cli_refuses_to_overwrite_without_force(runner, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"keep me")
    result = runner.invoke(app, ["template", "--output", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"错误：{out} 已存在（用 --force 覆盖）\n"
    result = runner.invoke(app, ["template", "--output", str(out), "--lang", "en"])
    assert result.exit_code == 2
    assert result.stderr == f"error: {out} already exists (use --force to overwrite it)\n"
    assert result.stdout == ""
    assert out.read_bytes() == b"keep me"

    forced = runner.invoke(app, ["template", "--output", str(out), "--force", "--lang", "en"])
    assert forced.exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["Data", "Instructions"]


def test_cli_needs_an_output_and_a_known_language(runner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["template"]).exit_code == 2
    assert (
        runner.invoke(app, ["template", "-o", str(tmp_path / "x.xlsx"), "--lang", "fr"]).exit_code
        == 2
    )


def test_cli_impossible_output_is_an_input_error(runner, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "t.xlsx"
    result = runner.invoke(app, ["template", "-o", str(out)])
    assert result.exit_code == 3
    assert result.stderr == f"错误：{out}：无法写入此处：{tmp_path / 'afile'} 是文件，不是文件夹\n"
    result = runner.invoke(app, ["template", "-o", str(out)], env={"KPI_AUDIT_LANG": "en"})
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: {out}: cannot write there: {tmp_path / 'afile'} is a file, not a folder\n"
    )


def test_cli_makes_the_folder_it_writes_into(runner, tmp_path: Path) -> None:
    out = tmp_path / "new" / "t.xlsx"
    assert runner.invoke(app, ["template", "-o", str(out)]).exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["填报表", "填报说明"]
