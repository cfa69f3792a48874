"""National-scale benchmark of ``run_audit``: 1,000,000 institutions × 8 quarters.

The store is generated inside DuckDB (range() and hash-based pseudo-random values:
~3,000 counties in ~300 cities, a realistic mix of institution types, a few blanks and
institutions that skip a quarter) into a temporary file; the audit of the latest
quarter with every bundled target set at every level then runs in a fresh process, so
its peak RSS is its own.

    python benchmarks/bench_check.py [--institutions N] [--keep PATH [--reuse]]

``--keep PATH --reuse`` audits the store already at PATH (built by an earlier
``--keep PATH``) instead of building it again. ``--json`` prints the figures as one JSON
line at the end (run_all.py reads it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUARTERS = 8  # 2023Q1 … 2024Q4

# (type, share in per-mille): village clinics and clinics dominate, as nationally.
TYPE_MIX = (
    ("村卫生室", 580),
    ("诊所", 150),
    ("门诊部", 30),
    ("社区卫生服务站", 25),
    ("社区卫生服务中心", 10),
    ("乡镇卫生院", 35),
    ("综合医院", 20),
    ("中医医院", 5),
    ("中西医结合医院", 1),
    ("民族医院", 1),
    ("专科医院", 10),
    ("妇幼保健院", 3),
    ("专业公共卫生机构", 10),
)  # the rest (120‰): 其他


def _type_case() -> str:
    bound, arms = 0, []
    for name, share in TYPE_MIX:
        bound += share
        arms.append(f"WHEN t < {bound} THEN '{name}'")
    return "CASE " + " ".join(arms) + " ELSE '其他' END"


def _blank(expr: str, salt: int, per_mille: int = 20) -> str:
    """``expr``, blank in about ``per_mille``‰ of the rows (a field left empty)."""
    return f"CASE WHEN hash(i, q, {salt}) % 1000 < {per_mille} THEN NULL ELSE {expr} END"


def _when(cond: str, expr: str) -> str:
    return f"CASE WHEN {cond} THEN {expr} END"


def _spread(salt: int, per_quarter: bool = True, steps: int = 1000) -> str:
    """A pseudo-random factor in [0.5, 1.5), per institution (and quarter), in ``steps``."""
    key = f"i, q, {salt}" if per_quarter else f"i, {salt}"
    return f"(0.5 + (hash({key}) % {steps}) / {steps}.0)"


def _int(expr: str) -> str:
    return f"CAST({expr} AS BIGINT)"


HOSPITAL = "org_type IN ('综合医院', '中医医院', '中西医结合医院', '民族医院', '专科医院')"
PRIMARY = (
    "org_type IN ('社区卫生服务中心', '社区卫生服务站', '乡镇卫生院', '村卫生室', '门诊部', '诊所')"
)
CENTRES = "org_type IN ('乡镇卫生院', '社区卫生服务中心')"
SIGNING = "org_type IN ('社区卫生服务中心', '乡镇卫生院', '村卫生室')"
GROWTH = "(1 + 0.02 * q)"  # a little drift quarter to quarter
STAFF = "(CASE WHEN is_hospital THEN 150 + hash(i, 21) % 1000 ELSE 2 + hash(i, 21) % 60 END)"
POPULATION = "(1000 + hash(i, 14) % 9000)"
KEY_POPULATION = "(200 + hash(i, 18) % 1800)"

# column -> SQL over (i, q, org_type, hospital_grade, is_hospital, is_primary, signs)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("file_id", "1"),
    ("sheet", "'Sheet1'"),
    ("source_row", "CAST(i % 1000000 + 2 AS INTEGER)"),
    ("ingested_at", "now()"),
    ("period", "CAST(2023 + q // 4 AS VARCHAR) || 'Q' || CAST(q % 4 + 1 AS VARCHAR)"),
    ("period_year", "CAST(2023 + q // 4 AS INTEGER)"),
    ("period_quarter", "CAST(q % 4 + 1 AS INTEGER)"),
    ("org_code", "'ORG' || lpad(CAST(i AS VARCHAR), 9, '0')"),
    ("org_name", "'机构' || i"),
    ("city", "'市' || (c % 300)"),
    ("county", "'县' || c"),
    ("org_type", "org_type"),
    ("hospital_grade", "hospital_grade"),
    ("area", "CASE WHEN hash(i, 3) % 100 < 45 THEN '城市' ELSE '农村' END"),
    ("total_visits", _blank(_int(f"visits_base * {GROWTH}"), 5)),
    # its own share of the visits (0.15-0.45), as institutions differ
    ("tcm_visits", _blank(_int(f"visits_base * 0.3 * {_spread(40)}"), 6)),
    (
        "general_outpatient_visits",
        _when("is_hospital", _blank(_int(f"12000 * (1.1 - 0.01 * q) * {_spread(7)}"), 8)),
    ),
    ("appointment_visits", _when("is_hospital", _blank(_int(f"5000 * {_spread(9)}"), 10))),
    ("referrals_up", _when("is_primary", _int("hash(i, q, 11) % 40"))),
    ("referrals_down", _when("is_hospital", _blank(_int(f"200 * {GROWTH} * {_spread(12)}"), 13))),
    ("resident_population", _when("signs", _blank(_int(POPULATION), 15))),
    (
        "signed_residents",
        _when(
            "signs",
            _blank(_int(f"{POPULATION} * (0.3 + 0.01 * q + (hash(i, 16) % 400) / 1000.0)"), 17),
        ),
    ),
    ("key_population", _when("signs", _int(KEY_POPULATION))),
    (
        "key_signed",
        _when("signs", _int(f"{KEY_POPULATION} * (0.4 + (hash(i, q, 19) % 500) / 1000.0)")),
    ),
    (
        "beds",
        _int(
            f"CASE WHEN is_hospital THEN 100 + hash(i, 20) % 900 WHEN {CENTRES} "
            "THEN 20 + hash(i, 20) % 80 ELSE hash(i, 20) % 3 END"
        ),
    ),
    ("health_technicians", _int(STAFF)),
    ("mid_senior_title_staff", _int(f"{STAFF} * CASE WHEN is_hospital THEN 0.45 ELSE 0.25 END")),
    ("bachelor_staff", _int(f"{STAFF} * CASE WHEN is_hospital THEN 0.4 ELSE 0.3 END")),
    ("college_staff", _int(f"{STAFF} * 0.6")),
    ("doctors", _int(f"{STAFF} * 0.4")),
    ("nurses", _int(f"{STAFF} * CASE WHEN is_hospital THEN 0.5 ELSE 0.3 END")),
    ("general_practitioners", _int("hash(i, 24) % 6")),
    ("chronic_patients", _when("is_primary", _int("50 + hash(i, 25) % 500"))),
    ("chronic_managed", _when("is_primary", _int("(50 + hash(i, 25) % 500) * 0.45"))),
    ("day_surgery_types", _when("is_hospital", _int("hash(i, 26) % 9"))),
    ("key_specialties", _when("is_hospital", _int("hash(i, 27) % 6"))),
    ("emr_level", _when("is_hospital", _int("hash(i, 28) % 7"))),
    ("county_level_hospital", _when("is_hospital", "hash(i, 29) % 100 < 15")),
    ("provides_tcm", _when("is_primary", "hash(i, 30) % 100 < 85")),
    ("meets_basic_standard", _when(CENTRES, "hash(i, 31) % 100 < 80")),
    ("meets_recommended_standard", _when(CENTRES, "hash(i, 32) % 100 < 20")),
    ("on_referral_platform", "hash(i, 33) % 100 < 70"),
    ("provides_telemedicine", _when("is_hospital", "hash(i, 34) % 100 < 60")),
)


def build(path: Path, institutions: int, quarters: int = QUARTERS) -> int:
    from kpi_audit.store.db import connect

    con = connect(path)
    con.execute(
        "INSERT INTO files (file_id, path, sha256, size_bytes, ingested_at) "
        "VALUES (1, 'generated', 'generated', 0, now())"
    )
    known = {r[0] for r in con.execute("DESCRIBE submissions").fetchall()}
    select = ",\n        ".join(f"{expr} AS {name}" for name, expr in COLUMNS if name in known)
    grade = (
        "CASE WHEN g < 8 THEN '三级' WHEN g < 38 THEN '二级' WHEN g < 78 THEN '一级' "
        "ELSE '未定级' END"
    )
    con.execute(f"""
    INSERT INTO submissions BY NAME
    WITH typed AS (
        SELECT i, hash(i, 1) % 3000 AS c, hash(i, 2) % 100 AS g,
               {_type_case()} AS org_type
        FROM (SELECT i, hash(i) % 1000 AS t FROM range({institutions}) r(i))
    ), rows AS (
        SELECT typed.*, q FROM typed, range({quarters}) p(q)
        WHERE hash(i, q, 99) % 1000 >= 5   -- about 0.5% skip a quarter
    ), described AS (
        SELECT *, {HOSPITAL} AS is_hospital, {PRIMARY} AS is_primary, {SIGNING} AS signs,
               CASE WHEN {HOSPITAL} THEN {grade} END AS hospital_grade,
               -- fine-grained: 577,000 village clinics drawn from 1,000 values made 93% of
               -- institutions "identical to another's report" (repeated_across_institutions)
               CAST((CASE WHEN {HOSPITAL} THEN 20000 ELSE 800 END) * {_spread(4, steps=1_000_000)}
                   AS BIGINT) AS visits_base
        FROM rows
    )
    SELECT
        {select}
    FROM described
    """)
    rows = con.execute("SELECT COUNT(*) FROM submissions").fetchall()[0][0]
    con.close()
    return rows


def run_audit_child(path: Path, trends: bool, forget: bool = False) -> None:
    """In a fresh process: the audit of the latest quarter, timed; figures as JSON."""
    from kpi_audit.evaluate import run_audit
    from kpi_audit.spec.catalog import load_catalog
    from kpi_audit.spec.targets import bundled_target_sets, load_target_sets
    from kpi_audit.store.db import connect

    con = connect(path)
    if forget:  # as a store filled without ingest: no per-period sums yet
        con.execute("DELETE FROM period_aggregates; DELETE FROM period_aggregate_runs")
    catalog = load_catalog()
    sets = load_target_sets(list(bundled_target_sets()), catalog=catalog)
    started = time.perf_counter()
    result = run_audit(con, period="latest", target_sets=sets, catalog=catalog, trends=trends)
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "audit_seconds": round(elapsed, 2),
                "period": result.period,
                "target_sets": list(result.target_sets),
                "result_rows": result.results.height,
                "summary": result.summary(),
                "data_issues": result.data_issues.height,
                "trend_rows": result.trends.height,
                "missing_institutions": result.completeness.missing_institutions,
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build the store here and keep it")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: audit the store already there"
    )
    parser.add_argument("--audit-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-trends", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--forget-aggregates", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3, help="audits per case (median)")
    parser.add_argument("--quarters", type=int, default=QUARTERS, help="from 2023Q1 on")
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args()
    if args.audit_only:
        run_audit_child(args.audit_only, trends=not args.no_trends, forget=args.forget_aggregates)
        return
    if args.reuse and not (args.keep and args.keep.exists()):
        parser.error("--reuse needs --keep PATH naming a store built earlier")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.duckdb"
        if args.reuse:
            print(f"store: {path} ({path.stat().st_size / 2**20:,.0f} MiB), reused")
        else:
            if path.exists():
                path.unlink()
            started = time.perf_counter()
            rows = build(path, args.institutions, args.quarters)
            build_seconds = time.perf_counter() - started
            size = path.stat().st_size / 2**20
            print(
                f"rows: {rows:,} ({args.institutions:,} institutions × {args.quarters} quarters, "
                f"store {size:,.0f} MiB)"
            )
            print(
                f"build: {build_seconds:.1f} s "
                f"(peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB)"
            )
        # `check` (terminal, JSON, CSV, Excel) needs no trends; the HTML report does. The
        # first audit with trends finds no stored sums (a store filled without ingest):
        # it computes and stores them; the later ones read them back, as every report
        # after an ingest does.
        cases = (
            ("check, no trends", ["--no-trends"], args.runs),
            ("with trends, sums not yet stored", ["--forget-aggregates"], 1),
            ("with trends, sums kept in the store", [], args.runs),
        )
        medians: dict[str, float] = {}
        out: dict[str, object] = {"institutions": args.institutions, "quarters": args.quarters}
        for label, extra, runs in cases:
            seconds, rss = [], []
            for _ in range(runs):
                child = subprocess.run(
                    [sys.executable, __file__, "--audit-only", str(path), *extra],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                figures = json.loads(child.stdout.strip().splitlines()[-1])
                seconds.append(figures["audit_seconds"])
                rss.append(figures["peak_rss_mib"])
            medians[label] = statistics.median(seconds)
            out[label] = {"seconds": seconds, "peak_rss_mib": max(rss)}
            print(
                f"audit ({label}): median {medians[label]:.2f} s "
                f"({', '.join(f'{t:.2f}' for t in seconds)}) for {figures['period']}, "
                f"{len(figures['target_sets'])} target sets, all levels; "
                f"peak RSS {max(rss):,} MiB; load average {os.getloadavg()[0]:.2f}"
            )
        base = medians["check, no trends"]
        print(
            "trends vs no trends: "
            f"{medians['with trends, sums kept in the store'] / base:.2f}× with the sums kept "
            f"(goal ≤ 1.2×), {medians['with trends, sums not yet stored'] / base:.2f}× "
            "when they are computed first"
        )
        print(f"result rows: {figures['result_rows']:,} {figures['summary']}")
        print(
            f"data issues: {figures['data_issues']:,} "
            f"(missing institutions {figures['missing_institutions']:,}); "
            f"trend rows: {figures['trend_rows']:,}"
        )
    if args.json:
        print(json.dumps({**out, "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
