"""The indicator catalog: the contract ids of domain.md §4 and the strict loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.core.models import Condition, Indicator, Measure
from kpi_audit.spec.catalog import load_catalog

PRIMARY = Condition("org_class", "=", "primary_care")


@pytest.fixture(scope="module")
def catalog() -> dict[str, Indicator]:
    return load_catalog()


# domain.md §4, exactly: kind, levels, numerator and denominator.
CONTRACT = {
    "primary_visit_share": (
        "ratio",
        ("county", "city"),
        Measure("total_visits", (PRIMARY,)),
        Measure("total_visits", ()),
    ),
    "primary_tcm_share": (
        "ratio",
        ("county", "city"),
        Measure("tcm_visits", (PRIMARY,)),
        Measure("total_visits", (PRIMARY,)),
    ),
    "tertiary_outpatient_decline": (
        "yoy_decline",
        ("facility", "county", "city"),
        # hospitals (a 妇幼保健院 may hold a grade too) of grade 三级
        Measure(
            "general_outpatient_visits",
            (Condition("org_class", "=", "hospital"), Condition("hospital_grade", "=", "三级")),
        ),
        None,
    ),
    "signing_coverage": (
        "ratio",
        ("county", "city"),
        Measure("signed_residents", ()),
        Measure("resident_population", ()),
    ),
    "signing_coverage_urban": (
        "ratio",
        ("county", "city"),
        Measure("signed_residents", (Condition("area", "=", "城市"),)),
        Measure("resident_population", (Condition("area", "=", "城市"),)),
    ),
    "signing_coverage_rural": (
        "ratio",
        ("county", "city"),
        Measure("signed_residents", (Condition("area", "=", "农村"),)),
        Measure("resident_population", (Condition("area", "=", "农村"),)),
    ),
    "signing_coverage_key": (
        "ratio",
        ("county", "city"),
        Measure("key_signed", ()),
        Measure("key_population", ()),
    ),
}


@pytest.mark.parametrize("ident", sorted(CONTRACT))
def test_contract_indicator(catalog: dict[str, Indicator], ident: str) -> None:
    kind, levels, numerator, denominator = CONTRACT[ident]
    indicator = catalog[ident]
    assert (indicator.kind, indicator.levels, indicator.scale) == (kind, levels, "fraction")
    assert indicator.numerator == numerator
    assert indicator.denominator == denominator
    assert indicator.evaluable


def test_every_indicator_uses_known_fields(catalog: dict[str, Indicator]) -> None:
    for indicator in catalog.values():
        assert set(indicator.fields_used) <= set(FIELDS_BY_ID), indicator.id
        assert indicator.name_zh and indicator.name_en, indicator.id


def test_needs_indicators_have_nothing_to_compute(catalog: dict[str, Indicator]) -> None:
    needing = [i for i in catalog.values() if i.needs]
    assert {
        "in_county_visit_rate",
        "drg_fund_share",
        "medical_communities_per_county",
        "doctors_recruited",
    } <= {i.id for i in needing}
    for indicator in needing:
        assert not indicator.evaluable
        assert indicator.numerator == Measure(None) and indicator.denominator is None


def test_where_forms(catalog: dict[str, Indicator]) -> None:
    # a list means "in", a table gives the operator, true is a yes/no flag
    assert catalog["referrals_down_growth"].numerator.where == (
        Condition("org_class", "=", "hospital"),
        Condition("hospital_grade", "in", ("二级", "三级")),
    )
    assert catalog["township_gp_coverage"].numerator == Measure(
        None,
        (Condition("org_type", "=", "乡镇卫生院"), Condition("general_practitioners", ">=", 1)),
    )
    assert catalog["tcm_service_share_village_clinic"].numerator.where == (
        Condition("org_type", "=", "村卫生室"),
        Condition("provides_tcm", "=", True),
    )
    # two operators on one field: both conditions
    assert catalog["tertiary_appointment_rate"].denominator.where[1:] == (
        Condition("org_class", "=", "hospital"),
        Condition("org_class", "!=", "tcm_hospital"),
    )
    # a fallback field stands in where the field is blank
    assert catalog["tertiary_appointment_rate"].denominator.fallback == "total_visits"
    assert catalog["tertiary_appointment_rate"].fields_used == (
        "appointment_visits",
        "hospital_grade",
        "outpatient_visits",
        "total_visits",
    )


def test_added_indicators(catalog: dict[str, Indicator]) -> None:
    beds = catalog["primary_beds_per_1000"]
    assert (beds.kind, beds.scale, beds.numerator.field, beds.denominator.field) == (
        "ratio",
        "per_1000",
        "beds",
        "resident_population",
    )
    nurses = catalog["nurses_per_doctor"]
    assert (nurses.scale, nurses.numerator.field, nurses.denominator.field) == (
        "number",
        "nurses",
        "doctors",
    )
    assert catalog["gps_per_10000"].scale == "per_10000"
    assert catalog["emr_level4_share_tertiary"].numerator.where[-1] == Condition(
        "emr_level", ">=", 4
    )
    assert catalog["day_surgery_types_general"].levels == ("facility",)


def test_default_catalog_is_a_copy() -> None:
    first = load_catalog()
    first.pop("primary_visit_share")
    assert "primary_visit_share" in load_catalog()


GOOD = """\
[[indicator]]
id = "ok"
name_zh = "好"
name_en = "Good"
kind = "ratio"
numerator = { field = "total_visits" }
denominator = { field = "total_visits" }
"""
NEEDS = """\
[[indicator]]
id = "ok"
name_zh = "好"
name_en = "Good"
kind = "ratio"
needs = ["households", "public or not"]
needs_zh = ["家庭户数", "是否公立"]
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace('field = "total_visits" }\nden', 'field = "total_vists" }\nden'),
            "{path}:6: ok.numerator.field: 'total_vists' is not a numeric submission field",
        ),
        (
            GOOD.replace('"ratio"', '"ratoi"'),
            "{path}:5: ok.kind: unknown kind 'ratoi' (expected one of ratio, yoy_decline, "
            "yoy_growth, sum, count, facility_share)",
        ),
        (
            GOOD.replace('denominator = { field = "total_visits" }\n', ""),
            "{path}:1: ok.denominator: missing: a ratio indicator needs a denominator",
        ),
        (
            GOOD + 'levels = ["county", "province"]\n',
            "{path}:8: ok.levels: unknown level 'province' (expected facility, county, city)",
        ),
        (GOOD + "\n" + GOOD, "{path}:10: ok.id: duplicate indicator id (first defined on line 2)"),
        (
            GOOD.replace(
                '{ field = "total_visits" }\nden',
                '{ field = "total_visits", where = { org_class = "clinic" } }\nden',
            ),
            "{path}:6: ok.numerator.where.org_class: unknown org_class 'clinic' (expected one of "
            "primary_care, hospital, tcm_institution, tcm_hospital, public_health, other)",
        ),
        (
            GOOD.replace(
                '{ field = "total_visits" }\nden',
                '{ field = "total_visits", where = { area = { ">=" = "城市" } } }\nden',
            ),
            "{path}:6: ok.numerator.where.area: '>=' only compares numbers; area is not numeric",
        ),
        (
            GOOD.replace('kind = "ratio"', 'kind = "ratio"\nneeds = ["x"]\nneeds_zh = ["某"]'),
            "{path}:8: ok.numerator: an indicator with 'needs' cannot be computed: drop "
            "'numerator' (or drop 'needs')",
        ),
        (
            NEEDS.replace('needs_zh = ["家庭户数", "是否公立"]\n', ""),
            "{path}:6: ok.needs_zh: missing: give a Chinese description of each entry of 'needs'",
        ),
        (
            NEEDS.replace('["家庭户数", "是否公立"]', '["家庭户数"]'),
            "{path}:7: ok.needs_zh: 'needs' has 2 entries but needs_zh has 1: give one "
            "Chinese description for each",
        ),
        (
            NEEDS.replace('["家庭户数", "是否公立"]', '["家庭户数", "public or not"]'),
            "{path}:7: ok.needs_zh: entry 2 is not Chinese: 'public or not'",
        ),
        (
            NEEDS.replace('["家庭户数", "是否公立"]', '"家庭户数"'),
            "{path}:7: ok.needs_zh: must be a list of Chinese descriptions of the data it needs",
        ),
        (
            GOOD + 'needs_zh = ["家庭户数"]\n',
            "{path}:8: ok.needs_zh: without 'needs': drop it (or add 'needs')",
        ),
        ("[[indicator]]\nid = \n", "{path}:2: toml: invalid TOML: Invalid value"),
        # the catalog lists the keys rather than guessing one (target files guess)
        (
            GOOD + 'kidn = "ratio"\n',
            "{path}:8: ok.kidn: unknown key (expected one of id, name_zh, name_en, kind, "
            "scale, levels, description, numerator, denominator, needs, needs_zh, "
            "population_denominator)",
        ),
        # an empty name is "missing" here, as is an absent one
        (GOOD.replace('name_zh = "好"', 'name_zh = "  "'), "{path}:3: ok.name_zh: missing"),
        (GOOD.replace('name_en = "Good"\n', ""), "{path}:1: ok.name_en: missing"),
        (GOOD.replace('id = "ok"', "id = 7"), "{path}:2: indicator[1].id: must be a string"),
    ],
)
def test_bad_catalog(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_catalog(path)
    assert str(caught.value).startswith("invalid indicator catalog: " + message.format(path=path))


def test_custom_catalog_loads(tmp_path: Path) -> None:
    path = tmp_path / "indicators.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_catalog(path) == {
        "ok": Indicator(
            id="ok",
            name_zh="好",
            name_en="Good",
            kind="ratio",
            numerator=Measure("total_visits"),
            denominator=Measure("total_visits"),
        )
    }


def test_needs_come_with_their_chinese(tmp_path: Path, catalog: dict[str, Indicator]) -> None:
    path = tmp_path / "indicators.toml"
    path.write_text(NEEDS, encoding="utf-8")
    ok = load_catalog(path)["ok"]
    assert (ok.needs, ok.needs_zh) == (("households", "public or not"), ("家庭户数", "是否公立"))
    needing = [i for i in catalog.values() if i.needs]
    assert len(needing) == 40
    assert all(len(i.needs_zh) == len(i.needs) for i in needing)
    assert not any(i.needs_zh for i in catalog.values() if not i.needs)
    assert catalog["dual_channel_share"].needs_zh == (
        "各县域医共体的牵头医疗机构",
        "这些机构和各三级公立综合医院是否已纳入国家谈判药品“双通道”管理",
    )
