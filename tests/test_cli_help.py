"""`--help` follows the run's language (--lang before or after the command, KPI_AUDIT_LANG,
the config file, else Chinese); every help text comes from the word table (help.* in
kpi_audit/render/words/cli.py), typer's own words too where typer lets them be worded."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kpi_audit.cli.app import COMMANDS, _load_command, app
from kpi_audit.cli.help import display_width, localize, wrap_wide

ROOT_ZH = (
    "用法：kpi-audit [OPTIONS] COMMAND [ARGS]...\n"
    "\n"
    "  医改办（卫健委）的指标达标审核工具：导入各机构的季度报表，对照改革文件的目标逐\n"
    "  项核查，生成报告。\n"
    "\n"
    "选项：\n"
    "  --db <path>           DuckDB 数据库文件（默认 ./kpi_audit.duckdb）。[环境变\n"
    "                        量：KPI_AUDIT_DB]\n"
    "  --wait SECONDS        另一个运行占用数据库时最多等待的秒数，超时以 5 退出（默\n"
    "                        认 300）。[环境变量：KPI_AUDIT_WAIT；x>=0]\n"
    "  -q, --quiet           除非出错，不在 stderr 输出任何内容。\n"
    "  -v, --verbose         在 stderr 输出各步骤及耗时（英文）。[默认：0]\n"
    "  --lang <zh|en>        帮助、提示和报告的语言，用于其后的命令（环境变量\n"
    "                        KPI_AUDIT_LANG；默认 zh）。\n"
    "  --config <path>       设置文件（环境变量 KPI_AUDIT_CONFIG；默认为当前文件夹中\n"
    "                        的 ./kpi-audit.toml）：db、targets、lang、outputs、\n"
    "                        wait。\n"
    "  --debug               出错时显示回溯。\n"
    "  --version             显示版本号并退出。\n"
    "  --install-completion  为当前 shell 安装命令补全。\n"
    "  --show-completion     显示当前 shell 的命令补全脚本，可复制或自行安装。\n"
    "  -h, --help            显示本帮助并退出。\n"
    "\n"
    "命令：\n"
    "  ingest       导入各机构的报表；有错误的行单独存为被拒绝行\n"
    "  submissions  列出已导入的报告期 × 区县：机构数、被拒绝行、文件数、导入时间\n"
    "  registers    列出已导入的名录（各年度的行政区划与人口、机构名录），以及名录…\n"
    "  template     生成各机构填报用的空白工作簿（数据表 + 填报说明），或用 --kind…\n"
    "  check        核查某一报告期的目标：都未失败时以 0 退出，有未达标时以 1 退出…\n"
    "  report       把核查结果写成给领导和各机构看的报告（默认中文）\n"
    "  targets      列出、查看和校验目标集\n"
    "  quality      数据质量审查：异常值、跳变、前后期一致性、相关数据、重复和迟报\n"
    "  export       把报表、被拒绝行、名录、每个已导入报告期的核查结果及其数据质量…\n"
)

ROOT_EN = (
    "Usage: kpi-audit [OPTIONS] COMMAND [ARGS]...\n"
    "\n"
    "  KPI compliance auditor for health-system reform offices (医改办): ingest\n"
    "  quarterly institution submissions, check them against the reform documents'\n"
    "  targets, report.\n"
    "\n"
    "Options:\n"
    "  --db <path>           DuckDB store file (default ./kpi_audit.duckdb).  [env\n"
    "                        var: KPI_AUDIT_DB]\n"
    "  --wait SECONDS        How long to wait for another run holding the store\n"
    "                        before exit 5 (default 300).  [env var: KPI_AUDIT_WAIT;\n"
    "                        x>=0]\n"
    "  -q, --quiet           Nothing on stderr unless something is wrong.\n"
    "  -v, --verbose         Each step and its time, on stderr.  [default: 0]\n"
    "  --lang <zh|en>        Language of help, messages and reports for the command\n"
    "                        that follows (env KPI_AUDIT_LANG; default zh).\n"
    "  --config <path>       Settings file (env KPI_AUDIT_CONFIG; default ./kpi-\n"
    "                        audit.toml if present): db, targets, lang, outputs,\n"
    "                        wait.\n"
    "  --debug               Show tracebacks on errors.\n"
    "  --version             Show the version and exit.\n"
    "  --install-completion  Install completion for the current shell.\n"
    "  --show-completion     Show completion for the current shell, to copy it or\n"
    "                        customize the installation.\n"
    "  -h, --help            Show this message and exit.\n"
    "\n"
    "Commands:\n"
    "  ingest       Load institution submissions; rows with errors are kept...\n"
    "  submissions  List the loaded periods × counties: facilities, rejected...\n"
    "  registers    List the loaded registers (area register per year,...\n"
    "  template     Write the blank workbook institutions fill in (data sheet +...\n"
    "  check        Check the targets for a period: exit 0 when none failed, 1...\n"
    "  report       Write the audit as a report for leaders and institutions...\n"
    "  targets      List, show and validate target sets.\n"
    "  quality      Data-quality review: outliers, jumps, consistency over time,...\n"
    "  export       Write submissions, rejects, registers, the audit results of...\n"
)

EXPORT_ZH = (
    "用法：kpi-audit export [OPTIONS] {DIR}\n"
    "\n"
    "  把报表、被拒绝行、名录、每个已导入报告期的核查结果及其数据质量问题写成按报告期\n"
    "  分区的 Parquet（period=2024Q3/），供 Spark、Trino 或数据平台读取。\n"
    "\n"
    "参数：\n"
    "  DIR <path>  要写入的文件夹（新建）。[必填]\n"
    "\n"
    "选项：\n"
    "  -f, --format <parquet>     写出的格式。[默认：parquet]\n"
    "  -t, --targets <list[str]>  目标集名称（如 zhengzhou-2016）或目标文件的路径；可\n"
    "                             重复（环境变量 KPI_AUDIT_TARGETS，以空格分隔）。[环\n"
    "                             境变量：KPI_AUDIT_TARGETS]\n"
    "  --force                    DIR 已存在时替换它。\n"
    "  --lang <zh|en>             输出、提示和帮助的语言：zh 或 en。[环境变量：\n"
    "                             KPI_AUDIT_LANG；默认：zh]\n"
    "  --db <path>                DuckDB 数据库文件（环境变量 KPI_AUDIT_DB；默认\n"
    "                             ./kpi_audit.duckdb）。\n"
    "  --wait SECONDS             另一个运行占用数据库时最多等待的秒数，超时以 5 退出\n"
    "                             （环境变量 KPI_AUDIT_WAIT；默认 300）。[x>=0]\n"
    "  -h, --help                 显示本帮助并退出。\n"
)

EXPORT_EN = (
    "Usage: kpi-audit export [OPTIONS] {DIR}\n"
    "\n"
    "  Write submissions, rejects, registers, the audit results of every loaded\n"
    "  period and their quality findings as Parquet partitioned by period\n"
    "  (period=2024Q3/), for Spark, Trino or a data platform to read.\n"
    "\n"
    "Arguments:\n"
    "  DIR <path>  The folder to write (new).  [required]\n"
    "\n"
    "Options:\n"
    "  -f, --format <parquet>     What to write.  [default: parquet]\n"
    "  -t, --targets <list[str]>  Target set name (e.g. zhengzhou-2016) or path to a\n"
    "                             target file; repeatable (env KPI_AUDIT_TARGETS,\n"
    "                             space-separated).  [env var: KPI_AUDIT_TARGETS]\n"
    "  --force                    Replace DIR if it exists.\n"
    "  --lang <zh|en>             Language of the output, messages and help: zh or\n"
    "                             en.  [env var: KPI_AUDIT_LANG; default: zh]\n"
    "  --db <path>                DuckDB store file (env KPI_AUDIT_DB; default\n"
    "                             ./kpi_audit.duckdb).\n"
    "  --wait SECONDS             How long to wait for another run that holds the\n"
    "                             store, then exit 5 (env KPI_AUDIT_WAIT; default\n"
    "                             300).  [x>=0]\n"
    "  -h, --help                 Show this message and exit.\n"
)


@pytest.fixture()
def runner(tmp_path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no kpi-audit.toml
    monkeypatch.delenv("KPI_AUDIT_LANG", raising=False)
    monkeypatch.delenv("KPI_AUDIT_CONFIG", raising=False)
    return CliRunner()


def _help(runner: CliRunner, *args: str, **env: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "80", **env})
    assert result.exit_code == 0, result.output
    return result.output


def test_root_help_is_chinese_by_default_and_english_on_request(runner: CliRunner) -> None:
    assert _help(runner, "--help") == ROOT_ZH
    assert _help(runner, "-h", "--lang", "zh", KPI_AUDIT_LANG="en") == ROOT_ZH
    assert _help(runner, "--lang", "en", "--help") == ROOT_EN
    assert _help(runner, "--help", "--lang=en") == ROOT_EN
    assert _help(runner, "--help", KPI_AUDIT_LANG="en") == ROOT_EN


def test_command_help_follows_the_language(runner: CliRunner, tmp_path) -> None:
    assert _help(runner, "export", "--help") == EXPORT_ZH
    assert _help(runner, "export", "--help", "--lang", "en") == EXPORT_EN
    assert _help(runner, "--lang", "en", "export", "--help") == EXPORT_EN
    assert _help(runner, "export", "--help", KPI_AUDIT_LANG="en") == EXPORT_EN
    (tmp_path / "kpi-audit.toml").write_text('lang = "en"\n', encoding="utf-8")
    # the config file's lang: the help's language and --lang's default
    assert _help(runner, "export", "--help") == EXPORT_EN.replace("default: zh]", "default: en]")
    zh = EXPORT_ZH.replace("默认：zh]", "默认：en]")
    assert _help(runner, "export", "--help", KPI_AUDIT_LANG="zh") == zh  # env over config


def test_nested_commands_follow_the_language_too(runner: CliRunner) -> None:
    zh = _help(runner, "targets", "list", "--help")
    assert zh.startswith("用法：kpi-audit targets list [OPTIONS]\n\n  列出每个目标")
    assert "  -h, --help                 显示本帮助并退出。\n" in zh
    en = _help(runner, "quality", "rules", "--help", KPI_AUDIT_LANG="en")
    assert en.startswith("Usage: kpi-audit quality rules [OPTIONS]\n\n  List the rule catalogue")
    assert "table, json or csv.  [default: table]" in en


def _every_command(command):
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _every_command(sub)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_help_text_is_left_a_key(lang: str) -> None:
    import typer

    for name in COMMANDS:
        command = _load_command(name)
        localize(command, lang)
        for cmd in _every_command(command):
            texts = [cmd.help, *(p.help for p in cmd.params)]
            assert all(t and not t.startswith("help.") for t in texts), (name, cmd.name, texts)
    root = typer.main.get_command(app)
    localize(root, lang)
    assert all(p.help and not p.help.startswith("help.") for p in root.params)


def test_wide_text_wraps_by_display_width() -> None:
    text = "区县或市的上报率（已报 / 应报机构数）低于此值时不可评估（报送不全）。"
    lines = wrap_wide(text, 20).splitlines()
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(display_width(line) <= 20 for line in lines)
    assert not any(line[0] in "，。）" or line[-1] in "（" for line in lines)
    assert wrap_wide("a " * 3 + "中文", 80, "  ", "    ") == "  a a a 中文"
