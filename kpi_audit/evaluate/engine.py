"""``run_audit``: every target in force, evaluated for every unit of its levels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import duckdb
import polars as pl

from kpi_audit import __version__
from kpi_audit.core.models import Indicator, Level, ReferenceValue, TargetSet
from kpi_audit.core.periods import Period
from kpi_audit.core.result import ISSUE_SCHEMA, TREND_SCHEMA, AuditResult, empty
from kpi_audit.evaluate.indicators import YOY_KINDS
from kpi_audit.evaluate.measure import measure
from kpi_audit.evaluate.reporting import DEFAULT_MAX_MISSING_SHARE, DEFAULT_MIN_REPORTING
from kpi_audit.evaluate.rows import LoadedPeriods, basis_notice, loaded_periods, resolve_period
from kpi_audit.evaluate.schedule import schedule
from kpi_audit.evaluate.verdicts import evaluated_results
from kpi_audit.render.i18n import issue_messages


def run_audit(
    con: duckdb.DuckDBPyConnection,
    *,
    period: str,
    target_sets: Sequence[TargetSet],
    catalog: Mapping[str, Indicator] | None = None,
    levels: Sequence[Level] | None = None,
    trends: bool = False,
    references: Sequence[ReferenceValue] | None = None,
    min_reporting: float = DEFAULT_MIN_REPORTING,
    max_missing_share: float = DEFAULT_MAX_MISSING_SHARE,
) -> AuditResult:
    """Evaluate ``target_sets`` against the store for ``period`` (see domain.md §4).

    ``period`` is a spelling parse_period accepts or ``latest``; ``catalog`` defaults to
    the bundled indicator catalog; ``levels`` limits the levels reported (default all).
    ``trends=True`` also computes the values over the last 8 periods
    (``AuditResult.trends``; empty by default): only the HTML report draws them, and at
    national scale they are more than half the work. ``references``: values documents
    report (context, never thresholds; default the bundled ones), kept in
    ``AuditResult.reference_values`` for the indicators the targets use. Raises
    UsageError for a bad period, NoDataError when nothing is loaded for it, ConfigError
    for a target on an unknown indicator. ``min_reporting`` / ``max_missing_share``: a
    county or city result whose reporting rate is below the first, or whose missing
    institutions held at least the second share of last period's denominator, is
    ``incomplete`` (domain.md §4b).
    """
    if catalog is None:
        from kpi_audit.spec.catalog import load_catalog

        catalog = load_catalog()
    loaded: LoadedPeriods = loaded_periods(con)
    p = resolve_period(period, loaded)
    scheduled = schedule(target_sets, catalog, p.year, levels)
    m = measure(
        con, p, loaded, scheduled, catalog, target_sets, trends, (min_reporting, max_missing_share)
    )
    data_issues = _data_issues(p, loaded, m.catalog, m.needed, [m.completeness_issues, *m.issues])
    targets = tuple(t for ts in target_sets for t in ts.targets)
    names = {
        i: (m.catalog[i].name_zh, m.catalog[i].name_en)
        for i in dict.fromkeys(t.indicator for t in targets)
        if i in m.catalog
    }
    trend_frame = _trend_frame(m.trend_parts)
    results, streaks = evaluated_results(
        m.scheduled, m.units, m.areas, p, m.history, trend_frame, m.facts, m.reporting
    )
    return AuditResult(
        tool="kpi-audit",
        version=__version__,
        generated_at=datetime.now().astimezone(),
        period=str(p),
        target_sets=tuple(ts.name for ts in target_sets),
        area=m.area,
        targets=targets,
        indicator_names=names,
        results=results,
        data_issues=data_issues,
        trends=trend_frame,
        streaks=streaks,
        completeness=m.completeness,
        indicator_needs={
            i: (m.catalog[i].needs, m.catalog[i].needs_zh) for i in names if m.catalog[i].needs
        },
        value_kinds={i: m.catalog[i].value_kind for i in names},
        reference_values=_references(references, names),
        registers=m.registers,
    )


def _data_issues(
    p: Period,
    loaded: LoadedPeriods,
    catalog: Mapping[str, Indicator],
    needed: Mapping[str, set[Level]],
    found: Sequence[pl.DataFrame],
) -> pl.DataFrame:
    """The notices on how the period was measured, then every issue found (ISSUE_SCHEMA)."""
    notices = [n for n in (basis_notice(p, loaded),) if n]
    if any(catalog[i].kind in YOY_KINDS for i in needed):
        notice = basis_notice(p.year_earlier(), loaded)
        notices += [notice] if notice else []
    notice_frame = pl.DataFrame(
        [("notice", code, *issue_messages(code, **params)) for code, params in notices],
        schema={
            "kind": pl.String(),
            "code": pl.String(),
            "params": pl.String(),
            "message_zh": pl.String(),
            "message_en": pl.String(),
        },
        orient="row",
    )
    data_issues = pl.concat([notice_frame, *found], how="diagonal_relaxed")
    return data_issues.select(
        [
            (pl.col(c) if c in data_issues.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in ISSUE_SCHEMA.items()
        ]
    ).unique(maintain_order=True)  # scoped variants of one indicator find the same issues


def _trend_frame(trend_parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """The trend rows (TREND_SCHEMA), sorted; a scoped variant's rows count once, under
    its indicator. Each part holds one indicator's rows: sorting the parts apart (and in
    parallel) is cheaper than one sort of all of them."""
    by_indicator: dict[str, list[pl.LazyFrame]] = {}
    for part in trend_parts:
        if part.height:
            by_indicator.setdefault(part.item(0, "indicator"), []).append(part.lazy())
    if not by_indicator:
        return empty(TREND_SCHEMA)
    key = ["level", "unit", "period"]
    sorted_parts = [
        (
            pl.concat(parts).unique(key, keep="first", maintain_order=True)
            if len(parts) > 1
            else parts[0]
        ).sort(key)
        for _, parts in sorted(by_indicator.items())
    ]
    return pl.concat(pl.collect_all(sorted_parts)).select(
        [pl.col(c).cast(t) for c, t in TREND_SCHEMA.items()]
    )


def _references(
    given: Sequence[ReferenceValue] | None, indicators: Mapping[str, object]
) -> tuple[ReferenceValue, ...]:
    """The reference values for the audit's indicators (bundled ones by default)."""
    if given is None:
        from kpi_audit.spec.reference import load_reference_values

        given = load_reference_values()
    return tuple(r for r in given if r.indicator in indicators)
