"""The one display rule: an indicator's value kind from the catalog, and how each kind
is shown (values, gaps, thresholds, requirements)."""

from __future__ import annotations

import pytest

from kpi_audit.core.models import Source, Target
from kpi_audit.render.format import STATUS_PALETTE, Display, display_of
from kpi_audit.spec.catalog import load_catalog


@pytest.mark.parametrize(
    ("indicator", "kind"),
    [
        ("primary_visit_share", "share"),  # ratio on the fraction scale
        ("township_gp_coverage", "share"),  # facility_share
        ("tertiary_outpatient_decline", "rate"),  # yoy_decline
        ("referrals_down_growth", "rate"),  # yoy_growth
        ("county_hospital_key_specialties", "count"),  # sum
        ("primary_beds_per_1000", "per_1000"),
        ("gps_per_10000", "per_10000"),
        ("nurses_per_doctor", "number"),  # a ratio on the number scale
    ],
)
def test_value_kind_comes_from_the_catalog(indicator: str, kind: str) -> None:
    assert load_catalog()[indicator].value_kind == kind


def _target(operator: str, threshold: float, **kw: object) -> Target:
    return Target(
        "t",
        "s",
        "i",
        operator,
        threshold,
        2017,
        ("county",),
        Source("文件", "1号", "一", "q"),
        **kw,
    )  # type: ignore[arg-type]


def test_each_kind_is_shown_by_one_rule() -> None:
    share, rate, count = Display("share"), Display("rate"), Display("count")
    per_1000, number = Display("per_1000"), Display("number")
    assert (share.value(0.48276), share.gap(-0.0952), share.threshold(0.65)) == (
        "48.3%",
        "-9.5个百分点",
        "65%",
    )
    assert rate.value(-0.031) == "-3.1%" and rate.gap(0.0, "en") == "±0.0 pp"
    assert (count.value(1234.0), count.gap(-2.0), count.threshold(4)) == ("1,234", "-2", "4")
    assert (per_1000.value(1.153), per_1000.threshold(1.2)) == ("1.15", "1.2")
    assert number.value(1.6667) == "1.67"
    assert share.requirement(_target(">=", 0.65)) == "≥ 65%"
    assert per_1000.requirement(_target(">=", 1.2)) == "≥ 1.2/千人"
    assert per_1000.requirement(_target(">=", 1.2), "en") == "≥ 1.2 per 1,000"
    assert rate.requirement(_target("between", 0.05, threshold_high=0.1)) == "5%–10%"
    assert count.requirement(_target("<=", 4)) == "≤ 4"
    assert number.requirement(_target(">=", 1500)) == "≥ 1,500"


def test_an_unknown_indicator_is_a_plain_number_never_a_guess() -> None:
    # a threshold ≤ 1 used to make it a percentage
    assert display_of({}, "not_in_catalog") == Display("number")
    assert display_of({}, "x").threshold(0.65) == "0.65"


def test_one_palette_for_every_renderer() -> None:
    assert set(STATUS_PALETTE) == {"pass", "fail", "warn", "not_evaluable"}
    for colours in STATUS_PALETTE.values():
        for hex_ in (colours.text, colours.background, colours.mark):
            assert len(hex_) == 6 and int(hex_, 16) >= 0
