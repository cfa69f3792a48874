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
