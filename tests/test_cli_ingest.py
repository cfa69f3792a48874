from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _ingest_helpers import EAST, FIXTURES, HEADER, with_cells, write_submission

from kpi_audit.cli.app import app


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path so that the paths printed are short and exact."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _one_error_one_warning(here: Path) -> None:
    write_submission(
        here / "east.xlsx",
        [EAST[0], with_cells(EAST[1], 总诊疗人次="12.5"), with_cells(EAST[2], 城乡=None)],
    )


def test_ingest_summary_issues_and_exit_0(runner, here: Path) -> None:
    # Chinese by default: the file line (status padded to 9 screen columns), the issues
    # heading, the messages and the summary.
    _one_error_one_warning(here)
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "east.xlsx"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "已导入     east.xlsx  工作表 东县 · 报告期 2024Q3 · 导入 2 行，拒绝 1 行\n"
        "数据问题（1 个错误、1 个警告）：\n"
        "  east.xlsx:东县:3 总诊疗人次  error not_whole: 「总诊疗人次」应为整数，实际为「12.5」\n"
        "  east.xlsx:东县:4 城乡  warning area_missing: 城乡为空，不计入城市/农村签约覆盖率\n"
        "共 1 个文件：已导入 1；导入 2 行，拒绝 1 行（被拒绝的行是上面列出的数据问题，"
        "不是导入失败）\n"
    )
    assert result.stderr == ""


@pytest.mark.parametrize("how", ["option", "env"])
def test_ingest_summary_in_english(runner, here: Path, how: str) -> None:
    _one_error_one_warning(here)
    if how == "option":
        result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "--lang", "en", "east.xlsx"])
    else:
        env = {"KPI_AUDIT_LANG": "en"}
        result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "east.xlsx"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "loaded     east.xlsx  sheets 东县 · periods 2024Q3 · 2 rows loaded, 1 rejected\n"
        "issues (1 error, 1 warning):\n"
        "  east.xlsx:东县:3 总诊疗人次  error not_whole: total_visits should be a whole "
        "number, got '12.5'\n"
        "  east.xlsx:东县:4 城乡  warning area_missing: area (城乡) is blank: left out of the "
        "urban/rural signing coverage\n"
        "1 file: 1 loaded; 2 rows loaded, 1 rejected (rejected rows are data problems listed "
        "above, not a failure)\n"
    )
    assert result.stderr == ""


def test_ingest_again_says_so_in_chinese(runner, here: Path) -> None:
    write_submission(here / "east.xlsx", EAST)
    runner.invoke(app, ["ingest", "--db", "s.duckdb", "east.xlsx"])
    result = runner.invoke(app, ["ingest", "--db", "s.duckdb", "east.xlsx"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("未变化     east.xlsx  已于 ")
    assert lines[0].endswith(f" 导入（文件 {here / 'east.xlsx'}），无需重复导入")
    assert lines[1] == "共 1 个文件：未变化 1；导入 0 行，拒绝 0 行"


def test_ingest_again_is_a_no_op_that_says_so(runner, here: Path) -> None:
    write_submission(here / "east.xlsx", EAST)
    runner.invoke(app, ["ingest", "--db", "s.duckdb", "east.xlsx"])
    result = runner.invoke(app, ["ingest", "--db", "s.duckdb", "--lang", "en", "east.xlsx"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("unchanged  east.xlsx  already ingested on ")
    assert lines[0].endswith(f"(as {here / 'east.xlsx'}); nothing to do")
    assert lines[1] == "1 file: 1 unchanged; 0 rows loaded, 0 rejected"


def test_english_messages_and_issue_limit(runner, here: Path) -> None:
    rows = [with_cells(EAST[0], 机构代码=f"A{i:02d}", 中医诊疗人次="x") for i in range(25)]
    write_submission(here / "many.xlsx", rows)
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "--lang", "en", "many.xlsx"])
    lines = result.stdout.splitlines()
    assert lines[1] == "issues (25 errors):"
    assert lines[2] == (
        "  many.xlsx:东县:2 中医诊疗人次  error not_a_number: tcm_visits should be "
        "a number, got 'x'"
    )
    assert lines[22] == "  … 5 more (--show-all lists them)"
    shown_all = runner.invoke(app, ["--db", "s2.duckdb", "ingest", "--show-all", "many.xlsx"])
    assert len([ln for ln in shown_all.stdout.splitlines() if " error " in ln]) == 25


def test_failed_file_exits_3_with_one_line_on_stderr(runner, here: Path) -> None:
    shutil.copy(FIXTURES / "truncated.xlsx", here / "truncated.xlsx")
    write_submission(here / "east.xlsx", EAST)
    result = runner.invoke(
        app, ["--db", "s.duckdb", "ingest", "--lang", "en", "east.xlsx", "truncated.xlsx"]
    )
    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        "loaded     east.xlsx  sheets 东县 · periods 2024Q3 · 3 rows loaded, 0 rejected",
        "failed     truncated.xlsx  not a readable workbook, damaged or truncated? "
        "(Cannot detect file format)",
        "2 files: 1 loaded, 1 failed; 3 rows loaded, 0 rejected",
    ]
    assert result.stderr == (
        "error: truncated.xlsx: not a readable workbook, damaged or "
        "truncated? (Cannot detect file format)\n"
    )


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("truncated.xlsx", "not a readable workbook, damaged or truncated?"),
        ("not_a_spreadsheet.xlsx", "not a readable workbook"),
        ("empty.xlsx", "the file is empty"),
        ("no_header.xlsx", "no sheet has a recognisable header row"),
        ("missing_required_column.xlsx", "missing required column(s): 机构类别 (org_type)"),
    ],
)
def test_every_unreadable_case_exits_3_with_one_line(
    runner, here: Path, fixture: str, message: str
) -> None:
    shutil.copy(FIXTURES / fixture, here / fixture)
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "--lang", "en", fixture])
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(f"error: {fixture}") and message in result.stderr


def test_unreadable_files_in_chinese(runner, here: Path) -> None:
    for fixture in ("missing_required_column.xlsx", "no_header.xlsx"):
        shutil.copy(FIXTURES / fixture, here / fixture)
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "missing_required_column.xlsx"])
    assert result.stderr == (
        "错误：missing_required_column.xlsx，工作表 东县，第 1 行：缺少必填列：机构类别\n"
    )
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "no_header.xlsx"])
    assert result.stderr == (
        "错误：no_header.xlsx：没有哪个工作表有可识别的表头行"
        "（在前 20 行中查找 机构代码、机构名称、所属区县 等表头）\n"
    )


def test_no_path_matched_exits_3(runner, here: Path) -> None:
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "nothing/*.xlsx"])
    assert result.exit_code == 3
    assert result.stderr == (
        "错误：没有可导入的文件：nothing/*.xlsx：没有匹配的 .xlsx、.xls 或 .csv 文件\n"
    )
    result = runner.invoke(app, ["--lang", "en", "--db", "s.duckdb", "ingest", "nothing/*.xlsx"])
    assert result.exit_code == 3
    assert result.stderr == (
        "error: nothing to ingest: nothing/*.xlsx: matches no .xlsx, .xls or .csv file\n"
    )


def test_bad_period_option_is_a_usage_error(runner, here: Path) -> None:
    write_submission(here / "east.xlsx", EAST)
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "-p", "下半年", "east.xlsx"])
    assert result.exit_code == 2
    assert result.stderr == (
        "错误：--period “下半年”不是报告期（请写 2024Q3、2024年第三季度 或 2024）\n"
    )
    args = ["--db", "s.duckdb", "ingest", "-p", "下半年", "east.xlsx"]
    result = runner.invoke(app, args, env={"KPI_AUDIT_LANG": "en"})
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --period '下半年' is not a period (write 2024Q3, 2024年第三季度 or 2024)\n"
    )


def test_strict_and_sheet_options(runner, here: Path) -> None:
    write_submission(here / "east.xlsx", [EAST[0], with_cells(EAST[1], 机构类别="医院")])
    result = runner.invoke(
        app, ["--db", "s.duckdb", "ingest", "--lang", "en", "--strict", "--sheet", "1", "east.xlsx"]
    )
    assert result.exit_code == 3  # --strict refusing a whole file is an input error
    assert result.stdout.splitlines()[0] == (
        "rejected   east.xlsx  sheets 东县 · --strict: 1 row with errors, nothing loaded"
    )
    assert result.stdout.splitlines()[-1] == "1 file: 1 rejected; 0 rows loaded, 1 rejected"
    assert result.stderr == ("error: east.xlsx: --strict: refused whole, 1 row(s) with errors\n")
    chinese = runner.invoke(app, ["--db", "t.duckdb", "ingest", "--strict", "east.xlsx"])
    assert chinese.exit_code == 3
    assert chinese.stderr == "错误：east.xlsx：--strict：有 1 行出错，整份拒收\n"


def test_failed_files_are_worded_in_the_users_language(runner, here: Path) -> None:
    write_submission(here / "east.xlsx", EAST)
    args = ["--db", "s.duckdb", "ingest", "east.xlsx", "missing.xlsx", "/dev/zero"]
    result = runner.invoke(app, args)
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0] == "失败       missing.xlsx  没有这个文件或文件夹"
    assert "失败       /dev/zero  不是普通文件（设备）：拒绝读取" in lines
    assert result.stderr == "错误：missing.xlsx：没有这个文件或文件夹（另有 1 个文件未导入）\n"
    result = runner.invoke(app, [*args, "--lang", "en"])
    assert result.stderr == (
        "error: missing.xlsx: no such file or folder (and 1 other file not loaded)\n"
    )


def test_submissions_lists_periods_and_counties(runner, here: Path) -> None:
    empty = runner.invoke(app, ["--db", "s.duckdb", "submissions"])
    assert (empty.exit_code, empty.stdout) == (
        0,
        "尚未导入任何数据（用 kpi-audit ingest 路径... 导入报表）\n",
    )
    english = runner.invoke(app, ["--db", "s.duckdb", "submissions"], env={"KPI_AUDIT_LANG": "en"})
    assert english.stdout == "nothing loaded yet (kpi-audit ingest PATH... loads submissions)\n"
    shutil.copy(FIXTURES / "title_row_merged.xlsx", here / "east.xlsx")
    runner.invoke(app, ["--db", "s.duckdb", "ingest", "east.xlsx"])
    result = runner.invoke(app, ["submissions", "--db", "s.duckdb", "--lang", "en"])
    assert result.exit_code == 0
    heading, row = result.stdout.splitlines()
    assert heading == "period\tcounty\tfacilities\trejected\tfiles\tlast ingested"
    zh = runner.invoke(app, ["submissions", "--db", "s.duckdb"]).stdout.splitlines()[0]
    assert zh == "报告期\t区县\t机构数\t被拒绝行\t文件数\t最近导入"
    assert row.split("\t")[:5] == ["2024Q3", "东县", "3", "0", "1"]


def test_db_from_the_environment(runner, here: Path, monkeypatch) -> None:
    monkeypatch.setenv("KPI_AUDIT_DB", str(here / "env.duckdb"))
    write_submission(here / "east.xlsx", EAST)
    assert runner.invoke(app, ["ingest", "east.xlsx"]).exit_code == 0
    assert (here / "env.duckdb").exists()


def test_errors_are_listed_before_notices(runner, here: Path) -> None:
    shutil.copy(FIXTURES / "title_row_merged.xlsx", here / "a.xlsx")  # a sheet_skipped notice
    write_submission(here / "b.xlsx", [with_cells(EAST[0], 机构代码=None)])
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "a.xlsx", "b.xlsx"])
    codes = [ln.split(": ")[0].split()[-1] for ln in result.stdout.splitlines() if ln[:2] == "  "]
    assert codes == ["required", "sheet_skipped"]


def test_repeated_notices_and_warnings_are_grouped_errors_are_not(runner, here: Path) -> None:
    header = [*HEADER, "备注"]  # an unknown column in every file: one notice a file
    write_submission(
        here / "a.xlsx",
        [with_cells(EAST[0], 医院等级=None, 城乡=None), EAST[1], EAST[2]],
        header=header,
    )
    write_submission(
        here / "b.xlsx",
        [with_cells(EAST[0], 机构代码="B1", 机构类别="中医医院", 医院等级=None, 城乡=None)],
        header=header,
    )
    write_submission(
        here / "c.xlsx",
        [with_cells(EAST[1], 机构代码="C1"), with_cells(EAST[2], 总诊疗人次="12.5")],
        header=header,
    )
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "a.xlsx", "b.xlsx", "c.xlsx"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[3:] == [
        "数据问题（1 个错误、4 个警告、3 个提示）：",
        "  c.xlsx:东县:3 总诊疗人次  error not_whole: 「总诊疗人次」应为整数，实际为「12.5」",
        # The two messages name different institution types: one is shown as an example.
        "  warning grade_missing: 例如：综合医院未填写医院等级，不计入按等级统计的指标 — "
        "见于 2 个文件（首次：a.xlsx:东县:2）",
        "  warning area_missing: 城乡为空，不计入城市/农村签约覆盖率 — 见于 2 个文件"
        "（首次：a.xlsx:东县:2）",
        "  notice unknown_column: 第 L 列「备注」不是已知字段，已忽略 — 见于 3 个文件"
        "（首次：a.xlsx:东县:1）",
        "共 3 个文件：已导入 3；导入 5 行，拒绝 1 行（被拒绝的行是上面列出的数据问题，"
        "不是导入失败）",
    ]
    # --show-all still lists every issue on its own line.
    listed = runner.invoke(
        app, ["--db", "s2.duckdb", "ingest", "--show-all", "a.xlsx", "b.xlsx", "c.xlsx"]
    )
    lines = [ln for ln in listed.stdout.splitlines() if ln.startswith("  ")]
    assert len(lines) == 8
    assert "  b.xlsx:东县:1  notice unknown_column: 第 L 列「备注」不是已知字段，已忽略" in lines


def test_a_group_within_one_file_counts_its_rows(runner, here: Path) -> None:
    write_submission(here / "a.xlsx", [with_cells(r, 城乡=None) for r in EAST])
    result = runner.invoke(app, ["--db", "s.duckdb", "ingest", "--lang", "en", "a.xlsx"])
    assert result.stdout.splitlines()[1:3] == [
        "issues (3 warnings):",
        "  warning area_missing: area (城乡) is blank: left out of the urban/rural signing "
        "coverage — 3 times in 1 file (first: a.xlsx:东县:2)",
    ]
