"""Generate the synthetic city 河川市: quarterly submissions of ~340 institutions in 7
counties/districts, 2023Q1–2024Q4, one file per county per quarter, as offices send
them (title rows, header variants, one CSV, a few bad rows). README.md describes the
design: which county should pass or fail which target.

    python sample_data/generate.py [--out DIR]

Deterministic: a fixed seed and reproducibly written workbooks give the same bytes on
every run. ``DIR/submissions`` and ``DIR/registers`` (the area register and the
institution register) are deleted and rewritten.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kpi_audit.core.fields import FIELDS
from kpi_audit.core.periods import Period
from kpi_audit.ingest.template import build_template, save_reproducible

SEED = 20240930
CITY = "河川市"
PERIODS = tuple(Period(year, q) for year in (2023, 2024) for q in (1, 2, 3, 4))
SEASON = {1: 0.94, 2: 1.00, 3: 1.03, 4: 1.03}  # winter holiday dip in Q1
PRIMARY = ("社区卫生服务中心", "社区卫生服务站", "乡镇卫生院", "村卫生室", "门诊部", "诊所")
SIGNING = ("社区卫生服务中心", "乡镇卫生院")  # the family-doctor teams report population
STAFF = (
    "health_technicians",
    "mid_senior_title_staff",
    "bachelor_staff",
    "college_staff",
    "doctors",
    "nurses",
    "general_practitioners",
)


@dataclass(frozen=True)
class County:
    """The designed values of one county (see README.md)."""

    name: str
    division: str  # fictional 6-digit division code inside the org codes
    urban: bool
    primary_share: float  # Σ primary-care visits / Σ all visits, 2023
    primary_tcm_share: float
    referral_growth: float  # yearly growth of 二三级 hospitals' referrals down
    coverage_urban: float  # signing coverage in 2023Q1; +0.5 point a quarter
    coverage_rural: float
    coverage_key: float
    senior_share: float  # senior titles in county-level hospitals
    chronic_managed: float
    counts: dict[str, int]  # primary-care facilities by type
    streets: tuple[str, ...]  # urban: a community centre per street


# fmt: off
#  name      division  urban  primary tcm  referral cov_urb cov_rur cov_key senior chronic
_DESIGN = (
    ("东湖区", "419902", True,  0.47, 0.27, 0.09, 0.35, 0.50, 0.62, 0.42, 0.52),
    ("西湾区", "419903", True,  0.50, 0.33, 0.12, 0.26, 0.45, 0.56, 0.38, 0.47),
    ("南山区", "419904", True,  0.53, 0.31, 0.14, 0.37, 0.52, 0.66, 0.41, 0.58),
    ("青石县", "419921", False, 0.68, 0.34, 0.13, 0.45, 0.50, 0.64, 0.44, 0.61),
    ("白水县", "419922", False, 0.72, 0.26, 0.08, 0.40, 0.44, 0.57, 0.34, 0.44),
    ("云岭县", "419923", False, 0.78, 0.36, 0.14, 0.48, 0.56, 0.69, 0.41, 0.36),
    ("柳河县", "419924", False, 0.67, 0.29, 0.11, 0.42, 0.49, 0.61, 0.38, 0.49),
)
#            社区卫生服务站 乡镇卫生院 村卫生室 门诊部 诊所
_PRIMARY_COUNTS = {
    "东湖区": (12, 0, 0, 3, 10),
    "西湾区": (10, 1, 5, 2, 8),
    "南山区": (10, 2, 6, 2, 8),
    "青石县": (2, 9, 30, 1, 5),
    "白水县": (2, 8, 28, 1, 5),
    "云岭县": (2, 10, 32, 1, 4),
    "柳河县": (2, 9, 30, 1, 5),
}
_STREETS = {  # an urban district has a 社区卫生服务中心 per street; a county one in 城关
    "东湖区": ("湖滨", "文昌", "望江", "柳荫", "春华", "金桥"),
    "西湾区": ("海棠", "临港", "新月", "翠屏", "白鹭"),
    "南山区": ("松林", "青云", "南苑", "书院", "枫桥"),
}
# fmt: on
COUNTIES = tuple(
    County(
        *row,
        counts=dict(
            zip(
                ("社区卫生服务站", "乡镇卫生院", "村卫生室", "门诊部", "诊所"),
                _PRIMARY_COUNTS[row[0]],
                strict=True,
            )
        ),
        streets=_STREETS.get(row[0], ("城关",)),
    )
    for row in _DESIGN
)


@dataclass(frozen=True)
class HospitalSpec:
    name: str
    org_type: str
    grade: str | None
    size: int  # quarterly visits
    county_level: bool | None = False
    decline: float = 0.0  # tertiary: yearly fall of general outpatient visits
    appointment: float | None = None
    first: Period = PERIODS[0]
    last: Period = PERIODS[-1]
    emr: int | None = None
    telemedicine: bool | None = None


def _county_hospitals(county: str, grade: str = "二级") -> list[HospitalSpec]:
    return [
        HospitalSpec(f"{county}人民医院", "综合医院", grade, 75_000, True),
        HospitalSpec(f"{county}中医院", "中医医院", "二级", 42_000, True),
        HospitalSpec(f"{county}妇幼保健院", "妇幼保健院", "二级", 18_000),
        HospitalSpec(f"{county}疾病预防控制中心", "专业公共卫生机构", None, 2_000, None),
        HospitalSpec(f"{county}博爱医院", "综合医院", "一级", 8_000),
        HospitalSpec(f"{county}骨科医院", "专科医院", "未定级", 4_000),
    ]


HOSPITALS: dict[str, list[HospitalSpec]] = {
    "东湖区": [
        HospitalSpec(
            "河川市第一人民医院", "综合医院", "三级", 260_000, decline=0.125, appointment=0.57
        ),
        HospitalSpec(
            "河川市中心医院", "综合医院", "三级", 210_000, decline=0.115, appointment=0.54
        ),
        HospitalSpec("东湖区人民医院", "综合医院", "二级", 70_000, True),
        HospitalSpec("河川市口腔医院", "专科医院", "二级", 30_000),
        HospitalSpec("东湖仁爱医院", "综合医院", "一级", 9_000),
        HospitalSpec("河川康复医院", "专科医院", "未定级", 5_000),
        HospitalSpec("河川市妇幼保健院", "妇幼保健院", "二级", 60_000),
        HospitalSpec("河川市疾病预防控制中心", "专业公共卫生机构", None, 4_000, None),
    ],
    "西湾区": [
        HospitalSpec(
            "河川市第二人民医院", "综合医院", "三级", 220_000, decline=0.05, appointment=0.45
        ),
        HospitalSpec(
            "河川市西湾医院", "综合医院", "三级", 90_000, appointment=0.40, first=Period(2024, 1)
        ),
        HospitalSpec("西湾区人民医院", "综合医院", "二级", 65_000, True),
        HospitalSpec("河川市中西医结合医院", "中西医结合医院", "二级", 40_000),
        HospitalSpec("河川市精神卫生中心", "专科医院", "二级", 15_000),
        HospitalSpec("西湾区妇幼保健院", "妇幼保健院", "二级", 25_000),
        HospitalSpec("西湾安康医院", "综合医院", "一级", 7_000),
        HospitalSpec("西湾区疾病预防控制中心", "专业公共卫生机构", None, 2_500, None),
    ],
    "南山区": [
        HospitalSpec("河川市中医院", "中医医院", "三级", 150_000, decline=0.11, appointment=0.34),
        HospitalSpec(
            "河川市南山医院",
            "综合医院",
            "三级",
            160_000,
            decline=0.13,
            appointment=0.54,
            last=Period(2024, 3),
            emr=3,
            telemedicine=False,
        ),
        HospitalSpec("南山区人民医院", "综合医院", "二级", 60_000, True),
        HospitalSpec("南山区妇幼保健院", "妇幼保健院", "二级", 22_000),
        HospitalSpec("南山明德医院", "综合医院", "一级", 6_000),
        HospitalSpec("河川市急救中心", "专业公共卫生机构", None, 3_000, None),
    ],
    "青石县": [
        HospitalSpec(
            "青石县人民医院", "综合医院", "三级", 120_000, True, decline=0.04, appointment=0.38
        ),
        *_county_hospitals("青石县")[1:],
    ],
    "白水县": _county_hospitals("白水县"),
    "云岭县": [
        *_county_hospitals("云岭县"),
        HospitalSpec("云岭县民族医院", "民族医院", "二级", 20_000, True),
        HospitalSpec("河川市职工疗养院", "其他", None, 3_000, None),
    ],
    "柳河县": [
        *_county_hospitals("柳河县"),
        HospitalSpec("柳河县第二人民医院", "综合医院", "二级", 38_000, True),
    ],
}

# Facilities that did not report one quarter (by name); the two hospitals that open and
# close are in HOSPITALS (first/last).
MISSING = {
    ("东湖区张记诊所", Period(2023, 3)),
    ("柳河县城关街道1号社区卫生服务站", Period(2024, 3)),
}
# Plus, chosen by position so the names need not be known here: the 3rd 村卫生室 of 白水县
# (2024Q2) and the 4th 乡镇卫生院 of 云岭县 (2024Q3) — see _missing().

REMARKS = {
    ("河川市西湾医院", Period(2024, 1)): "2024年1月新开业",
    ("河川市南山医院", Period(2024, 3)): "第四季度起停业改造",
    ("南山区人民医院", Period(2023, 2)): "本季度门诊楼改造，部分科室停诊一个月",
}
CLOSURES = {("南山区人民医院", Period(2023, 2)): 0.75}  # share of the quarter open


@dataclass
class Institution:
    code: str
    name: str
    county: County
    org_type: str
    grade: str | None
    area: str
    size: float  # quarterly visits before season and trend
    growth: float = 0.0  # yearly trend of total visits
    spec: HospitalSpec | None = None
    tcm_share: float = 0.0
    outpatient_share: float | None = None
    appointment_rate: float | None = None
    population: int | None = None
    coverage: float = 0.0
    key_share: float = 0.0
    key_coverage: float = 0.0
    chronic_patients: int | None = None
    chronic_managed: float = 0.0
    static: dict[str, object] = field(default_factory=dict)  # values fixed per year


# ---------------------------------------------------------------- institutions


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(prefix: str, division: str, rng: random.Random) -> str:
    """An 18-character 统一社会信用代码-shaped code with a valid check character."""
    body = prefix + division + "".join(rng.choices("0123456789", k=8)) + rng.choice(_USCC_CHARS)
    return body + uscc_check_char(body)


def uscc_check_char(body: str) -> str:
    """The 18th character of a 统一社会信用代码 (GB 32100-2015) from the first 17."""
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(body, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def _place_names(rng: random.Random, n: int, first: str, second: str) -> list[str]:
    pool = [a + b for a in first for b in second]
    return rng.sample(pool, n)


def _hospital(spec: HospitalSpec, county: County, rng: random.Random) -> Institution:
    """A hospital, 妇幼保健院, public-health or other institution (not primary care)."""
    public_health = spec.org_type == "专业公共卫生机构"
    tertiary = spec.grade == "三级"
    secondary_up = spec.grade in ("三级", "二级")
    general = spec.org_type == "综合医院"
    public = secondary_up or spec.org_type in ("专业公共卫生机构", "其他")
    inst = Institution(
        uscc("12" if public else "91", county.division, rng),
        spec.name,
        county,
        spec.org_type,
        spec.grade,
        "城市",
        spec.size,
        spec=spec,
        growth=-0.03 if tertiary else 0.02,
    )
    inst.tcm_share = {
        "中医医院": 0.68,
        "中西医结合医院": 0.45,
        "民族医院": 0.55,
        "综合医院": 0.05,
        "妇幼保健院": 0.03,
        "其他": 0.2,
    }.get(spec.org_type, 0.0)
    beds = {"三级": spec.size // 250, "二级": spec.size // 150, "一级": 60, "未定级": 40}
    n_beds = 150 if spec.org_type == "其他" else beds.get(spec.grade or "", 0)
    technicians = round(n_beds * (1.6 if tertiary else 1.4)) or rng.randint(80, 150)
    senior = county.senior_share if spec.county_level else 0.34 if tertiary else 0.18
    inst.static = {
        "beds": n_beds,
        **_staff(
            technicians,
            rng,
            senior=senior,
            bachelor=0.7 if tertiary else 0.4,
            college=0.9,
            doctors=0.38,
            nurses=0.47,
        ),
        "county_level_hospital": spec.county_level,
        "provides_tcm": spec.org_type not in ("专科医院", "专业公共卫生机构"),
    }
    if public_health:  # no clinical departments: the hospital-only fields stay blank
        inst.static["general_practitioners"] = 0
        return inst
    inst.outpatient_share = 0.55 if tertiary else rng.uniform(0.5, 0.65)
    inst.appointment_rate = spec.appointment or (
        rng.uniform(0.22, 0.32) if spec.grade == "二级" else rng.uniform(0.08, 0.14)
    )
    if tertiary:
        gps, surgery, specialties, emr = (
            rng.randint(8, 15),
            rng.randint(12, 20),
            rng.randint(8, 15),
            rng.randint(4, 5),
        )
    elif secondary_up:
        gps, surgery, specialties, emr = (
            rng.randint(3, 8),
            rng.randint(3, 9),
            rng.randint(1, 6),
            rng.randint(2, 4),
        )
    else:
        gps, surgery, specialties, emr = 1, 0, 0, 1
    if not general:
        gps = 0 if not secondary_up else gps // 3
        surgery = min(surgery, rng.randint(1, 4))
    inst.static |= {
        "general_practitioners": gps,
        "day_surgery_types": surgery,
        "key_specialties": specialties,
        # the county-level programme's specialties (县级临床重点专科数): county hospitals
        "county_key_specialties": specialties if spec.county_level else None,
        "emr_level": spec.emr or emr,
        "on_referral_platform": secondary_up and spec.name != "白水县中医院",
        "provides_telemedicine": (
            spec.telemedicine
            if spec.telemedicine is not None
            else tertiary or (secondary_up and rng.random() < 0.7)
        ),
    }
    return inst


def _staff(
    technicians: int,
    rng: random.Random,
    *,
    senior: float,
    bachelor: float,
    college: float,
    doctors: float,
    nurses: float,
) -> dict[str, int]:
    def part(share: float) -> int:
        return min(technicians, round(technicians * share * rng.uniform(0.92, 1.08)))

    bachelors = part(bachelor)
    return {
        "health_technicians": technicians,
        "mid_senior_title_staff": part(senior),
        "bachelor_staff": bachelors,
        "college_staff": max(bachelors, part(college)),
        "doctors": part(doctors),
        "nurses": part(nurses),
    }


def _primary_facilities(county: County, rng: random.Random) -> list[Institution]:
    c, d = county.name, county.division
    out: list[Institution] = []

    def add(
        name: str,
        org_type: str,
        area: str,
        size: float,
        prefix: str = "12",
        code: str | None = None,
    ) -> Institution:
        inst = Institution(
            code or uscc(prefix, d, rng),
            name,
            county,
            org_type,
            None,
            area,
            size * rng.uniform(0.7, 1.3),
            growth=0.03,
        )
        out.append(inst)
        return inst

    for street in county.streets:
        add(f"{c}{street}街道社区卫生服务中心", "社区卫生服务中心", "城市", 30_000)
    communities = _place_names(
        rng, county.counts["社区卫生服务站"], "和平安康福新华兴永", "园苑里坊庭湾"
    )
    for i, community in enumerate(communities):
        where = community if county.urban else f"城关街道{i + 1}号"
        add(f"{c}{where}社区卫生服务站", "社区卫生服务站", "城市", 6_000)
    towns = _place_names(
        rng, county.counts["乡镇卫生院"], "桃杏石柏桂兰茶竹凤鹤龙双", "溪源坪岭口坝桥冲岗台塘"
    )
    for town in towns:
        add(f"{c}{town}镇卫生院", "乡镇卫生院", "农村", 18_000)
    villages = _place_names(
        rng,
        county.counts["村卫生室"],
        "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗",
        "庄营寨店铺沟湾坡岗",
    )
    for i, village in enumerate(villages):
        town = towns[i % len(towns)]
        # Village clinics carry a local 18-digit registration number: leading zeros.
        code = f"00{d}{i % len(towns) + 1:02d}{i + 1:04d}{rng.randint(0, 9999):04d}"
        add(f"{c}{town}镇{village}村卫生室", "村卫生室", "农村", 2_200, code=code)
    for brand in _place_names(rng, county.counts["门诊部"], "仁康济安惠", "德和民泰"):
        add(f"{c}{brand}门诊部", "门诊部", "城市", 6_000, prefix="91")
    surnames = ["张", *rng.sample("王李刘陈杨赵黄周吴徐孙马朱胡郭", county.counts["诊所"] - 1)]
    for i, surname in enumerate(surnames):
        tcm = i % 3 == 1
        name = f"{c}{surname}氏中医诊所" if tcm else f"{c}{surname}记诊所"
        area = "城市" if county.urban or i % 2 == 0 else "农村"
        add(name, "诊所", area, 2_500, prefix="92")
    return out


def _primary_details(inst: Institution, rng: random.Random) -> None:
    """Appointments, outpatient share, population, staff, booleans of one primary
    facility (the designed ratios are normalised per county afterwards)."""
    t = inst.org_type
    county = inst.county
    inst.outpatient_share = 1.0 if t == "村卫生室" else rng.uniform(0.85, 0.95)
    inst.appointment_rate = {
        "社区卫生服务中心": 0.12,
        "乡镇卫生院": 0.05,
        "社区卫生服务站": 0.04,
        "门诊部": 0.08,
    }.get(t)
    tcm_odds = {
        "社区卫生服务中心": 1.0,
        "乡镇卫生院": 1.0,
        "社区卫生服务站": 0.88,
        "村卫生室": 0.6 if county.name == "白水县" else 0.75,
        "门诊部": 0.5,
    }
    provides_tcm = "中医" in inst.name if t == "诊所" else rng.random() < tcm_odds[t]
    technicians = {
        "社区卫生服务中心": (40, 90),
        "乡镇卫生院": (25, 70),
        "社区卫生服务站": (4, 9),
        "村卫生室": (1, 3),
        "门诊部": (10, 25),
        "诊所": (2, 5),
    }[t]
    n = rng.randint(*technicians)
    signing = t in SIGNING
    inst.static = {
        "beds": rng.randint(20, 50)
        if t == "社区卫生服务中心"
        else rng.randint(30, 90)
        if t == "乡镇卫生院"
        else 0,
        **_staff(
            n,
            rng,
            senior=rng.uniform(0.08, 0.24) if signing else 0.05,
            bachelor=0.42 if t == "社区卫生服务中心" else 0.22,
            college=rng.uniform(0.42, 0.72),
            doctors=0.9 if t == "村卫生室" else 0.4,
            nurses=0.0 if t == "村卫生室" else 0.34,
        ),
        "general_practitioners": (
            rng.randint(6, 12)
            if t == "社区卫生服务中心"
            else rng.randint(1, 4)
            if t == "乡镇卫生院"
            else rng.randint(1, 2)
            if t == "社区卫生服务站"
            else 0
        ),
        "provides_tcm": provides_tcm,
    }
    if signing:
        basic = rng.random() < 0.85
        inst.static |= {
            "meets_basic_standard": basic,
            "meets_recommended_standard": basic and county.name != "柳河县" and rng.random() < 0.25,
            "on_referral_platform": rng.random() < (0.65 if county.name == "柳河县" else 0.9),
            "provides_telemedicine": rng.random() < 0.5,
        }
        urban = inst.area == "城市"
        inst.population = (
            rng.randint(45_000, 80_000)
            if urban and county.urban
            else rng.randint(50_000, 70_000)
            if urban
            else rng.randint(18_000, 40_000)
        )
        inst.key_share = rng.uniform(0.24, 0.30)
        inst.chronic_patients = round(inst.population * rng.uniform(0.10, 0.13))


def _normalise(
    insts: list[Institution],
    weight: Callable[[Institution], float],
    target: float,
    rng: random.Random,
    spread: float = 0.12,
) -> list[float]:
    """Values around ``target``, one per institution, whose ``weight``-weighted mean is
    exactly ``target`` — so the county aggregate is the designed value."""
    if not insts:
        return []
    jitter = [rng.uniform(1 - spread, 1 + spread) for _ in insts]
    total = sum(weight(i) for i in insts)
    scale = total / sum(weight(i) * j for i, j in zip(insts, jitter, strict=True))
    return [target * j * scale for j in jitter]


def build_city(rng: random.Random) -> list[Institution]:
    """Every institution of 河川市, with its designed rates calibrated per county."""
    city: list[Institution] = []
    for county in COUNTIES:
        hospitals = [_hospital(spec, county, rng) for spec in HOSPITALS[county.name]]
        primary = _primary_facilities(county, rng)
        for inst in primary:
            _primary_details(inst, rng)
        if county.name == "白水县":  # against the targets "every 乡镇卫生院 …"
            towns = [p for p in primary if p.org_type == "乡镇卫生院"]
            towns[0].static["provides_tcm"] = False
            towns[1].static["general_practitioners"] = 0
        # Scale primary care so that its share of 2023 visits is the designed one.
        others = sum(h.size for h in hospitals if h.spec and h.spec.first.year == 2023)
        scale = (
            county.primary_share
            / (1 - county.primary_share)
            * others
            / sum(p.size for p in primary)
        )
        for inst in primary:
            inst.size *= scale
        providers = [p for p in primary if p.static["provides_tcm"]]
        share = (
            county.primary_tcm_share * sum(p.size for p in primary) / sum(p.size for p in providers)
        )
        for inst, value in zip(
            providers, _normalise(providers, lambda i: i.size, share, rng), strict=True
        ):
            inst.tcm_share = value
        signing = [p for p in primary if p.population]
        for area, coverage in (("城市", county.coverage_urban), ("农村", county.coverage_rural)):
            group = [p for p in signing if p.area == area]
            # A narrow spread: rural coverage is close to 1 and must stay below it.
            for inst, value in zip(
                group,
                _normalise(group, lambda i: i.population or 0, coverage, rng, spread=0.06),
                strict=True,
            ):
                inst.coverage = value
        for inst, value in zip(
            signing,
            _normalise(
                signing, lambda i: (i.population or 0) * i.key_share, county.coverage_key, rng
            ),
            strict=True,
        ):
            inst.key_coverage = value
        for inst, value in zip(
            signing,
            _normalise(signing, lambda i: i.chronic_patients or 0, county.chronic_managed, rng),
            strict=True,
        ):
            inst.chronic_managed = value
        city += hospitals + primary
    if len({i.code for i in city}) != len(city):  # pragma: no cover - a seed change
        raise RuntimeError("org_code collision: change SEED")
    return city


# ---------------------------------------------------------------- quarterly rows


def _missing(city: list[Institution]) -> set[tuple[str, Period]]:
    def nth(county: str, org_type: str, n: int) -> str:
        return [i.name for i in city if i.county.name == county and i.org_type == org_type][n]

    names = {i.name for i in city}
    if unknown := {name for name, _ in MISSING | set(REMARKS) if name not in names}:
        raise RuntimeError(f"MISSING/REMARKS name no institution: {sorted(unknown)}")
    return MISSING | {
        (nth("白水县", "村卫生室", 2), Period(2024, 2)),
        (nth("云岭县", "乡镇卫生院", 3), Period(2024, 3)),
    }


def report(inst: Institution, period: Period, rng: random.Random) -> dict[str, object]:
    """One institution's row for one quarter (field id → value; None = blank)."""
    q = period.quarter or 1
    t = (period.year - 2023) + (q - 1) / 4  # years since 2023Q1
    open_share = CLOSURES.get((inst.name, period), 1.0)
    total = round(
        inst.size * SEASON[q] * (1 + inst.growth) ** t * rng.uniform(0.97, 1.03) * open_share
    )
    spec = inst.spec
    tertiary = spec is not None and spec.grade == "三级"
    if inst.outpatient_share is None:
        outpatient = None
    elif tertiary and spec is not None:
        # The designed decline: general outpatient visits fall by `decline` a year.
        outpatient = round(
            inst.size * 0.55 * SEASON[q] * (1 - spec.decline) ** t * rng.uniform(0.985, 1.015)
        )
    else:
        outpatient = round(total * inst.outpatient_share)
    row: dict[str, object] = dict.fromkeys(f.id for f in FIELDS)
    row |= {
        "org_code": inst.code,
        "org_name": inst.name,
        "city": CITY,
        "county": inst.county.name,
        "org_type": inst.org_type,
        "hospital_grade": inst.grade,
        "area": inst.area,
        "period": period,
        "total_visits": total,
        "tcm_visits": round(total * inst.tcm_share * rng.uniform(0.98, 1.02)),
        "general_outpatient_visits": outpatient,
        "appointment_visits": (
            None
            if inst.appointment_rate is None
            else round(total * inst.appointment_rate * rng.uniform(0.97, 1.03))
        ),
        **_referrals(inst, total, t, q, rng),
    }
    if inst.population:
        quarters = t * 4  # coverage is a stock: it creeps up half a point a quarter
        population = round(inst.population * (1.005 if period.year == 2024 else 1.0))
        key_population = round(population * inst.key_share)
        row |= {
            "resident_population": population,
            "signed_residents": round(population * (inst.coverage + 0.005 * quarters)),
            "key_population": key_population,
            "key_signed": round(key_population * (inst.key_coverage + 0.004 * quarters)),
            "chronic_patients": inst.chronic_patients,
            "chronic_managed": round((inst.chronic_patients or 0) * inst.chronic_managed),
        }
    bump = 1.03 if period.year == 2024 else 1.0
    row |= {
        k: round(v * bump) if k in STAFF and isinstance(v, int) else v
        for k, v in inst.static.items()
    }
    return row


def _referrals(
    inst: Institution, total: int, t: float, q: int, rng: random.Random
) -> dict[str, int | None]:
    spec = inst.spec
    if spec is None:
        up = {
            "社区卫生服务中心": 0.012,
            "乡镇卫生院": 0.015,
            "社区卫生服务站": 0.008,
            "村卫生室": 0.02,
            "门诊部": 0.005,
        }.get(inst.org_type)
        return {"referrals_up": None if up is None else round(total * up), "referrals_down": None}
    if spec.org_type == "专业公共卫生机构":
        return {"referrals_up": None, "referrals_down": None}
    secondary_up = spec.grade in ("三级", "二级")
    rate = 0.006 if spec.grade == "三级" else 0.008 if secondary_up else 0.002
    growth = (1 + inst.county.referral_growth) ** t if secondary_up else 1.0
    down = spec.size * rate * growth * SEASON[q] * rng.uniform(0.98, 1.02)
    up = {"三级": 0.0004, "二级": 0.003}.get(spec.grade or "", 0.01)
    return {"referrals_up": round(total * up), "referrals_down": round(down)}


# ---------------------------------------------------------------- planted anomalies
# What the data-quality review (kpi-audit quality) must find; README.md lists them.
# Applied to the rows as reported, after every random draw, so nothing else moves.

_COUNTS = ("total_visits", "tcm_visits", "general_outpatient_visits")
_COPIED = (*_COUNTS, "appointment_visits", "referrals_up", "referrals_down")
PLANTED_PERIOD = Period(2024, 3)


def _nth(rows: list[dict[str, object]], org_type: str, n: int = 0) -> dict[str, object]:
    return [r for r in rows if r["org_type"] == org_type][n]


def _ten_times_the_usual(rows: list[dict[str, object]]) -> None:
    """白水县's first 村卫生室 reports ten times its usual visits (outlier + jump)."""
    clinic = _nth(rows, "村卫生室")
    for f in _COUNTS:
        clinic[f] = int(clinic[f]) * 10  # type: ignore[call-overload]


def _referrals_jump(rows: list[dict[str, object]]) -> None:
    """南山区人民医院's referrals up ×4 against 2024Q2 (a jump; not an outlier field, and
    no target reads it)."""
    hospital = next(r for r in rows if r["org_name"] == "南山区人民医院")
    hospital["referrals_up"] = int(hospital["referrals_up"]) * 4  # type: ignore[call-overload]


def _copied_last_quarter(rows: list[dict[str, object]], previous: dict[object, dict]) -> None:
    """云岭县's 2nd 乡镇卫生院 sends its 2024Q2 counts again."""
    centre = _nth(rows, "乡镇卫生院", 1)
    centre.update({f: previous[centre["org_code"]][f] for f in _COPIED})


def _copied_other_clinic(rows: list[dict[str, object]]) -> None:
    """柳河县's 2nd 村卫生室 reports exactly the counts of its 1st."""
    first, second = _nth(rows, "村卫生室", 0), _nth(rows, "村卫生室", 1)
    second.update({f: first[f] for f in _COPIED})


def _signing_drive(rows: list[dict[str, object]]) -> None:
    """青石县 reports a signing drive: signed residents ×1.45 in one quarter, key
    populations unchanged (consistency over time, and key below overall coverage)."""
    for r in rows:
        if r["signed_residents"] is not None:
            signed = round(int(r["signed_residents"]) * 1.45)  # type: ignore[call-overload]
            r["signed_residents"] = min(signed, int(r["resident_population"]))  # type: ignore[call-overload]


def _tcm_hospital_low(rows: list[dict[str, object]]) -> None:
    """柳河县中医院 counts only 4% of its visits as TCM, every quarter: below the 5% of
    the county's general hospitals (related data)."""
    hospital = next(r for r in rows if r["org_name"] == "柳河县中医院")
    hospital["tcm_visits"] = round(int(hospital["total_visits"]) * 0.04)  # type: ignore[call-overload]


# Counties whose 村卫生室 also report their village's residents — already counted by the
# 乡镇卫生院 above them, as real submissions do — with 0 signed (the township's team holds
# the contracts): facility-summed populations count those villages twice and understate
# coverage; the area register counts every resident once.
OVERLAPPING_COUNTIES = ("白水县", "柳河县")


def _village_populations(rows: list[dict[str, object]]) -> None:
    """Each 村卫生室 of the county reports 1,800–2,699 服务常住人口 (by its position, so no
    random draw moves) and 0 signed residents; no key populations."""
    villages = [r for r in rows if r["org_type"] == "村卫生室"]
    for i, r in enumerate(villages):
        r["resident_population"] = 1_800 + (i * 137) % 900
        r["signed_residents"] = 0


def plant_quality_anomalies(
    period: Period, county: str, rows: list[dict[str, object]], previous: dict[object, dict]
) -> None:
    if county in OVERLAPPING_COUNTIES:
        _village_populations(rows)
    if county == "柳河县":
        _tcm_hospital_low(rows)
    if period != PLANTED_PERIOD:
        return
    if county == "白水县":
        _ten_times_the_usual(rows)
    elif county == "南山区":
        _referrals_jump(rows)
    elif county == "云岭县":
        _copied_last_quarter(rows, previous)
    elif county == "柳河县":
        _copied_other_clinic(rows)
    elif county == "青石县":
        _signing_drive(rows)


# ---------------------------------------------------------------- files


@dataclass(frozen=True)
class FileStyle:
    """How one county office lays out its file."""

    headers: str = "zh"  # zh | zh_hant | en | unit_fullwidth | unit_spaced | template
    title: bool = True  # merged title row + blank row above the header
    period_spelling: Callable[[Period], str] = str
    numbers_as_text: bool = False  # "12,345"
    remarks: bool = True
    csv: bool = False  # GB18030 CSV instead of xlsx
    row_errors: bool = False
    period_first: bool = False
    sheet: str = "报表"


_SPELLINGS: dict[str, Callable[[Period], str]] = {
    "西湾区": lambda p: p.label_zh,
    "云岭县": lambda p: p.label_zh,
    "青石县": lambda p: f"{p.year}年第{p.quarter}季度",
    "柳河县": lambda p: f"{p.year}-Q{p.quarter}",
}


def file_style(county: str, period: Period) -> FileStyle:
    base = FileStyle(period_spelling=_SPELLINGS.get(county, str))
    key = (county, str(period))
    if county == "柳河县":
        base = FileStyle(
            title=False, period_first=True, sheet="Sheet1", period_spelling=base.period_spelling
        )
    if county == "西湾区" and period.year == 2023:
        return FileStyle(headers="unit_spaced", period_spelling=base.period_spelling)
    if county == "青石县" and period.year == 2024:
        return FileStyle(headers="unit_fullwidth", period_spelling=base.period_spelling)
    variants = {
        ("云岭县", "2023Q4"): FileStyle(
            headers="zh_hant", period_spelling=base.period_spelling, sheet="報表"
        ),
        ("南山区", "2023Q1"): FileStyle(headers="en", remarks=False, sheet="data"),
        ("白水县", "2023Q2"): FileStyle(csv=True, title=False),
        ("东湖区", "2024Q2"): FileStyle(numbers_as_text=True),
        ("东湖区", "2024Q4"): FileStyle(headers="template", title=False, remarks=False),
        ("南山区", "2024Q3"): FileStyle(row_errors=True),
    }
    return variants.get(key, base)


def header_text(field_id: str, style: str) -> str:
    f = next(f for f in FIELDS if f.id == field_id)
    if style == "zh_hant":
        return f.zh_hant
    if style == "en":
        return f.id
    if style == "unit_fullwidth" and f.unit:
        return f.zh.replace("(", "（").replace(")", "）") + f"（{f.unit}）"
    if style == "unit_spaced":
        return f" {f.zh}({f.unit}) " if f.unit else f" {f.zh} "
    return f.zh


def cell_value(value: object, field_id: str, style: FileStyle) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Period):
        return style.period_spelling(value)
    if isinstance(value, int) and style.numbers_as_text:
        return f"{value:,}"
    return value


def inject_row_errors(rows: list[dict[str, object]]) -> None:
    """The few bad rows of one file (README.md lists them)."""

    def first(org_type: str, n: int = 0) -> dict[str, object]:
        return [r for r in rows if r["org_type"] == org_type][n]

    first("社区卫生服务中心")["org_type"] = "社区卫生服务中"  # typo
    clinic = first("诊所")
    clinic["tcm_visits"] = int(clinic["total_visits"]) + 57  # type: ignore[call-overload]
    first("社区卫生服务站")["referrals_up"] = -3
    first("村卫生室", 1)["org_code"] = first("村卫生室", 0)["org_code"]  # duplicated code


def write_file(
    path: Path, county: str, period: Period, rows: list[dict[str, object]], style: FileStyle
) -> None:
    ids = [f.id for f in FIELDS]
    if style.period_first:
        ids = ["period", *(i for i in ids if i != "period")]
    table = [
        [cell_value(r[i], i, style) for i in ids] + ([r.get("remark")] if style.remarks else [])
        for r in rows
    ]
    headers = [header_text(i, style.headers) for i in ids] + (["备注"] if style.remarks else [])
    if style.csv:
        with path.open("w", encoding="gb18030", newline="") as fh:
            csv.writer(fh).writerows(
                [headers, *([("" if v is None else v) for v in row] for row in table)]
            )
        return
    if style.headers == "template":
        wb = build_template()  # an office that used kpi-audit's own template
        ws = wb.active
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = style.sheet
        if style.title:
            ws.append([f"{CITY}{county}{period.label_zh}医疗机构运行情况报表"])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
            ws["A1"].font = Font(bold=True, size=14)
            ws["A1"].alignment = Alignment(horizontal="center")
            ws.append([])
        ws.append(headers)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    assert ws is not None
    for row in table:
        ws.append(row)
    save_reproducible(wb, path)


def county_quarters(seed: int = SEED) -> Iterator[tuple[Period, County, list[dict[str, object]]]]:
    """Every county's rows for every quarter, as the institutions would report them
    (before the county office lays out its file)."""
    rng = random.Random(seed)
    city = build_city(rng)
    missing = _missing(city)
    previous: dict[object, dict[str, object]] = {}
    for period in PERIODS:
        for county in COUNTIES:
            rows = [
                report(inst, period, rng) | {"remark": REMARKS.get((inst.name, period))}
                for inst in city
                if inst.county is county and _reports(inst, period, missing)
            ]
            plant_quality_anomalies(period, county.name, rows, previous)
            previous.update({r["org_code"]: dict(r) for r in rows})
            yield period, county, rows


def generate(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write every county-quarter file under ``out_dir/submissions``; the paths written."""
    target = out_dir / "submissions"
    if target.exists():
        shutil.rmtree(target)
    written: list[Path] = []
    for period, county, rows in county_quarters(seed):
        style = file_style(county.name, period)
        if style.row_errors:
            inject_row_errors(rows)
        folder = target / str(period)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{CITY}_{county.name}_{period}{'.csv' if style.csv else '.xlsx'}"
        write_file(path, county.name, period, rows, style)
        written.append(path)
    return written


# ---------------------------------------------------------------- registers

REGISTER_YEARS = (2023, 2024)
# Residents the family-doctor teams do not list (migrants, the newly arrived): the
# register's 常住人口 is the teams' Σ 服务常住人口 of the year's third quarter × this.
UNLISTED = 1.04
PERSONS_PER_HOUSEHOLD = 2.62  # 河南 2020 census: 2.62 persons per family household
# Register-only institutions (they send no submission): one that never reports, one
# that closed in 2024Q2 (its earlier rows are not in the sample, so that the sample's
# submissions — and the values pinned on them — stay as they were).
EXTRA_INSTITUTIONS = (
    ("西湾区", "西湾区仁和诊所", "诊所", "92", None, None),
    ("东湖区", "东湖区康宁诊所", "诊所", "92", None, "2024Q2"),
)
AREA_HEADERS = ("行政区划代码", "区县名称", "所属市", "区划类型", "年度", "常住人口",
                "城镇常住人口", "农村常住人口", "重点人群数", "家庭户数")  # fmt: skip
INSTITUTION_HEADERS = ("机构代码", "机构名称", "所属区县", "所属市", "机构类别", "医院等级",
                       "主办性质", "应报起始期", "应报截止期")  # fmt: skip


def area_rows(seed: int = SEED) -> list[tuple[object, ...]]:
    """The area register: one row per county and year, from each signing institution's
    latest 服务常住人口 of the year × UNLISTED. 区划类型 is left blank (kpi-audit takes it
    from the code: 02–20 市辖区, 21–80 县) except for one stated row."""
    latest: dict[tuple[object, int], tuple[str, str, int, int]] = {}
    for period, county, rows in county_quarters(seed):  # in time order: the latest wins
        for r in rows:
            pop, key = r.get("resident_population"), r.get("key_population")
            if isinstance(pop, int) and isinstance(key, int):
                latest[(r["org_code"], period.year)] = (county.name, str(r["area"]), pop, key)
    sums: dict[tuple[str, int, str], int] = {}
    for (_, year), (name, area, pop, key) in latest.items():
        for k, v in (((name, year, area), pop), ((name, year, "key"), key)):
            sums[k] = sums.get(k, 0) + v
    out: list[tuple[object, ...]] = []
    for year in REGISTER_YEARS:
        for county in COUNTIES:
            urban, rural, key = (
                round(sums.get((county.name, year, a), 0) * UNLISTED, -2)
                for a in ("城市", "农村", "key")
            )
            stated = "县" if county.name == "柳河县" else None
            out.append((county.division, county.name, CITY, stated, year, urban + rural, urban,
                        rural, key, round((urban + rural) / PERSONS_PER_HOUSEHOLD)))  # fmt: skip
    return out


def institution_rows(seed: int = SEED) -> list[tuple[object, ...]]:
    """The institution register: every institution of the sample, with its reporting
    window (河川市西湾医院 from 2024Q1; 河川市南山医院 stays expected after it stopped
    reporting), and the two register-only institutions."""
    out: list[tuple[object, ...]] = []
    for inst in build_city(random.Random(seed)):
        first = inst.spec.first if inst.spec and inst.spec.first != PERIODS[0] else None
        owner = "公立" if inst.code.startswith("12") else "非公立"
        out.append((inst.code, inst.name, inst.county.name, CITY, inst.org_type, inst.grade,
                    owner, None if first is None else str(first), None))  # fmt: skip
    rng = random.Random(seed + 1)
    for county_name, name, org_type, prefix, first_text, until in EXTRA_INSTITUTIONS:
        county = next(c for c in COUNTIES if c.name == county_name)
        code = uscc(prefix, county.division, rng)
        out.append((code, name, county_name, CITY, org_type, None, "非公立", first_text, until))
    return out


def write_registers(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write ``out_dir/registers``: the area register and the institution register."""
    target = out_dir / "registers"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written = []
    for name, sheet, headers, rows in (
        (f"{CITY}_行政区划与人口.xlsx", "行政区划与人口", AREA_HEADERS, area_rows(seed)),
        (f"{CITY}_机构名录.xlsx", "机构名录", INSTITUTION_HEADERS, institution_rows(seed)),
    ):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = sheet
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(list(row))
        path = target / name
        save_reproducible(wb, path)
        written.append(path)
    return written


def _reports(inst: Institution, period: Period, missing: Iterable[tuple[str, Period]]) -> bool:
    if inst.spec and not inst.spec.first <= period <= inst.spec.last:
        return False
    return (inst.name, period) not in missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="directory to write submissions/ into [default: sample_data/]",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    paths = generate(args.out, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({size / 1024:.0f} KiB) under {args.out / 'submissions'}")
    registers = write_registers(args.out, args.seed)
    print(f"wrote {len(registers)} register files under {args.out / 'registers'}")


if __name__ == "__main__":
    main()
