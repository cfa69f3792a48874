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
    "error.store_busy": (
        "数据库正被占用：{holder} 占用着它；等待 {wait} 秒后放弃"
        "（请稍后再试，或用 --wait 秒数 / KPI_AUDIT_WAIT 等得更久）",
        "the store is busy: {holder} holds it; gave up after {wait} s "
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
    "error.not_regular_file": (
        "不是普通文件（{kind}）：拒绝读取",
        "not a regular file ({kind}): refused",
    ),
    "error.file_too_large": (
        "文件大小为 {size}，超过上限 {limit}（KPI_AUDIT_MAX_FILE_BYTES）",
        "the file is {size}, more than the limit of {limit} (KPI_AUDIT_MAX_FILE_BYTES)",
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
    "error.no_such_path": ("没有这个文件或文件夹", "no such file or folder"),
    "error.no_spreadsheet": (
        "没有匹配的 .xlsx、.xls 或 .csv 文件",
        "matches no .xlsx, .xls or .csv file",
    ),
}
