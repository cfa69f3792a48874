"""Which sheets of a workbook are submissions: a notes sheet and a summary sheet (no
机构代码 nor 机构名称 in its header) are skipped with a notice; --sheet names the ones
to read, one or several."""

from __future__ import annotations

from pathlib import Path

import pytest
from _ingest_helpers import EAST, HEADER, write_workbook

from kpi_audit.core.errors import InputError
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.ingest.prepare import prepare_file

NOTES = [["填报须知"], ["1. 每个机构每个报告期填一行"]]
SUMMARY = [["所属区县", "总诊疗人次"], ["东县", 2300]]
WEST = [
    ["B001", "西县人民医院", "西县", "综合医院", "二级", "农村", "2024Q3", 900, 90, None, None],
]


def _book(tmp_path: Path, **sheets: list[list[object]]) -> Path:
    return write_workbook(tmp_path / "book.xlsx", sheets)


def _notices(issues) -> list[tuple[str, str, str]]:
    return issues.filter(severity="notice").select("sheet", "code", "message_en").rows()


def test_a_summary_sheet_is_skipped_when_the_institutions_load(store, tmp_path: Path) -> None:
    path = _book(
        tmp_path,
        填报说明=NOTES,
        东县=[HEADER, *EAST],
        西县=[HEADER, *WEST],
        汇总=SUMMARY,
    )
    (f,) = ingest_paths(store, [path]).files
    assert (f.status, f.rows_loaded, f.rows_rejected, f.sheets) == (
        "loaded",
        4,
        0,
        ["东县", "西县"],
    )
    notices = _notices(f.issues)
    assert [n[:2] for n in notices] == [("填报说明", "sheet_skipped"), ("汇总", "sheet_skipped")]
    assert notices[1][2] == (
        "sheet 汇总 skipped: its header (row 1) has neither 机构代码 nor 机构名称, so it "
        "lists no institutions (a summary?)"
    )
    zh = f.issues.filter(sheet="汇总").get_column("message_zh").to_list()
    assert zh == [
        "工作表「汇总」已跳过：表头（第 1 行）既没有机构代码也没有机构名称，"
        "不是机构明细（汇总表？）"
    ]


def test_a_sheet_naming_institutions_without_a_required_column_is_still_an_error(
    tmp_path: Path,
) -> None:
    partial = [["机构名称", "所属区县", "总诊疗人次"], ["东县人民医院", "东县", 1000]]
    path = _book(tmp_path, 东县=[HEADER, *EAST], 补充=partial)
    with pytest.raises(InputError) as caught:
        prepare_file(path, path.read_bytes())
    assert (caught.value.code, caught.value.sheet) == ("missing_columns", "补充")


def test_a_workbook_of_a_summary_only_says_what_is_missing(tmp_path: Path) -> None:
    path = _book(tmp_path, 填报说明=NOTES, 汇总=SUMMARY)
    with pytest.raises(InputError) as caught:
        prepare_file(path, path.read_bytes())
    assert (caught.value.code, caught.value.sheet) == ("missing_columns", "汇总")


def test_several_sheets_may_be_named(store, tmp_path: Path) -> None:
    path = _book(tmp_path, 东县=[HEADER, *EAST], 西县=[HEADER, *WEST], 南县=[HEADER, *WEST])
    (f,) = ingest_paths(store, [path], sheet=["西县", "1"]).files
    assert (f.rows_loaded, f.sheets) == (4, ["西县", "东县"])  # in the order given
    one = prepare_file(path, path.read_bytes(), sheet="西县")  # one name, as before
    assert [s.name for s in one.read.sheets] == ["西县"]


def test_the_cli_reads_each_sheet_given(runner, tmp_path: Path, monkeypatch) -> None:
    from kpi_audit.cli.app import app

    monkeypatch.chdir(tmp_path)
    _book(tmp_path, 东县=[HEADER, *EAST], 西县=[HEADER, *WEST], 南县=[HEADER, *WEST])
    args = ["--lang", "en", "--db", "s.duckdb", "ingest", "book.xlsx"]
    result = runner.invoke(app, [*args, "--sheet", "东县", "--sheet", "西县"])
    assert result.exit_code == 0, result.output
    assert "sheets 东县, 西县 · periods 2024Q3 · 4 rows loaded" in result.stdout
    help_text = runner.invoke(app, ["--lang", "en", "ingest", "--help"]).stdout
    assert "repeatable" in " ".join(help_text.split())


def _hide(path: Path, *names: str) -> Path:
    import openpyxl

    book = openpyxl.load_workbook(path)
    for name in names:
        book[name].sheet_state = "hidden"
    book.save(path)
    return path


def test_a_hidden_sheet_with_a_header_is_skipped_with_a_notice(tmp_path: Path) -> None:
    lists = [["机构类别", "城乡"], ["综合医院", "城市"]]  # drop-down lists: no word of it
    path = _hide(
        _book(tmp_path, 东县=[HEADER, *EAST], 旧版=[HEADER, *WEST], 下拉=lists), "旧版", "下拉"
    )
    prepared = prepare_file(path, path.read_bytes())
    assert [s.name for s in prepared.read.sheets] == ["东县"]
    assert _notices(prepared.issues) == [
        (
            "旧版",
            "sheet_skipped",
            "sheet 旧版 skipped: it is hidden (its header is row 1); to load it, unhide it "
            "or name it with --sheet",
        )
    ]
    zh = prepared.issues.get_column("message_zh").to_list()
    assert zh == [
        "工作表「旧版」已跳过：它是隐藏的（表头在第 1 行）；如需导入，请取消隐藏或用 --sheet 指定"
    ]
    named = prepare_file(path, path.read_bytes(), sheet="旧版")  # named: read, as before
    assert named.rows.get_column("org_code").to_list() == ["B001"]


def test_no_visible_header_but_a_hidden_one_says_so(tmp_path: Path) -> None:
    from kpi_audit.render.i18n import error_line

    path = _hide(_book(tmp_path, 说明=[["请在数据表填报"]], 数据=[HEADER, *EAST]), "数据")
    with pytest.raises(InputError) as caught:
        prepare_file(path, path.read_bytes())
    assert caught.value.code == "no_header"
    assert error_line(caught.value, "en").endswith(
        "no visible sheet has a recognisable header row; the hidden sheet 数据 has one "
        "(row 1): unhide it, or name it with --sheet"
    )
    assert error_line(caught.value, "zh").endswith(
        "没有可见的工作表有可识别的表头行；隐藏的工作表「数据」有（第 1 行）："
        "请取消隐藏，或用 --sheet 指定"
    )
