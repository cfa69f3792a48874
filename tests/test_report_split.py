"""``report --split county``: one report per county, safe file names, an index page."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.render.split import MAX_STEM, safe_name

REPO = Path(__file__).resolve().parent.parent
COUNTIES = ("东湖区", "云岭县", "南山区", "柳河县", "白水县", "西湾区", "青石县")


def test_safe_name_replaces_what_windows_refuses_and_bounds_the_length() -> None:
    assert safe_name("河川市_白水县_2024Q3", "xlsx") == "河川市_白水县_2024Q3.xlsx"
    assert safe_name('a:b?c*d<e>f|g"h/i\\j', "html") == "a_b_c_d_e_f_g_h_i_j.html"
    assert safe_name("name. ", "xlsx") == "name.xlsx"
    assert len(safe_name("县" * 300, "xlsx")) == MAX_STEM + len(".xlsx")


@pytest.fixture(scope="module")
def split_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("split")
    db = tmp / "k.duckdb"
    runner = CliRunner()
    subs = REPO / "sample_data" / "submissions"
    assert runner.invoke(app, ["ingest", str(subs), "--db", str(db)]).exit_code == 0
    out = tmp / "reports"
    args = ["report", "-p", "2024Q3", "-t", "zhengzhou-2016", "--split", "county"]
    res = runner.invoke(app, [*args, "-o", str(out), "--db", str(db)])
    assert res.exit_code == 1, res.output  # targets fail, as in the city report
    return out, res.output


def test_one_excel_and_one_html_per_county_and_an_index(split_dir: tuple[Path, str]) -> None:
    out, output = split_dir
    names = sorted(p.name for p in out.iterdir())
    expected = sorted(
        [f"河川市_{c}_2024Q3.{ext}" for c in COUNTIES for ext in ("xlsx", "html")] + ["index.html"]
    )
    assert names == expected
    assert output.splitlines()[-1] == f"已生成 7 个区县报告：{out}（索引：index.html）"
    index = (out / "index.html").read_text("utf-8")
    assert all(f'href="河川市_{c}_2024Q3.xlsx"' in index for c in COUNTIES)


def test_a_county_report_holds_that_county_only_with_its_city_rank(
    split_dir: tuple[Path, str],
) -> None:
    out, _ = split_dir
    wb = load_workbook(out / "河川市_白水县_2024Q3.xlsx")
    county = wb["县级"]
    header = [c.value for c in county[1]]
    units = {r[header.index("单位")] for r in county.iter_rows(min_row=2, values_only=True)}
    assert units == {"白水县"}
    html = (out / "河川市_白水县_2024Q3.html").read_text("utf-8")
    assert "河川市 白水县" in html and "西湾区" not in html
    facilities = wb["机构"]
    fh = [c.value for c in facilities[1]]
    counties = {r[fh.index("所属区县")] for r in facilities.iter_rows(min_row=2, values_only=True)}
    assert counties <= {"白水县"}


def test_an_impossible_split_folder_is_exit_3_before_the_audit(
    split_dir: tuple[Path, str],
) -> None:
    out, _ = split_dir
    db = out.parent / "k.duckdb"
    afile = out.parent / "afile"
    afile.write_text("x")
    for folder in (afile, afile / "reports", Path("/proc/kpi-audit-split")):
        args = ["report", "-p", "2024Q3", "-t", "zhengzhou-2016", "--split", "county"]
        res = CliRunner().invoke(app, [*args, "-o", str(folder), "--db", str(db)])
        assert res.exit_code == 3, (folder, res.output)
        assert "Traceback" not in res.output


def test_split_reports_use_the_same_audit_options_as_one_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --min-reporting / --max-missing-share used to be dropped under --split
    import typer

    import kpi_audit.cli.commands.report as report_command

    seen: list[dict[str, object]] = []

    def audit_options(ctx: object, **options: object) -> None:
        seen.append(options)
        raise typer.Exit(0)

    monkeypatch.setattr(report_command, "audit_from_options", audit_options)
    common = ["report", "-p", "2024Q3", "-t", "zhengzhou-2016", "--db", str(tmp_path / "k.db")]
    shares = ["--min-reporting", "0.95", "--max-missing-share", "0.02"]
    split = CliRunner().invoke(app, [*common, *shares, "--split", "county", "-o", str(tmp_path)])
    one = CliRunner().invoke(app, [*common, *shares, "-o", str(tmp_path / "r.xlsx")])
    assert (split.exit_code, one.exit_code) == (0, 0), (split.output, one.output)
    by_split, by_one = seen
    assert by_split["min_reporting"] == by_one["min_reporting"] == 0.95
    assert by_split["max_missing_share"] == by_one["max_missing_share"] == 0.02
    assert by_split == by_one  # trends: both draw them (Excel + HTML)


def test_split_is_quiet_under_q_and_takes_one_folder(split_dir: tuple[Path, str]) -> None:
    out, _ = split_dir
    db = out.parent / "k.duckdb"
    args = ["report", "-p", "2024Q3", "-t", "zhengzhou-2016", "--split", "county", "--db", str(db)]
    quiet = CliRunner().invoke(app, ["-q", *args, "-o", str(out.parent / "quiet")])
    assert (quiet.exit_code, quiet.stdout) == (1, "")
    assert len(list((out.parent / "quiet").iterdir())) == 15  # written all the same
    two = CliRunner().invoke(app, [*args, "-o", str(out.parent / "a"), "-o", str(out.parent / "b")])
    assert two.exit_code == 2
    assert (
        two.stderr == "错误：--split 只写入一个文件夹，却给了 2 个 -o（配置文件的 outputs 也算）\n"
    )
    assert not (out.parent / "a").exists() and not (out.parent / "b").exists()


def test_split_by_county_of_city_results_only_is_a_usage_error(split_dir: tuple[Path, str]) -> None:
    out, _ = split_dir
    db = out.parent / "k.duckdb"
    args = ["report", "-p", "2024Q3", "-t", "zhengzhou-2016", "--split", "county", "--db", str(db)]
    res = CliRunner().invoke(app, [*args, "--level", "city", "-o", str(out.parent / "c")])
    assert res.exit_code == 2
    assert res.stderr.startswith(
        "错误：--split county 为每个区县写一份报告，--level city 不含区县结果"
    )
    assert not (out.parent / "c").exists()
