"""Hostile submission files (issue 13): each refused with one line, within bounded memory,
never a hang, an abort or an internal error; the other files of the run still load."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from _ingest_helpers import EAST, HEADER, write_csv, write_submission

from kpi_audit.core.errors import InputError
from kpi_audit.ingest.limits import Limits, check_workbook
from kpi_audit.ingest.read import _csv_grid
from kpi_audit.render.i18n import error_line

# Runs the CLI in a fresh interpreter and reports its peak memory: VmHWM, the high-water
# mark of this process's own memory (ru_maxrss would be at least the forking pytest's,
# which Linux carries into the child across exec, and pytest grows past 400 MB late in
# the suite).
_MEASURED = """
import json, resource, sys
from kpi_audit.cli.app import app
try:
    app(sys.argv[1:], standalone_mode=True)
except SystemExit as done:
    code = done.code
try:
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"code": code, "peak_mib": peak / 1024}), file=sys.stderr)
"""


def ingest(tmp_path: Path, *files: Path, env: dict[str, str] | None = None) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, "--db", str(tmp_path / "s.duckdb"), "ingest",
         *(str(f.relative_to(tmp_path)) if f.is_relative_to(tmp_path) else str(f) for f in files)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "KPI_AUDIT_LANG": "en", **(env or {})},  # the messages in English
    )  # fmt: skip
    *lines, measured = done.stderr.splitlines()
    return json.loads(measured), "\n".join(lines)


def far_cell_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(EAST[0])
    ws["XFD1048576"] = 1
    wb.save(path)
    return path


def inflating_workbook(path: Path, inflated_mib: int) -> Path:
    """A valid small workbook whose sheet XML is padded with ``inflated_mib`` MiB of empty
    rows: a few hundred KB on disk."""
    small = path.with_suffix(".small.xlsx")
    write_submission(small, EAST)
    row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            head = re.sub(rb"<dimension [^>]*>", b"", head)  # make it scan the cells
            with zout.open(info.filename, "w", force_zip64=True) as out:
                out.write(head)
                block = b"".join(row % (5, 5) for _ in range(16_384))  # about 1 MiB
                for _ in range(inflated_mib):
                    out.write(block)
                out.write(b"</sheetData>" + tail)
    small.unlink()
    return path


def test_a_value_at_xfd1048576_is_refused_without_allocating(tmp_path: Path) -> None:
    book = far_cell_workbook(tmp_path / "far.xlsx")
    good = write_submission(tmp_path / "good.xlsx", EAST)
    assert book.stat().st_size < 10_000
    measured, err = ingest(tmp_path, book, good)
    assert measured["code"] == 3
    assert measured["peak_mib"] < 400
    assert err == (
        "error: far.xlsx, sheet Sheet: refused: the used range is 1,048,576 rows × 16,384 "
        "columns (17,179,869,184 cells), more than the limit of 25,000,000 cells "
        "(KPI_AUDIT_MAX_CELLS); is a stray value far below or to the right of the data? "
        "delete the empty rows and columns after the data and save again"
    )


def dimension_lies_workbook(path: Path) -> Path:
    """A submission whose <dimension> says A1:K3 while a cell sits at XFD1048576:
    calamine allocates what the cells span (it aborted the process, rc 134, with
    "memory allocation of 549755813888 bytes failed" before the cells were checked)."""
    far = far_cell_workbook(path.with_suffix(".far.xlsx"))
    with zipfile.ZipFile(far) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K3"', data)
                assert n == 1
            zout.writestr(info, data)
    far.unlink()
    return path


def test_a_dimension_that_hides_a_far_cell_is_refused(tmp_path: Path) -> None:
    book = dimension_lies_workbook(tmp_path / "lie.xlsx")
    good = write_submission(tmp_path / "good.xlsx", EAST)
    measured, err = ingest(tmp_path, book, good)
    assert measured["code"] == 3 and measured["peak_mib"] < 400
    assert err.startswith(
        "error: lie.xlsx, sheet Sheet: refused: the used range is 1,048,576 rows × 16,384 "
        "columns (17,179,869,184 cells)"
    )


def _declared_size(book: Path, part: str, size: int, crc_of_first: bool = False) -> Path:
    """``book`` with ``part``'s declared uncompressed size patched to ``size`` (in its
    local header and the central directory), and with ``crc_of_first`` its CRC made
    that of only its first ``size`` bytes, so that a reader stopping there sees no
    damage."""
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as z:
        info = z.getinfo(part)
        crc = zlib.crc32(z.read(part)[:size])
    fields = [(info.header_offset, 22, 14)]
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == part.encode():
            fields.append((at, 24, 16))
        at = data.find(b"PK\x01\x02", at + 4)
    for header, size_at, crc_at in fields:
        struct.pack_into("<I", data, header + size_at, size)
        if crc_of_first:
            struct.pack_into("<I", data, header + crc_at, crc)
    book.write_bytes(bytes(data))
    return book


def test_a_cell_past_an_entrys_declared_size_is_found(tmp_path: Path) -> None:
    # The sheet says it inflates to 2,000 bytes; the cell at XFD1048576 comes after
    # them, where a reader stopping at the declared size never looks.
    book = _sheet_replaced(
        tmp_path / "lie.xlsx",
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>' + b"<row/>" * 400
        + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )  # fmt: skip
    _declared_size(book, "xl/worksheets/sheet1.xml", 2_000)
    measured, err = ingest(tmp_path, book)
    assert measured["code"] == 3 and measured["peak_mib"] < 400
    assert "refused: the used range is 1,048,576 rows × 16,384 columns" in err


def test_an_entry_whose_crc_covers_only_its_declared_size_is_unreadable(
    tmp_path: Path,
) -> None:
    book = _sheet_replaced(
        tmp_path / "lie.xlsx",
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>' + b"<row/>" * 400
        + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )  # fmt: skip
    _declared_size(book, "xl/worksheets/sheet1.xml", 2_000, crc_of_first=True)
    measured, err = ingest(tmp_path, book)
    assert measured["code"] == 3  # refused, not an internal error (it was: BadZipFile)
    assert err.splitlines()[-1] == (
        "error: lie.xlsx: not a readable workbook, damaged or truncated? "
        "(Bad CRC-32 for file 'xl/worksheets/sheet1.xml')"
    )


def test_a_part_inflating_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    # a part no scan reads for cells (here: docProps/app.xml) is inflated to its end too
    book = write_submission(tmp_path / "bomb.xlsx", EAST)
    with zipfile.ZipFile(book) as z:
        parts = {info.filename: z.read(info.filename) for info in z.infolist()}
    parts["docProps/app.xml"] += b" " * 3_000_000
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    _declared_size(book, "docProps/app.xml", 2_000)
    limits = Limits(max_entry_bytes=2_000_000, max_ratio=10**6)
    with pytest.raises(InputError) as refused:
        check_workbook(book, book.read_bytes(), limits)
    assert error_line(refused.value, "en") == (
        f"error: {book}: refused: the workbook part docProps/app.xml declares 2.0 KiB but "
        "inflates to more than the limit of 1.9 MiB (KPI_AUDIT_MAX_ENTRY_BYTES): a zip bomb?"
    )
    assert check_workbook(book, book.read_bytes(), Limits(max_ratio=10**6)).formulas == set()


def test_a_part_in_an_unknown_compression_method_is_unreadable(tmp_path: Path) -> None:
    book = write_submission(tmp_path / "odd.xlsx", EAST)
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as z:
        info = z.getinfo("docProps/app.xml")
    struct.pack_into("<H", data, info.header_offset + 8, 97)  # no such method
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == b"docProps/app.xml":
            struct.pack_into("<H", data, at + 10, 97)
        at = data.find(b"PK\x01\x02", at + 4)
    book.write_bytes(bytes(data))
    with pytest.raises(InputError) as refused:  # it was an internal error
        check_workbook(book, book.read_bytes(), Limits())
    assert refused.value.code == "unreadable_workbook"
    assert str(refused.value).endswith(
        "(docProps/app.xml: That compression method is not supported)"
    )


def test_an_inflating_workbook_is_refused_by_its_ratio(tmp_path: Path) -> None:
    book = inflating_workbook(tmp_path / "bomb.xlsx", 64)
    assert book.stat().st_size < 1_000_000
    measured, err = ingest(tmp_path, book)
    assert measured["code"] == 3 and measured["peak_mib"] < 400
    assert err.startswith("error: bomb.xlsx: refused: the workbook part xl/worksheets/sheet1.xml ")
    assert "(KPI_AUDIT_MAX_RATIO): a zip bomb?" in err


def test_an_inflating_workbook_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    book = inflating_workbook(tmp_path / "big.xlsx", 24)
    limits = {"KPI_AUDIT_MAX_ENTRY_BYTES": str(16 << 20), "KPI_AUDIT_MAX_RATIO": "0"}
    measured, err = ingest(tmp_path, book, env=limits)
    assert measured["code"] == 3
    assert err.startswith(
        "error: big.xlsx: refused: the workbook part xl/worksheets/sheet1.xml would inflate "
        "to 23.3 MiB, more than the limit of 16.0 MiB (KPI_AUDIT_MAX_ENTRY_BYTES)"
    )
    measured, err = ingest(tmp_path, book, env={**limits, "KPI_AUDIT_LANG": "zh"})
    assert measured["code"] == 3
    assert err == (
        "错误：big.xlsx：拒绝读取：工作簿的部件 xl/worksheets/sheet1.xml 解压后为 23.3 MiB，"
        "超过上限 16.0 MiB（KPI_AUDIT_MAX_ENTRY_BYTES）"
    )


@pytest.mark.slow
def test_a_gigabyte_sheet_xml_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    book = inflating_workbook(tmp_path / "gig.xlsx", 1100)  # the 1.1 GB case
    measured, err = ingest(tmp_path, book)
    assert measured["code"] == 3 and measured["peak_mib"] < 400
    assert "sheet1.xml would inflate to 1.0 GiB, more than the limit of 512.0 MiB" in err


def test_the_cells_are_scanned_when_a_sheet_has_no_dimension(tmp_path: Path) -> None:
    book = inflating_workbook(tmp_path / "nodim.xlsx", 1)
    data = book.read_bytes()
    check_workbook(book, data, Limits())  # 4 + 16,384 rows × 11 columns: fine
    with pytest.raises(Exception, match=r"the used range is 5 rows × 11 columns"):
        check_workbook(book, data, Limits(max_cells=50))


def _sheet_replaced(path: Path, sheet_data: bytes) -> Path:
    """A submission workbook whose first sheet's <sheetData> is ``sheet_data``, with no
    <dimension>: its extent is found from the cells."""
    small = path.with_suffix(".small.xlsx")
    write_submission(small, EAST)
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*>", b"", data)
                data = re.sub(rb"<sheetData>.*</sheetData>", sheet_data, data, flags=re.S)
            zout.writestr(info, data)
    small.unlink()
    return path


def test_the_cell_scan_takes_the_largest_reference_wherever_it_is(tmp_path: Path) -> None:
    # the farthest cell comes first, r is not its first attribute, columns run past Z
    rows = (
        b'<sheetData><row r="40"><c s="1" r="C40"><v>1</v></c></row>'
        b'<row r="3"><c r="A3"><v>2</v></c><c t="n" r="AB3"><v>3</v></c></row>'
        b'<row r="7"><x:c r="B7"><v>4</v></x:c></row></sheetData>'
    )
    book = _sheet_replaced(tmp_path / "order.xlsx", rows)
    data = book.read_bytes()
    assert check_workbook(book, data, Limits(max_cells=40 * 28)).formulas == set()  # no formula
    with pytest.raises(Exception, match=r"the used range is 40 rows × 28 columns"):
        check_workbook(book, data, Limits(max_cells=40 * 28 - 1))


@pytest.mark.parametrize(
    ("cell", "formulas"),
    [
        (b'<c r="A2"><f>1+1</f><v>2</v></c>', {"东县"}),
        (b'<x:c r="A2"><x:f t="shared" si="0"/><x:v>2</x:v></x:c>', {"东县"}),
        (b'<c r="A2" t="inlineStr"><is><t>a:fine &lt;fun</t></is></c>', set()),
    ],
)
def test_formula_elements_are_found_in_a_scanned_sheet(
    tmp_path: Path, cell: bytes, formulas: set[str]
) -> None:
    book = _sheet_replaced(
        tmp_path / "f.xlsx", b'<sheetData><row r="2">' + cell + b"</row></sheetData>"
    )
    assert check_workbook(book, book.read_bytes(), Limits()).formulas == formulas


def test_a_fifo_is_refused_not_waited_for(tmp_path: Path) -> None:
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    good = write_submission(tmp_path / "good.xlsx", EAST)
    measured, err = ingest(tmp_path, fifo, good)  # timeout=120 would catch a hang
    assert measured["code"] == 3
    assert err == "error: x.csv: not a regular file (a FIFO): refused"


def test_a_device_is_refused(tmp_path: Path) -> None:
    measured, err = ingest(tmp_path, Path("/dev/zero"))
    assert measured["code"] == 3
    assert err == "error: /dev/zero: not a regular file (a device): refused"
    measured, err = ingest(tmp_path, Path("/dev/zero"), env={"KPI_AUDIT_LANG": "zh"})
    assert measured["code"] == 3
    assert err == "错误：/dev/zero：不是普通文件（设备）：拒绝读取"


def test_a_csv_field_longer_than_pythons_limit_loads(tmp_path: Path) -> None:
    long_name = "东" * 200_000
    rows = [HEADER, [*EAST[0][:1], long_name, *EAST[0][2:]], EAST[1]]
    path = write_csv(tmp_path / "long.csv", rows)
    measured, err = ingest(tmp_path, path)
    assert measured["code"] == 0, err
    assert "2 rows loaded" in subprocess.run(
        [sys.executable, "-m", "kpi_audit", "--db", str(tmp_path / "t.duckdb"), "ingest",
         "--lang", "en", str(path)], capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def test_a_line_of_two_million_commas_is_refused(tmp_path: Path) -> None:
    # 2 MB: polars was asked for 2,000,002 columns (31 s, then an aborted allocation)
    path = tmp_path / "wide.csv"
    path.write_text("机构代码,机构名称" + "," * 2_000_000 + "\nA,B\n", encoding="utf-8")
    good = write_submission(tmp_path / "good.xlsx", EAST)
    measured, err = ingest(tmp_path, path, good)
    assert measured["code"] == 3 and measured["peak_mib"] < 400
    assert err.splitlines()[-1] == (
        "error: wide.csv: refused: the used range has 2,000,002 columns, more than the limit "
        "of 16,384 (KPI_AUDIT_MAX_COLUMNS); is a stray value far to the right of the data, "
        "or a line with thousands of separators?"
    )


def test_a_csv_may_have_more_rows_than_a_sheet(tmp_path: Path) -> None:
    # the row and cell limits are a sheet's: a CSV export with more rows than they allow
    # is still read (here 1,201 rows under limits of 1,000 rows and 1,000 cells)
    path = tmp_path / "long.csv"
    lines = ["机构代码,机构名称,所属区县"] + [f"O{i},机构{i},东县" for i in range(1_200)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    limits = {"KPI_AUDIT_MAX_ROWS": "1000", "KPI_AUDIT_MAX_CELLS": "1000"}
    with pytest.MonkeyPatch.context() as env:
        for name, value in limits.items():
            env.setenv(name, value)
        cells, letters, *_ = _csv_grid(path, path.read_bytes())
    assert (cells.height, letters) == (1_201, ["A", "B", "C"])


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_AUDIT_MAX_CELLS", "1_000")
    assert Limits.from_env() == Limits(max_cells=1000)
    monkeypatch.setenv("KPI_AUDIT_MAX_CELLS", "lots")
    with pytest.raises(Exception, match="KPI_AUDIT_MAX_CELLS='lots' is not a whole number"):
        Limits.from_env()


BIG5_ROWS = (
    "org_code,org_name,county,org_type,hospital_grade,area,period,total_visits\n"
    "A001,東縣人民醫院,東縣,綜合醫院,三級,城市,2024Q3,1000\n"
    "A002,東關社區衛生服務中心,東縣,社區衛生服務中心,,城市,2024Q3,500\n"
)


def test_a_big5_csv_with_english_headers_is_read_as_big5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from kpi_audit.cli.app import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "big5.csv").write_bytes(BIG5_ROWS.encode("big5"))
    result = CliRunner().invoke(app, ["--db", "s.duckdb", "ingest", "--lang", "en", "big5.csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "1 file: 1 loaded; 2 rows loaded, 0 rejected"


def test_utf16_without_a_bom_and_the_encoding_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from kpi_audit.cli.app import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "u16.csv").write_bytes(BIG5_ROWS.encode("utf-16-le"))
    result = CliRunner().invoke(app, ["--db", "s.duckdb", "ingest", "--lang", "en", "u16.csv"])
    assert result.stdout.splitlines()[-1] == "1 file: 1 loaded; 2 rows loaded, 0 rejected"
    (tmp_path / "b.csv").write_bytes(BIG5_ROWS.replace("A00", "B00").encode("big5"))
    args = ["--db", "s.duckdb", "ingest", "--encoding", "utf-8", "b.csv"]
    wrong = CliRunner().invoke(app, [*args, "--lang", "en"])
    assert wrong.exit_code == 3
    assert wrong.stderr.startswith("error: b.csv: cannot decode the text as utf-8 (")
    assert CliRunner().invoke(app, args).stderr.startswith("错误：b.csv：无法按 utf-8 解码文本（")
    bad = CliRunner().invoke(app, ["--db", "s.duckdb", "ingest", "--encoding", "klingon", "b.csv"])
    assert bad.exit_code == 2
