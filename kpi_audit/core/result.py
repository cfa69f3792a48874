"""The evaluated audit: computed once, rendered by every renderer (terminal, JSON, CSV,
Excel, HTML).

Per-unit results and data issues are polars DataFrames with the fixed schemas below,
so a national quarter (hundreds of thousands of facility rows) stays columnar all the
way to the writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from kpi_audit.core.models import ReferenceValue, Target, ValueKind

if TYPE_CHECKING:
    from kpi_audit.core.errors import KpiAuditError
    from kpi_audit.quality.rules import Rule

STATUSES = ("pass", "fail", "warn", "not_evaluable")

# One row per target × unit. ``gap`` is value − threshold, signed so that a negative
# gap means "behind target" whatever the operator (for <= targets it is threshold −
# value); null when not evaluable. ``county`` is the county of a facility row (and
# the county itself at county level), null at city level.
RESULT_SCHEMA: dict[str, pl.DataType] = {
    "target_id": pl.String(),
    "target_set": pl.String(),
    "indicator": pl.String(),
    "level": pl.String(),
    "unit": pl.String(),
    "unit_name": pl.String(),
    "county": pl.String(),
    "period": pl.String(),
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "operator": pl.String(),
    "threshold": pl.Float64(),
    "threshold_high": pl.Float64(),
    "gap": pl.Float64(),
    "status": pl.String(),
    # not_evaluable: a stable code (no_institutions, zero_denominator, field_missing,
    # no_comparable, not_in_force, needs_data, …) and its parameters as a JSON object
    # string; rendered per language by kpi_audit.render.i18n. Null otherwise.
    "reason_code": pl.String(),
    "reason_params": pl.String(),
    # False for an aspiration (力争): evaluated and shown, never counted as a failure
    # (summary() leaves it out; aspiration_summary() counts it).
    "binding": pl.Boolean(),
    "tolerance": pl.Float64(),  # for operator "around"
    # not_due rows (a year_end target before its year's last quarter): the value so far
    # and its gap, shown as progress; value and gap stay null as for any not_evaluable.
    "progress_value": pl.Float64(),
    "progress_gap": pl.Float64(),
    "source_document": pl.String(),
    "source_clause": pl.String(),
    # County rows of evaluated targets (evaluate/rankings.py): rank among the city's
    # counties (1 = best), the values of the previous period (环比) and of the same period
    # a year earlier (同比), and the rank then minus the rank now (positive = moved up).
    "rank": pl.Int64(),
    "rank_change": pl.Int64(),
    "rank_change_year_earlier": pl.Int64(),
    "value_previous": pl.Float64(),
    "value_year_earlier": pl.Float64(),
    # Where a population denominator comes from (domain.md §4b): area_register |
    # facility_reported.
    "basis": pl.String(),
    # County and city rows: who was expected to report, who did (accepted rows), who
    # reported only refused rows, who sent nothing, and the share of the indicator's
    # previous-period denominator the missing ones held (evaluate/reporting.py). Null on
    # facility rows and when nobody can be expected (no register, no previous period).
    "reporting_expected": pl.Int64(),
    "reporting_reported": pl.Int64(),
    "reporting_rejected": pl.Int64(),
    "reporting_missing": pl.Int64(),
    "missing_prior_share": pl.Float64(),
    "provisional": pl.Boolean(),  # an expected institution is missing: may still change
    # Institutions in the indicator's scope left out of its sums for a blank field (a
    # blank is missing, never zero); null where the kind has no such rows.
    "left_out": pl.Int64(),
}

# One row per problem found in the data: rejected rows from ingest, and the
# completeness findings of the check (kind = missing_report, county_no_data, …).
ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),  # row_error | missing_report | county_no_data | …
    # The specific problem (an ingest rule's code such as not_a_number, or missing_report,
    # yoy_only_now, …) and its parameters as a JSON object string.
    "code": pl.String(),
    "params": pl.String(),
    "file": pl.String(),
    "sheet": pl.String(),
    "row": pl.Int64(),
    "field": pl.String(),
    "value": pl.String(),
    "message_zh": pl.String(),
    "message_en": pl.String(),
    "org_code": pl.String(),
    "org_name": pl.String(),
    "county": pl.String(),
}

# Indicator values over recent periods for the trend charts: one row per
# indicator × level × unit × period (county and city level only).
TREND_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String(),
    "level": pl.String(),
    "unit": pl.String(),
    "period": pl.String(),
    "value": pl.Float64(),
}


# One row per data-quality finding (kpi_audit/quality/). ``indicator`` is set for the
# county/city kinds, ``field`` for the facility ones; ``value_kind`` (count | share |
# number | days) says how to show value, expected_low/high and reference. ``history`` is
# the unit's value over ``history_periods`` (oldest first, null where not reported), for
# the sparklines.
QUALITY_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "kind": pl.String(),
    "severity": pl.String(),  # error | warning
    "level": pl.String(),
    "unit": pl.String(),
    "unit_name": pl.String(),
    "county": pl.String(),
    "period": pl.String(),
    "indicator": pl.String(),
    "field": pl.String(),
    "value": pl.Float64(),
    "expected_low": pl.Float64(),
    "expected_high": pl.Float64(),
    "score": pl.Float64(),
    "reference": pl.Float64(),
    "other": pl.String(),
    "note": pl.String(),
    "count": pl.Int64(),
    "value_kind": pl.String(),
    "history": pl.List(pl.Float64()),
    "history_periods": pl.List(pl.String()),
}
# Per rule and outcome, how many units (facility × field, county × indicator, …) were
# assessed, flagged or not assessed; ``reason_code`` says why not (short_history,
# no_previous, no_history, no_value).
QUALITY_COVERAGE_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "outcome": pl.String(),  # flagged | passed | not_assessed
    "reason_code": pl.String(),
    "units": pl.Int64(),
}

# "Since when": one row per county or city result that fails now — how many consecutive
# periods up to this one it has failed, judged against this period's threshold, and the
# first period of that run, over ``history_periods`` periods of history (the trend
# window; the run may be longer than that).
STREAK_SCHEMA: dict[str, pl.DataType] = {
    "target_id": pl.String(),
    "level": pl.String(),
    "unit": pl.String(),
    "periods_missed": pl.Int64(),
    "missed_since": pl.String(),
    "history_periods": pl.Int64(),
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _counts(results: pl.DataFrame) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    if results.height:
        for status, n in results.group_by("status").len().iter_rows():
            counts[status] = n
    return counts


@dataclass
class Completeness:
    expected_institutions: int = 0  # reported in the previous period
    reported_institutions: int = 0
    # expected (from the register, else the previous period) and sent nothing; rejected-only
    # institutions are never counted here
    missing_institutions: int = 0
    counties_without_data: tuple[str, ...] = ()
    rejected_rows: int = 0
    # Where "expected" comes from: institution_register | previous_period | none (no
    # register and nothing loaded for the previous period: nobody can be missing).
    expected_basis: str = "previous_period"
    # Institutions expected (plus any that reported unexpectedly): the denominator of
    # the reporting rate (reported + rejected_institutions) / expected.
    expected: int = 0
    rejected_institutions: int = 0  # every row refused at ingest: reported, with errors

    @property
    def answered(self) -> int:
        return self.reported_institutions + self.rejected_institutions

    @property
    def incomplete(self) -> bool:
        """Someone expected sent nothing."""
        return self.missing_institutions > 0


@dataclass(frozen=True)
class RegisterSource:
    """A reference register an audit used (domain.md §3b), for the reports' sources."""

    kind: str  # areas (行政区划与人口, for ``year``) | institutions (机构名录)
    year: int | None
    rows: int  # counties (areas) or institutions
    files: tuple[str, ...]  # the files its current rows come from
    last_loaded: datetime | None


@dataclass(frozen=True)
class RefusedFile:
    """A file named for the run that could not be loaded (unreadable, invalid, or
    refused whole under --strict): the audit of the other files is still written, and
    the run exits 3 (domain.md §6)."""

    file: str
    status: str  # failed | rejected (--strict)
    message: str  # in English; ``cause`` is the same as data (code + params), for its words
    cause: KpiAuditError | None = field(default=None, compare=False)


@dataclass
class QualityReview:
    """The data-quality findings of one period (kpi_audit.quality.review)."""

    period: str
    findings: pl.DataFrame = field(default_factory=lambda: empty(QUALITY_SCHEMA))
    coverage: pl.DataFrame = field(default_factory=lambda: empty(QUALITY_COVERAGE_SCHEMA))
    rules: tuple[Rule, ...] = ()
    # indicator id (or a related rule's inline side) -> (zh, en) name
    indicator_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    def errors(self) -> int:
        return self.findings.filter(pl.col("severity") == "error").height


@dataclass
class AuditResult:
    tool: str
    version: str
    generated_at: datetime
    period: str
    target_sets: tuple[str, ...]
    area: str  # the city (or area) audited, e.g. 河川市
    targets: tuple[Target, ...]  # every target considered, for the Sources section
    indicator_names: dict[str, tuple[str, str]]  # indicator id -> (zh, en)
    results: pl.DataFrame  # RESULT_SCHEMA
    data_issues: pl.DataFrame  # ISSUE_SCHEMA
    trends: pl.DataFrame = field(default_factory=lambda: empty(TREND_SCHEMA))
    # STREAK_SCHEMA; computed with the trends (empty without them)
    streaks: pl.DataFrame = field(default_factory=lambda: empty(STREAK_SCHEMA))
    completeness: Completeness = field(default_factory=Completeness)
    # indicator id -> (needs, needs_zh) for the indicators whose data the submissions
    # cannot carry (their results' reason_params carry the same lists).
    indicator_needs: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )
    # indicator id -> what its values are (share, rate, count, per_1000, per_10000,
    # number): how every renderer shows them (kpi_audit.render.format). An indicator
    # missing here is shown as a plain number.
    value_kinds: dict[str, ValueKind] = field(default_factory=dict)
    quality: QualityReview | None = None  # None: the review was not run
    files_refused: tuple[RefusedFile, ...] = ()
    # Values documents report for the audit's indicators (湖北省2018年 36.65% …): grey
    # context next to the results, never thresholds.
    reference_values: tuple[ReferenceValue, ...] = ()
    # The area register of the period's year and the institution register, when loaded.
    registers: tuple[RegisterSource, ...] = ()

    def summary(self) -> dict[str, int]:
        """Results per status over the binding targets: what ``fail`` (and the exit
        code) has always meant. Aspirations are counted in :meth:`aspiration_summary`."""
        return _counts(self.results.filter(pl.col("binding").fill_null(True)))

    def aspiration_summary(self) -> dict[str, int]:
        """Results per status over the non-binding targets (力争): shown as progress,
        never a failure."""
        return _counts(self.results.filter(~pl.col("binding").fill_null(True)))
