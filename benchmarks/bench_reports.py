"""Time the Excel and HTML reports for a 100,000-institution quarter.

    python benchmarks/bench_reports.py [--institutions 100000] [--counties 150]

The AuditResult is synthesised column-wise with polars (the shape the evaluation
engine produces): every institution is a facility-level row for two targets, every
county and the city a row for ten targets, eight quarters of trends, 5,000 rejected
rows and 2,000 missing reports. Prints seconds (median of --runs), file sizes and the
CPU seconds of all threads (a figure that moves less than the wall time when other work
shares the machine); ``--json`` the figures as one JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import polars as pl

from kpi_audit.core.models import Source, Target
from kpi_audit.core.result import (
    ISSUE_SCHEMA,
    RESULT_SCHEMA,
    TREND_SCHEMA,
    AuditResult,
    Completeness,
)
from kpi_audit.render.html import write_html
from kpi_audit.render.xlsx import write_xlsx

SOURCE = Source(
    "郑州市人民政府关于推进分级诊疗制度建设的实施意见",
    "郑政〔2016〕31号",
    "三、(一)",
    "2017年，基层医疗卫生机构诊疗量占总诊疗量比例≥65%。",
)
PERIODS = ("2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3")


def _targets() -> tuple[Target, ...]:
    county = tuple(
        Target(
            f"bench-county-{i}",
            "bench",
            f"indicator_{i}",
            ">=",
            0.5 + i / 50,
            2017,
            ("county", "city"),
            SOURCE,
        )
        for i in range(10)
    )
    facility = tuple(
        Target(
            f"bench-facility-{i}",
            "bench",
            f"facility_indicator_{i}",
            ">=",
            0.10,
            2017,
            ("facility", "county", "city"),
            SOURCE,
        )
        for i in range(2)
    )
    return county + facility


def _rows(t: Target, level: str, units: pl.Series, counties: pl.Series, seed: int) -> pl.DataFrame:
    n = units.len()
    value = pl.Series(range(n)).hash(seed) % 1000 / 1000.0
    frame = pl.DataFrame(
        {
            "target_id": t.id,
            "target_set": t.target_set,
            "indicator": t.indicator,
            "level": level,
            "unit": units,
            "unit_name": units + "机构",
            "county": counties,
            "period": "2024Q3",
            "value": value,
            "numerator": value * 1000,
            "denominator": pl.repeat(1000.0, n, eager=True),
            "operator": t.operator,
            "threshold": t.threshold,
            "threshold_high": pl.repeat(None, n, dtype=pl.Float64, eager=True),
            "gap": value - t.threshold,
            "status": (value >= t.threshold).replace_strict(
                {True: "pass", False: "fail"}, return_dtype=pl.String
            ),
            "reason": pl.repeat(None, n, dtype=pl.String, eager=True),
            "source_document": t.source.citation,
            "source_clause": t.source.clause,
        }
    )
    # Columns the engine adds and this synthetic result has no value for stay null.
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(d).alias(c)
            for c, d in RESULT_SCHEMA.items()
        ]
    )


def synthesise(institutions: int, n_counties: int) -> AuditResult:
    counties = pl.Series([f"第{i:03d}县" for i in range(n_counties)])
    orgs = pl.Series([f"ORG{i:07d}" for i in range(institutions)])
    org_county = counties.gather(pl.Series(range(institutions)) % n_counties)
    targets = _targets()
    frames = []
    for i, t in enumerate(targets):
        if "facility" in t.levels:
            frames.append(_rows(t, "facility", orgs, org_county, i))
        frames.append(_rows(t, "county", counties, counties, 100 + i))
        frames.append(
            _rows(t, "city", pl.Series(["全国"]), pl.Series([None], dtype=pl.String), 200 + i)
        )
    trends = _trends(targets, counties)
    issues = _issues(orgs, org_county)
    return AuditResult(
        tool="kpi-audit",
        version="bench",
        generated_at=datetime.now(),
        period="2024Q3",
        target_sets=("bench",),
        area="全国",
        targets=targets,
        indicator_names={t.indicator: (f"指标{t.indicator}", t.indicator) for t in targets},
        results=pl.concat(frames),
        data_issues=issues,
        trends=trends,
        completeness=Completeness(institutions + 2000, institutions, 2000, (), 5000),
    )


def _trends(targets: tuple[Target, ...], counties: pl.Series) -> pl.DataFrame:
    """Eight quarters of every target's county values."""
    n_counties = counties.len()
    return (
        pl.DataFrame(
            {
                "indicator": [
                    t.indicator for t in targets for _ in range(n_counties * len(PERIODS))
                ],
                "level": "county",
                "unit": counties.to_list() * len(PERIODS) * len(targets),
                "period": [p for _ in targets for p in PERIODS for _ in range(n_counties)],
            }
        )
        .with_columns(value=pl.int_range(pl.len()).hash(7) % 1000 / 1000.0)
        .cast(TREND_SCHEMA)
    )


def _issues(orgs: pl.Series, org_county: pl.Series) -> pl.DataFrame:
    """5,000 rejected rows and 2,000 missing reports."""
    issues = pl.DataFrame(
        {
            "kind": ["row_error"] * 5000 + ["missing_report"] * 2000,
            "file": [f"{i % 150}.xlsx" for i in range(7000)],
            "sheet": "Sheet1",
            "row": list(range(7000)),
            "field": "total_visits",
            "value": "-1",
            "code": "negative",
            "message_zh": "总诊疗人次不能为负数",
            "message_en": "total visits must be ≥ 0",
            "org_code": orgs.head(7000),
            "org_name": (orgs.head(7000) + "机构"),
            "county": org_county.head(7000),
        }
    )
    return issues.select(
        [
            (pl.col(c) if c in issues.columns else pl.lit(None)).cast(d).alias(c)
            for c, d in ISSUE_SCHEMA.items()
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=100_000)
    parser.add_argument("--counties", type=int, default=150)
    parser.add_argument("--runs", type=int, default=1, help="runs of each writer (median)")
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args()
    started = time.perf_counter()
    result = synthesise(args.institutions, args.counties)
    print(
        f"synthesised {result.results.height:,} result rows "
        f"({args.institutions:,} institutions) in {time.perf_counter() - started:.2f} s"
    )
    figures: dict[str, object] = {"results": result.results.height}
    with tempfile.TemporaryDirectory() as tmp:
        for name, writer in (("report.xlsx", write_xlsx), ("report.html", write_html)):
            path = Path(tmp) / name
            times, cpu = [], []
            for _ in range(args.runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                writer(result, path)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            median = statistics.median(times)
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"{name:12s} {median:6.2f} s ({runs})  {path.stat().st_size / 1e6:8.2f} MB"
                f"  cpu {statistics.median(cpu):.2f} s"
            )
            figures[name.split(".")[1]] = times
            figures[name.split(".")[1] + "_cpu"] = cpu
    if args.json:
        print(json.dumps({**figures, "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
