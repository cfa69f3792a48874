"""Population denominators from the area register (domain.md §4b).

A population-based indicator (the catalog's ``population_denominator``) divides, at
county level, by the county's register figure for the period's year and, at city level,
by the sum of its counties' figures, when every county counted has one. Otherwise the
summed facility figures stay, as without a register. Each row says which in ``basis``:
``area_register`` or ``facility_reported``.

On the register's basis the numerator is Σ over every institution that reported it, also
those that left their own population blank (on the facility basis, as before, only rows
that reported both count), and a unit the facilities' populations could not measure
(none reported, or they sum to 0) is measured all the same.
"""

from __future__ import annotations

import polars as pl

from kpi_audit.core.models import SCALE_FACTOR, Indicator
from kpi_audit.render.i18n import params_json

# Reasons that only say the facilities' populations cannot divide: the register can.
_DENOMINATOR_REASONS = ("field_missing", "no_complete_row", "zero_denominator")
AREA_REGISTER = "area_register"
FACILITY_REPORTED = "facility_reported"


def excluded_counties(ind: Indicator) -> tuple[str, ...]:
    """The counties a scoped indicator variant leaves out (evaluate/scope.py)."""
    for cond in ind.numerator.where:
        if cond.field == "county" and cond.op == "not in" and isinstance(cond.value, tuple):
            return tuple(str(v) for v in cond.value)
    return ()


def with_population(frame: pl.DataFrame, ind: Indicator, facts: pl.DataFrame) -> pl.DataFrame:
    """County and city rows (UNIT_SCHEMA) plus ``basis``; rows the register covers
    re-divided by its population."""
    column = ind.population_denominator
    if column is None or not frame.height or facts.is_empty():
        return frame.with_columns(basis=pl.lit(FACILITY_REPORTED)).drop(
            "numerator_all", "left_out_all", strict=False
        )
    counted = facts.filter(~pl.col("county").is_in(list(excluded_counties(ind))))
    county_pop = counted.select(unit="county", _pop=pl.col(column).cast(pl.Float64))
    # each city over its own counties (a province's store holds several), when all of
    # them have a register figure
    city_pop = counted.group_by(unit="city").agg(
        _city_pop=pl.when(pl.col(column).null_count() == 0).then(
            pl.col(column).cast(pl.Float64).sum()
        )
    )
    out = (
        frame.join(county_pop, on="unit", how="left")
        .join(city_pop, on="unit", how="left", nulls_equal=True)
        .with_columns(
            _pop=pl.when(pl.col("level") == "county")
            .then(pl.col("_pop"))
            .when(pl.col("level") == "city")
            .then(pl.col("_city_pop"))
        )
        .drop("_city_pop")
    )
    # A county with residents on the register and no institution in the indicator's
    # scope (no 农村 rows for the rural coverage) has signed none of them: 0 of its
    # residents, as the city's value counts them, not "no institutions".
    nobody = pl.col("reason_code") == "no_institutions"
    numerator = (
        pl.when(nobody)
        .then(pl.lit(0.0))
        .otherwise(pl.col("numerator_all") if "numerator_all" in frame.columns else "numerator")
    )
    measurable = pl.col("reason_code").is_null() | pl.col("reason_code").is_in(
        [*_DENOMINATOR_REASONS, "no_institutions"]
    )
    covered = pl.col("_pop").is_not_null() & measurable & numerator.is_not_null()
    zero = covered & (pl.col("_pop") == 0)
    scale = SCALE_FACTOR[ind.scale]
    return out.with_columns(
        basis=pl.when(covered).then(pl.lit(AREA_REGISTER)).otherwise(pl.lit(FACILITY_REPORTED)),
        denominator=pl.when(zero)
        .then(None)
        .when(covered)
        .then(pl.col("_pop"))
        .otherwise(pl.col("denominator")),
        value=pl.when(zero)
        .then(None)
        .when(covered)
        .then(numerator / pl.col("_pop") * scale)
        .otherwise(pl.col("value")),
        numerator=pl.when(zero)
        .then(None)
        .when(covered)
        .then(numerator)
        .otherwise(pl.col("numerator")),
        reason_code=pl.when(zero)
        .then(pl.lit("zero_denominator"))
        .when(covered)
        .then(None)
        .otherwise(pl.col("reason_code")),
        reason_params=pl.when(zero)
        .then(pl.lit(params_json()))
        .when(covered)
        .then(None)
        .otherwise(pl.col("reason_params")),
        # on the register's basis only a blank numerator leaves a row out
        left_out=pl.when(covered)
        .then(pl.col("left_out_all") if "left_out_all" in frame.columns else "left_out")
        .otherwise(pl.col("left_out")),
    ).drop("_pop", "numerator_all", "left_out_all", strict=False)
