"""The one table of words: coded reasons and data issues rendered per language."""

from __future__ import annotations

import re
import string

import pytest

from kpi_audit.render.i18n import (
    LABELS,
    issue_messages,
    issue_text,
    params_json,
    reason_text,
)

_SUFFIX = re.compile(r"_(zh|en)$")


def _placeholders(template: str) -> set[str]:
    return {_SUFFIX.sub("", name) for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(LABELS))
def test_both_languages_have_the_same_placeholders(key: str) -> None:
    zh, en = LABELS[key]
    assert zh and (en or key == "report.units")
    # a parameter given in both languages (name_zh / name_en) counts as one; English
    # alone may need a plural word ({targets})
    assert _placeholders(zh) == _placeholders(en) - {"targets"}


def test_reasons_in_both_languages() -> None:
    fields = params_json(fields=["signed_residents"])
    assert reason_text("field_missing", fields) == "未填报：签约人数"
    assert reason_text("field_missing", fields, "en") == "field not submitted: signed_residents"
    both = params_json(fields=["key_signed", "key_population"])
    assert reason_text("no_complete_row", both) == "没有机构同时填报：重点人群签约人数、重点人群数"
    assert reason_text("no_complete_row", both, "en") == (
        "no institution submitted all of: key_signed, key_population"
    )
    assert reason_text("zero_denominator", "{}") == "分母为零"
    assert reason_text("zero_denominator", "{}", "en") == "zero denominator"
    assert reason_text("no_institutions", None) == "无符合条件的机构"
    assert reason_text("no_comparable", {}) == "无上年同期可比数据"
    assert reason_text("not_in_force", {"from_year": 2027}) == "目标尚未生效（2027 年起）"
    assert reason_text("not_in_force", {"from_year": 2027}, "en") == (
        "target not yet in force (from 2027)"
    )
    needs = {"needs": ["households", "public or not"], "needs_zh": ["家庭户数", "是否公立"]}
    assert reason_text("needs_data", needs) == "缺少数据：家庭户数；是否公立"
    assert reason_text("needs_data", needs, "en") == "needs: households, public or not"
    assert reason_text(None, None) == ""


def test_an_unknown_code_or_missing_parameter_shows_the_code() -> None:
    assert reason_text("brand_new", {"x": 1}) == 'brand_new {"x": 1}'
    assert reason_text("brand_new", None, "en") == "brand_new"
    assert reason_text("not_in_force", {}) == "not_in_force"


def test_issue_messages_are_one_per_language() -> None:
    params, zh, en = issue_messages("missing_report", previous="2024Q2", period="2024Q3")
    assert params == '{"period": "2024Q3", "previous": "2024Q2"}'
    assert zh == "上期（2024Q2）已上报、本期（2024Q3）未上报"
    assert en == "reported for 2024Q2 but not for 2024Q3"
    assert "；" not in zh and not re.search(r"[\u4e00-\u9fff]", en)
    assert issue_text("county_no_data", {"period": "2024Q3"}, "en") == (
        "county had data in earlier periods but none for 2024Q3"
    )
