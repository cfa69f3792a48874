"""CSV encodings: detected (BOMs, UTF-8, GB18030/GBK or Big5 by which reads more common
characters), or given with --encoding; a file whose every row has garbled vocabulary
says that its encoding may be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from _ingest_helpers import FIXTURES
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.core.errors import UsageError
from kpi_audit.ingest.encoding import check_encoding, decode_text
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.ingest.prepare import prepare_file


def _prepared(name: str, encoding: str | None = None):
    path = FIXTURES / name
    return prepare_file(path, path.read_bytes(), encoding=encoding)


@pytest.mark.parametrize(
    ("name", "encoding", "first_name"),
    [
        ("gbk.csv", "GB18030", "东县人民医院"),
        ("gb18030.csv", "GB18030", "东县人民医院"),
        ("utf8_bom.csv", "UTF-8 (BOM)", "东县人民医院"),
        ("utf16.csv", "UTF-16", "东县人民医院"),
        ("utf16_be_bom.csv", "UTF-16", "东县人民医院"),
        ("big5.csv", "Big5", "東縣人民醫院"),
        ("big5_english_headers.csv", "Big5", "東縣人民醫院"),
    ],
)
def test_each_encoding_is_detected(name: str, encoding: str, first_name: str) -> None:
    prepared = _prepared(name)
    assert prepared.read.encoding == encoding
    assert prepared.issues.height == 0
    assert prepared.rows.get_column("_status").to_list() == ["loaded"] * 3
    assert prepared.rows.get_column("org_name").to_list()[0] == first_name
    # traditional vocabulary reads as the simplified one
    assert prepared.rows.get_column("org_type").to_list() == [
        "综合医院",
        "社区卫生服务中心",
        "乡镇卫生院",
    ]
    assert prepared.rows.get_column("area").to_list() == ["城市", "城市", "农村"]


@pytest.mark.parametrize(
    ("text", "codec", "shown"),
    [
        # no catalog word at all: only the commonness of the characters decides
        ("code,name\nA1,張偉明\nA2,陳美玲\nA3,林志豪\n", "big5", "Big5"),
        ("code,name\nA1,张伟明\nA2,陈美玲\nA3,林志豪\n", "gbk", "GB18030"),
        ("a,b\n1,王\n", "big5", "Big5"),  # one character: 王 is level 1 in both tables
        ("a,b\n1,王\n", "gbk", "GB18030"),
        ("机构代码，机构名称（全称）\nA1,东湖区人民医院，“好”\n", "gbk", "GB18030"),
    ],
)
def test_gb18030_or_big5_by_common_characters(text: str, codec: str, shown: str) -> None:
    decoded = decode_text(Path("x.csv"), text.encode(codec))
    assert (decoded.text, decoded.encoding) == (text, shown)


def test_the_encoding_given_overrides_detection() -> None:
    # read as GB18030, Big5 bytes are garbage: every row's 机构类别 and 城乡 (and the
    # first row's 医院等级) are unrecognised, and the file says so once
    prepared = _prepared("big5_english_headers.csv", "gb18030")
    assert prepared.read.encoding == "gb18030"
    vocabulary = prepared.issues.filter(code="vocabulary")
    assert vocabulary.select("row", "field").rows() == [
        (2, "org_type"),
        (2, "hospital_grade"),
        (2, "area"),
        (3, "org_type"),
        (3, "area"),
        (4, "org_type"),
        (4, "area"),
    ]
    suspect = prepared.issues.filter(code="encoding_suspect")
    assert suspect.select("row", "field", "severity").rows() == [(None, None, "warning")]
    assert suspect.get_column("message_zh").to_list() == [
        "编码可能不正确：按 gb18030 读取后，每个数据行都有无法识别的机构类别、医院等级、城乡，"
        "可用 --encoding 指定"
    ]
    assert suspect.get_column("message_en").to_list() == [
        "the encoding may be wrong: read as gb18030, every data row has an unrecognised "
        "org_type, hospital_grade, area; give the right one with --encoding"
    ]
    assert _prepared("big5_english_headers.csv", "big5").issues.height == 0


def test_one_bad_row_is_no_encoding_problem(tmp_path: Path) -> None:
    good = (FIXTURES / "gbk.csv").read_bytes().decode("gbk")
    path = tmp_path / "typo.csv"
    path.write_bytes(good.replace("综合医院", "综合医阮").encode("gbk"))
    prepared = prepare_file(path, path.read_bytes())
    assert prepared.issues.get_column("code").to_list() == ["vocabulary"]


def test_garbled_traditional_headers_hint_at_the_encoding() -> None:
    from kpi_audit.core.errors import InputError

    with pytest.raises(
        InputError, match="read as gb18030: if the text is garbled, give --encoding"
    ):
        _prepared("big5.csv", "gb18030")


def test_unknown_or_non_text_codecs_are_usage_errors(store) -> None:
    assert check_encoding("cp950") == "cp950"
    assert check_encoding(None) is None
    for name in ("klingon", "base64"):
        with pytest.raises(UsageError, match=f"--encoding '{name}' is not a"):
            check_encoding(name)
    with pytest.raises(UsageError):
        ingest_paths(store, [FIXTURES / "gbk.csv"], encoding="klingon")


@pytest.mark.parametrize("command", [["ingest"], ["check", "--targets", "zhengzhou-2016"]])
def test_the_encoding_option_on_ingest_and_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    source = str(FIXTURES / "big5_english_headers.csv")
    runner = CliRunner()
    bad = runner.invoke(app, ["--db", "s.duckdb", *command, "--encoding", "klingon", source])
    assert bad.exit_code == 2, bad.output
    assert bad.stderr == "错误：--encoding 'klingon' 不是已知的文本编码\n"
    runner = CliRunner(env={"KPI_AUDIT_LANG": "en"})  # the messages in English from here on
    bad = runner.invoke(app, ["--db", "s.duckdb", *command, "--encoding", "klingon", source])
    assert bad.exit_code == 2, bad.output
    assert "--encoding 'klingon' is not a known text encoding" in bad.stderr
    assert not (tmp_path / "s.duckdb").exists()  # refused before the store is opened
    wrong = runner.invoke(app, ["--db", "s.duckdb", *command, "--encoding", "utf-8", source])
    assert wrong.exit_code == 3
    assert "cannot decode the text as utf-8 (" in wrong.stderr


def test_ingest_reports_the_encoding_suspect(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = str(FIXTURES / "big5_english_headers.csv")
    result = CliRunner().invoke(
        app, ["--db", "s.duckdb", "ingest", "--encoding", "gb18030", "--lang", "en", source]
    )
    assert "the encoding may be wrong: read as gb18030" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "1 file: 1 loaded; 0 rows loaded, 3 rejected "
        "(rejected rows are data problems listed above, not a failure)"
    )
