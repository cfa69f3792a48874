import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_audit.core.periods import Period, parse_period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024Q3", Period(2024, 3)),
        ("2024q3", Period(2024, 3)),
        ("2024-Q3", Period(2024, 3)),
        ("2024 Q3", Period(2024, 3)),
        ("2024年第三季度", Period(2024, 3)),
        ("2024年第3季度", Period(2024, 3)),
        ("2024年3季度", Period(2024, 3)),
        ("2024年Q4", Period(2024, 4)),
        ("２０２４年第一季度", Period(2024, 1)),  # full-width digits
        (" 2024Q1 ", Period(2024, 1)),
        ("2024年", Period(2024)),
        ("2024", Period(2024)),
        ("2024年度", Period(2024)),
        (2024, Period(2024)),
        (2024.0, Period(2024)),
    ],
)
def test_accepted_spellings(text: object, expected: Period) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "2024Q5", "2024年第五季度", "Q3", "24Q3", None, 12.5, "abc"])
def test_rejected_spellings(text: object) -> None:
    assert parse_period(text) is None


def test_canonical_text_and_year_earlier() -> None:
    assert str(Period(2024, 3)) == "2024Q3"
    assert str(Period(2024)) == "2024"
    assert Period(2024, 3).year_earlier() == Period(2023, 3)
    assert Period(2024).year_earlier() == Period(2023)
    assert Period(2024, 3).label_zh == "2024年第三季度"


@given(st.integers(1900, 2200), st.one_of(st.none(), st.integers(1, 4)))
def test_round_trip(year: int, quarter: int | None) -> None:
    p = Period(year, quarter)
    assert parse_period(str(p)) == p
    assert parse_period(p.label_zh) == p


_PERIODS = st.builds(Period, st.integers(1990, 2100), st.one_of(st.none(), st.integers(1, 4)))


def test_a_year_sorts_after_its_fourth_quarter() -> None:
    mixed = [Period(2025, 1), Period(2024), Period(2024, 4), Period(2024, 1), Period(2023)]
    assert sorted(mixed) == [
        Period(2023),
        Period(2024, 1),
        Period(2024, 4),
        Period(2024),
        Period(2025, 1),
    ]
    assert Period(2024, 1) < Period(2024) < Period(2025, 1)
    assert max([Period(2024), Period(2024, 4)]) == Period(2024)


@given(_PERIODS, _PERIODS)
def test_any_two_periods_compare_exactly_one_way(a: Period, b: Period) -> None:
    assert [a < b, a == b, a > b].count(True) == 1
    assert (a <= b) == (a < b or a == b)
    assert (a >= b) == (a > b or a == b)


@given(_PERIODS, _PERIODS, _PERIODS)
def test_the_order_is_transitive(a: Period, b: Period, c: Period) -> None:
    x, y, z = sorted([a, b, c])
    assert x <= y <= z and x <= z


@given(_PERIODS)
def test_a_year_follows_all_its_quarters_and_precedes_the_next_year(p: Period) -> None:
    year = Period(p.year)
    assert all(q < year for q in year.quarters())
    assert year < Period(p.year + 1, 1)
    assert p <= year


@given(_PERIODS)
def test_previous_and_year_earlier(p: Period) -> None:
    assert p.previous() < p
    assert p.previous().is_annual == p.is_annual
    assert p.year_earlier() < p
    back = p
    for _ in range(4 if p.quarter is not None else 1):
        back = back.previous()
    assert back == p.year_earlier()
    assert p.back(3) == [p.previous().previous(), p.previous(), p]


def test_previous_crosses_the_year() -> None:
    assert Period(2024, 1).previous() == Period(2023, 4)
    assert Period(2024, 3).previous() == Period(2024, 2)
    assert Period(2024).previous() == Period(2023)


def test_quarters_of_a_year_and_of_a_quarter() -> None:
    assert Period(2024).quarters() == tuple(Period(2024, q) for q in (1, 2, 3, 4))
    assert Period(2024, 2).quarters() == (Period(2024, 2),)


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_a_quarter_outside_one_to_four_is_refused(quarter: int) -> None:
    with pytest.raises(ValueError, match="quarter"):
        Period(2024, quarter)
