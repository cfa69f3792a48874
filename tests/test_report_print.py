"""The sample city's reports as a director prints them (issue 11).

HTML: headless Chromium prints to PDF and ``pdftotext`` reads it back — every facility
behind target and every missing institution must be named in the printout (the lists
live in ``<details>``, opened for print). The first page's county × target matrix must
say exactly what the JSON says. Excel: LibreOffice headless converts the workbook to
PDF and the first sheet's title, counts and matrix are in it.

Skipped without chromium / pdftotext / soffice, except under CI (env ``CI``), which
installs them (.ci/run).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate import audit
from kpi_audit.render.html import write_html
from kpi_audit.render.json_out import to_json_dict
from kpi_audit.store.db import connect

REPO = Path(__file__).resolve().parent.parent


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {names[0]} is not on PATH (.ci/run installs it)")
    pytest.skip(f"{names[0]} is not on PATH")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    path = tmp_path_factory.mktemp("print") / "k.duckdb"
    con = connect(path)
    try:
        return audit(
            con,
            period="2024Q3",
            target_specs=["zhengzhou-2016"],
            files=[REPO / "sample_data" / "submissions"],
            trends=True,
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def html_path(sample: AuditResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "河川市_2024Q3.html"
    write_html(sample, path)
    return path


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def printed_html(html_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    chromium = _tool("chromium", "chromium-browser")
    pdftotext = _tool("pdftotext")
    tmp = tmp_path_factory.mktemp("pdf")
    pdf = tmp / "report.pdf"
    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        html_path.as_uri(),
    ]
    subprocess.run(cmd, capture_output=True, timeout=180, check=False)
    assert pdf.exists() and pdf.stat().st_size > 10_000
    out = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def test_printed_html_names_every_facility_behind_target(
    sample: AuditResult, printed_html: str
) -> None:
    behind = sample.results.filter(
        (pl.col("level") == "facility") & pl.col("status").is_in(["fail", "warn"])
    )
    assert behind.height > 0
    text = _squash(printed_html)
    missing = [u for u in behind["unit"].unique().to_list() if u not in text]
    assert missing == []
    names = [n for n in behind["unit_name"].unique().to_list() if _squash(n) not in text]
    assert names == []


def test_printed_html_names_every_missing_institution(
    sample: AuditResult, printed_html: str
) -> None:
    gone = sample.data_issues.filter(pl.col("kind") == "missing_report")
    assert gone.height > 0  # the sample has institutions that stopped reporting
    text = _squash(printed_html)
    assert [n for n in gone["org_name"].to_list() if _squash(n) not in text] == []
    assert [c for c in gone["org_code"].to_list() if c not in text] == []


def test_printed_first_page_has_the_document_number_and_no_raw_codes(printed_html: str) -> None:
    first = _squash(printed_html.split("\f")[0])
    assert "郑政〔2016〕31号" in first and "zhengzhou-2016" not in first
    assert "区县×目标" in first or "未达标区县" in first
    assert "not_comparable" not in printed_html


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, str]] = []
        self._county: str | None = None
        self._in_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "th":
            self._in_th = True
        if tag == "td" and "data-target" in a and self._county:
            self.cells.append((self._county, a["data-target"] or "", a["data-status"] or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_th = False

    def handle_data(self, data: str) -> None:
        if self._in_th and data.strip():
            self._county = data.strip()


def test_matrix_cells_equal_the_json_statuses(sample: AuditResult, html_path: Path) -> None:
    html = html_path.read_text("utf-8")
    matrix = html.split('<table class="matrix">', 1)[1].rsplit('<table class="matrix">', 0)[0]
    parser = _Cells()
    parser.feed(html[html.index('<table class="matrix">') : html.index("</section>")])
    assert matrix and len(parser.cells) >= 7 * 10
    statuses = {
        (r["unit"], r["target_id"]): r["status"]
        for r in to_json_dict(sample)["results"]
        if r["level"] == "county"
    }
    for county, target, status in parser.cells:
        assert statuses[(county, target)] == status, (county, target)
    # every county and every binding target judged for some county is in the matrix
    assert {c for c, _, _ in parser.cells} == {c for c, _ in statuses}


@pytest.fixture(scope="module")
def printed_xlsx(sample: AuditResult, tmp_path_factory: pytest.TempPathFactory) -> str:
    from kpi_audit.render.xlsx import write_xlsx

    soffice = _tool("soffice", "libreoffice")
    pdftotext = _tool("pdftotext")
    tmp = tmp_path_factory.mktemp("xlsx")
    book = tmp / "report.xlsx"
    write_xlsx(sample, book)
    cmd = [
        soffice,
        f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp),
        str(book),
    ]
    subprocess.run(cmd, capture_output=True, timeout=300, check=False)
    pdf = tmp / "report.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    out = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def test_printed_excel_first_page_has_the_matrix_and_counts(
    sample: AuditResult, printed_xlsx: str
) -> None:
    first = printed_xlsx.split("\f")[0]
    flat = _squash(first)
    assert "郑政〔2016〕31号" in flat
    from kpi_audit.render.first_page import target_counts, target_overview

    counts = target_counts(target_overview(sample))  # targets, not target × unit pairs
    assert f"✘未达标{counts['fail']}" in flat and f"✔达标{counts['pass']}" in flat
    assert f"?无法评估{counts['not_evaluable']}" in flat
    counties = sample.results.filter(pl.col("level") == "county")["unit"].unique().to_list()
    assert all(c in flat for c in counties)  # every county's matrix row is on page 1
    assert "✘" in first and "✔" in first


def test_printed_excel_summary_row_reads_word_then_count(printed_xlsx: str) -> None:
    # "✘ 未达标 88" in one cell: a count never sits under the next status word
    assert re.search(r"✘ 未达标 \d+", printed_xlsx)
    assert "not_comparable" not in printed_xlsx


def test_excel_file_mode_follows_the_umask(sample: AuditResult, tmp_path: Path) -> None:
    from kpi_audit.render.xlsx import write_xlsx

    old = os.umask(0o022)
    try:
        write_xlsx(sample, tmp_path / "r.xlsx")
    finally:
        os.umask(old)
    assert (tmp_path / "r.xlsx").stat().st_mode & 0o777 == 0o644
