"""Targets with a ``scope`` (domain.md §5): which area types and institutions they apply to.

A scoped target is evaluated on its own variant of the indicator, whose numerator and
denominator also require the scope's institution conditions and leave out the counties
of other area types. So a 县级 target's city value is the sum over its 县 and 县级市 only,
and a 城市三级医院 target counts the tertiary hospitals of 市辖区 only. The county rows of
other types are then ``out_of_scope`` (never a failure), as is the city row when the city
has no county of the scope's types.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace

import polars as pl

from kpi_audit.core.models import Condition, Indicator, Measure, Scope
from kpi_audit.evaluate.schedule import Scheduled
from kpi_audit.render.i18n import params_json

VARIANT_MARK = "__scope_"


def base_id(indicator_id: str) -> str:
    """The catalog id of an indicator or of its scoped variant."""
    return indicator_id.split(VARIANT_MARK, 1)[0]


def _out_counties(scope: Scope, facts: pl.DataFrame) -> list[str]:
    if not scope.area_type:
        return []
    return sorted(
        facts.filter(
            pl.col("area_type").is_not_null() & ~pl.col("area_type").is_in(list(scope.area_type))
        )["county"].to_list()
    )


def _narrowed(measure: Measure, extra: tuple[Condition, ...]) -> Measure:
    return replace(measure, where=(*measure.where, *extra))


def _variant(ind: Indicator, scope: Scope, out_counties: Sequence[str]) -> Indicator:
    extra = tuple(scope.where)
    if out_counties:
        extra += (Condition("county", "not in", tuple(out_counties)),)
    if not extra:
        return ind
    key = hashlib.sha1(repr((scope, tuple(out_counties))).encode()).hexdigest()[:8]
    return replace(
        ind,
        id=f"{ind.id}{VARIANT_MARK}{key}",
        numerator=_narrowed(ind.numerator, extra),
        denominator=None if ind.denominator is None else _narrowed(ind.denominator, extra),
    )


def scoped_schedule(
    scheduled: Sequence[Scheduled], catalog: Mapping[str, Indicator], facts: pl.DataFrame
) -> tuple[list[Scheduled], dict[str, Indicator]]:
    """``scheduled`` with every scoped target on its indicator variant, and the catalog
    extended by those variants (evaluation looks indicators up by id)."""
    extended = dict(catalog)
    out: list[Scheduled] = []
    for s in scheduled:
        scope = s.target.scope
        if scope.is_everything or s.state != "evaluate":
            out.append(s)
            continue
        variant = _variant(s.indicator, scope, _out_counties(scope, facts))
        extended[variant.id] = variant
        out.append(replace(s, indicator=variant))
    return out, extended


def mark_out_of_scope(frame: pl.DataFrame, scope: Scope, facts: pl.DataFrame) -> pl.DataFrame:
    """County rows of other area types, and the city row when no county of the city is
    of the scope's types, become ``out_of_scope`` (value, numerator, denominator null).
    A county whose type is unknown stays in scope."""
    if not scope.area_type or not frame.height:
        return frame
    wanted = list(scope.area_type)
    types = facts.select(
        unit="county",
        _type="area_type",
        _basis="type_basis",
    )
    marked = frame.join(types, on="unit", how="left")
    out_counties = _out_counties(scope, facts)
    county_out = (pl.col("level") == "county") & pl.col("unit").is_in(out_counties)
    none_in_scope = len(out_counties) == facts.height
    city_out = (pl.col("level") == "city") & pl.lit(none_in_scope)
    scope_text = "、".join(wanted)
    county_params = pl.struct(
        area_type=pl.col("_type"),
        basis=pl.col("_basis").fill_null("name"),
        scope=pl.lit(scope_text),
    ).struct.json_encode()
    city_params = pl.lit(params_json(scope=scope_text, case="city"))
    out = county_out | city_out
    return marked.with_columns(
        reason_code=pl.when(out).then(pl.lit("out_of_scope")).otherwise(pl.col("reason_code")),
        reason_params=pl.when(county_out)
        .then(county_params)
        .when(city_out)
        .then(city_params)
        .otherwise(pl.col("reason_params")),
        value=pl.when(out).then(None).otherwise(pl.col("value")),
        numerator=pl.when(out).then(None).otherwise(pl.col("numerator")),
        denominator=pl.when(out).then(None).otherwise(pl.col("denominator")),
        left_out=pl.when(out).then(None).otherwise(pl.col("left_out")),
    ).drop("_type", "_basis")
