"""Reference values and refused files in the HTML and Excel reports (issues 9, 13).

A mixed run on a hand-made city: east.xlsx loads, renamed.csv (a zip renamed to csv)
is refused. The targets include 家庭医生签约服务覆盖率, for which the bundled reference
file holds 湖北省2018年 36.65% — shown as labelled context, never as a threshold."""

from __future__ import annotations

from pathlib import Path

import pytest
from _ingest_helpers import EAST, write_submission
from openpyxl import load_workbook
from test_check_cli import targets_file

from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate import audit
from kpi_audit.render.html import render_html
from kpi_audit.render.xlsx import write_xlsx
from kpi_audit.store.db import connect

HUBEI = "湖北省2018年：36.65%"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    tmp = tmp_path_factory.mktemp("mixed")
    inbox = tmp / "inbox"
    inbox.mkdir()
    write_submission(inbox / "east.xlsx", EAST)
    (inbox / "renamed.csv").write_bytes(b"PK\x03\x04 a zip renamed to csv \x00\x01\x02")
    con = connect(tmp / "k.duckdb")
    try:
        return audit(
            con,
            period="2024Q3",
            target_specs=[targets_file(tmp, visit=0.5, signing=0.6)],
            files=[inbox],
        )
    finally:
        con.close()


def _cells(path: Path, sheet: str) -> list[str]:
    ws = load_workbook(path)[sheet]
    return [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]


def test_html_shows_the_reference_beside_the_signing_target(mixed: AuditResult) -> None:
    html = render_html(mixed)
    assert html.count(f"参考（不作为目标）：{HUBEI}") == 2  # first page and the target's section
    section = html[html.index('id="t-') :]
    signing = section[section.index("家庭医生签约服务覆盖率") :]
    assert HUBEI in signing[: signing.index("</article>")]
    # context only: the signing target is still judged against its own 60%
    assert "≥ 60%" in signing[: signing.index("</article>")]
    assert "Hubei, 2018: 36.65%" in render_html(mixed, lang="en")


def test_xlsx_summary_has_the_reference_column(mixed: AuditResult, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(mixed, path)
    ws = load_workbook(path)["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r and "参考值（不作为目标）" in r)
    col = header.index("参考值（不作为目标）")
    name = header.index("指标")
    by_name = {r[name]: r[col] for r in rows[rows.index(header) + 1 :] if r[name]}
    assert HUBEI in by_name["家庭医生签约服务覆盖率"]
    assert all(v is None for k, v in by_name.items() if k != "家庭医生签约服务覆盖率")


def test_html_lists_the_files_not_read(mixed: AuditResult) -> None:
    assert [(Path(f.file).name, f.status) for f in mixed.files_refused] == [
        ("renamed.csv", "failed")
    ]
    html = render_html(mixed)
    section = html[html.index('id="files-refused"') :]
    section = section[: section.index("</section>")]
    assert "未能读取的文件" in section and "共 1 个" in section
    assert "<td>renamed.csv</td><td>无法读取</td>" in section
    assert str(Path("inbox") / "renamed.csv") not in html  # file names, never paths
    assert mixed.files_refused[0].message.split(": ")[-1] in section  # the reason
    assert "Files not read" in render_html(mixed, lang="en")


def test_html_without_refused_files_has_no_such_section(mixed: AuditResult) -> None:
    from dataclasses import replace

    assert 'id="files-refused"' not in render_html(replace(mixed, files_refused=()))


def test_xlsx_has_a_sheet_of_files_not_read(mixed: AuditResult, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(mixed, path)
    assert "未读取文件" in load_workbook(path).sheetnames
    cells = _cells(path, "未读取文件")
    assert "renamed.csv" in cells and "无法读取" in cells
    reason = mixed.files_refused[0].message.split(": ")[-1]
    assert any(reason in c for c in cells)
    from dataclasses import replace

    write_xlsx(replace(mixed, files_refused=()), tmp_path / "ok.xlsx")
    assert "未读取文件" not in load_workbook(tmp_path / "ok.xlsx").sheetnames
