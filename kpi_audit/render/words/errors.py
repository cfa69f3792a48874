"""Error words: what the CLI prints for a library error (``KpiAuditError`` with a
``code`` and ``params``, kpi_audit/core/errors.py), and where it happened.

One entry per key: ``"error.<code>" -> (zh, en)``; placeholders are the error's
parameter names (a list joins with 、 / ", "). The English text is also ``str(exc)``,
so it reads as the library's message. ``"error.<code>.<case>"`` is the form for
``params["case"]``. Merged into :data:`kpi_audit.render.i18n.LABELS`."""

from __future__ import annotations

ERRORS: dict[str, tuple[str, str]] = {
    # the line and the location in front of a message (cli/app.py)
    "error.line": ("错误：{message}", "error: {message}"),
    "error.at": ("{where}：{message}", "{where}: {message}"),
    "error.at.sep": ("，", ", "),
    "error.at.path": ("{path}", "{path}"),
    "error.at.sheet": ("工作表 {sheet}", "sheet {sheet}"),
    "error.at.row": ("第 {row} 行", "row {row}"),
    "error.at.column": ("{column} 列", "column {column}"),
    # what is loaded and which period (evaluate/rows.py, evaluate/__init__.py)
    "error.no_data": (
        "尚未导入任何报表（先运行 kpi-audit ingest，或在命令后给出报表文件）",
        "no submissions are loaded yet (run `kpi-audit ingest` or pass the files to check)",
    ),
    "error.no_data_period": (
        "没有 {period_zh} 的数据（已导入的报告期：{loaded}）",
        "no data loaded for {period} (loaded periods: {loaded})",
    ),
    "error.no_data_period.none": (
        "没有 {period_zh} 的数据（尚未导入任何报告期）",
        "no data loaded for {period} (loaded periods: none)",
    ),
    "error.not_a_period": (
        "“{text}”不是报告期：请写 2024Q3、2024年第三季度、2024（全年）或 latest",
        "'{text}' is not a reporting period: use 2024Q3, 2024年第三季度, "
        "2024 (whole year) or latest",
    ),
    "error.files_not_loaded": (
        "{cause} —— 未能导入：{file}：{detail}",
        "{cause} — not loaded: {file}: {detail}",
    ),
    "error.period_option": (
        "--period “{text}”不是报告期（请写 2024Q3、2024年第三季度 或 2024）",
        "--period '{text}' is not a period (write 2024Q3, 2024年第三季度 or 2024)",
    ),
    # target sets (evaluate/__init__.py, spec/targets.py)
    "error.no_target_sets": (
        "请用 --targets 指定至少一个目标集（内置：{sets}；或目标文件的路径）",
        "name at least one target set with --targets (bundled: {sets}; "
        "or the path of a target file)",
    ),
    "error.target_file_not_found": (
        "找不到目标文件：{spec}（内置目标集：{sets}）",
        "target file not found: {spec} (bundled sets: {sets})",
    ),
    "error.unknown_target_set": (
        "没有名为“{spec}”的目标集：内置目标集为 {sets}；或给出目标文件的路径",
        "unknown target set '{spec}': bundled sets are {sets}; or give the path to a target file",
    ),
    "error.unknown_target": (
        "没有 id 为“{ident}”的目标集或目标（内置目标集：{sets}；"
        "kpi-audit targets list 列出全部目标 id）",
        "no target set or target with id '{ident}' (bundled sets: {sets}; "
        "`kpi-audit targets list` shows the target ids)",
    ),
    # the store (store/db.py)
    "error.store_is_folder": (
        "数据库路径是一个文件夹，不是文件",
        "the store path is a folder, not a file",
    ),
    "error.store_foreign": (
        "这个 DuckDB 文件不是 kpi-audit 的数据库（有数据表但没有 _migrations）；"
        "文件未作任何改动：请用 --db 指定另一个文件",
        "this DuckDB file is not a kpi-audit store (it has tables but no _migrations); "
        "it was left untouched: give another --db",
    ),
    "error.store_not_duckdb": (
        "不是 DuckDB 数据库，因此不是 kpi-audit 的数据库；文件未作任何改动："
        "请用 --db 指定另一个文件",
        "not a DuckDB database, so not a kpi-audit store; it was left untouched: give another --db",
    ),
    "error.store_not_ours": (
        "不是 kpi-audit 的数据库：拒绝在其中建表",
        "not a kpi-audit store: refusing to add tables to it",
    ),
    "error.store_damaged": (
        "无法打开数据库（{detail}）；数据库似乎已损坏：请从备份恢复，"
        "或把它移到别处后重新导入报表（见 docs/operations.md）",
        "cannot open the store ({detail}); the store looks damaged: restore it from a "
        "backup, or move it aside and ingest the submissions again (see docs/operations.md)",
    ),
    "error.store_busy.process": (
        "数据库正被占用：进程 {pid}（{program}）占用着它；等待 {wait} 秒后放弃"
        "（请稍后再试，或用 --wait 秒数 / KPI_AUDIT_WAIT 等得更久）",
        "the store is busy: process {pid} ({program}) holds it; gave up after {wait} s "
        "(try later, or wait longer with --wait SECONDS / KPI_AUDIT_WAIT)",
    ),
    "notice.store_wait.process": (
        "正在等待进程 {pid}（{program}）释放数据库 {path}（最多 {wait} 秒）",
        "waiting for process {pid} ({program}) to release the store {path} (up to {wait} s)",
    ),
    "notice.store_wait.unknown": (
        "正在等待另一个进程释放数据库 {path}（最多 {wait} 秒）",
        "waiting for another process to release the store {path} (up to {wait} s)",
    ),
    "error.store_busy.unknown": (
        "数据库正被另一个进程占用；等待 {wait} 秒后放弃"
        "（请稍后再试，或用 --wait 秒数 / KPI_AUDIT_WAIT 等得更久）",
        "the store is busy: another process holds it; gave up after {wait} s "
        "(try later, or wait longer with --wait SECONDS / KPI_AUDIT_WAIT)",
    ),
    # what a file may be (ingest/limits.py, ingest/discover.py)
    "error.limit_env": (
        "{name}={text} 不是整数",
        "{name}={text} is not a whole number",
    ),
    "error.unreadable_file": (
        "无法读取文件（{reason}）",
        "cannot read the file ({reason})",
    ),
    "error.not_regular_file.fifo": (
        "不是普通文件（命名管道 FIFO）：拒绝读取",
        "not a regular file (a FIFO): refused",
    ),
    "error.not_regular_file.device": (
        "不是普通文件（设备）：拒绝读取",
        "not a regular file (a device): refused",
    ),
    "error.not_regular_file.socket": (
        "不是普通文件（套接字）：拒绝读取",
        "not a regular file (a socket): refused",
    ),
    "error.not_regular_file.folder": (
        "不是普通文件（文件夹）：拒绝读取",
        "not a regular file (a folder): refused",
    ),
    "error.not_regular_file.other": (
        "不是普通文件：拒绝读取",
        "not a regular file: refused",
    ),
    "error.file_too_large": (
        "文件大小为 {size}，超过上限 {limit}（KPI_AUDIT_MAX_FILE_BYTES）",
        "the file is {size}, more than the limit of {limit} (KPI_AUDIT_MAX_FILE_BYTES)",
    ),
    "error.part_too_large.inflated": (
        "拒绝读取：工作簿的部件 {part} 声明解压后为 {declared}，实际解压后超过上限 {limit}"
        "（KPI_AUDIT_MAX_ENTRY_BYTES）：是压缩炸弹吗？",
        "refused: the workbook part {part} declares {declared} but inflates to more than the "
        "limit of {limit} (KPI_AUDIT_MAX_ENTRY_BYTES): a zip bomb?",
    ),
    "error.part_too_large": (
        "拒绝读取：工作簿的部件 {part} 解压后为 {size}，超过上限 {limit}"
        "（KPI_AUDIT_MAX_ENTRY_BYTES）",
        "refused: the workbook part {part} would inflate to {size}, more than the limit of "
        "{limit} (KPI_AUDIT_MAX_ENTRY_BYTES)",
    ),
    "error.part_ratio": (
        "拒绝读取：工作簿的部件 {part} 解压后膨胀 {ratio} 倍（{packed} → {size}），"
        "超过上限 {limit}（KPI_AUDIT_MAX_RATIO）：是压缩炸弹吗？",
        "refused: the workbook part {part} inflates {ratio} times ({packed} → {size}), "
        "more than the limit of {limit} (KPI_AUDIT_MAX_RATIO): a zip bomb?",
    ),
    "error.workbook_too_large": (
        "拒绝读取：工作簿解压后为 {size}，超过上限 {limit}（KPI_AUDIT_MAX_UNZIPPED_BYTES）",
        "refused: the workbook would inflate to {size}, more than the limit of {limit} "
        "(KPI_AUDIT_MAX_UNZIPPED_BYTES)",
    ),
    "error.too_many_rows": (
        "拒绝读取：已用区域有 {rows} 行，超过上限 {limit}（KPI_AUDIT_MAX_ROWS）",
        "refused: the used range has {rows} rows, more than the limit of {limit} "
        "(KPI_AUDIT_MAX_ROWS)",
    ),
    "error.too_many_columns": (
        "拒绝读取：已用区域有 {columns} 列，超过上限 {limit}（KPI_AUDIT_MAX_COLUMNS）；"
        "是否有零散的值远在数据的右侧，或一行里有成千上万个分隔符？",
        "refused: the used range has {columns} columns, more than the limit of {limit} "
        "(KPI_AUDIT_MAX_COLUMNS); is a stray value far to the right of the data, or a line "
        "with thousands of separators?",
    ),
    "error.too_many_cells": (
        "拒绝读取：已用区域为 {rows} 行 × {columns} 列（{cells} 个单元格），超过上限 {limit} 个"
        "单元格（KPI_AUDIT_MAX_CELLS）；是否有零散的值远在数据的下方或右侧？"
        "请删除数据之后的空行和空列再保存",
        "refused: the used range is {rows} rows × {columns} columns ({cells} cells), more "
        "than the limit of {limit} cells (KPI_AUDIT_MAX_CELLS); is a stray value far below "
        "or to the right of the data? delete the empty rows and columns after the data and "
        "save again",
    ),
    # ingest's outcome (ingest/load.py, ingest/report.py): {cause} is the file's error
    "error.nothing_to_ingest": ("没有可导入的文件：{cause}", "nothing to ingest: {cause}"),
    "error.nothing_to_ingest.none": (
        "没有可导入的文件：未给出路径",
        "nothing to ingest: no path given",
    ),
    "error.files_refused": ("{cause}", "{cause}"),
    "error.files_refused.one": (
        "{cause}（另有 1 个文件未导入）",
        "{cause} (and 1 other file not loaded)",
    ),
    "error.files_refused.many": (
        "{cause}（另有 {others} 个文件未导入）",
        "{cause} (and {others} other files not loaded)",
    ),
    "error.strict_refused": (
        "{path}：--strict：有 {rows} 行出错，整份拒收",
        "{path}: --strict: refused whole, {rows} row(s) with errors",
    ),
    "error.strict_nothing_loaded": (
        "--strict：有 {rows} 行出错，该文件未导入任何行",
        "--strict: {rows} row(s) with errors, nothing loaded from this file",
    ),
    "error.no_such_path": ("没有这个文件或文件夹", "no such file or folder"),
    "error.no_spreadsheet": (
        "没有匹配的 .xlsx、.xls 或 .csv 文件",
        "matches no .xlsx, .xls or .csv file",
    ),
    # reading a workbook or CSV file (ingest/read.py, prepare.py, encoding.py)
    "error.not_a_spreadsheet": (
        "不是电子表格（应为 {suffixes}）",
        "not a spreadsheet ({suffixes} expected)",
    ),
    "error.file_empty": ("文件是空的", "the file is empty"),
    "error.no_header": (
        "没有哪个工作表有可识别的表头行"
        "（在前 {rows} 行中查找 机构代码、机构名称、所属区县 等表头）",
        "no sheet has a recognisable header row (looked in the first {rows} rows for "
        "headers such as 机构代码, 机构名称, 所属区县)",
    ),
    "error.no_header.read_as": (
        "没有可识别的表头行（在前 {rows} 行中查找 机构代码、机构名称、所属区县 等表头，"
        "已试过按逗号、制表符和分号分列）；按 {encoding} 读取：如果文字是乱码，"
        "请用 --encoding 指定编码",
        "no recognisable header row (looked in the first {rows} rows for headers such as "
        "机构代码, 机构名称, 所属区县, with the fields split at a comma, tab and semicolon); "
        "read as {encoding}: if the text is garbled, give --encoding",
    ),
    "error.no_header.hidden": (
        "没有可见的工作表有可识别的表头行；隐藏的工作表「{hidden}」有（第 {row} 行）："
        "请取消隐藏，或用 --sheet 指定",
        "no visible sheet has a recognisable header row; the hidden sheet {hidden} has one "
        "(row {row}): unhide it, or name it with --sheet",
    ),
    "error.unreadable_workbook": (
        "不是可读取的工作簿，文件损坏或不完整？（{detail}）",
        "not a readable workbook, damaged or truncated? ({detail})",
    ),
    "error.unreadable_sheet": ("无法读取该工作表（{detail}）", "cannot read the sheet ({detail})"),
    "error.no_such_sheet": (
        "没有名为“{wanted}”的工作表（工作表：{sheets}）",
        "no sheet named '{wanted}' (sheets: {sheets})",
    ),
    "error.unreadable_csv": (
        "不是可读取的 CSV 文件（{detail}）",
        "not a readable CSV file ({detail})",
    ),
    "error.duplicate_column": (
        "{first} 列（{first_header}）和 {second} 列（{second_header}）都是“{field_zh}”："
        "请只保留一列",
        "columns {first} ({first_header}) and {second} ({second_header}) both mean "
        "{field_zh}; keep one",
    ),
    "error.missing_columns": ("缺少必填列：{names_zh}", "missing required column(s): {names_en}"),
    "error.two_level_header": (
        "表头有两层（第 {first} 行和第 {second} 行），其中 {unmatched} 对应不到任何字段："
        "请按模板只写一行表头（如 总诊疗人次、中医诊疗人次）",
        "the header has two levels (rows {first} and {second}) and {unmatched} match no "
        "field: write one header row with the template's headers (such as 总诊疗人次, "
        "中医诊疗人次)",
    ),
    "error.no_period_column": (
        "没有“报告期”列：请用 --period 给出报告期",
        "no 报告期 (period) column: give the period with --period",
    ),
    "error.no_data_rows": ("表头下没有数据行", "no data rows under the header"),
    "error.undecodable": (
        "无法解码文本：既不是 UTF-8、UTF-16、GB18030/GBK，也不是 Big5"
        "（请在 Excel 中另存为“CSV UTF-8”，或用 --encoding 指定编码）",
        "cannot decode the text: it is neither UTF-8, UTF-16, GB18030/GBK nor Big5 "
        "(save it from Excel as 'CSV UTF-8', or give --encoding)",
    ),
    "error.decode_as": (
        "无法按 {encoding} 解码文本（{reason}）",
        "cannot decode the text as {encoding} ({reason})",
    ),
    "error.unknown_encoding": (
        "--encoding {name} 不是已知的文本编码",
        "--encoding {name} is not a known text encoding",
    ),
    "error.not_text_encoding": (
        "--encoding {name} 不是文本编码",
        "--encoding {name} is not a text encoding",
    ),
    # where output goes (core/atomic.py, export/parquet.py, cli/commands/report.py,
    # cli/commands/template.py, render/__init__.py, cli/options.py)
    "error.output_exists": (
        "{path} 已存在（用 --force 覆盖）",
        "{path} already exists (use --force to overwrite it)",
    ),
    "error.export_exists": (
        "{path} 已存在（用 --force 替换）",
        "{path} already exists (use --force to replace it)",
    ),
    "error.export_no_folder": (
        "要导出到的文件夹不存在",
        "the folder to export into does not exist",
    ),
    "error.not_a_folder": ("已存在，且不是文件夹", "exists and is not a folder"),
    "error.cannot_write_there": ("无法写入此处：{reason}", "cannot write there: {reason}"),
    "error.cannot_place_export": (
        "无法把导出结果放到位：{reason}",
        "cannot put the export in place: {reason}",
    ),
    "error.output_is_folder": (
        "是一个文件夹：请给出报告的文件名",
        "is a folder: give a file name for the report",
    ),
    "error.output_not_regular": ("已存在，且不是普通文件", "exists and is not a regular file"),
    "error.output_folder_is_file": (
        "无法写入此处：{folder} 是文件，不是文件夹",
        "cannot write there: {folder} is a file, not a folder",
    ),
    "error.cannot_write_file": ("无法写入文件：{reason}", "cannot write the file: {reason}"),
    "error.split_is_file": ("是一个文件：--split 需要文件夹", "is a file: --split names a folder"),
    "error.split_needs_counties": (
        "--split county 为每个区县写一份报告，--level {level} 不含区县结果："
        "请用 all、county 或 facility",
        "--split county writes a report per county, and --level {level} has no county "
        "results: use all, county or facility",
    ),
    "error.split_one_folder": (
        "--split 只写入一个文件夹，却给了 {given} 个 -o（配置文件的 outputs 也算）",
        "--split writes into one folder, but {given} -o were given (the config file's "
        "outputs count too)",
    ),
    "error.unknown_report_suffix": (
        "无法从“{name}”判断报告格式：请用 .xlsx、.html、.json 或 .csv",
        "cannot tell the report format from '{name}': use .xlsx, .html, .json or .csv",
    ),
    "error.unknown_format": ("未知的格式 {fmt}", "unknown format {fmt}"),
    "error.not_a_date": (
        "{option}：“{text}”不是日期（请写成 2024-10-12）",
        "{option}: '{text}' is not a date (write it as 2024-10-12)",
    ),
    "error.format_with_several_outputs": (
        "--format 只能指定一种格式：有多个 -o 时，按各文件的扩展名决定格式",
        "--format names one format: with several -o, each file's extension says",
    ),
    "error.environment_failure": (
        "无法写入：{reason}（{detail}）；请腾出磁盘空间或检查权限后重试",
        "cannot write: {reason} ({detail}); free disk space or check permissions, then run again",
    ),
    "error.store_not_writable": (
        "无法打开数据库（{detail}）：数据库所在位置不可写（数据库本身未受影响）；"
        "请检查权限，或用 --db 指定可写的位置",
        "cannot open the store ({detail}): its place cannot be written (the store itself "
        "is not harmed); check permissions, or give a writable --db",
    ),
    "error.output_twice": ("同一个 -o 文件给了两次", "the same -o file is named twice"),
    # the config file (cli/config.py)
    "error.config_unreadable": (
        "无法读取设置文件（{reason}）",
        "cannot read the config file ({reason})",
    ),
    "error.config_not_toml": ("不是有效的 TOML（{detail}）", "not valid TOML ({detail})"),
    "error.config_unknown_keys": (
        "未知的设置项 {keys}（可用：{known}）",
        "unknown key(s) {keys} (known: {known})",
    ),
    "error.config_not_strings": ("{key} 必须是字符串列表", "{key} must be a list of strings"),
    "error.config_lang": (
        'lang 只能是 "zh" 或 "en"，不能是 {value}',
        'lang must be "zh" or "en", not {value}',
    ),
    "error.config_wait": ("wait 必须是 ≥ 0 的秒数", "wait must be a number of seconds ≥ 0"),
    "error.config_db": ("db 必须是路径（字符串）", "db must be a path (a string)"),
}
