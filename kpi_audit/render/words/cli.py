"""Command-line words: what the commands print (wrote, template, registers,
submissions, ingest, export) and every help text of `kpi-audit --help` and each
command's --help (``help.*``; cli/help.py puts them in place for the run's language).

One entry per key: ``key -> (zh, en)``; merged into
:data:`kpi_audit.render.i18n.LABELS`."""

from __future__ import annotations

CLI: dict[str, tuple[str, str]] = {
    "cli.wrote_split": (
        "已生成 {n} 个区县报告：{folder}（索引：{index}）",
        "Wrote {n} county reports to {folder} (index: {index})",
    ),
    "cli.wrote": ("已生成报告：{path}（{fmt}）", "wrote {path} ({fmt})"),
    "cli.template_wrote": (
        "已生成模板：{path}（{n} 列，其中 {required} 列必填）",
        "wrote {path}: template with {n} columns ({required} required)",
    ),
    "cli.nothing_loaded": (
        "尚未导入任何数据（用 kpi-audit ingest 路径... 导入报表）",
        "nothing loaded yet (kpi-audit ingest PATH... loads submissions)",
    ),
    "cli.no_registers": (
        "尚未导入区划名录或机构名录（kpi-audit ingest 文件 即可导入；kpi-audit template "
        "--kind areas|institutions 生成空白表）",
        "no register loaded (kpi-audit ingest FILE loads one; kpi-audit template "
        "--kind areas|institutions writes the blank workbook)",
    ),
    "cli.reg.kind": ("名录", "register"),
    "cli.reg.kind.areas": ("行政区划与人口", "areas"),
    "cli.reg.kind.institutions": ("机构名录", "institutions"),
    "cli.reg.year": ("年度", "year"),
    "cli.reg.rows": ("行数", "rows"),
    "cli.reg.counties": ("区县数", "counties"),
    "cli.reg.files": ("文件数", "files"),
    "cli.reg.last_loaded": ("最近导入", "last loaded"),
    "cli.register_template_wrote": (
        "已生成{kind}模板：{path}（{n} 列，其中 {required} 列必填）",
        "wrote {path}: {kind} template with {n} columns ({required} required)",
    ),
    # kpi-audit export (cli/commands/export.py): counts = "submissions 5, rejects 0"
    "cli.export.wrote": (
        "已导出：{path}（{fmt}，{n} 个报告期）：{counts} 行",
        "wrote {path} ({fmt}, {n} periods): {counts} rows",
    ),
    "cli.export.wrote.one": (
        "已导出：{path}（{fmt}，{n} 个报告期）：{counts} 行",
        "wrote {path} ({fmt}, {n} period): {counts} rows",
    ),
    "cli.export.sep": ("，", ", "),
    # cli/app.py, where exceptions become messages (library errors: render/words/errors.py)
    "cli.refused": ("未导入：{message}", "refused: {message}"),
    "cli.interrupted": ("已中断", "interrupted"),
    "cli.internal_error": (
        "内部错误：{error}（加 --debug 运行可看到回溯）",
        "internal error: {error} (run with --debug for the traceback)",
    ),
    "cli.sub.period": ("报告期", "period"),
    "cli.sub.county": ("区县", "county"),
    "cli.sub.facilities": ("机构数", "facilities"),
    "cli.sub.rejected": ("被拒绝行", "rejected"),
    "cli.sub.files": ("文件数", "files"),
    "cli.sub.last_ingested": ("最近导入", "last ingested"),
    # kpi-audit ingest (cli/commands/ingest.py): a key ending in .one is the form for 1
    "ingest.col.status": ("状态", "status"),
    "ingest.col.file": ("文件", "file"),
    "ingest.col.detail": ("详情", "detail"),
    "ingest.status.loaded": ("已导入", "loaded"),
    "ingest.status.unchanged": ("未变化", "unchanged"),
    "ingest.status.rejected": ("整份拒收", "rejected"),
    "ingest.status.failed": ("失败", "failed"),
    "ingest.sheets": ("工作表 {sheets}", "sheets {sheets}"),
    "ingest.periods": ("报告期 {periods}", "periods {periods}"),
    "ingest.list_sep": ("、", ", "),
    "ingest.rows": ("{n} 行", "{n} rows"),
    "ingest.rows.one": ("{n} 行", "{n} row"),
    "ingest.files": ("{n} 个文件", "{n} files"),
    "ingest.files.one": ("{n} 个文件", "{n} file"),
    "ingest.counts": ("导入 {rows}，拒绝 {rejected} 行", "{rows} loaded, {rejected} rejected"),
    "ingest.strict_counts": (
        "--strict：{rows}有错误，未导入任何行",
        "--strict: {rows} with errors, nothing loaded",
    ),
    "ingest.unchanged": (
        "已于 {at} 导入（文件 {path}），无需重复导入",
        "already ingested on {at} (as {path}); nothing to do",
    ),
    "ingest.unchanged_plain": ("已导入过，无需重复导入", "already ingested; nothing to do"),
    "ingest.issues": ("数据问题（{counts}）：", "issues ({counts}):"),
    "ingest.n_error": ("{n} 个错误", "{n} errors"),
    "ingest.n_error.one": ("{n} 个错误", "{n} error"),
    "ingest.n_warning": ("{n} 个警告", "{n} warnings"),
    "ingest.n_warning.one": ("{n} 个警告", "{n} warning"),
    "ingest.n_notice": ("{n} 个提示", "{n} notices"),
    "ingest.n_notice.one": ("{n} 个提示", "{n} notice"),
    "ingest.more": (
        "… 另有 {n} 条未列出（--show-all 全部列出）",
        "… {n} more (--show-all lists them)",
    ),
    "ingest.group": (
        "{example}{message} — {where}（首次：{first}）",
        "{example}{message} — {where} (first: {first})",
    ),
    "ingest.group.example": ("例如：", "e.g. "),
    "ingest.group.in_files": ("见于 {files}", "in {files}"),
    "ingest.group.times": ("{files}中共 {n} 处", "{n} times in {files}"),
    "ingest.by_status": ("{status} {n}", "{n} {status}"),
    "ingest.summary": (
        "共 {files}：{by_status}；导入 {rows}，拒绝 {rejected} 行",
        "{files}: {by_status}; {rows} loaded, {rejected} rejected",
    ),
    "ingest.summary.rejected_note": (
        "（被拒绝的行是上面列出的数据问题，不是导入失败）",
        " (rejected rows are data problems listed above, not a failure)",
    ),
    # --help: typer's own words (cli/help.py)
    "help.usage": ("用法：", "Usage: "),
    "help.section.Options": ("选项", "Options"),
    "help.section.Arguments": ("参数", "Arguments"),
    "help.section.Commands": ("命令", "Commands"),
    "help.heading": ("{name}：", "{name}:"),
    "help.extra.sep": ("；", "; "),
    "help.extra.env": ("环境变量：{var}", "env var: {var}"),
    "help.extra.default": ("默认：{default}", "default: {default}"),
    "help.extra.required": ("必填", "required"),
    "help.opt.help": ("显示本帮助并退出。", "Show this message and exit."),
    "help.opt.install_completion": (
        "为当前 shell 安装命令补全。",
        "Install completion for the current shell.",
    ),
    "help.opt.show_completion": (
        "显示当前 shell 的命令补全脚本，可复制或自行安装。",
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
    # --help: kpi-audit and its global options (cli/app.py)
    "help.app": (
        "医改办（卫健委）的指标达标审核工具：导入各机构的季度报表，对照改革文件的目标逐项核查，"
        "生成报告。",
        "KPI compliance auditor for health-system reform offices (医改办): ingest quarterly "
        "institution submissions, check them against the reform documents' targets, report.",
    ),
    "help.root.db": (
        "DuckDB 数据库文件（默认 ./kpi_audit.duckdb）。",
        "DuckDB store file (default ./kpi_audit.duckdb).",
    ),
    "help.root.wait": (
        "另一个运行占用数据库时最多等待的秒数，超时以 5 退出（默认 {wait}）。",
        "How long to wait for another run holding the store before exit 5 (default {wait}).",
    ),
    "help.root.quiet": (
        "除非出错，不在 stderr 输出任何内容。",
        "Nothing on stderr unless something is wrong.",
    ),
    "help.root.verbose": (
        "在 stderr 输出各步骤及耗时（英文）。",
        "Each step and its time, on stderr.",
    ),
    "help.root.lang": (
        "帮助、提示和报告的语言，用于其后的命令（环境变量 KPI_AUDIT_LANG；默认 zh）。",
        "Language of help, messages and reports for the command that follows "
        "(env KPI_AUDIT_LANG; default zh).",
    ),
    "help.root.config": (
        "设置文件（环境变量 KPI_AUDIT_CONFIG；默认为当前文件夹中的 ./kpi-audit.toml）："
        "db、targets、lang、outputs、wait。",
        "Settings file (env KPI_AUDIT_CONFIG; default ./kpi-audit.toml if present): "
        "db, targets, lang, outputs, wait.",
    ),
    "help.root.debug": ("出错时显示回溯。", "Show tracebacks on errors."),
    "help.root.version": ("显示版本号并退出。", "Show the version and exit."),
    # --help: options several commands share (cli/options.py)
    "help.opt.db": (
        "DuckDB 数据库文件（环境变量 KPI_AUDIT_DB；默认 ./kpi_audit.duckdb）。",
        "DuckDB store file (env KPI_AUDIT_DB; default ./kpi_audit.duckdb).",
    ),
    "help.opt.wait": (
        "另一个运行占用数据库时最多等待的秒数，超时以 5 退出"
        "（环境变量 KPI_AUDIT_WAIT；默认 {wait}）。",
        "How long to wait for another run that holds the store, then exit 5 "
        "(env KPI_AUDIT_WAIT; default {wait}).",
    ),
    "help.opt.period": (
        "报告期：2024Q3、2024年第三季度、2024（全年）或 latest（最近一期）。",
        "Reporting period: 2024Q3, 2024年第三季度, 2024 (whole year), or latest.",
    ),
    "help.opt.data_period": (
        "没有“报告期”列的文件所属的报告期：2024Q3、2024年第三季度、2024。",
        "Period of files that have no 报告期 column: 2024Q3, 2024年第三季度, 2024.",
    ),
    "help.opt.targets": (
        "目标集名称（如 zhengzhou-2016）或目标文件的路径；可重复"
        "（环境变量 KPI_AUDIT_TARGETS，以空格分隔）。",
        "Target set name (e.g. zhengzhou-2016) or path to a target file; repeatable "
        "(env KPI_AUDIT_TARGETS, space-separated).",
    ),
    "help.opt.sheet": (
        "只读取这个工作表（名称或从 1 起的序号）；可重复，读取所给的每一个。",
        "Read only this sheet (name or 1-based number); repeatable: each sheet given is read.",
    ),
    "help.opt.encoding": (
        "CSV 文件的文本编码（如 gb18030、big5、utf-16）；默认自动识别。",
        "Text encoding of CSV files (e.g. gb18030, big5, utf-16); default: detected.",
    ),
    "help.opt.strict": (
        "文件中只要有一行出错，就拒收整个文件。",
        "Reject a whole file when any row has an error.",
    ),
    "help.opt.level": ("报告哪一级（或全部）。", "Which level(s) to report."),
    "help.opt.lang": (
        "输出、提示和帮助的语言：zh 或 en。",
        "Language of the output, messages and help: zh or en.",
    ),
    "help.opt.fail_on": (
        "有结果达到这一级或更差时以 1 退出（fail < warn < not-evaluable）；"
        "quality：有目标未达标，或有严重程度为 error 的数据质量问题。",
        "Exit 1 when any result is at this level or worse (fail < warn < not-evaluable); "
        "quality: a failed target or a data-quality finding of severity error.",
    ),
    "help.opt.outputs": (
        "把报告写入这个文件（.xlsx、.html、.json、.csv）；可重复："
        "-o latest.xlsx -o latest.html -o latest.json。",
        "Write the report to this file (.xlsx, .html, .json, .csv); repeatable: "
        "-o latest.xlsx -o latest.html -o latest.json.",
    ),
    "help.opt.files": (
        "先导入的报表文件、文件夹或通配符（可省略：省略时直接用数据库中已导入的数据）。",
        "Submission files, folders or globs to ingest first (optional: without them "
        "the store is used as loaded).",
    ),
    "help.opt.min_reporting": (
        "区县或市的上报率（已报 / 应报机构数）低于此值时不可评估（报送不全）。",
        "A county or city whose reporting rate (reported / expected institutions) is "
        "below this is not evaluable (incomplete).",
    ),
    "help.opt.max_missing_share": (
        "区县或市的未报机构在上一期分母中所占份额达到此值时不可评估（报送不全）。",
        "A county or city whose missing institutions held this share or more of last "
        "period's denominator is not evaluable (incomplete).",
    ),
    "help.opt.format.stdout": ("在标准输出上打印什么格式。", "What to print on stdout."),
    "help.opt.format.list": ("输出格式。", "Output format."),
    # --help: the commands (cli/commands/*.py); a command's first sentence is its line in
    # `kpi-audit --help`
    "help.ingest": (
        "导入各机构的报表；有错误的行单独存为被拒绝行。",
        "Load institution submissions; rows with errors are kept aside as rejects.",
    ),
    "help.ingest.paths": (
        "文件、文件夹（递归查找）或 .xlsx / .xls / .csv 文件的通配符。",
        "Files, folders (searched recursively) or glob patterns of .xlsx / .xls / .csv files.",
    ),
    "help.ingest.show_all": (
        "列出全部数据问题，而不只是前 {shown} 条。",
        "List every issue, not only the first {shown}.",
    ),
    "help.ingest.received": (
        "收到文件的日期（2024-10-12），不是今天时填写：数据质量审查用它对照报送截止日期。",
        "Date the files were received (2024-10-12), when not today: the data-quality "
        "review checks it against the submission deadline.",
    ),
    "help.submissions": (
        "列出已导入的报告期 × 区县：机构数、被拒绝行、文件数、导入时间。",
        "List the loaded periods × counties: facilities, rejected rows, files, when.",
    ),
    "help.registers": (
        "列出已导入的名录（各年度的行政区划与人口、机构名录），以及名录与报表之间的数据问题。",
        "List the loaded registers (area register per year, institution register) and the "
        "data issues between them and the submissions.",
    ),
    "help.template": (
        "生成各机构填报用的空白工作簿（数据表 + 填报说明），"
        "或用 --kind areas|institutions 生成空白的行政区划或机构名录。",
        "Write the blank workbook institutions fill in (data sheet + instructions), or with "
        "--kind areas|institutions the blank area or institution register.",
    ),
    "help.template.output": ("要写入的 .xlsx 文件。", "The .xlsx file to write."),
    "help.template.force": ("覆盖已有的文件。", "Overwrite an existing file."),
    "help.template.kind": (
        "submissions（季度报表）、areas（行政区划与人口）或 institutions（机构名录）。",
        "submissions (the quarterly workbook), areas (行政区划与人口) or institutions (机构名录).",
    ),
    "help.check": (
        "核查某一报告期的目标：都未失败时以 0 退出，有未达标时以 1 退出，"
        "有指定的文件未能导入时以 3 退出（其余文件照常核查）。",
        "Check the targets for a period: exit 0 when none failed, 1 when one did, 3 when a "
        "named file could not be loaded (the others are audited all the same).",
    ),
    "help.report": (
        "把核查结果写成给领导和各机构看的报告（默认中文）。",
        "Write the audit as a report for leaders and institutions (Chinese by default).",
    ),
    "help.report.output": (
        "要写入的报告文件；可重复：-o latest.xlsx -o latest.html。",
        "The report file to write; repeatable: -o latest.xlsx -o latest.html.",
    ),
    "help.report.format": (
        "报告格式（默认按 --output 的扩展名；只能用于一个 -o）。",
        "Report format (default: from the extension of --output; one -o only).",
    ),
    "help.report.split": (
        "在 --output 文件夹中为每个区县各生成一份报告（Excel 和 HTML，除非 --format 指定），"
        "另加 index.html。",
        "One report per county in the folder --output (Excel and HTML unless --format says "
        "which), plus index.html.",
    ),
    "help.targets": ("列出、查看和校验目标集。", "List, show and validate target sets."),
    "help.targets.list": (
        "列出每个目标（默认为全部内置目标集）：要求、年份、层级、报表能否测算"
        "（不能时列出所需数据）及其条款。",
        "List every target (default: all bundled sets) with its requirement, years, "
        "levels, whether the submissions can measure it (and if not, the data it needs), "
        "and its clause.",
    ),
    "help.targets.show": (
        "完整显示一个目标（文件、条款、原文、所需数据）或整个目标集。",
        "Show one target in full (document, clause, quoted sentence, what it needs) or a "
        "whole set.",
    ),
    "help.targets.show.ident": (
        "目标 id、目标集名称或目标文件。",
        "A target id, a set name or a target file.",
    ),
    "help.targets.validate": (
        "校验目标文件：逐条打印问题，格式为 文件:行: 键: 说明（有问题时以 3 退出），"
        "否则打印“OK：N 项目标”。",
        "Check target files: print each problem as FILE:LINE: key: message (exit 3 if "
        'there is any), else "OK: N targets".',
    ),
    "help.targets.validate.files": ("要校验的目标文件。", "Target files to check."),
    "help.quality": (
        "数据质量审查：异常值、跳变、前后期一致性、相关数据、重复和迟报。"
        "审查结果从不改变达标结论。",
        "Data-quality review: outliers, jumps, consistency over time, related data, "
        "repeated and late submissions. Findings never change a verdict.",
    ),
    "help.quality.fail_on_error": (
        "有严重程度为 error 的问题时以 1 退出。",
        "Exit 1 when any finding has severity error.",
    ),
    "help.quality.rules": (
        "列出规则目录：id、类别、严重程度、参数。",
        "List the rule catalogue: id, kind, severity, parameters.",
    ),
    "help.quality.rules.format": ("table、json 或 csv。", "table, json or csv."),
    "help.export": (
        "把报表、被拒绝行、名录、每个已导入报告期的核查结果及其数据质量问题写成按报告期分区的 "
        "Parquet（period=2024Q3/），供 Spark、Trino 或数据平台读取。",
        "Write submissions, rejects, registers, the audit results of every loaded period "
        "and their quality findings as Parquet partitioned by period (period=2024Q3/), for "
        "Spark, Trino or a data platform to read.",
    ),
    "help.export.dir": ("要写入的文件夹（新建）。", "The folder to write (new)."),
    "help.export.format": ("写出的格式。", "What to write."),
    "help.export.force": ("DIR 已存在时替换它。", "Replace DIR if it exists."),
}
