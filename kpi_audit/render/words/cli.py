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
    "cli.sub.period": ("报告期", "period"),
    "cli.sub.county": ("区县", "county"),
    "cli.sub.facilities": ("机构数", "facilities"),
    "cli.sub.rejected": ("被拒绝行", "rejected"),
    "cli.sub.files": ("文件数", "files"),
    "cli.sub.last_ingested": ("最近导入", "last ingested"),
}
