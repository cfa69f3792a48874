from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings
from typer.testing import CliRunner

from kpi_audit.store.db import connect

REPO = Path(__file__).resolve().parent.parent

# Property tests check values, not speed: on a loaded 2-core CI machine one example can
# take longer than hypothesis's 200 ms default deadline (performance lives in benchmarks/).
settings.register_profile("kpi-audit", deadline=None)
settings.load_profile("kpi-audit")


@pytest.fixture
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh, migrated in-memory store."""
    con = connect(":memory:")
    yield con
    con.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch a user's ./kpi_audit.duckdb: point the default elsewhere."""
    monkeypatch.setenv("KPI_AUDIT_DB", str(tmp_path / "default.duckdb"))
    monkeypatch.delenv("NO_COLOR", raising=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the golden files in tests/golden/ from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
