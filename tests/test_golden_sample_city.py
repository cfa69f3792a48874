"""The whole sample city, end to end, against golden files.

The audit of 河川市 2024Q3 (ingest of every sample workbook, then the Zhengzhou and
Zhejiang targets) is pinned as JSON and as terminal text. A change in any value, status,
reason, data issue or in the layout of the terminal report shows up here as a diff.
After an intended change, review the diff and run ``pytest --update-golden``.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate import audit
from kpi_audit.render.json_out import to_json_dict
from kpi_audit.render.terminal import print_result
from kpi_audit.store.db import connect

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
SETS = ["zhengzhou-2016", "zhejiang-2017"]


SUBMISSIONS = REPO / "sample_data" / "submissions"


def received_on(period: str) -> date:
    """The offices sent each quarter's files on the 10th of the month after it (the
    deadline is the 15th); sample_data/README.md lists the one file that came late."""
    year, quarter = int(period[:4]), int(period[-1])
    return date(year + 1, 1, 10) if quarter == 4 else date(year, quarter * 3 + 1, 10)


LATE = {SUBMISSIONS / "2024Q3" / "河川市_白水县_2024Q3.xlsx": date(2024, 10, 21)}


def ingest_sample_city(con: Any) -> None:
    """Every sample file, with the date it was received (as an office would ingest)."""
    from kpi_audit.ingest.load import ingest_paths

    for folder in sorted(SUBMISSIONS.iterdir()):
        ingest_paths(con, [folder], received=received_on(folder.name)).raise_for_failures()
    for path, when in LATE.items():
        ingest_paths(con, [path], received=when)


@pytest.fixture(scope="module")
def sample_audit() -> AuditResult:
    con = connect(":memory:")
    try:
        ingest_sample_city(con)
        return audit(con, period="2024Q3", target_specs=SETS)
    finally:
        con.close()


def _stable(value: Any) -> Any:
    """Drop what changes from run to run; round floats past any summation-order noise."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in ("generated_at", "version")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, str):
        return value.replace(str(REPO), "<repo>")
    return value


def _compare(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs; review and run pytest --update-golden"


def test_json_of_the_sample_city(sample_audit: AuditResult, update_golden: bool) -> None:
    data = _stable(to_json_dict(sample_audit))
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    _compare("sample_city_2024Q3.json", text, update_golden)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_terminal_report_of_the_sample_city(
    sample_audit: AuditResult, lang: str, update_golden: bool
) -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, no_color=True, force_terminal=False)
    print_result(sample_audit, console, lang=lang)
    _compare(f"sample_city_2024Q3.{lang}.txt", out.getvalue(), update_golden)


def test_json_of_the_sample_city_matches_the_schema(sample_audit: AuditResult) -> None:
    from importlib.resources import files

    import jsonschema

    text = files("kpi_audit").joinpath("schema/check-output.schema.json").read_text("utf-8")
    data = json.loads(json.dumps(to_json_dict(sample_audit), ensure_ascii=False))
    jsonschema.validate(data, json.loads(text), format_checker=jsonschema.FormatChecker())
