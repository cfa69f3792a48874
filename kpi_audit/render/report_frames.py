"""The frames the Excel and HTML reports are built from, derived set-wise from one
:class:`~kpi_audit.core.result.AuditResult` so both show the same numbers."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kpi_audit.core.periods import parse_period
from kpi_audit.core.result import STATUSES, AuditResult
from kpi_audit.render.format import (
    DISPLAY_LEVEL_ORDER,
    STATUS_ORDER,
    Display,
    display_of,
    indicator_name,
)
from kpi_audit.render.i18n import label, shown_reason_expr

LEVEL_ORDER = DISPLAY_LEVEL_ORDER


def share_flags(result: AuditResult) -> dict[str, bool]:
    """indicator id -> shown as a percentage, from the result's value kinds."""
    return {i: Display(kind).share for i, kind in result.value_kinds.items()}


def with_display_columns(
    frame: pl.DataFrame, result: AuditResult, lang: str, shares: dict[str, bool]
) -> pl.DataFrame:
    """Adds ``indicator_name``, ``_share`` (show as a percentage), ``_whole`` (a count:
    show as a whole number) and, when there is a ``reason_code``, ``reason_text`` (the
    reason in ``lang``) to a results frame."""
    names = {k: indicator_name(result.indicator_names, k, lang) for k in result.indicator_names}
    if "reason_code" in frame.columns:
        frame = frame.with_columns(shown_reason_expr(frame, lang).alias("reason_text"))
    counted = [i for i, kind in result.value_kinds.items() if Display(kind).whole]
    return frame.with_columns(
        pl.col("indicator").is_in(counted).alias("_whole"),
        pl.col("indicator")
        .replace_strict(names, default=pl.col("indicator"), return_dtype=pl.String)
        .alias("indicator_name"),
        pl.col("indicator")
        .replace_strict(shares, default=False, return_dtype=pl.Boolean)
        .alias("_share"),
    )


def _order_keys(result: AuditResult) -> list[pl.Expr]:
    target_order = {t.id: i for i, t in enumerate(result.targets)}
    status_order = {s: i for i, s in enumerate(STATUS_ORDER)}
    return [
        pl.col("target_id").replace_strict(
            target_order, default=len(target_order), return_dtype=pl.Int64
        ),
        pl.col("status").replace_strict(
            status_order, default=len(status_order), return_dtype=pl.Int64
        ),
    ]


def levels_present(result: AuditResult) -> list[str]:
    present = set(result.results["level"].unique().to_list())
    return [lv for lv in LEVEL_ORDER if lv in present]


def level_rows(result: AuditResult, level: str, lang: str, shares: dict[str, bool]) -> pl.DataFrame:
    """Every result at ``level``, by target (in the targets' order), worst status
    first, then furthest behind first."""
    rows = result.results.filter(pl.col("level") == level)
    rows = rows.sort([*_order_keys(result), pl.col("gap"), pl.col("unit")], nulls_last=True)
    return with_display_columns(rows, result, lang, shares)


def target_summary(result: AuditResult, lang: str, shares: dict[str, bool]) -> pl.DataFrame:
    """One row per target evaluated (a target with no result rows — replaced by a later
    threshold, say — is left out): what it requires, how many counties meet it, fail
    it, are close or cannot be judged, how many facilities fail it, and the city's
    value."""
    targets = pl.DataFrame(
        [
            {
                "target_id": t.id,
                "target_set": t.target_set,
                "indicator": t.indicator,
                "requirement": display_of(result.value_kinds, t.indicator).requirement(t, lang),
                "threshold": t.threshold,
                "threshold_high": t.threshold_high,
                "from_year": t.from_year,
                "until_year": t.until_year,
                "source": f"{t.source.citation} {t.source.clause}".strip(),
            }
            for t in result.targets
        ],
        schema={
            "target_id": pl.String,
            "target_set": pl.String,
            "indicator": pl.String,
            "requirement": pl.String,
            "threshold": pl.Float64,
            "threshold_high": pl.Float64,
            "from_year": pl.Int64,
            "until_year": pl.Int64,
            "source": pl.String,
        },
    )
    counts = result.results.group_by("target_id").agg(
        [
            ((pl.col("level") == "county") & (pl.col("status") == s))
            .sum()
            .cast(pl.Int64)
            .alias(f"n_{s}")
            for s in STATUSES
        ]
        + [
            ((pl.col("level") == "facility") & (pl.col("status") == "fail"))
            .sum()
            .cast(pl.Int64)
            .alias("n_facility_fail")
        ]
    )
    city = (
        result.results.filter(pl.col("level") == "city")
        .unique("target_id", keep="first", maintain_order=True)
        .select(
            "target_id",
            pl.col("value").alias("city_value"),
            pl.col("gap").alias("city_gap"),
            pl.col("status").alias("city_status"),
        )
    )
    out = targets.join(counts, on="target_id", how="inner", maintain_order="left").join(
        city, on="target_id", how="left", maintain_order="left"
    )
    return with_display_columns(out, result, lang, shares)


def county_ranking(result: AuditResult, target_id: str) -> pl.DataFrame:
    """The counties for one target, best to worst. ``gap`` is signed so that larger
    is better whatever the operator; equal gaps share a rank ("1, 2, 2, 4"); counties
    without a value come last, unranked."""
    rows = result.results.filter((pl.col("target_id") == target_id) & (pl.col("level") == "county"))
    return (
        # Rounded so that float noise (0.1 vs 0.09999999999999998) does not split a tie.
        rows.with_columns(
            pl.col("gap").round(9).rank("min", descending=True).cast(pl.Int64).alias("rank")
        ).sort(["rank", "unit"], nulls_last=True)
    )


def behind_target(result: AuditResult, target_id: str, cap: int) -> tuple[pl.DataFrame, int]:
    """Facilities failing or close to the target, furthest behind first: the first
    ``cap`` of them and how many there are in all."""
    rows = result.results.filter(
        (pl.col("target_id") == target_id)
        & (pl.col("level") == "facility")
        & pl.col("status").is_in(["fail", "warn"])
    )
    return rows.sort(["gap", "unit"], nulls_last=True).head(cap), rows.height


def recent_trend(result: AuditResult, indicator: str, periods: int = 8) -> pl.DataFrame:
    """City and county values of ``indicator`` over the last ``periods`` periods up to
    the audited one, oldest first."""
    rows = result.trends.filter(pl.col("indicator") == indicator)
    if rows.is_empty():
        return rows
    current = parse_period(result.period)
    keyed = sorted(p for p in map(parse_period, rows["period"].unique().to_list()) if p is not None)
    if current is not None:
        keyed = [p for p in keyed if p <= current]
    keep = [str(p) for p in keyed[-periods:]]
    order = {p: i for i, p in enumerate(keep)}
    return (
        rows.filter(pl.col("period").is_in(keep))
        .with_columns(pl.col("period").replace_strict(order, return_dtype=pl.Int64).alias("_i"))
        .sort(["level", "unit", "_i"])
    )


def completeness_counts(result: AuditResult, lang: str) -> list[tuple[str, int | str]]:
    """The completeness section's figures, label and value, the same in Excel and HTML:
    where "expected" comes from, then expected, reported, reported-with-errors, missing
    institutions and rows rejected."""
    c = result.completeness
    # a Completeness built by hand (older callers) may carry only the previous-period count
    expected = c.reported_institutions if c.expected_basis == "none" else c.expected
    expected = expected or c.expected_institutions
    return [
        (label("comp.basis", lang), label(f"comp.basis.{c.expected_basis}", lang)),
        (label("comp.expected_now", lang), expected),
        (label("comp.reported", lang), c.reported_institutions),
        (label("comp.rejected_institutions", lang), c.rejected_institutions),
        (label("comp.missing", lang), c.missing_institutions),
        (label("comp.rejected", lang), c.rejected_rows),
    ]


def completeness_rows(result: AuditResult, lang: str) -> pl.DataFrame:
    """Who did not report: the missing institutions, those that reported only refused
    rows (listed as such, never as missing) and the counties without data (from the
    data issues, plus any county the completeness counts name alone)."""
    kinds = ("missing_report", "reported_with_errors", "county_no_data")
    rows = result.data_issues.filter(pl.col("kind").is_in(kinds)).select(
        "kind", "county", "org_code", "org_name", "message"
    )
    listed = set(rows.filter(pl.col("kind") == "county_no_data")["county"].to_list())
    extra = [c for c in result.completeness.counties_without_data if c not in listed]
    if extra:
        rows = pl.concat(
            [
                rows,
                pl.DataFrame(
                    {
                        "kind": ["county_no_data"] * len(extra),
                        "county": extra,
                        "org_code": [None] * len(extra),
                        "org_name": [None] * len(extra),
                        "message": [label("comp.counties_without_data", lang)] * len(extra),
                    },
                    schema=rows.schema,
                ),
            ]
        )
    kind_order = {k: i for i, k in enumerate(reversed(kinds))}
    return rows.sort(
        [pl.col("kind").replace_strict(kind_order, return_dtype=pl.Int64), "county", "org_code"],
        nulls_last=True,
    )


def references(result: AuditResult, indicator: str, lang: str) -> list[str]:
    """``参考（不作为目标）：湖北省2018年：36.65%（…）`` for each reference value of the
    indicator: labelled context, never judged against."""
    shown = display_of(result.value_kinds, indicator)
    return [
        label(
            "term.reference",
            lang,
            label=r.label_en if lang == "en" else r.label_zh,
            value=shown.threshold(r.value),
            source=r.source.citation,
        )
        for r in result.reference_values
        if r.indicator == indicator
    ]


def register_lines(result: AuditResult, lang: str) -> list[tuple[str, str]]:
    """(what the register is and what it was used for, its files and load time) per
    register the audit used; one line saying what stood in when none was."""
    if not result.registers:
        return [(label("src.none", lang), "")]
    lines = []
    for r in result.registers:
        what = label(f"src.{r.kind}", lang, year=r.year or "", rows=r.rows)
        loaded = f"{r.last_loaded:%Y-%m-%d %H:%M}" if r.last_loaded else ""
        names = "、".join(Path(f).name for f in r.files)
        lines.append((what, label("src.files", lang, files=names, loaded=loaded)))
    return lines
