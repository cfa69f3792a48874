"""`check --format json` output validated against the published JSON Schema."""

from __future__ import annotations

import io
import json
from importlib.resources import files

import jsonschema
import pytest
from _eval_helpers import (
    CATALOG,
    Q3_2023,
    Q3_2024,
    insert_rows,
    store,
    target,
    target_set,
)

from kpi_audit.evaluate import run_audit
from kpi_audit.render.json_out import to_json_dict, write_json


@pytest.fixture(scope="module")
def schema() -> dict:
    text = files("kpi_audit").joinpath("schema/check-output.schema.json").read_text("utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _result():
    con = store()
    insert_rows(con, "2023Q3", Q3_2023)
    insert_rows(con, "2024Q3", Q3_2024)
    insert_rows(
        con,
        "2024Q3",
        [
            {
                "org_code": "H4",
                "org_name": "新院",
                "county": "东县",
                "org_type": "综合医院",
                "hospital_grade": "三级",
                "general_outpatient_visits": 10,
            }
        ],
        path="new.xlsx",
    )
    ts = target_set(
        target("primary_visit_share", ">=", 0.52, warn_within=0.03),
        target("tertiary_outpatient_decline", ">=", 0.1, levels=("facility", "county", "city")),
        target("signing_coverage_urban", ">=", 0.3),  # 西县 not evaluable
        target("in_county_visit_rate", ">=", 0.9),  # needs
        target("referrals_down_growth", "between", 0.05, threshold_high=0.1, from_year=2030),
    )
    return run_audit(con, period="2024Q3", target_sets=[ts], catalog=CATALOG)


def test_output_matches_schema(schema: dict) -> None:
    result = _result()
    stream = io.StringIO()
    write_json(result, stream)
    data = json.loads(stream.getvalue())
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    assert set(data["summary"].values()) - {0}  # something was evaluated
    assert {r["status"] for r in data["results"]} == {"pass", "fail", "warn", "not_evaluable"}
    assert any(i["kind"] == "not_comparable" for i in data["data_issues"])


def test_schema_rejects_a_value_given_as_a_string(schema: dict) -> None:
    data = to_json_dict(_result())
    evaluated = next(r for r in data["results"] if r["status"] == "pass")
    evaluated["value"] = str(evaluated["value"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_not_evaluable_values_are_null(schema: dict) -> None:
    data = to_json_dict(_result())
    for r in data["results"]:
        if r["status"] == "not_evaluable":
            assert (r["value"], r["numerator"], r["denominator"]) == (None, None, None)
            assert r["reason"]


def test_written_text_is_the_document_in_its_key_order() -> None:
    result = _result()
    stream = io.StringIO()
    write_json(result, stream)
    written = json.loads(stream.getvalue())
    # json.dumps keeps insertion order, so equal texts mean equal keys, order and values
    assert json.dumps(written, ensure_ascii=False) == json.dumps(
        to_json_dict(result), ensure_ascii=False, allow_nan=False
    )
    assert written["results"] and written["data_issues"]


def test_the_schema_knows_every_quality_rule_kind(schema: dict) -> None:
    """A rule kind added to quality/kinds.py without the schema breaks every JSON that
    holds one of its findings (population_overlap did, until a sample county had one)."""
    from kpi_audit.quality.kinds import RULE_KINDS

    enum = schema["$defs"]["quality_finding"]["properties"]["kind"]["enum"]
    assert set(enum) == set(RULE_KINDS)
