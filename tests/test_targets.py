"""Target files: the bundled sets (domain.md §7), the validator's problems as data, and
the loader."""

# ruff: noqa: E501  (exact Chinese output strings read better unbroken)
from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import pytest

from kpi_audit.core.errors import ConfigError, UsageError
from kpi_audit.core.models import Condition, Indicator, Scope, Target, TargetSet
from kpi_audit.spec.catalog import load_catalog
from kpi_audit.spec.targets import (
    bundled_target_sets,
    find_target_or_set,
    format_requirement,
    load_target_file,
    load_target_sets,
    scope_record,
    target_is_evaluable,
    validate_target_file,
)

FIXTURES = Path(__file__).parent / "fixtures" / "targets"
BUNDLED = ("henan-2021", "quanzhou-2022", "zhejiang-2017", "zhengzhou-2016")


@pytest.fixture(scope="module")
def catalog() -> dict[str, Indicator]:
    return load_catalog()


@pytest.fixture(scope="module")
def bundled(catalog: dict[str, Indicator]) -> dict[str, TargetSet]:
    return {s.name: s for s in load_target_sets(list(BUNDLED), catalog)}


def _target(sets: dict[str, TargetSet], ident: str) -> Target:
    return next(t for s in sets.values() for t in s.targets if t.id == ident)


# ---------------------------------------------------------------- bundled sets


def test_bundled_sets_come_from_the_package() -> None:
    package = Path(str(files("kpi_audit.bundled_targets")))
    sets = bundled_target_sets()
    assert tuple(sets) == BUNDLED
    assert all(path.parent == package for path in sets.values())


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_set_validates(name: str, catalog: dict[str, Indicator]) -> None:
    path = bundled_target_sets()[name]
    assert validate_target_file(path, catalog) == []
    target_set = load_target_file(path, catalog)
    assert target_set.name == name
    assert all(
        t.target_set == name and t.source.clause and t.source.quote for t in target_set.targets
    )


def test_bundled_sizes_and_citations(bundled: dict[str, TargetSet]) -> None:
    assert {n: len(s.targets) for n, s in bundled.items()} == {
        "henan-2021": 5,
        "quanzhou-2022": 22,
        "zhejiang-2017": 4,
        "zhengzhou-2016": 53,
    }
    citations = {n: s.targets[0].source.citation for n, s in bundled.items()}
    assert citations == {
        "zhengzhou-2016": "郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号）",
        "zhejiang-2017": "浙江省医改办关于开展县域医疗服务共同体建设试点工作的指导意见（浙医改办〔2017〕7号）",
        "quanzhou-2022": "泉州市深化医药卫生体制改革2022年重点工作任务（泉医改组〔2022〕2号）",
        "henan-2021": "河南省紧密型县域医共体建设操作规范手册(试行版)",
    }


# (set, indicator) → (operator, threshold, threshold_high, from_year, levels), domain.md §7
PINNED = {
    ("zhengzhou-2016", "primary_visit_share"): (">=", 0.65, None, 2017, ("county", "city")),
    ("zhengzhou-2016", "primary_tcm_share"): (">=", 0.30, None, 2017, ("county", "city")),
    ("zhengzhou-2016", "tertiary_outpatient_decline"): (
        ">=",
        0.10,
        None,
        2017,
        ("facility", "county", "city"),
    ),
    ("zhengzhou-2016", "signing_coverage_urban"): (">=", 0.30, None, 2017, ("county", "city")),
    ("zhengzhou-2016", "signing_coverage_rural"): (">=", 0.80, None, 2017, ("county", "city")),
    ("zhengzhou-2016", "signing_coverage_key"): (">=", 0.60, None, 2017, ("county", "city")),
    ("zhengzhou-2016", "primary_beds_per_1000"): (">=", 1.2, None, 2020, ("county", "city")),
    ("zhengzhou-2016", "tcm_service_share_community_station"): (
        ">=",
        0.85,
        None,
        2017,
        ("county", "city"),
    ),
    ("zhengzhou-2016", "tcm_service_share_village_clinic"): (
        ">=",
        0.70,
        None,
        2017,
        ("county", "city"),
    ),
    ("zhengzhou-2016", "gps_per_10000"): (">=", 2.0, None, 2020, ("county", "city")),
    # “每年增加5-10%”: a floor
    ("zhengzhou-2016", "referral_slots_growth"): (
        ">=",
        0.05,
        None,
        2016,
        ("facility", "county", "city"),
    ),
    ("zhengzhou-2016", "referrals_down_growth"): (
        ">=",
        0.10,
        None,
        2017,
        ("facility", "county", "city"),
    ),
    ("zhengzhou-2016", "tcm_tertiary_appointment_rate"): (
        ">=",
        0.30,
        None,
        2017,
        ("facility", "county", "city"),
    ),
    ("zhejiang-2017", "medical_communities_per_county"): ("<=", 4.0, None, 2018, ("county",)),
    ("zhejiang-2017", "primary_visit_share"): (">=", 0.65, None, 2018, ("county",)),
    ("zhejiang-2017", "signing_coverage"): (">=", 0.50, None, 2018, ("county",)),
    ("quanzhou-2022", "primary_recommended_standard_share"): (
        ">=",
        0.15,
        None,
        2022,
        ("county", "city"),
    ),
    ("quanzhou-2022", "primary_basic_standard_share"): (">=", 0.80, None, 2022, ("county", "city")),
    ("quanzhou-2022", "nurses_per_doctor"): (">=", 2.0, None, 2022, ("county", "city")),
    ("quanzhou-2022", "drg_fund_share"): (">=", 0.30, None, 2022, ("city",)),
    ("quanzhou-2022", "doctors_recruited"): (">=", 1500.0, None, 2022, ("city",)),
    ("henan-2021", "medical_communities_per_county"): ("between", 1.0, 3.0, 2021, ("county",)),
    # “按每床每年3000—5000元的标准”: a floor
    ("henan-2021", "key_discipline_funding_per_bed"): (">=", 3000.0, None, 2021, ("county",)),
}


@pytest.mark.parametrize(("set_name", "indicator"), sorted(PINNED))
def test_pinned_targets(bundled: dict[str, TargetSet], set_name: str, indicator: str) -> None:
    [target] = [t for t in bundled[set_name].targets if t.indicator == indicator]
    assert (
        target.operator,
        target.threshold,
        target.threshold_high,
        target.from_year,
        target.levels,
    ) == PINNED[set_name, indicator]


def test_thresholds_that_change_by_year(bundled: dict[str, TargetSet]) -> None:
    zz = bundled["zhengzhou-2016"]
    in_county = sorted(
        (t.from_year, t.threshold) for t in zz.targets if t.indicator == "in_county_visit_rate"
    )
    assert in_county == [(2017, 0.90), (2020, 0.90)]
    specialties = {
        t.levels: t.threshold
        for t in zz.targets
        if t.indicator == "county_hospital_key_specialties"
    }
    assert specialties == {("county",): 4.0, ("city",): 20.0}


def test_quotes_carry_the_numbers(bundled: dict[str, TargetSet]) -> None:
    assert (
        _target(bundled, "zz2016-primary-visit-share-2017").source.quote
        == "2017年,基层医疗卫生机构诊疗量占总诊疗量比例≥65%。"
    )
    assert "1:2" in _target(bundled, "qz2022-nurses-per-doctor").source.quote
    assert "1—3个" in _target(bundled, "hn2021-medical-communities-per-county").source.quote


def test_evaluable(bundled: dict[str, TargetSet], catalog: dict[str, Indicator]) -> None:
    assert target_is_evaluable(_target(bundled, "zz2016-signing-urban-2017"), catalog) == (True, ())
    evaluable, needs = target_is_evaluable(_target(bundled, "zj2017-in-county-visit-rate"), catalog)
    assert not evaluable and "outside" in needs[0]
    flags = [target_is_evaluable(t, catalog)[0] for s in bundled.values() for t in s.targets]
    # needing data: zhengzhou 19 (in-county ×2, households, standardised ×3, construction,
    # signing term, referral slots, urban alliances, physician registration, the eight
    # 十三五 discipline/specialty counts), zhejiang 2, quanzhou 17, henan 5 = 43; the other
    # 84 − 43 = 41 are measurable (zhengzhou 34, zhejiang 2, quanzhou 5).
    assert (flags.count(True), flags.count(False)) == (41, 43)


def test_format_requirement(bundled: dict[str, TargetSet], catalog: dict[str, Indicator]) -> None:
    def req(ident: str) -> str:
        target = _target(bundled, ident)
        return format_requirement(target, catalog[target.indicator])

    assert req("zz2016-primary-visit-share-2017") == "≥ 65%"
    assert req("zz2016-referral-slots-growth") == "≥ 5%"
    assert req("hn2021-medical-communities-per-county") == "1–3"
    assert req("zz2016-in-county-visit-rate-2017") == "90% ± 2%"
    assert req("zz2016-primary-beds-per-1000-2020") == "≥ 1.2/千人"
    assert req("zz2016-gps-per-10000-2020") == "≥ 2/万人"
    assert req("zj2017-medical-communities-per-county") == "≤ 4"


def test_new_keys_parse(tmp_path: Path, catalog: dict[str, Indicator]) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(
        """[set]
name = "keys"
document = "测试文件"

[[target]]
id = "k-around"
indicator = "primary_visit_share"
operator = "around"
threshold = 0.9
tolerance = 0.02
warn_within = 0.03
binding = false
due = "year_end"
from_year = 2022
until_year = 2022
scope = { area_type = ["县级市", "县"], where = { org_class = { "!=" = "tcm_institution" } } }
clause = "一"
quote = "县域内就诊率提高到90%左右。"
""",
        encoding="utf-8",
    )
    target = load_target_file(path, catalog).targets[0]
    assert (target.operator, target.threshold, target.tolerance) == ("around", 0.9, 0.02)
    assert (target.binding, target.due, target.until_year) == (False, "year_end", 2022)
    assert target.scope.area_type == ("县", "县级市")  # canonical order
    assert target.scope.where == (Condition("org_class", "!=", "tcm_institution"),)
    assert format_requirement(target, catalog["primary_visit_share"]) == "90% ± 2%"
    assert scope_record(target.scope) == {
        "area_type": ["县", "县级市"],
        "where": [{"field": "org_class", "op": "!=", "value": "tcm_institution"}],
    }


def test_defaults_of_the_new_keys(bundled: dict[str, TargetSet]) -> None:
    target = _target(bundled, "zz2016-primary-visit-share-2017")
    assert (target.binding, target.tolerance, target.due) == (True, None, "from")
    assert target.scope == Scope()


# (target) → (operator, tolerance, binding, due, until_year, area types, institution
# conditions): the readings of issue 9, each decided by the sentence quoted in its note
READINGS = {
    # 左右 bands
    "zz2016-in-county-visit-rate-2017": ("around", 0.02, False, "from", None, ("县", "县级市"), ()),
    "zz2016-in-county-visit-rate-2020": ("around", 0.02, False, "from", None, ("县", "县级市"), ()),
    "qz2022-clinical-pathway": ("around", 0.02, True, "from", 2022, (), ()),
    # 力争 / 努力 / 逐步: aspirations
    "zz2016-signing-full-coverage-2020": (">=", None, False, "from", None, (), ()),
    "qz2022-six-centres-coverage": (">=", None, False, "from", 2022, ("县", "县级市"), ()),
    "qz2022-nurses-per-doctor": (">=", None, False, "from", 2022, (), ()),
    "zz2016-tcm-tertiary-outpatient-growth": ("<=", None, False, "from", None, (), ()),
    # deadlines
    "qz2022-recommended-standard": (">=", None, True, "year_end", 2022, (), ()),
    "qz2022-drg-fund-share": (">=", None, True, "from", 2022, (), ()),
    "qz2022-doctors-recruited": (">=", None, True, "year_end", None, (), ()),
    "qz2022-drg-institution-coverage-2024": (">=", None, True, "year_end", None, (), ()),
    "zz2016-primary-visit-share-2017": (">=", None, True, "from", None, (), ()),
    "zz2016-gps-per-10000-2020": (">=", None, True, "year_end", None, (), ()),
    # scopes
    "zz2016-tertiary-outpatient-decline": (
        ">=",
        None,
        True,
        "from",
        None,
        (),
        (Condition("org_class", "!=", "tcm_hospital"),),
    ),
    "zz2016-appointment-rate-tertiary": (">=", None, True, "from", None, ("市辖区",), ()),
    "zz2016-county-tcm-hospital-2a-2017": (
        ">=",
        None,
        True,
        "year_end",
        None,
        ("县", "县级市"),
        (),
    ),
    "zz2016-county-key-specialties": (">=", None, True, "from", None, ("县", "县级市"), ()),
    "hn2021-key-discipline-funding": (">=", None, True, "from", None, ("县", "县级市"), ()),
    "zj2017-in-county-visit-rate": (">=", None, True, "from", None, (), ()),
}


@pytest.mark.parametrize("ident", sorted(READINGS))
def test_readings_of_the_documents(bundled: dict[str, TargetSet], ident: str) -> None:
    t = _target(bundled, ident)
    assert (
        t.operator,
        t.tolerance,
        t.binding,
        t.due,
        t.until_year,
        t.scope.area_type,
        t.scope.where,
    ) == READINGS[ident]


def test_every_aspiration_and_band_says_why(bundled: dict[str, TargetSet]) -> None:
    # a target read as non-binding quotes a 力争 / 努力 / 逐步 sentence, and every band
    # and every changed reading explains itself in its note
    for t in (t for s in bundled.values() for t in s.targets):
        if not t.binding:
            assert any(w in t.source.quote for w in ("力争", "努力", "逐步")), t.id
            assert t.note, t.id
        if t.operator == "around":
            assert "左右" in t.source.quote and "左右" in t.note, t.id
        if t.due == "year_end":
            assert t.note, t.id


def test_work_plan_targets_end_with_2022_unless_their_sentence_says_otherwise(
    bundled: dict[str, TargetSet],
) -> None:
    open_ended = {
        t.id: t.from_year for t in bundled["quanzhou-2022"].targets if t.until_year is None
    }
    assert open_ended == {
        "qz2022-doctors-recruited": 2022,  # 每年
        "qz2022-postgraduate-doctors-recruited": 2022,  # 每年
        "qz2022-medical-communities-criteria": 2025,  # (2021—2025年)
        "qz2022-drg-institution-coverage-2024": 2024,  # 2024年底
        "qz2022-drg-fund-coverage-2024": 2024,
    }


# ---------------------------------------------------------------- bad files

BAD = {
    "toml_syntax_error": "10: toml: invalid TOML: Invalid value",
    "unknown_indicator": "10: t-1.indicator: unknown indicator 'primary_visits_share' "
    "(did you mean 'primary_visit_share'?)",
    "bad_operator": "11: t-1.operator: unknown operator '=>' "
    "(expected one of >=, <=, between, ==, >, <, around)",
    "threshold_not_a_number": "12: t-1.threshold: not a number: '65%'",
    "threshold_looks_like_percentage": "12: t-1.threshold: 65 looks like a percentage: "
    "primary_visit_share is a share, write 0.65 for 65%",
    "between_without_high": "8: t-1.threshold_high: missing: 'between' needs threshold (low) "
    "and threshold_high",
    "between_high_below_low": "13: t-1.threshold_high: 0.05 is below threshold 0.1",
    "from_year_not_a_year": "13: t-1.from_year: not a year: '2024年'",
    "unknown_level": "14: t-1.levels: unknown level 'province' (expected facility, county, city)",
    "level_not_supported": "14: t-1.levels: primary_visit_share is not computed at facility "
    "level (only county, city)",
    "duplicate_target_id": "18: t-ok.id: duplicate target id (first defined on line 8)",
    "missing_clause": "8: t-1.clause: missing",
    "missing_quote": "8: t-1.quote: missing",
    "missing_document": "2: set.document: missing: the title of the policy document",
    "unknown_key": "12: t-1.thresold: unknown key (did you mean 'threshold'?)",
    "ambiguous_from_year": "22: t-again.from_year: same indicator, level, scope and from_year "
    "as t-ok (line 8): which one is in force would be ambiguous",
    "around_without_tolerance": "8: t-1.tolerance: missing: 'around' needs a tolerance, e.g. "
    "tolerance = 0.02 for “90%左右” met between 88% and 92%",
    "tolerance_without_around": "13: t-1.tolerance: only used with operator 'around' (met "
    "within ± tolerance of threshold)",
    "negative_tolerance": "13: t-1.tolerance: must be 0 or more (how far either side still "
    "meets it)",
    "binding_not_a_bool": "14: t-1.binding: must be true or false, not '否' (false: an "
    "aspiration such as 力争, shown as progress and never counted as a failure)",
    "unknown_due": "14: t-1.due: unknown due 'end' (expected 'from': in force from the start "
    "of from_year, or 'year_end': judged on the whole year or its last quarter)",
    "unknown_area_type": "14: t-1.scope.area_type: unknown area type '区' (expected 市辖区, 县, "
    "县级市, 其他; did you mean '市辖区'?)",
    "scope_unknown_key": "14: t-1.scope.area_types: unknown key (did you mean 'area_type'?)",
    "scope_where_unknown_field": "14: t-1.scope.where.grade: unknown field (a submission "
    "field id or org_class)",
}


def test_every_fixture_is_covered() -> None:
    names = {p.stem for p in FIXTURES.glob("*.toml")} - {"valid_custom"}
    assert names == set(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_problem(name: str, catalog: dict[str, Indicator]) -> None:
    path = FIXTURES / f"{name}.toml"
    problems = validate_target_file(path, catalog)
    assert str(problems[0]) == f"{path}:{BAD[name]}"


def test_unknown_key_also_reports_the_missing_one(catalog: dict[str, Indicator]) -> None:
    path = FIXTURES / "unknown_key.toml"
    assert [(p.line, p.key, p.message) for p in validate_target_file(path, catalog)] == [
        (12, "t-1.thresold", "unknown key (did you mean 'threshold'?)"),
        (8, "t-1.threshold", "missing"),
    ]


def test_load_raises_with_the_first_problem_and_a_count(catalog: dict[str, Indicator]) -> None:
    path = FIXTURES / "unknown_key.toml"
    with pytest.raises(ConfigError) as caught:
        load_target_file(path, catalog)
    assert str(caught.value) == (
        f"invalid target file: {path}:12: t-1.thresold: unknown key (did you mean "
        f"'threshold'?) (and 1 more problem; run `kpi-audit targets validate {path}`)"
    )


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        # in a target file an empty required text is "must not be empty", an absent one "missing"
        ('clause = "三"', 'clause = " "', "47: c24-in-county.clause: must not be empty"),
        ('clause = "三"', "clause = 3", "47: c24-in-county.clause: must be a string"),
        ('area = "某县"', "area = 1", "8: set.area: must be a string"),
        ('area = "某县"', 'araa = "某县"', "8: set.araa: unknown key (did you mean 'area'?)"),
        ("[set]", "[meta]", "3: meta: unknown table (expected [set] and [[target]])"),
        (
            "warn_within = 0.03",
            'warn_within = "3%"',
            "16: c24-primary-visit-share.warn_within: not a number: '3%'",
        ),
        (
            'levels = ["county"]',
            'levels = ["county", "village"]',
            "36: c24-referrals-down.levels: unknown level 'village' (expected facility, county, city)",
        ),
        (
            "warn_within = 0.03",
            'levels = ["city", "facility"]',
            "16: c24-primary-visit-share.levels: primary_visit_share is not computed at facility level (only county, city)",
        ),
    ],
)
def test_edited_custom_file_problem(
    tmp_path: Path, catalog: dict[str, Indicator], old: str, new: str, problem: str
) -> None:
    # valid_custom.toml with one line changed (line numbers are that file's)
    text = (FIXTURES / "valid_custom.toml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "custom.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert [str(p) for p in validate_target_file(path, catalog)][:1] == [f"{path}:{problem}"]


def test_missing_set_table_is_reported_at_no_line(
    tmp_path: Path, catalog: dict[str, Indicator]
) -> None:
    text = (FIXTURES / "valid_custom.toml").read_text(encoding="utf-8")
    path = tmp_path / "custom.toml"
    path.write_text(text[text.index("[[target]]") :], encoding="utf-8")
    assert [str(p) for p in validate_target_file(path, catalog)] == [
        f"{path}: set: missing [set] table (name, title, document, number, area)",
        f"{path}: set.document: missing: the title of the policy document",
    ]


def test_unreadable_file(tmp_path: Path, catalog: dict[str, Indicator]) -> None:
    missing = tmp_path / "nope.toml"
    assert [str(p) for p in validate_target_file(missing, catalog)] == [
        f"{missing}: cannot read: No such file or directory"
    ]


# ---------------------------------------------------------------- user files, specs


def test_valid_custom_file(catalog: dict[str, Indicator]) -> None:
    target_set = load_target_file(FIXTURES / "valid_custom.toml", catalog)
    assert (target_set.name, target_set.area) == ("custom-2024", "某县")
    first, second, between, needs = target_set.targets
    assert (first.threshold, first.warn_within, first.from_year, first.levels, first.line) == (
        0.6,
        0.03,
        2024,
        ("county", "city"),
        10,
    )
    assert (second.threshold, second.from_year, second.warn_within) == (0.65, 2025, None)
    assert (between.operator, between.threshold, between.threshold_high, between.levels) == (
        "between",
        0.05,
        0.10,
        ("county",),
    )
    assert (needs.until_year, needs.in_force(2025), needs.in_force(2026)) == (2025, True, False)
    assert (
        first.source.citation
        == "某县卫生健康委员会关于印发2024年基层卫生工作要点的通知（某卫〔2024〕8号）"
    )


def test_specs_mix_names_and_paths(catalog: dict[str, Indicator]) -> None:
    custom = str(FIXTURES / "valid_custom.toml")
    sets = load_target_sets(["zhejiang-2017", custom, custom], catalog)
    assert [s.name for s in sets] == ["zhejiang-2017", "custom-2024"]


def test_unknown_set_name_lists_the_bundled_ones(catalog: dict[str, Indicator]) -> None:
    with pytest.raises(
        ConfigError,
        match="unknown target set 'zhengzhou-2017': bundled sets "
        "are henan-2021, quanzhou-2022, zhejiang-2017, "
        "zhengzhou-2016",
    ):
        load_target_sets(["zhengzhou-2017"], catalog)


def test_missing_path_is_a_config_error(catalog: dict[str, Indicator]) -> None:
    with pytest.raises(ConfigError, match=r"target file not found: \./no/such\.toml"):
        load_target_sets(["./no/such.toml"], catalog)


def test_duplicate_ids_across_sets(tmp_path: Path, catalog: dict[str, Indicator]) -> None:
    copy = tmp_path / "copy.toml"
    text = (FIXTURES / "valid_custom.toml").read_text(encoding="utf-8")
    copy.write_text(text.replace('name = "custom-2024"', 'name = "copy-2024"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="target id 'c24-primary-visit-share' is defined in both"):
        load_target_sets([str(FIXTURES / "valid_custom.toml"), str(copy)], catalog)


def test_same_set_name_twice(tmp_path: Path, catalog: dict[str, Indicator]) -> None:
    copy = tmp_path / "zhejiang-2017.toml"
    shutil.copy(bundled_target_sets()["zhejiang-2017"], copy)
    with pytest.raises(ConfigError, match="two target files define the set 'zhejiang-2017'"):
        load_target_sets(["zhejiang-2017", str(copy)], catalog)


def test_find_target_or_set(catalog: dict[str, Indicator]) -> None:
    found = find_target_or_set("zj2017-signing-coverage", catalog=catalog)
    assert isinstance(found, Target) and found.threshold == 0.5
    assert isinstance(find_target_or_set("henan-2021", catalog=catalog), TargetSet)
    custom = find_target_or_set("c24-in-county", [str(FIXTURES / "valid_custom.toml")], catalog)
    assert isinstance(custom, Target) and custom.target_set == "custom-2024"
    with pytest.raises(UsageError, match="no target set or target with id 'nope'"):
        find_target_or_set("nope", catalog=catalog)
