"""The HTML report in a real browser (headless Chromium): it renders, draws the
expected sections, logs no errors, and prints to PDF.

Skipped when Chromium is not installed — except under CI (env ``CI`` set), where a
missing browser is a failure: CI installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from _report_helpers import make_result

from kpi_audit.render.html import write_html

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium / chromium-browser is not on PATH")
        pytest.skip("headless Chromium (chromium or chromium-browser) is not on PATH")
    return CHROMIUM


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    write_html(make_result(), path)
    return path


def _run(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_screenshot(chromium: str, report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    _run(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert shot.exists(), "chromium wrote no screenshot"
    assert _png_size(shot) == (1280, 2000)
    # a blank page compresses to a few kB; the report's text and charts do not
    assert shot.stat().st_size > 50_000


def test_dom_has_the_sections_and_no_console_errors(
    chromium: str, report: Path, tmp_path: Path
) -> None:
    run = _run(
        chromium, tmp_path, "--dump-dom", "--enable-logging=stderr", "--v=0", report.as_uri()
    )
    dom = run.stdout
    for marker in (
        'id="summary"',
        'id="targets"',
        'id="data-issues"',
        'id="completeness"',
        'id="sources"',
        "<svg",
        'class="ranking"',
        "河川市 医改目标监测报告",
    ):
        assert marker in dom, marker
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    logged = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert logged == []


def test_prints_to_pdf(chromium: str, report: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    _run(chromium, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # @page size A4: 210 × 297 mm = 595 × 842 pt (Chromium rounds to 594.96 × 841.92)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes)
    assert len(boxes) >= 3  # the sample report runs to several pages


def test_printed_first_page_rasterises(chromium: str, report: Path, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not on PATH")
    pdf = tmp_path / "report.pdf"
    _run(chromium, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("page*.png")
    assert page.stat().st_size > 5_000
