"""sample_data/registers: what the generator writes and what ingest reads back."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import fastexcel

from kpi_audit.core.periods import Period
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.store.registers import expected_institutions

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def _gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_data_generate_r", SAMPLE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _cells(path: Path) -> list[tuple[object, ...]]:
    return (
        fastexcel.read_excel(path)
        .load_sheet(0, header_row=None, dtypes="string")
        .to_polars()
        .rows()
    )


def test_the_generator_reproduces_the_committed_registers(tmp_path: Path) -> None:
    written = _gen().write_registers(tmp_path)
    assert [p.name for p in written] == ["河川市_行政区划与人口.xlsx", "河川市_机构名录.xlsx"]
    for path in written:
        assert _cells(path) == _cells(SAMPLE / "registers" / path.name), path.name


def test_the_sample_registers_load(store) -> None:
    report = ingest_paths(store, [SAMPLE / "registers"])
    assert sorted((f.register, f.rows_loaded, f.rows_rejected) for f in report.files) == [
        ("areas", 14, 0),
        ("institutions", 337, 0),
    ]
    types = store.execute(
        "SELECT area_type, count(*) FROM current_area_register WHERE year = 2024 GROUP BY 1"
        " ORDER BY 1"
    ).fetchall()
    assert types == [("县", 4), ("市辖区", 3)]
    # 西湾区 2024: Σ teams' latest 服务常住人口 × 1.04, to the hundred; urban + rural = total
    assert store.execute(
        "SELECT population, urban_population, rural_population FROM current_area_register"
        " WHERE county = '西湾区' AND year = 2024"
    ).fetchall() == [(320500, 293900, 26600)]
    names = lambda p: set(expected_institutions(store, p)["org_name"])  # noqa: E731
    assert "东湖区康宁诊所" in names(Period(2024, 2))  # closed in 2024Q2
    assert "东湖区康宁诊所" not in names(Period(2024, 3))
    assert "西湾区仁和诊所" in names(Period(2024, 3))  # never reports
    assert "河川市西湾医院" not in names(Period(2023, 4))  # opened 2024Q1
    assert "河川市南山医院" in names(Period(2024, 4))  # expected; it stopped reporting
    assert len(names(Period(2024, 3))) == 336
