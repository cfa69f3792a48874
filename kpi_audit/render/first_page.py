"""What the first page of the Excel and HTML reports shows, derived set-wise from one
:class:`~kpi_audit.core.result.AuditResult` so both show the same facts:

- :func:`target_overview`: one row per target evaluated, with its overall status, the
  city's value and gap, how many counties miss it, and ``behind`` — the city's gap
  relative to the threshold, the key the page orders targets by (furthest behind first;
  a county-only target takes its counties' mean).
- :func:`target_counts`: targets met / missed / warned / not evaluable / not due, and the
  aspirations (力争, not binding) apart.
- :func:`county_matrix`: county × binding target, each cell the county's status and value.
- :func:`failing_counties`: each county missing a binding target, how many, and its worst
  gaps with how many periods in a row it has missed them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from kpi_audit.core.result import AuditResult
from kpi_audit.render.format import STATUS_SYMBOL, display_of, indicator_name

# The first page's categories of targets, in the order shown.
TARGET_CATEGORIES = ("pass", "fail", "warn", "not_evaluable", "not_due", "aspiration")
WORST_GAPS = 3  # gaps named per failing county


def _overall_status() -> pl.Expr:
    """The city's status where the target has a city result; else the worst county one."""
    county = pl.col("level") == "county"
    worst = (
        pl.when((county & (pl.col("status") == "fail")).any())
        .then(pl.lit("fail"))
        .when((county & (pl.col("status") == "warn")).any())
        .then(pl.lit("warn"))
        .when((county & (pl.col("status") == "pass")).any())
        .then(pl.lit("pass"))
        .otherwise(pl.lit("not_evaluable"))
    )
    city = pl.col("status").filter(pl.col("level") == "city").first()
    return pl.coalesce(city, worst)


def target_overview(result: AuditResult, lang: str = "zh") -> pl.DataFrame:
    """One row per target with county or city results, furthest behind first."""
    rows = result.results.filter(pl.col("level").is_in(["county", "city"]))
    targets = {t.id: t for t in result.targets}
    rel = pl.col("gap") / pl.col("threshold").abs().clip(lower_bound=1e-9)
    city = pl.col("level") == "city"
    county = pl.col("level") == "county"
    frame = rows.group_by("target_id", maintain_order=True).agg(
        pl.col("indicator").first(),
        status=_overall_status(),
        city_value=pl.col("value").filter(city).first(),
        city_gap=pl.col("gap").filter(city).first(),
        behind=pl.coalesce(rel.filter(city).first(), rel.filter(county).mean()),
        n_counties=county.sum().cast(pl.Int64),
        n_judged=(county & pl.col("gap").is_not_null()).sum().cast(pl.Int64),
        n_fail=(county & (pl.col("status") == "fail")).sum().cast(pl.Int64),
        not_due=(pl.col("reason_code") == "not_due").fill_null(False).all(),
    )
    extra = pl.DataFrame(
        {
            "target_id": list(targets),
            "binding": [t.binding for t in targets.values()],
            "requirement": [
                display_of(result.value_kinds, t.indicator).requirement(t, lang)
                for t in targets.values()
            ],
            "name": [
                t.title_zh
                if (lang == "zh" and t.title_zh)
                else indicator_name(result.indicator_names, t.indicator, lang)
                for t in targets.values()
            ],
            "document": [t.source.number or t.source.document for t in targets.values()],
        },
        schema={
            "target_id": pl.String,
            "binding": pl.Boolean,
            "requirement": pl.String,
            "name": pl.String,
            "document": pl.String,
        },
    )
    frame = frame.join(extra, on="target_id", how="left", maintain_order="left")
    category = (
        pl.when(~pl.col("binding"))
        .then(pl.lit("aspiration"))
        .when(pl.col("not_due"))
        .then(pl.lit("not_due"))
        .otherwise(pl.col("status"))
    )
    return (
        frame.with_columns(category=category)
        .with_row_index("_doc_order")
        .sort(["behind", "_doc_order"], nulls_last=True)
        .drop("_doc_order")
        .with_row_index("number", offset=1)
    )


def target_counts(overview: pl.DataFrame) -> dict[str, int]:
    counts = dict.fromkeys(TARGET_CATEGORIES, 0)
    for category, n in overview.group_by("category").len().iter_rows():
        counts[category] = n
    return counts


@dataclass(frozen=True)
class Cell:
    status: str | None  # None: the county has no result for the target
    mark: str
    value: str


@dataclass(frozen=True)
class Matrix:
    columns: list[dict[str, Any]]  # number, target_id, name, requirement
    rows: list[tuple[str, list[Cell]]]  # county, cells in column order


def county_matrix(result: AuditResult, overview: pl.DataFrame) -> Matrix:
    """Rows the counties (the most targets missed first), columns the binding targets
    with county results in the overview's order; a target that no county can be judged
    on for a shared reason (data the submissions lack, …) stays out: it adds only "?"."""
    cols = overview.filter(
        pl.col("binding") & (pl.col("n_counties") > 0) & (pl.col("n_judged") > 0)
    )
    ids = cols["target_id"].to_list()
    cells = result.results.filter(
        (pl.col("level") == "county") & pl.col("target_id").is_in(ids)
    ).select("target_id", "indicator", "unit", "status", "value")
    counties = (
        cells.group_by("unit")
        .agg(n_fail=(pl.col("status") == "fail").sum())
        .sort(["n_fail", "unit"], descending=[True, False])["unit"]
        .to_list()
    )
    lookup = {(r[0], r[2]): r for r in cells.iter_rows()}
    rows = []
    for county in counties:
        line = []
        for target_id in ids:
            r = lookup.get((target_id, county))
            if r is None:
                line.append(Cell(None, "", ""))
                continue
            _, indicator, _, status, value = r
            shown = display_of(result.value_kinds, indicator).value(value)
            line.append(Cell(status, STATUS_SYMBOL[status], shown))
        rows.append((county, line))
    columns = [
        {k: r[k] for k in ("number", "target_id", "name", "requirement")}
        for r in cols.iter_rows(named=True)
    ]
    return Matrix(columns, rows)


def failing_counties(result: AuditResult, overview: pl.DataFrame, lang: str = "zh") -> list[dict]:
    """Counties missing at least one binding target: how many of those judged, and the
    worst ``WORST_GAPS`` misses (relative to the threshold) with their runs."""
    binding = overview.filter(pl.col("binding")).select("target_id", "name", "number")
    rows = (
        result.results.filter(pl.col("level") == "county")
        .join(binding, on="target_id", how="inner")
        .with_columns(rel=pl.col("gap") / pl.col("threshold").abs().clip(lower_bound=1e-9))
    )
    streaks = result.streaks.filter(pl.col("level") == "county").select(
        "target_id", "unit", "periods_missed", "missed_since"
    )
    misses = rows.filter(pl.col("status") == "fail").join(
        streaks, on=["target_id", "unit"], how="left"
    )
    judged = dict(rows.filter(pl.col("gap").is_not_null()).group_by("unit").len().iter_rows())
    out = []
    for (county,), group in misses.sort("rel").group_by("unit", maintain_order=True):
        worst = []
        for r in group.head(WORST_GAPS).iter_rows(named=True):
            shown = display_of(result.value_kinds, r["indicator"])
            worst.append(
                {
                    "name": r["name"],
                    "number": r["number"],
                    "value": shown.value(r["value"]),
                    "gap": shown.gap(r["gap"], lang),
                    "periods_missed": r["periods_missed"],
                    "missed_since": r["missed_since"],
                }
            )
        out.append(
            {
                "county": county,
                "n_missed": group.height,
                "n_judged": judged.get(county, group.height),
                "worst": worst,
            }
        )
    return sorted(out, key=lambda c: (-c["n_missed"], c["county"]))
