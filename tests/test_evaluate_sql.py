"""Compiling Conditions and Measures to SQL: whitelisted fields, quoted values, NULL
semantics that tell "not in scope" from "not submitted"."""

from __future__ import annotations

import duckdb
import pytest

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.models import Condition, Measure
from kpi_audit.evaluate.sql import compile_condition, compile_value, compile_where, sql_literal


def _eval(where: str, **row: object) -> object:
    cols = ", ".join(
        f"{sql_literal(v) if v is not None else 'NULL'} AS {k}" for k, v in row.items()
    )
    return duckdb.sql(f"SELECT {where} FROM (SELECT {cols})").fetchall()[0][0]


def test_org_class_expands_to_the_institution_types() -> None:
    sql = compile_condition(Condition("org_class", "=", "tcm_hospital"))
    assert sql == (
        """("org_type" = '中医医院' OR "org_type" = '中西医结合医院' """
        """OR "org_type" = '民族医院')"""
    )
    assert _eval(sql, org_type="民族医院") is True
    assert _eval(sql, org_type=None) is None
    sql = compile_condition(Condition("org_class", "not in", ("hospital", "other")))
    assert sql.startswith("""("org_type" <> '综合医院' AND """)
    assert _eval(sql, org_type="村卫生室") is True
    assert _eval(sql, org_type="其他") is False


def test_values_are_quoted_literals() -> None:
    sql = compile_condition(Condition("org_type", "=", "x' OR TRUE --"))
    assert sql == """("org_type" = 'x'' OR TRUE --')"""
    assert _eval(sql, org_type="综合医院") is False
    assert compile_condition(Condition("emr_level", ">=", 4)) == '("emr_level" >= 4)'
    assert compile_condition(Condition("provides_tcm", "=", "是")) == '("provides_tcm" = TRUE)'
    assert compile_condition(Condition("hospital_grade", "in", ("二级", "三级"))) == (
        """("hospital_grade" = '二级' OR "hospital_grade" = '三级')"""
    )


def test_unknown_fields_classes_and_operators_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown submission field"):
        compile_condition(Condition("1; DROP TABLE submissions", "=", 1))
    with pytest.raises(ConfigError, match="unknown institution class"):
        compile_condition(Condition("org_class", "=", "spa"))
    with pytest.raises(ConfigError, match="not a count"):
        compile_value(Measure("org_name"))
    with pytest.raises(ConfigError):
        compile_condition(Condition("provides_tcm", "=", "maybe"))


def test_blank_attribute_makes_the_condition_unknown_unless_another_is_false() -> None:
    where = compile_where(
        (Condition("org_class", "=", "hospital"), Condition("hospital_grade", "=", "三级"))
    )
    # a village clinic with no grade: FALSE AND NULL is FALSE (not in scope)
    assert _eval(where, org_type="村卫生室", hospital_grade=None) is False
    # a hospital with no grade: cannot tell
    assert _eval(where, org_type="综合医院", hospital_grade=None) is None
    assert _eval(where, org_type="综合医院", hospital_grade="三级") is True
    assert compile_where(()) == "TRUE"
    assert compile_value(Measure(None)) == "1"
