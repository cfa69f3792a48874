"""Data issues: ``issue.<code>``; placeholders are the issue's ``params``
(found in evaluation, ingest/validate.py, ingest/registers.py, store/registers.py).

One entry per key: ``key -> (zh, en)``; merged into
:data:`kpi_audit.render.i18n.LABELS`."""

from __future__ import annotations

ISSUES: dict[str, tuple[str, str]] = {
    # ---- data issues: "issue.<code>", placeholders = params
    "issue.missing_registered": (
        "机构名录中本期（{period}）应报，但未上报",
        "expected by the institution register for {period}, but did not report",
    ),
    "issue.reported_with_errors": (
        "本期（{period}）已上报，但所有数据行均被拒绝（见行错误），不计为未报",
        "reported for {period}, but every row was refused (see the row errors); "
        "not counted as missing",
    ),
    "issue.missing_report": (
        "上期（{previous}）已上报、本期（{period}）未上报",
        "reported for {previous} but not for {period}",
    ),
    "issue.county_no_data": (
        "该区县以往各期有数据，本期（{period}）无任何机构上报",
        "county had data in earlier periods but none for {period}",
    ),
    "issue.row_rejected": ("该行在导入时被拒绝", "row rejected at ingest"),
    "issue.yoy_only_now": (
        "{name_zh}：{period} 有数据、{earlier} 无，未计入同比",
        "{name_en}: reported for {period} but not for {earlier}, left out of the comparison",
    ),
    "issue.yoy_only_earlier": (
        "{name_zh}：{earlier} 有数据、{period} 无，未计入同比",
        "{name_en}: reported for {earlier} but not for {period}, left out of the comparison",
    ),
    "issue.fallback_field": (
        "{name_zh}：该机构未填报{field}，以{fallback}代替计算",
        "{name_en}: {field} not submitted, {fallback} used instead",
    ),
    "issue.year_from_quarters": (
        "{year} 年无全年报表，按季度数据汇总（{quarters}）：诊疗人次等流量相加，人口、签约、"
        "床位、人员及属性取最近一个季度",
        "no annual rows for {year}: values aggregated from its quarters ({quarters}): visits "
        "and referrals summed; population, signed residents, beds, staff and flags taken from "
        "each institution's latest quarter",
    ),
    # ---- submission row rules (ingest/rules.py, ingest/validate.py); a field travels
    # as header_zh (its template header) and header_en (its id, with the header where
    # the English message names both)
    "issue.required": ("必填项「{header_zh}」为空", "required field {header_en} is blank"),
    "issue.required.period": (
        "报告期为空（也可用 --period 指定）",
        "period is blank (or give it with --period)",
    ),
    "issue.bad_period": (
        "无法识别的报告期「{value}」（应如 2024Q3、2024年第三季度、2024）",
        "'{value}' is not a period (write 2024Q3, 2024年第三季度 or 2024)",
    ),
    "issue.not_a_number": (
        "「{header_zh}」应为数字，实际为「{value}」",
        "{header_en} should be a number, got '{value}'",
    ),
    "issue.code_scientific": (
        "机构代码「{value}」是科学计数法，原代码的位数已丢失（Excel 把长代码当数字保存）："
        "请把该列设为文本格式，重新填写代码后再导出",
        "org_code '{value}' is in scientific notation: the code's digits are lost (Excel "
        "kept a long code as a number); format the column as text, enter the codes again "
        "and export anew",
    ),
    "issue.not_whole": (
        "「{header_zh}」应为整数，实际为「{value}」",
        "{header_en} should be a whole number, got '{value}'",
    ),
    "issue.not_a_boolean": (
        "「{header_zh}」应为是 或 否，实际为「{value}」",
        "{header_en} should be 是 or 否 (yes/no), got '{value}'",
    ),
    "issue.vocabulary": (
        "「{value}」不是有效的{header_zh}（可填：{choices}）",
        "{header_en}: '{value}' is not in the vocabulary ({choices})",
    ),
    "issue.vocabulary.guess": (
        "「{value}」不是有效的{header_zh}；是否应为「{guess}」？",
        "{header_en}: '{value}' is not in the vocabulary; did you mean {guess}?",
    ),
    "issue.negative": (
        "「{header_zh}」不能为负数，实际为「{value}」",
        "{header_en} cannot be negative, got '{value}'",
    ),
    "issue.part_exceeds_whole": (
        "{header_zh}（{value}）大于{whole_zh}（{whole_value}）",
        "{header_en} ({value}) exceeds {whole_en} ({whole_value})",
    ),
    "issue.grade_for_primary_care": (
        "{org_type}是基层医疗卫生机构，不应填写医院等级",
        "hospital_grade given for a primary-care facility ({org_type})",
    ),
    "issue.grade_missing": (
        "{org_type}未填写医院等级，不计入按等级统计的指标",
        "no hospital_grade for a hospital ({org_type}): left out of grade-based indicators",
    ),
    "issue.area_missing": (
        "城乡为空，不计入城市/农村签约覆盖率",
        "area (城乡) is blank: left out of the urban/rural signing coverage",
    ),
    "issue.period_differs": (
        "报告期 {period} 与 --period {given} 不同（共 {rows} 行，自第 {row} 行起），"
        "按表中报告期入库",
        "period {period} differs from --period {given} in {rows} row(s) from row {row};"
        " the file's period is kept",
    ),
    "issue.city_filled.county_rows": (
        "{period} {county} 有 {rows} 行未填所属市，按该区县其他行所填计入 {city}",
        "{period}: {rows} row(s) of {county} without 所属市 are counted in {city},"
        " the city the county's other rows name",
    ),
    "issue.city_filled.county_elsewhere": (
        "{period} {county} 有 {rows} 行未填所属市，按该区县其他报告期所填计入 {city}",
        "{period}: {rows} row(s) of {county} without 所属市 are counted in {city},"
        " the city the county's rows of other periods name",
    ),
    "issue.city_filled.area_register": (
        "{period} {county} 有 {rows} 行未填所属市，按行政区划与人口名录计入 {city}",
        "{period}: {rows} row(s) of {county} without 所属市 are counted in {city},"
        " the county's city in the area register",
    ),
    "issue.city_filled.only_city": (
        "{period} {county} 有 {rows} 行未填所属市，按库中唯一的市计入 {city}",
        "{period}: {rows} row(s) of {county} without 所属市 are counted in {city},"
        " the only city the store names",
    ),
    "issue.county_in_several_cities": (
        "{period} 区县名称「{county}」出现在 {cities}：区县以名称区分，区县级结果及按区县"
        "匹配的名录人口把它们合并计算；请使用可区分的区县名称",
        "{period}: the county name {county} appears under {cities}: counties are told apart "
        "by name, so the county results and the register populations matched by county count "
        "them as one; give them distinct names",
    ),
    "issue.placeholder_missing.count": (
        "「{field}」列 {count} 个单元格填写了「{markers}」等，按缺失处理（不是 0）",
        "{field}: {count} cells hold '{markers}' or the like, read as missing (not 0)",
    ),
    "issue.placeholder_missing.text": (
        "「{field}」列 {count} 个单元格填写了「{markers}」等，按未填写处理",
        "{field}: {count} cells hold '{markers}' or the like, read as blank",
    ),
    "issue.total_row": ("合计行，已跳过", "a total line, skipped"),
    "issue.duplicate": (
        "与{where_zh}重复（同一机构代码 {org_code} 和报告期 {period}）",
        "duplicate of {where_en} (same org_code {org_code} and period {period})",
    ),
    "issue.duplicate_conflict": (
        "与{where_zh}机构代码 {org_code}、报告期 {period} 相同，但「{field_zh}」不同："
        "本行为「{value_zh}」，{where_zh}为「{other_zh}」；重复的行均未导入",
        "same org_code {org_code} and period {period} as {where_en}, with a different "
        "{field_en}: {value_en} here, {other_en} there; none of the duplicate rows is loaded",
    ),
    "issue.duplicate_conflict.blank": ("（空）", "(blank)"),
    "issue.duplicate.where_sheet": ("工作表「{sheet}」第 {row} 行", "row {row} of sheet {sheet}"),
    "issue.duplicate.where_row": ("第 {row} 行", "row {row}"),
    # ---- file and sheet notices (ingest/prepare.py)
    "issue.unknown_column": (
        "第 {letter} 列「{header}」不是已知字段，已忽略",
        "column {letter} ({header}) is not a known field; ignored",
    ),
    "issue.unit_converted": (
        "「{header}」的单位为{unit}，数值已乘以 {factor} 换算后入库",
        "{header} counts in {unit}: its values were multiplied by {factor} when loaded",
    ),
    "issue.sheet_skipped.empty": (
        "工作表「{sheet}」已跳过：工作表为空",
        "sheet {sheet} skipped: the sheet is empty",
    ),
    "issue.sheet_skipped.no_header": (
        "工作表「{sheet}」已跳过：未找到表头行（前 20 行中没有机构代码、机构名称等列名）",
        "sheet {sheet} skipped: no header row (none of the first 20 rows names the known columns)",
    ),
    "issue.sheet_skipped.no_institutions": (
        "工作表「{sheet}」已跳过：表头（第 {row} 行）既没有机构代码也没有机构名称，"
        "不是机构明细（汇总表？）",
        "sheet {sheet} skipped: its header (row {row}) has neither 机构代码 nor 机构名称, so "
        "it lists no institutions (a summary?)",
    ),
    "issue.sheet_skipped.hidden": (
        "工作表「{sheet}」已跳过：它是隐藏的（表头在第 {row} 行）；"
        "如需导入，请取消隐藏或用 --sheet 指定",
        "sheet {sheet} skipped: it is hidden (its header is row {row}); to load it, unhide it "
        "or name it with --sheet",
    ),
    # ---- submission ingest issues (ingest/validate.py)
    "issue.merged_filled": (
        "「{header}」有 {n} 处合并单元格（{refs}）：已把各自首行的值填入下方各行",
        "{header}: {n} merged cell(s) ({refs}); each one's value was filled into the rows below it",
    ),
    "issue.merged_not_filled": (
        "「{header}」有 {n} 处合并单元格（{refs}）：值只属于各自首行，下方各行按空白处理"
        "（数值或机构代码、名称不向下复制）；请取消合并、逐行填写",
        "{header}: {n} merged cell(s) ({refs}): each value belongs to its first row only and "
        "the rows below read as blank (a count, code or name is never copied down); unmerge "
        "the cells and fill each row",
    ),
    "issue.merged_from_header": (
        "「{header}」的表头单元格向下合并到了数据行（{refs}）：这些数据行中该列为空；"
        "请取消合并、逐行填写",
        "{header}: the header cell is merged down into the data rows ({refs}): those rows "
        "read as blank in this column; unmerge the cells and fill each row",
    ),
    "issue.formula_not_computed": (
        "第 {row} 行「{header}」：公式未计算，请在Excel中重新计算后保存",
        "row {row}, {header}: the formula has no computed value; recalculate it in Excel and save",
    ),
    "issue.encoding_suspect": (
        "编码可能不正确：按 {encoding} 读取后，每个数据行都有无法识别的{fields}，"
        "可用 --encoding 指定",
        "the encoding may be wrong: read as {encoding}, every data row has an unrecognised "
        "{fields}; give the right one with --encoding",
    ),
    # ---- register data issues (ingest/registers.py, store/registers.py)
    "issue.register_required": (
        "{header_zh}为必填项，该行未导入",
        "{header_en} is required; row not loaded",
    ),
    "issue.register_unit_converted": (
        "「{header}」的单位为{unit}，数值已乘以 {factor} 换算后入库",
        "{header} counts in {unit}: its values were multiplied by {factor} when loaded",
    ),
    "issue.register_placeholder_missing.count": (
        "「{header_zh}」列 {count} 个单元格填写了「{markers}」等，按缺失处理（不是 0）",
        "{header_en}: {count} cells hold '{markers}' or the like, read as missing (not 0)",
    ),
    "issue.register_placeholder_missing.text": (
        "「{header_zh}」列 {count} 个单元格填写了「{markers}」等，按未填写处理",
        "{header_en}: {count} cells hold '{markers}' or the like, read as blank",
    ),
    "issue.register_not_a_number": (
        "{header_zh}「{value}」不是整数，该行未导入",
        "{header_en} '{value}' is not a whole number; row not loaded",
    ),
    "issue.register_negative": (
        "{header_zh}（{value}）不能为负数，该行未导入",
        "{header_en} ({value}) cannot be negative; row not loaded",
    ),
    "issue.register_code_scientific": (
        "机构代码「{value}」是科学计数法，原代码的位数已丢失，该行未导入："
        "请把该列设为文本格式，重新填写代码后再导出",
        "org_code '{value}' is in scientific notation: the code's digits are lost; row not "
        "loaded (format the column as text, enter the codes again and export anew)",
    ),
    "issue.register_bad_area_code": (
        "行政区划代码「{value}」不是 6 位数字的 GB/T 2260 代码，该行未导入",
        "area code '{value}' is not a 6-digit GB/T 2260 code; row not loaded",
    ),
    "issue.register_bad_year": (
        "年度「{value}」不是年份（如 2024），该行未导入",
        "year '{value}' is not a year (such as 2024); row not loaded",
    ),
    "issue.register_bad_period": (
        "{header_zh}「{value}」不是报告期（如 2024Q2 或 2024），该行未导入",
        "{header_en} '{value}' is not a period (such as 2024Q2 or 2024); row not loaded",
    ),
    "issue.register_vocabulary": (
        "{header_zh}「{value}」不是可选值（{choices}），该行未导入",
        "{header_en} '{value}' is not one of {choices}; row not loaded",
    ),
    "issue.register_part_exceeds_whole": (
        "{header_zh}（{value}）大于常住人口（{population}），该行未导入",
        "{header_en} ({value}) exceeds the resident population ({population}); row not loaded",
    ),
    "issue.register_urban_rural_sum": (
        "城镇与农村常住人口之和（{total}）不等于常住人口（{population}）",
        "urban + rural population ({total}) differs from the resident population ({population})",
    ),
    "issue.register_window_reversed": (
        "应报起始期 {reports_from} 晚于应报截止期 {reports_until}，该行未导入",
        "reports_from {reports_from} is after reports_until {reports_until}; row not loaded",
    ),
    "issue.register_duplicate_key": (
        "{key} 在本文件中重复出现，以第 {row} 行（最后一行）为准",
        "{key} appears more than once in this file; row {row} (the last) is kept",
    ),
    "issue.register_area_type_from_code": (
        "区划类型空白，按代码 {area_code} 末两位定为{area_type}",
        "area type blank: {area_type} from the last two digits of code {area_code}",
    ),
    "issue.register_county_not_submitted": (
        "区划名录（{year} 年）中的{county}在报送数据中没有出现",
        "{county} is in the {year} area register but no submission names it",
    ),
    "issue.register_county_missing": (
        "报送数据中的{county}不在已导入的 {year} 年区划名录中",
        "{county} is named in submissions but missing from the loaded {year} area register",
    ),
}
