"""Errors are data: a code and parameters on the exception, English in ``str(exc)`` for
library users, and the user's language where the CLI turns them into a line."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from kpi_audit.core.errors import InputError, KpiAuditError, NoDataError, UsageError
from kpi_audit.evaluate.rows import LoadedPeriods, resolve_period
from kpi_audit.ingest.limits import Limits, read_regular_file
from kpi_audit.render.i18n import LABELS, error_line, error_text
from kpi_audit.spec.targets import load_target_sets
from kpi_audit.store.db import connect


def test_no_data_for_a_period_carries_its_code_and_parameters() -> None:
    from kpi_audit.core.periods import Period

    loaded = LoadedPeriods((Period(2023, 3), Period(2024, 3)))
    with pytest.raises(NoDataError) as raised:
        resolve_period("2022Q1", loaded)
    exc = raised.value
    assert exc.code == "no_data_period"
    assert exc.params["loaded"] == ["2023Q3", "2024Q3"]
    assert str(exc) == "no data loaded for 2022Q1 (loaded periods: 2023Q3, 2024Q3)"
    assert (
        error_line(exc, "zh")
        == "错误：没有 2022年第一季度 的数据（已导入的报告期：2023Q3、2024Q3）"
    )
    assert (
        error_line(exc, "en") == "error: no data loaded for 2022Q1 (loaded periods: 2023Q3, 2024Q3)"
    )


def test_nothing_loaded_is_one_language_per_line() -> None:
    with pytest.raises(NoDataError) as raised:
        resolve_period("latest", LoadedPeriods(()))
    assert raised.value.code == "no_data"
    assert str(raised.value) == (
        "no submissions are loaded yet (run `kpi-audit ingest` or pass the files to check)"
    )
    assert error_text(raised.value, "zh") == (
        "尚未导入任何报表（先运行 kpi-audit ingest，或在命令后给出报表文件）"
    )
    with pytest.raises(NoDataError) as raised:
        resolve_period("2024Q3", LoadedPeriods(()))
    assert str(raised.value) == "no data loaded for 2024Q3 (loaded periods: none)"
    assert error_text(raised.value, "zh") == "没有 2024年第三季度 的数据（尚未导入任何报告期）"
    with pytest.raises(UsageError) as bad:
        resolve_period("下半年", LoadedPeriods(()))
    assert (bad.value.code, bad.value.exit_code) == ("not_a_period", 2)
    assert error_text(bad.value, "zh").startswith("“下半年”不是报告期")


def test_the_location_is_worded_per_language() -> None:
    exc = InputError(
        code="too_many_rows",
        params={"rows": "2,000", "limit": "1,000"},
        path="a.xlsx",
        sheet="东县",
    )
    assert str(exc) == (
        "a.xlsx, sheet 东县: refused: the used range has 2,000 rows, more than the limit of "
        "1,000 (KPI_AUDIT_MAX_ROWS)"
    )
    assert error_text(exc, "en") == str(exc)
    assert error_line(exc, "zh") == (
        "错误：a.xlsx，工作表 东县：拒绝读取：已用区域有 2,000 行，超过上限 1,000"
        "（KPI_AUDIT_MAX_ROWS）"
    )


def test_an_error_without_words_stays_english_in_every_language() -> None:
    exc = InputError("something odd", path="x.csv")
    assert exc.code is None
    assert error_line(exc, "zh") == error_line(exc, "en") == "error: x.csv: something odd"
    with pytest.raises(TypeError):
        KpiAuditError()


def test_an_error_inside_an_error_is_rendered_in_the_same_language() -> None:
    cause = NoDataError(code="no_data")
    exc = NoDataError(
        code="files_not_loaded", params={"cause": cause, "file": "a.xlsx", "detail": "bad"}
    )
    assert str(exc) == f"{cause} — not loaded: a.xlsx: bad"
    assert error_text(exc, "zh") == f"{error_text(cause, 'zh')} —— 未能导入：a.xlsx：bad"


def test_limits_unknown_sets_and_foreign_stores_are_coded(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InputError) as raised:
        read_regular_file(big, Limits(max_file_bytes=1024))
    assert raised.value.code == "file_too_large"
    assert "KPI_AUDIT_MAX_FILE_BYTES" in error_text(raised.value, "zh")
    with pytest.raises(KpiAuditError) as unknown:
        load_target_sets(["nope"])
    assert unknown.value.code == "unknown_target_set"
    assert error_text(unknown.value, "zh").startswith("没有名为“nope”的目标集")
    other = tmp_path / "crm.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    with pytest.raises(InputError) as foreign:
        connect(other)
    assert foreign.value.code == "store_foreign"


def test_every_error_code_has_both_languages() -> None:
    entries = {k: v for k, v in LABELS.items() if k.startswith("error.")}
    assert len(entries) > 20
    # every entry worded twice, except those that only place a parameter
    only_a_parameter = {"error.at.path", "error.files_refused"}
    assert all(
        zh and en and zh != en for k, (zh, en) in entries.items() if k not in only_a_parameter
    )
    assert all(entries[k][0] == entries[k][1] for k in only_a_parameter)
