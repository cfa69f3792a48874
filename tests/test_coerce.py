from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_audit.core.periods import Period
from kpi_audit.ingest.coerce import (
    MISSING_MARKERS,
    cleaned,
    coerce_cells,
    int_from_text,
    int_problem_from,
    numeric_text,
)


# The reference expressions: every cell through the whole cleaning, no fast path.
def int_value(raw: pl.Expr) -> pl.Expr:
    return int_from_text(numeric_text(raw))


def int_problem(raw: pl.Expr) -> pl.Expr:
    text = numeric_text(raw)
    return int_problem_from(text, int_from_text(text))


def text_value(raw: pl.Expr, *, squeeze: bool = False) -> pl.Expr:
    text = cleaned(raw)
    return text.str.replace_all(r"\s+", "") if squeeze else text


def period_values(raw: pl.Series) -> pl.Series:
    cells = pl.DataFrame({"_row": range(raw.len()), "p": raw}, schema_overrides={"p": pl.String})
    return coerce_cells(cells, {"period": "p"}, None).get_column("period")


def _ints(texts: list[str | None]) -> list[tuple[int | None, str | None]]:
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    out = frame.select(v=int_value(pl.col("t")), p=int_problem(pl.col("t")))
    return list(zip(out["v"].to_list(), out["p"].to_list(), strict=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", 1234),
        ("1,234", 1234),
        ("1，234", 1234),  # full-width comma
        ("１２３４", 1234),  # full-width digits
        ("１，２３４", 1234),
        ("  1234 ", 1234),
        ("\u30001234\u3000", 1234),  # ideographic spaces
        ("1 234", 1234),
        ("12 345 678", 12345678),  # spaces that separate thousands
        ("1\u00a0234", 1234),  # a no-break space (NFKC: a space)
        ("- 5", -5),
        ("-  5", -5),
        ("- 1,234", -1234),  # a sign standing apart, then thousands
        ("120.0", 120),  # a whole number stored as a float
        ("120.", 120),
        ("1.2E+05", 120000),
        ("0", 0),
        ("-5", -5),  # parsed; negative counts are validation's business
        ("12345678901234", 12345678901234),
        ("12,345,678", 12345678),
        ("1,234.0", 1234),
        ("-1,234", -1234),
        ("1, 234", 1234),
    ],
)
def test_whole_numbers_typed_as_text(text: str, expected: int) -> None:
    assert _ints([text]) == [(expected, None)]


@pytest.mark.parametrize(
    "text",
    [
        *MISSING_MARKERS,
        "－",
        "／",
        "——",
        "  ",
        None,
        "N/A",
        "n/a",
        "NA",
        " 不适用 ",
        "空",
        "Ｎ／Ａ",
    ],
)
def test_missing_markers_are_null_never_zero(text: str | None) -> None:
    assert _ints([text]) == [(None, None)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("12.5", "not_whole"),
        ("0.3", "not_whole"),
        ("abc", "not_a_number"),
        ("12人", "not_a_number"),
        ("65%", "not_a_number"),
        # a comma that does not separate thousands: no guess at what was meant
        ("12,34", "not_a_number"),
        ("1,2345", "not_a_number"),
        (",123", "not_a_number"),
        ("123,", "not_a_number"),
        ("1,23,456", "not_a_number"),
        ("1,,234", "not_a_number"),
        ("12，34", "not_a_number"),  # full-width
        # nor a space that does not: "12 34" is no guess at 1234
        ("12 34", "not_a_number"),
        ("1 2345", "not_a_number"),
        ("1 234,567", "not_a_number"),
        ("1,234.5", "not_whole"),
        ("nan", "not_a_number"),
        ("#N/A", "not_a_number"),  # an Excel error cell is a bad value, not a blank
        ("N/A 0", "not_a_number"),
        ("inf", "not_a_number"),
    ],
)
def test_unusable_numbers_give_a_problem_code(text: str, problem: str) -> None:
    assert _ints([text]) == [(None, problem)]


def _format_int(n: int, style: str) -> str:
    grouped = f"{n:,}"
    if style == "grouped":
        return grouped
    if style == "fullwidth":
        return grouped.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    if style == "spaced":
        return f"  {n}\t"
    return f"{n}.0"  # float style


@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(["grouped", "fullwidth", "spaced", "float"]),
)
def test_formatted_integers_round_trip(n: int, style: str) -> None:
    assert _ints([_format_int(n, style)]) == [(n, None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        (" 是 ", True),
        ("Yes", True),
        ("—", None),
        (None, None),
    ],
)
def test_booleans(text: str | None, expected: bool | None) -> None:
    assert _coerced("provides_tcm", [text]) == [(expected, None)]


def test_unreadable_boolean_is_a_problem() -> None:
    assert _coerced("provides_tcm", ["也许"]) == [(None, "not_a_boolean")]


def _coerced(field: str, texts: list[str | None]) -> list[tuple[object, ...]]:
    """(value, problem) of each text in a one-column sheet of ``field``."""
    cells = pl.DataFrame(
        {"_row": range(2, len(texts) + 2), "列": texts}, schema={"_row": pl.Int64, "列": pl.String}
    )
    out = coerce_cells(cells, {field: "列"}, None)
    problem = f"{field}__problem"
    return out.select(field, problem if problem in out.columns else pl.lit(None)).rows()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024Q3", "2024Q3"),
        ("2024-Q3", "2024Q3"),
        ("2024年第三季度", "2024Q3"),
        ("2024年3季度", "2024Q3"),
        ("2024年", "2024"),
        ("2024", "2024"),
        (" 2024q1 ", "2024Q1"),
        ("２０２４年第四季度", "2024Q4"),
        ("2024年第五季度", None),
        ("下半年", None),
        ("", None),
    ],
)
def test_periods_normalised(text: str, expected: str | None) -> None:
    assert period_values(pl.Series("p", [text])).to_list() == [expected]


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("org_type", " 综合 医院 ", "综合医院"),
        ("org_type", "綜合醫院", "综合医院"),
        ("org_type", "鄉鎮衛生院", "乡镇卫生院"),
        ("org_type", "卫生所", "诊所"),  # ORG_TYPE_SYNONYMS
        ("org_type", "醫務室", "诊所"),
        ("hospital_grade", "三级甲等", "三级"),
        ("hospital_grade", "二甲", "二级"),
        ("hospital_grade", "三級", "三级"),
        ("hospital_grade", "未定级", "未定级"),
        ("area", "農村", "农村"),
        ("area", "/", None),
    ],
)
def test_enum_text_normalised(field: str, text: str, expected: str | None) -> None:
    assert _coerced(field, [text]) == [(expected, None)]


def test_repeated_texts_are_coerced_once_and_land_on_their_own_rows() -> None:
    # The vocabulary fields are coerced per distinct combination and joined back: every
    # row must still get its own value, blanks included.
    texts = ["綜合醫院", None, "卫生所", "綜合醫院", "  ", "卫生所", "诊 所"]
    assert _coerced("org_type", texts) == [
        ("综合医院", None),
        (None, None),
        ("诊所", None),
        ("综合医院", None),
        (None, None),
        ("诊所", None),
        ("诊所", None),
    ]
    assert _coerced("county", [" 东 县", "东县", None]) == [("东县", None)] * 2 + [(None, None)]


@given(st.text(alphabet=st.sampled_from(" \t\u3000\xa0\u2003\x1c是否YyNn1０ -—／"), max_size=6))
def test_distinct_path_cleans_exactly_as_the_polars_expression(text: str) -> None:
    # 是/否 words go through the per-distinct Python path; the polars cleaning must decide
    # blank / missing the same way for them as for every other column.
    (value, problem) = _coerced("provides_tcm", [text])[0]
    text_clean = pl.select(cleaned(pl.lit(text, dtype=pl.String))).item()
    assert (value is None and problem is None) == (text_clean is None)


def test_coerce_cells_types_every_field_and_falls_back_to_the_given_period() -> None:
    cells = pl.DataFrame(
        {
            "_row": [2, 3, 4],
            "代码": [" A 001", "A002", "A003"],
            "期": ["2024Q2", None, "下半年"],
            "总诊疗人次": ["1,000", "—", "12.5"],
        }
    )
    out = coerce_cells(
        cells, {"org_code": "代码", "period": "期", "total_visits": "总诊疗人次"}, Period(2024, 3)
    )
    assert out.select(
        "org_code",
        "period",
        "period_year",
        "period_quarter",
        "total_visits",
        "total_visits__problem",
        "period__problem",
    ).rows() == [
        ("A001", "2024Q2", 2024, 2, 1000, None, None),
        ("A002", "2024Q3", 2024, 3, None, None, None),  # blank cell → --period
        ("A003", None, None, None, None, "not_whole", "bad_period"),  # bad text stays an error
    ]
    # Every catalog field exists, typed, even when the sheet lacks it.
    assert out.schema["beds"] == pl.Int64 and out.schema["provides_tcm"] == pl.Boolean
    assert out["total_visits__raw"].to_list() == ["1,000", "—", "12.5"]


def test_coerce_cells_without_a_period_column_uses_the_given_period() -> None:
    cells = pl.DataFrame({"_row": [2], "代码": ["A1"]})
    out = coerce_cells(cells, {"org_code": "代码"}, Period(2023))
    assert out.select("period", "period_year", "period_quarter").row(0) == ("2023", 2023, None)


_NUMBER_TEXTS = st.one_of(
    st.integers(-(10**15), 10**15).map(str),  # what calamine writes for a number cell
    st.sampled_from(["1,234", "１２", " 7 ", "12.5", "120.0", "x", "—", "", "1e3", "+4"]),
    st.none(),
)


@given(st.lists(_NUMBER_TEXTS, min_size=1, max_size=6))
def test_count_columns_coerce_as_the_reference_expressions(texts: list[str | None]) -> None:
    # coerce_cells skips the cleaning for a column of plain integers and NFKC for an
    # ASCII one; either way each cell must come out as int_value / int_problem say.
    cells = pl.DataFrame({"_row": range(len(texts)), "n": texts}, schema_overrides={"n": pl.String})
    out = coerce_cells(cells, {"total_visits": "n"}, None)
    expected = cells.select(v=int_value(pl.col("n")), p=int_problem(pl.col("n")))
    assert out.select("total_visits", "total_visits__problem").rows() == expected.rows()


@given(
    st.lists(st.sampled_from(["A 001", "Ａ００１", " a-2 ", "—", "", None, "B\u30003"]), min_size=1)
)
def test_code_columns_coerce_as_the_reference_expression(texts: list[str | None]) -> None:
    cells = pl.DataFrame({"_row": range(len(texts)), "c": texts}, schema_overrides={"c": pl.String})
    out = coerce_cells(cells, {"org_code": "c"}, None)
    expected = cells.select(text_value(pl.col("c"), squeeze=True))
    assert out.get_column("org_code").to_list() == expected.to_series().to_list()
