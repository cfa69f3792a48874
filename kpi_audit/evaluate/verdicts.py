"""From indicator values to verdicts: one row per target × unit, with its scope, its
completeness, the comparison with the threshold, and the rankings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from kpi_audit.core.models import DISPLAY_LEVEL_ORDER
from kpi_audit.core.periods import Period
from kpi_audit.core.result import RESULT_SCHEMA, STREAK_SCHEMA, empty
from kpi_audit.evaluate.compare import gap_expr, status_expr
from kpi_audit.evaluate.population import FACILITY_REPORTED
from kpi_audit.evaluate.rankings import add_rankings, missed_streaks
from kpi_audit.evaluate.reporting import Reporting, qualify
from kpi_audit.evaluate.rows import TREND_LENGTH
from kpi_audit.evaluate.schedule import Scheduled, not_due
from kpi_audit.evaluate.scope import mark_out_of_scope
from kpi_audit.render.i18n import params_json

CITY_FALLBACK = "全市"


def _target_rows(
    s: Scheduled,
    units: pl.DataFrame,
    areas: pl.DataFrame,
    period: Period,
    facts: pl.DataFrame,
    reporting: Reporting | None,
) -> pl.DataFrame:
    t = s.target
    # Rows without a city are the target set's area (全市 when it names none).
    city_name = s.target_set.area or CITY_FALLBACK
    if s.state == "evaluate":
        frame = units.filter(pl.col("level").is_in(list(s.levels))).drop("eval_period")
    else:
        frame = (
            areas.filter(pl.col("level").is_in(list(s.levels)))
            .with_columns(pl.col("unit", "unit_name").fill_null(pl.lit(city_name)))
            .unique(["level", "unit"], maintain_order=True)
            .with_columns(
                value=pl.lit(None, pl.Float64),
                numerator=pl.lit(None, pl.Float64),
                denominator=pl.lit(None, pl.Float64),
                reason_code=pl.lit(s.reason_code, pl.String),
                reason_params=pl.lit(s.reason_params, pl.String),
            )
        )
    frame = frame.with_columns(
        unit=pl.col("unit").fill_null(pl.lit(city_name)),
        unit_name=pl.col("unit_name").fill_null(pl.lit(city_name)),
    )
    if s.state == "evaluate" and not_due(t, period):
        frame = frame.with_columns(
            reason_params=pl.when(pl.col("reason_code").is_null())
            .then(pl.lit(params_json(due_year=t.from_year, period=str(period))))
            .otherwise(pl.col("reason_params")),
            reason_code=pl.col("reason_code").fill_null(pl.lit("not_due")),
        )
    if "basis" not in frame.columns:
        frame = frame.with_columns(basis=pl.lit(None, pl.String))
    if "left_out" not in frame.columns:  # a target not measured
        frame = frame.with_columns(left_out=pl.lit(None, pl.Int64))
    frame = mark_out_of_scope(frame, t.scope, facts)
    frame = qualify(frame, reporting, s.indicator.id)
    return frame.with_columns(
        target_id=pl.lit(t.id),
        target_set=pl.lit(t.target_set or s.target_set.name),
        indicator=pl.lit(t.indicator),
        period=pl.lit(str(period)),
        operator=pl.lit(t.operator),
        threshold=pl.lit(float(t.threshold)),
        threshold_high=pl.lit(t.threshold_high, pl.Float64),
        warn_within=pl.lit(t.warn_within, pl.Float64),
        tolerance=pl.lit(t.tolerance, pl.Float64),
        binding=pl.lit(t.binding),
        source_document=pl.lit(t.source.citation),
        source_clause=pl.lit(t.source.clause),
        order=pl.col("level").replace_strict(
            {lv: i for i, lv in enumerate(DISPLAY_LEVEL_ORDER)}, return_dtype=pl.Int8
        ),
    ).sort("order", "unit", maintain_order=True, nulls_last=True)


def evaluated_results(
    scheduled: Sequence[Scheduled],
    units: Mapping[str, pl.DataFrame],
    areas: pl.DataFrame,
    period: Period,
    history: pl.DataFrame,
    trends: pl.DataFrame,
    facts: pl.DataFrame,
    reporting: Reporting | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The result rows (RESULT_SCHEMA) and the streaks of misses (STREAK_SCHEMA)."""
    frames = [
        _target_rows(s, units.get(s.indicator.id, pl.DataFrame()), areas, period, facts, reporting)
        for s in scheduled
    ]
    if not frames:
        return empty(RESULT_SCHEMA), empty(STREAK_SCHEMA)
    frame = pl.concat(frames, how="diagonal_relaxed")
    code = pl.col("reason_code")
    frame = frame.with_columns(gap=pl.when(code.is_null() | (code == "not_due")).then(gap_expr()))
    frame = frame.with_columns(status=status_expr())
    # A target not yet due shows its value so far as progress; value and gap stay null
    # as for every not_evaluable result (domain.md §5).
    due_later = code == "not_due"
    frame = frame.with_columns(
        progress_value=pl.when(due_later).then(pl.col("value")),
        progress_gap=pl.when(due_later).then(pl.col("gap")),
    ).with_columns(
        value=pl.when(due_later).then(None).otherwise(pl.col("value")),
        numerator=pl.when(due_later).then(None).otherwise(pl.col("numerator")),
        denominator=pl.when(due_later).then(None).otherwise(pl.col("denominator")),
        gap=pl.when(due_later).then(None).otherwise(pl.col("gap")),
    )
    frame = frame.with_columns(
        pl.col("basis").fill_null(FACILITY_REPORTED), pl.col("provisional").fill_null(False)
    )
    frame = add_rankings(frame, history, str(period.previous()), str(period.year_earlier()))
    streaks = (
        missed_streaks(frame, trends, [str(x) for x in period.back(TREND_LENGTH)])
        if trends.height
        else empty(STREAK_SCHEMA)
    )
    return frame.select([pl.col(c).cast(t) for c, t in RESULT_SCHEMA.items()]), streaks
