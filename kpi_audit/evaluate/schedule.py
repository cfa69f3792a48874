"""Which targets are in force for a year, and how each is to be reported."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.models import LEVELS, Indicator, Level, Scope, Target, TargetSet
from kpi_audit.core.periods import Period
from kpi_audit.render.i18n import params_json

State = Literal["evaluate", "not_yet", "ended", "needs"]


def _needs(target: Target, catalog: Mapping[str, Indicator]) -> tuple[str, ...]:
    """The data a target lacks (empty when the submissions can measure it)."""
    try:
        from kpi_audit.spec.targets import target_is_evaluable
    except ImportError:  # the targets module is optional for evaluation
        return catalog[target.indicator].needs
    evaluable, needs = target_is_evaluable(target, dict(catalog))
    return () if evaluable else tuple(needs)


@dataclass(frozen=True)
class Scheduled:
    target: Target
    target_set: TargetSet
    indicator: Indicator
    # target ∩ requested ∩ indicator levels, never empty. A target that is not measured
    # (not_yet / needs) is reported per county and city, never per facility: see
    # :func:`area_levels`.
    levels: tuple[Level, ...]
    state: State
    reason_code: str | None = None  # for not_yet (not_in_force) / needs (needs_data)
    reason_params: str | None = None  # a JSON object


def not_due(target: Target, period: Period) -> bool:
    """A deadline target (``due = "year_end"``) in a quarter before the last of its
    year: not yet due (its value so far is shown as progress). The year itself and its
    fourth quarter are judged, and every period after."""
    return (
        target.due == "year_end"
        and period.year == target.from_year
        and period.quarter is not None
        and period.quarter < 4
    )


def area_levels(levels: Sequence[Level]) -> tuple[Level, ...]:
    """Where a target that is not measured gets its not_evaluable rows, from its levels
    as requested: the county and city ones; county when only facility is left (a row
    per facility would say nothing facility-specific, one row for the whole area would
    hide which counties it concerns)."""
    return tuple(lv for lv in levels if lv != "facility") or ("county",)


def schedule(
    target_sets: Sequence[TargetSet],
    catalog: Mapping[str, Indicator],
    year: int,
    levels: Sequence[Level] | None = None,
) -> list[Scheduled]:
    """Targets to report for ``year``.

    Targets of one set on the same indicator, levels and scope are one schedule: the one
    with the latest ``from_year`` not after ``year`` is in force; earlier ones are
    replaced. When its ``until_year`` has passed it is reported as no longer in force
    (``not_in_force``, ``case`` "ended"); when all of them start later, the earliest is
    reported as not yet in force.
    """
    wanted = set(levels) if levels is not None else set(LEVELS)
    out: list[Scheduled] = []
    for ts in target_sets:
        for (indicator_id, _, _), siblings in _schedules(ts, catalog).items():
            indicator = catalog[indicator_id]
            chosen, state = _in_force(siblings, year)
            for t in chosen:
                one = _scheduled(t, ts, indicator, state, wanted, catalog)
                if one is not None:
                    out.append(one)
    return out


def _schedules(
    ts: TargetSet, catalog: Mapping[str, Indicator]
) -> dict[tuple[str, tuple[Level, ...], Scope], list[Target]]:
    """The set's targets grouped by indicator, levels and scope: each group one schedule."""
    groups: dict[tuple[str, tuple[Level, ...], Scope], list[Target]] = defaultdict(list)
    for t in ts.targets:
        if t.indicator not in catalog:
            raise ConfigError(
                f"target '{t.id}' refers to unknown indicator '{t.indicator}'",
                path=ts.path,
                row=t.line,
            )
        groups[(t.indicator, tuple(sorted(t.levels)), t.scope)].append(t)
    return groups


def _in_force(siblings: Sequence[Target], year: int) -> tuple[list[Target], State]:
    """The targets of one schedule reported for ``year``, and their state."""
    started = [t for t in siblings if t.from_year <= year]
    if not started:
        first = min(t.from_year for t in siblings)
        return [t for t in siblings if t.from_year == first], "not_yet"
    latest = max(t.from_year for t in started)
    chosen = [t for t in started if t.from_year == latest]
    # the latest one has ended (until_year passed): reported as not in force
    return chosen, "evaluate" if all(t.in_force(year) for t in chosen) else "ended"


def _scheduled(
    t: Target,
    ts: TargetSet,
    indicator: Indicator,
    state: State,
    wanted: set[Level],
    catalog: Mapping[str, Indicator],
) -> Scheduled | None:
    """How target ``t`` is reported: evaluated, or why not; None when none of its levels
    is reported."""
    used = tuple(lv for lv in LEVELS if lv in t.levels and lv in wanted and lv in indicator.levels)
    if not used:
        return None
    needs = _needs(t, catalog)
    if needs or state in ("not_yet", "ended"):
        used = area_levels(used)
    if state == "ended":  # over, whatever data it would need
        params = params_json(until_year=t.until_year, case="ended")
        return Scheduled(t, ts, indicator, used, state, "not_in_force", params)
    if needs:
        needs_zh = indicator.needs_zh if len(indicator.needs_zh) == len(needs) else ()
        params = params_json(needs=list(needs), needs_zh=list(needs_zh or needs))
        return Scheduled(t, ts, indicator, used, "needs", "needs_data", params)
    if state == "not_yet":
        params = params_json(from_year=t.from_year)
        return Scheduled(t, ts, indicator, used, state, "not_in_force", params)
    return Scheduled(t, ts, indicator, used, state)
