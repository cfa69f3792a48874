"""Building blocks for evaluation tests: a store with rows inserted directly, the shipped
indicator catalog, and terse target builders."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from kpi_audit.core.models import Indicator, Level, Source, Target, TargetSet
from kpi_audit.core.periods import parse_period
from kpi_audit.spec.catalog import load_catalog
from kpi_audit.store.db import connect

# The engine is tested on the shipped indicator catalog (kpi_audit/spec/indicators.toml):
# a hand-copied one would drift from what users run.
CATALOG: dict[str, Indicator] = load_catalog()


SOURCE = Source(
    "郑州市人民政府关于推进分级诊疗制度建设的实施意见",
    "郑政〔2016〕31号",
    "二、(二)3",
    "基层医疗卫生机构诊疗量占总诊疗量比例≥65%",
)


def target(
    indicator: str,
    operator: str,
    threshold: float,
    *,
    from_year: int = 2017,
    levels: Sequence[Level] = ("county", "city"),
    tid: str | None = None,
    **kw: Any,
) -> Target:
    return Target(
        id=tid or f"{indicator}-{from_year}",
        target_set="test-set",
        indicator=indicator,
        operator=operator,  # type: ignore[arg-type]
        threshold=threshold,
        from_year=from_year,
        levels=tuple(levels),
        source=SOURCE,
        **kw,
    )


def target_set(*targets: Target, area: str = "测试市", name: str = "test-set") -> TargetSet:
    return TargetSet(name=name, title="测试目标", path=f"{name}.toml", targets=targets, area=area)


def store() -> duckdb.DuckDBPyConnection:
    return connect(":memory:")


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    period: str,
    rows: Sequence[dict[str, Any]],
    *,
    path: str | None = None,
) -> int:
    """Insert ``rows`` (field id -> value; missing keys are blank) as one file's accepted
    rows for ``period``; returns the file_id."""
    p = parse_period(period)
    assert p is not None, period
    path = path or f"{period}.xlsx"
    sha = hashlib.sha256(f"{path}{period}{rows!r}".encode()).hexdigest()
    file_id = con.execute(
        "INSERT INTO files (path, sha256, size_bytes, ingested_at, rows_loaded) "
        "VALUES (?, ?, 0, ?, ?) RETURNING file_id",
        [path, sha, datetime.now(), len(rows)],
    ).fetchall()[0][0]
    frame = pl.DataFrame(list(rows), infer_schema_length=None).with_columns(
        file_id=pl.lit(file_id),
        sheet=pl.lit("Sheet1"),
        source_row=pl.int_range(2, len(rows) + 2, dtype=pl.Int32),
        ingested_at=pl.lit(datetime.now()),
        period=pl.lit(str(p)),
        period_year=pl.lit(p.year, pl.Int32),
        period_quarter=pl.lit(p.quarter, pl.Int32),
    )
    con.register("_rows_to_insert", frame)
    try:
        con.execute("INSERT INTO submissions BY NAME SELECT * FROM _rows_to_insert")
    finally:
        con.unregister("_rows_to_insert")
    return file_id


def org(code: str, county: str, org_type: str, **fields: Any) -> dict[str, Any]:
    return {
        "org_code": code,
        "org_name": f"{code}名",
        "county": county,
        "org_type": org_type,
        **fields,
    }


CITY = "河川市"


def city_org(code: str, county: str, org_type: str, **fields: Any) -> dict[str, Any]:
    return org(code, county, org_type, city=CITY, **fields)


# 东县: A1 village clinic (rural), A2 community centre (urban), H1 tertiary general (urban)
# 西县: B1 township centre (rural), H2 tertiary TCM hospital, H3 secondary hospital
Q3_2024 = [
    city_org(
        "A1",
        "东县",
        "村卫生室",
        area="农村",
        total_visits=300,
        tcm_visits=90,
        resident_population=1000,
        signed_residents=700,
        key_population=200,
        key_signed=150,
    ),
    city_org(
        "A2",
        "东县",
        "社区卫生服务中心",
        area="城市",
        total_visits=200,
        tcm_visits=20,
        resident_population=2000,
        signed_residents=500,
        key_population=300,
        key_signed=200,
    ),
    city_org(
        "H1",
        "东县",
        "综合医院",
        hospital_grade="三级",
        area="城市",
        total_visits=500,
        general_outpatient_visits=400,
    ),
    city_org(
        "B1",
        "西县",
        "乡镇卫生院",
        area="农村",
        total_visits=600,
        tcm_visits=240,
        resident_population=3000,
        signed_residents=2700,
        key_population=500,
        key_signed=300,
    ),
    city_org(
        "H2",
        "西县",
        "中医医院",
        hospital_grade="三级",
        total_visits=400,
        general_outpatient_visits=300,
    ),
    city_org("H3", "西县", "综合医院", hospital_grade="二级", total_visits=100),
]
Q3_2023 = [
    city_org("H1", "东县", "综合医院", hospital_grade="三级", general_outpatient_visits=500),
    city_org("H2", "西县", "中医医院", hospital_grade="三级", general_outpatient_visits=300),
]
