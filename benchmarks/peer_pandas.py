"""The peer: what a competent analyst writes with pandas + openpyxl to get the six
headline indicators per county and city from two quarterly workbooks (this quarter and
the same quarter a year earlier). kpi-audit's `check` is measured against it
(benchmarks/bench_check_peer.py). Needs the `bench` extra (pandas).

    python benchmarks/peer_pandas.py THIS_QUARTER.xlsx YEAR_EARLIER.xlsx

The six: 基层诊疗量占比, 基层中医诊疗量占比, 三级医院普通门诊量下降率 (hospitals in both
quarters), 城市/农村签约覆盖率, 重点人群签约覆盖率 — ratios of sums, as the documents
define them. No validation, no completeness, no reasons: the analyst's happy path.
"""

from __future__ import annotations

import sys

import pandas as pd

COLUMNS = {
    "机构代码": "org_code",
    "所属市": "city",
    "所属区县": "county",
    "机构类别": "org_type",
    "医院等级": "grade",
    "城乡": "area",
    "总诊疗人次": "total",
    "中医诊疗人次": "tcm",
    "普通门诊人次": "general",
    "服务常住人口": "population",
    "签约人数": "signed",
    "重点人群数": "key_population",
    "重点人群签约人数": "key_signed",
}
PRIMARY = {"社区卫生服务中心", "社区卫生服务站", "乡镇卫生院", "村卫生室", "门诊部", "诊所"}
HOSPITALS = {"综合医院", "中医医院", "中西医结合医院", "民族医院", "专科医院"}


def load(path: str) -> pd.DataFrame:
    # the title row above the header, as offices' workbooks have it
    frame = pd.read_excel(path, engine="openpyxl", header=1)
    frame = frame.rename(columns=COLUMNS)[list(COLUMNS.values())]
    for c in ("total", "tcm", "general", "population", "signed", "key_population", "key_signed"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    return frame


def indicators(now: pd.DataFrame, before: pd.DataFrame, level: str) -> pd.DataFrame:
    primary = now[now["org_type"].isin(PRIMARY)]
    out = pd.DataFrame(
        {
            "primary_visit_share": primary.groupby(level)["total"].sum()
            / now.groupby(level)["total"].sum(),
            "primary_tcm_share": primary.groupby(level)["tcm"].sum()
            / primary.groupby(level)["total"].sum(),
        }
    )
    tertiary = lambda f: f[f["org_type"].isin(HOSPITALS) & (f["grade"] == "三级")]  # noqa: E731
    both = tertiary(now).merge(
        tertiary(before)[["org_code", "general"]], on="org_code", suffixes=("", "_before")
    )
    grouped = both.groupby(level)
    out["tertiary_outpatient_decline"] = (
        1 - grouped["general"].sum() / grouped["general_before"].sum()
    )
    for name, area in (("signing_coverage_urban", "城市"), ("signing_coverage_rural", "农村")):
        part = now[now["area"] == area].groupby(level)
        out[name] = part["signed"].sum() / part["population"].sum()
    by = now.groupby(level)
    out["signing_coverage_key"] = by["key_signed"].sum() / by["key_population"].sum()
    return out


def main() -> None:
    now, before = load(sys.argv[1]), load(sys.argv[2])
    counties = indicators(now, before, "county")
    cities = indicators(now, before, "city")
    print(f"{len(counties)} counties, {len(cities)} cities; city values:")
    print(cities.round(4).to_string())


if __name__ == "__main__":
    main()
