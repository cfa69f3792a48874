"""Command-line words: what the commands print (wrote, template, registers,
submissions, ingest).

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
}
