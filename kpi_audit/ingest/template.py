"""The blank workbook institutions fill in: a data sheet whose headers are the contract
headers of ``kpi_audit.core.fields.FIELDS`` (with dropdowns and validation), and an
instructions sheet generated from the same catalog.

Workbooks are written reproducibly (fixed document timestamps and zip entry times), so
writing the same content twice gives the same bytes.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from kpi_audit.core.atomic import write_bytes_atomic
from kpi_audit.core.errors import UsageError
from kpi_audit.core.fields import FIELDS, FIELDS_BY_ID, Field

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
# Validations cover this many data rows (2 .. TEMPLATE_LAST_ROW): more than any county
# reports, and cheap because a validation is one range, not one cell each.
TEMPLATE_LAST_ROW = 5000
FIXED_TIMESTAMP = datetime(2024, 1, 1, 0, 0, 0)

DATA_SHEET: dict[Lang, str] = {"zh": "填报表", "en": "Data"}
INSTRUCTIONS_SHEET: dict[Lang, str] = {"zh": "填报说明", "en": "Instructions"}
INSTRUCTION_COLUMNS: dict[Lang, tuple[str, ...]] = {
    "zh": ("表头", "字段代码", "含义", "单位", "类型", "是否必填", "规则"),
    "en": ("Header", "Field id", "Meaning", "Unit", "Type", "Required", "Rule"),
}

# What each field means, for the instructions sheet (English comes from Field.en).
MEANING_ZH: dict[str, str] = {
    "org_code": "机构的统一社会信用代码或组织机构代码，各报告期保持不变",
    "org_name": "机构全称",
    "city": "机构所在的地级市",
    "county": "机构所在的区、县（市）",
    "org_type": "机构类别",
    "hospital_grade": "医院评审等级",
    "area": "机构所在地属城市还是农村",
    "period": "数据所属的季度或年度",
    "total_visits": "报告期内门诊、急诊、出诊等诊疗人次合计",
    "tcm_visits": "报告期内中医（含民族医）诊疗人次",
    "general_outpatient_visits": "报告期内普通门诊（非专家、非专科门诊）人次",
    "appointment_visits": "报告期内通过预约就诊的人次",
    "referrals_up": "报告期内向上级医疗机构转诊的人次",
    "referrals_down": "报告期内向下级（基层）医疗机构转诊的人次",
    "resident_population": "机构服务区域内的常住人口",
    "signed_residents": "与家庭医生签约的常住居民人数（期末累计）",
    "key_population": "服务区域内重点人群人数。重点人群按《关于推进家庭医生签约服务的指导意见》"
    "（国医改办发〔2016〕1号）：65岁及以上老年人、孕产妇、儿童、残疾人，以及高血压、糖尿病、"
    "结核病等慢性疾病患者和严重精神障碍患者等；同一人属于几类人群的只计一次",
    "key_signed": "重点人群中已签约的人数（期末累计；同一人只计一次，口径同重点人群数）",
    "beds": "期末实有床位数",
    "health_technicians": "期末在岗卫生技术人员数",
    "mid_senior_title_staff": "卫生技术人员中具有中级及以上（中级、副高、正高）专业技术职称的人数",
    "bachelor_staff": "卫生技术人员中本科及以上学历的人数",
    "college_staff": "卫生技术人员中大专及以上学历的人数",
    "doctors": "执业医师和执业助理医师人数",
    "nurses": "注册护士人数",
    "general_practitioners": "注册为全科医学专业或取得全科培训合格证的医生人数",
    "chronic_patients": "服务区域内登记管理的高血压、糖尿病患者人数",
    "chronic_managed": "其中按规范进行管理的人数",
    "day_surgery_types": "开展日间手术的病种数",
    "key_specialties": "省、市级临床重点专科个数",
    "county_key_specialties": "县级医院临床重点专科建设工程中经评审确定的县级临床重点专科个数"
    "（不含省、市级临床重点专科）",
    "outpatient_visits": "报告期内门诊人次（不含急诊、出诊），预约诊疗率的分母",
    "hospital_rank": "医院评审等次（甲等、乙等、丙等、未评）",
    "ownership": "公立或非公立（社会办）",
    "partnered_with_hospital": "社区卫生服务中心、乡镇卫生院是否与二、三级医院建立稳定的"
    "技术帮扶和分工协作关系",
    "emr_level": "电子病历系统应用水平分级评价等级",
    "county_level_hospital": "是否为县级（含区级）医院",
    "provides_tcm": "是否能够提供中医药服务",
    "meets_basic_standard": "是否达到国家基层医疗卫生机构服务能力基本标准",
    "meets_recommended_standard": "是否达到国家基层医疗卫生机构服务能力推荐标准",
    "on_referral_platform": "是否已接入分级诊疗信息平台",
    "provides_telemedicine": "是否提供远程医疗服务",
}

_TYPE_LABEL: dict[Lang, dict[str, str]] = {
    "zh": {"text": "文本", "int": "整数", "bool": "是/否", "period": "报告期", "enum": "选项"},
    "en": {
        "text": "text",
        "int": "whole number",
        "bool": "是/否 (yes/no)",
        "period": "period",
        "enum": "choice",
    },
}
_UNIT_EN = {
    "人次": "visits",
    "人": "persons",
    "张": "beds",
    "种": "types",
    "个": "items",
    "级": "level",
}

_NOTES: dict[Lang, tuple[str, ...]] = {
    "zh": (
        "填报须知",
        "1. 每个机构每个报告期填一行；同一机构各期使用同一个机构代码（按文本填写，保留前导零）。",
        "2. 不知道或不适用的数据一律留空，留空即“缺失”。切勿用 0 代替未知数：0 表示确实为零。",
        "3. 报告期写法：季度填 2024Q3 或 2024年第三季度；全年填 2024。",
        "4. 不要修改、删除表头；表头橙色加粗的为必填项。可在右侧另加“备注”列。",
        "5. 数字只填阿拉伯数字，不带单位、不加千位分隔符；各项比例由系统计算，不必填写。",
        "6. 机构类别、医院等级、城乡和各“是否”列请从下拉列表选择；医院等级只由医院填写，"
        "基层医疗卫生机构留空。",
    ),
    "en": (
        "How to fill in the data sheet",
        "1. One row per institution per reporting period; an institution keeps the same code in "
        "every period (entered as text, leading zeros kept).",
        "2. Leave a cell blank when the value is unknown or does not apply: blank means missing. "
        "Never write 0 for unknown: 0 means zero.",
        "3. Period: a quarter as 2024Q3 or 2024年第三季度; a whole year as 2024.",
        "4. Do not change or delete the headers (they stay in Chinese: they are what kpi-audit "
        "reads). Headers in bold on orange are required. A 备注 (remarks) column may be added "
        "on the right.",
        "5. Numbers as plain digits, without units or thousands separators; kpi-audit computes "
        "every ratio.",
        "6. Choose 机构类别, 医院等级, 城乡 and the 是否 columns from the dropdowns; only "
        "hospitals fill in 医院等级.",
    ),
}

_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
_OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")


def write_template(path: Path, *, lang: str = "zh") -> None:
    """Write the blank submission workbook to ``path`` (overwriting it)."""
    save_reproducible(build_template(lang=lang), path)


def build_template(*, lang: str = "zh") -> Workbook:
    """The template workbook: the data sheet first (it is what ingest reads), then the
    instructions."""
    if lang not in LANGS:
        raise UsageError(f"unknown template language {lang!r}; use one of {', '.join(LANGS)}")
    language: Lang = "en" if lang == "en" else "zh"
    wb = Workbook()
    data = wb.active  # a new workbook has one sheet
    data.title = DATA_SHEET[language]
    _fill_data_sheet(data, language)
    _fill_instructions_sheet(wb.create_sheet(INSTRUCTIONS_SHEET[language]), language)
    return wb


def instruction_rows(lang: Lang = "zh") -> list[tuple[str, ...]]:
    """One row per field, in FIELDS order, with the columns of INSTRUCTION_COLUMNS."""
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    rows: list[tuple[str, ...]] = []
    for f in FIELDS:
        meaning = MEANING_ZH.get(f.id, f.zh) if lang == "zh" else f.en
        unit = f.unit if lang == "zh" else _UNIT_EN.get(f.unit, f.unit)
        rows.append(
            (
                f.zh,
                f.id,
                meaning,
                unit,
                _TYPE_LABEL[lang][f.type],
                yes if f.required else no,
                field_rule(f, lang),
            )
        )
    return rows


def field_rule(field: Field, lang: Lang = "zh") -> str:
    """The rule a value must follow, as the instructions sheet states it."""
    zh = lang == "zh"
    parts: list[str] = []
    if field.type == "int":
        parts.append("整数，≥0" if zh else "whole number ≥ 0")
        if field.at_most:
            limit = FIELDS_BY_ID[field.at_most].zh
            parts.append(f"不得大于{limit}" if zh else f"not more than {limit}")
    elif field.type == "enum":
        values = "、".join(field.vocabulary) if zh else ", ".join(field.vocabulary)
        parts.append(f"从下拉列表选择：{values}" if zh else f"one of: {values}")
    elif field.type == "bool":
        parts.append("填“是”或“否”" if zh else "是 (yes) or 否 (no)")
    elif field.type == "period":
        parts.append(
            "如 2024Q3、2024年第三季度；全年填 2024"
            if zh
            else "e.g. 2024Q3 or 2024年第三季度; a whole year as 2024"
        )
    elif field.id == "org_code":
        parts.append(
            "文本，保留前导零；各期保持一致"
            if zh
            else "text, leading zeros kept; the same in every period"
        )
    else:
        parts.append("文本" if zh else "text")
    if zh and field.note_zh and field.type not in ("bool", "period"):
        parts.append(field.note_zh)
    if field.required:
        parts.append("必填" if zh else "required")
    return ("，" if zh else "; ").join(parts)


def save_reproducible(wb: Workbook, path: Path) -> None:
    """Save ``wb`` so that the same content always gives the same bytes: fixed document
    created/modified times and fixed zip entry times (openpyxl stamps both with "now")."""
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook() would reset `modified` to now.
    ExcelWriter(wb, _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    write_bytes_atomic(path, buffer.getvalue())


class _FixedTimeZip(zipfile.ZipFile):
    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, FIXED_TIMESTAMP.timetuple()[:6])
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl streams each worksheet through a temporary file.
        self.writestr(str(arcname or filename), Path(filename).read_bytes())


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fill_data_sheet(ws: Worksheet, lang: Lang) -> None:
    ws.append([f.zh for f in FIELDS])
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 33
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, f in enumerate(FIELDS, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=f.required, color="9C0006" if f.required else "000000")
        cell.fill = _REQUIRED_FILL if f.required else _OPTIONAL_FILL
        cell.alignment = header_alignment
        widest = max([display_width(f.zh), *(display_width(v) for v in f.vocabulary)])
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = min(max(widest, 8) + 4, 28)
        if f.id == "org_code":
            ws.column_dimensions[letter].number_format = "@"
    for validation in _data_validations(lang):
        ws.add_data_validation(validation)


def _column_range(field_id: str) -> str:
    letter = get_column_letter(next(i for i, f in enumerate(FIELDS, 1) if f.id == field_id))
    return f"{letter}2:{letter}{TEMPLATE_LAST_ROW}"


def _data_validations(lang: Lang) -> list[DataValidation]:
    zh = lang == "zh"
    yes_no = _list_validation(("是", "否"), zh)
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误" if zh else "Invalid value",
        error="请填写大于或等于 0 的整数；不知道请留空，不要填 0"
        if zh
        else "Enter a whole number ≥ 0; leave it blank if unknown (never 0)",
    )
    others: list[DataValidation] = []
    for f in FIELDS:
        column = _column_range(f.id)
        if f.type == "bool":
            yes_no.add(column)
        elif f.type == "int":
            counts.add(column)
        elif f.type == "enum":
            others.append(_list_validation(f.vocabulary, zh, column))
        elif f.type == "period":
            others.append(
                _input_hint(
                    f.zh,
                    "如 2024Q3 或 2024年第三季度；全年填 2024"
                    if zh
                    else "e.g. 2024Q3 or 2024年第三季度; a whole year as 2024",
                    column,
                )
            )
        elif f.id == "org_code":
            others.append(
                _input_hint(
                    f.zh,
                    "按文本填写，保留前导零；各期保持一致"
                    if zh
                    else "Text: keep leading zeros; the same code in every period",
                    column,
                )
            )
    return [*others, yes_no, counts]


def _list_validation(choices: tuple[str, ...], zh: bool, column: str = "") -> DataValidation:
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误" if zh else "Invalid value",
        error=f"请从下拉列表中选择：{'、'.join(choices)}"
        if zh
        else f"Choose one of: {', '.join(choices)}",
    )
    if column:
        dv.add(column)
    return dv


def _input_hint(title: str, prompt: str, column: str) -> DataValidation:
    """A validation that accepts anything and shows ``prompt`` when a cell is selected."""
    dv = DataValidation(
        type=None, allow_blank=True, showInputMessage=True, promptTitle=title, prompt=prompt
    )
    dv.add(column)
    return dv


def _fill_instructions_sheet(ws: Worksheet, lang: Lang) -> None:
    notes = _NOTES[lang]
    ws.append([notes[0]])
    ws["A1"].font = Font(bold=True, size=14)
    for line in notes[1:]:
        ws.append([line])
    ws.append([])
    ws.append(list(INSTRUCTION_COLUMNS[lang]))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = _OPTIONAL_FILL
    for row in instruction_rows(lang):
        ws.append(list(row))
    wrap = Alignment(vertical="top", wrap_text=True)
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = wrap
    widths = (22, 26, 44, 8, 12, 10, 50) if lang == "zh" else (22, 26, 44, 10, 14, 10, 50)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
