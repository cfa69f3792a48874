"""`kpi-audit targets list | show | validate` through the CLI."""

# ruff: noqa: E501  (exact Chinese output strings read better unbroken)
from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.spec.targets import bundled_target_sets

FIXTURES = Path(__file__).parent / "fixtures" / "targets"
CUSTOM = str(FIXTURES / "valid_custom.toml")
CONTRACT_KEYS = {
    "id",
    "target_set",
    "indicator",
    "operator",
    "threshold",
    "from_year",
    "evaluable",
    "needs",
    "source",
}


def test_list_json_is_one_array_with_the_contract_keys(runner: CliRunner) -> None:
    result = runner.invoke(app, ["targets", "list", "--format", "json"])
    assert result.exit_code == 0
    records = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert isinstance(records, list) and len(records) == 84  # 5 + 22 + 4 + 53
    for record in records:
        assert set(record) >= CONTRACT_KEYS
        assert {"document", "clause", "quote"} <= set(record["source"])
        assert isinstance(record["evaluable"], bool) and isinstance(record["needs"], list)
        assert record["evaluable"] == (record["needs"] == [])
        # the keys of issue 9, on every target
        assert isinstance(record["binding"], bool)
        assert record["due"] in ("from", "year_end")
        assert (record["tolerance"] is not None) == (record["operator"] == "around")
        assert record["until_year"] is None or isinstance(record["until_year"], int)
        assert set(record["scope"]) == {"area_type", "where"}
    assert {r["target_set"] for r in records} == set(bundled_target_sets())


def test_list_json_record(runner: CliRunner) -> None:
    result = runner.invoke(app, ["targets", "list", "-t", "zhejiang-2017", "--format", "json"])
    records = {r["id"]: r for r in json.loads(result.stdout)}
    record = records["zj2017-signing-coverage"]
    assert {k: record[k] for k in CONTRACT_KEYS} == {
        "id": "zj2017-signing-coverage",
        "target_set": "zhejiang-2017",
        "indicator": "signing_coverage",
        "operator": ">=",
        "threshold": 0.5,
        "from_year": 2018,
        "evaluable": True,
        "needs": [],
        "source": {
            "document": "浙江省医改办关于开展县域医疗服务共同体建设试点工作的指导意见（浙医改办〔2017〕7号）",
            "clause": "二、（八）",
            "quote": "试点县（市、区）率先达到区域人群签约率50%的目标。",
            "title": "浙江省医改办关于开展县域医疗服务共同体建设试点工作的指导意见",
            "number": "浙医改办〔2017〕7号",
        },
    }
    assert records["zj2017-in-county-visit-rate"]["evaluable"] is False
    assert records["zj2017-in-county-visit-rate"]["needs"][0].startswith("visits of the county")
    # an extra key: the same needs in Chinese (``needs`` stays English, the contract)
    assert records["zj2017-in-county-visit-rate"]["needs_zh"] == [
        "县域居民在县域内的就诊人次和县域居民就诊总人次（含到县域外就诊），如取自医保结算数据"
    ]
    assert record["needs_zh"] == []


def test_list_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["targets", "list", "-t", CUSTOM], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert (
        lines[0]
        == "custom-2024 · 某县卫生健康委员会关于印发2024年基层卫生工作要点的通知（某卫〔2024〕8号）"
    )
    cells = [re.split(r"\s{2,}", line) for line in lines[2:] if line and not line.startswith("─")]
    assert cells == [
        ["ID", "指标", "要求", "起始年", "层级", "可评估", "条款"],
        [
            "c24-primary-visit-share",
            "基层医疗卫生机构诊疗量占总诊疗量比例",
            "≥ 60%",
            "2024",
            "县/市",
            "✔ 是",
            "一、(一)",
        ],
        [
            "c24-primary-visit-share-2025",
            "基层医疗卫生机构诊疗量占总诊疗量比例",
            "≥ 65%",
            "2025",
            "县/市",
            "✔ 是",
            "一、(一)",
        ],
        [
            "c24-referrals-down",
            "二、三级医院向基层转诊人数年增长率",
            "5%–10%",
            "2024",
            "县",
            "✔ 是",
            "二、(三)",
        ],
        ["c24-in-county", "县域内就诊率", "≥ 90%", "2024–2025", "县/市", "✘ 否", "三"],
        ["✘ 否：缺少报表无法提供的数据（kpi-audit targets show ID 查看）"],
        # the data the ✘ targets need, in Chinese by default
        ["ID", "缺少数据"],
        [
            "c24-in-county",
            "县域居民在县域内的就诊人次和县域居民就诊总人次（含到县域外就诊），如取自医保结算数据",
        ],
    ]


def test_list_table_in_english(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["targets", "list", "-t", CUSTOM, "--lang", "en"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    assert lines[-3:] == [
        "ID               Data needed",
        "─" * 167,
        "c24-in-county    visits of the county's residents inside the county and outside it "
        "(县域内就诊人次 / 县域居民就诊总人次), e.g. from medical-insurance settlement data",
    ]


def test_list_table_lists_the_needs_of_the_unmeasurable_targets_only(
    runner: CliRunner,
) -> None:
    # zhejiang-2017: 4 targets, of which the medical communities per county and the
    # in-county visit rate cannot be measured from submissions
    result = runner.invoke(app, ["targets", "list", "-t", "zhejiang-2017"], env={"COLUMNS": "200"})
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    start = lines.index("ID                                      缺少数据")
    assert [re.split(r"\s{2,}", line) for line in lines[start + 2 :]] == [
        ["zj2017-medical-communities-per-county", "各县组建的县域医共体及其成员单位"],
        [
            "zj2017-in-county-visit-rate",
            "县域居民在县域内的就诊人次和县域居民就诊总人次（含到县域外就诊），如取自医保结算数据",
        ],
    ]


def test_list_unknown_set_is_a_config_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["targets", "list", "-t", "nope"])
    assert result.exit_code == 3
    assert result.stderr == (
        "错误：没有名为“nope”的目标集：内置目标集为 henan-2021、quanzhou-2022、"
        "zhejiang-2017、zhengzhou-2016；或给出目标文件的路径\n"
    )
    for args in (["--lang", "en", "targets", "list"], ["targets", "list", "--lang", "en"]):
        result = runner.invoke(app, [*args, "-t", "nope"])
        assert result.exit_code == 3
        assert result.stderr == (
            "error: unknown target set 'nope': bundled sets are henan-2021, "
            "quanzhou-2022, zhejiang-2017, zhengzhou-2016; or give the path "
            "to a target file\n"
        )


def test_show_target_in_english(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["targets", "show", "zz2016-primary-visit-share-2017", "--lang", "en"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert lines[:14] == [
        "target zz2016-primary-visit-share-2017",
        "set zhengzhou-2016",
        "indicator primary_visit_share — 基层医疗卫生机构诊疗量占总诊疗量比例 (Primary-care share of total visits)",
        "requirement ≥ 65%",
        "judged met at 65% or more; up to 2 points short is a warning",
        "binding yes: a value short of it fails, counts in the summary and makes the exit code 1",
        "in force from 2017",
        "due judged in every period from 2017",
        "levels county, city",
        "scope every area and institution the indicator counts",
        "evaluable yes",
        "measures Σ total visits of primary-care facilities / Σ total visits of all institutions.",
        "document 郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号）",
        "clause 二、(一)3(3)",
    ]
    assert lines[14] == "quote 2017年,基层医疗卫生机构诊疗量占总诊疗量比例≥65%。"


def _shown(result_stdout: str) -> list[str]:
    return [line.rstrip() for line in result_stdout.splitlines()]


def test_show_target_in_chinese_by_default(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["targets", "show", "zz2016-primary-visit-share-2017"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    # labels padded to the widest, 目标编号 (4 CJK characters = 8 columns), then 2 spaces
    assert _shown(result.stdout) == [
        "目标编号  zz2016-primary-visit-share-2017",
        "目标集    zhengzhou-2016",
        "指标      primary_visit_share — 基层医疗卫生机构诊疗量占总诊疗量比例 (Primary-care share of total visits)",
        "要求      ≥ 65%",
        "判定      不低于 65% 为达标；差距不超过 2 个百分点 为预警",
        "约束性    是：未达到即为“未达标”，计入汇总，并使退出码为 1",
        "施行年份  2017 年起",
        "期限      自 2017 年起的每个报告期都评判",
        "层级      县、市",
        "适用范围  全部地区和机构（按指标口径）",
        "可评估    是",
        "计算方法  Σ total visits of primary-care facilities / Σ total visits of all institutions.",
        "文件      郑州市人民政府关于推进分级诊疗制度建设的实施意见（郑政〔2016〕31号）",
        "条款      二、(一)3(3)",
        "原文      2017年,基层医疗卫生机构诊疗量占总诊疗量比例≥65%。",
        "",
    ]


def test_show_unmeasurable_target_names_each_needed_datum_in_chinese(runner: CliRunner) -> None:
    # dual_channel_share needs two things; Chinese joins them with ；
    result = runner.invoke(
        app,
        ["targets", "show", "qz2022-dual-channel", "--lang", "zh"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0
    assert _shown(result.stdout)[10] == (
        "可评估    否 — 缺少数据：各县域医共体的牵头医疗机构；这些机构和各三级公立综合医院是否已纳入国家谈判药品“双通道”管理"
    )


def test_show_explains_operator_due_scope_and_binding_in_chinese(runner: CliRunner) -> None:
    def shown(ident: str) -> dict[str, str]:
        result = runner.invoke(app, ["targets", "show", ident], env={"COLUMNS": "250"})
        assert result.exit_code == 0
        return {
            line[:4].strip(): line[4:].strip()
            for line in _shown(result.stdout)
            if line[:4].strip() in ("判定", "约束性", "施行年份", "期限", "适用范围")
        }

    assert shown("zz2016-in-county-visit-rate-2017") == {
        "判定": "90%左右：在 88% 至 92% 之间为达标；超出范围不超过 3 个百分点 为预警",
        "约束性": "否（力争目标）：只显示进展，从不计为“未达标”，不影响退出码",
        "施行年份": "2017 年起",
        "期限": "自 2017 年起的每个报告期都评判",
        "适用范围": "仅适用于县、县级市；其他类型的区县为“不适用”",
    }
    assert shown("qz2022-recommended-standard") == {
        "判定": "不低于 15% 为达标",
        "约束性": "是：未达到即为“未达标”，计入汇总，并使退出码为 1",
        "施行年份": "2022 年",
        "期限": "2022 年底前完成：按 2022 年全年或第四季度评判，该年第一至三季度为“未到期”（只显示进展）；"
        "此后各期照常评判；2022 年后不再施行（此后各期为“不在施行期”）",
        "适用范围": "全部地区和机构（按指标口径）",
    }
    assert shown("zz2016-tertiary-outpatient-decline")["适用范围"] == (
        "只计机构大类不为中医类医院（中医、中西医结合、民族医医院）的机构"
    )


def test_show_unmeasurable_target_in_english(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["targets", "show", "qz2022-dual-channel", "--lang", "en"],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0
    assert _shown(result.stdout)[10] == (
        "evaluable    no — needs: the lead institution of each county medical community "
        "(医共体牵头医疗机构); whether each such institution and each tertiary public general "
        "hospital is under 双通道 management of nationally negotiated drugs"
    )


def test_show_set_in_chinese_gives_years_in_force_and_levels(runner: CliRunner) -> None:
    # valid_custom.toml: two primary-visit-share targets (from 2024 and from 2025, the
    # indicator's county and city), c24-referrals-down (county only, from 2024) and
    # c24-in-county (2024 until 2025, the indicator's county and city)
    result = runner.invoke(app, ["targets", "show", CUSTOM], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    lines = _shown(result.stdout)
    assert lines[0] == f"custom-2024: 某县2024年基层卫生工作要点  ({CUSTOM})"
    assert [line for line in lines if line.startswith(("目标编号", "施行年份", "层级"))] == [
        "目标编号  c24-primary-visit-share",
        "施行年份  2024 年起",
        "层级      县、市",
        "目标编号  c24-primary-visit-share-2025",
        "施行年份  2025 年起",
        "层级      县、市",
        "目标编号  c24-referrals-down",
        "施行年份  2024 年起",
        "层级      县",
        "目标编号  c24-in-county",
        "施行年份  2024–2025 年",
        "层级      县、市",
    ]


def test_show_set_as_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["targets", "show", "henan-2021", "--format", "json"])
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == [
        "hn2021-medical-communities-per-county",
        "hn2021-lead-institution-grade",
        "hn2021-joint-meetings-per-quarter",
        "hn2021-analysis-meetings-per-month",
        "hn2021-key-discipline-funding",
    ]
    assert all(r["evaluable"] is False for r in records)


def test_show_target_in_a_custom_file(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["targets", "show", "c24-referrals-down", "-t", CUSTOM, "--format", "json"]
    )
    record = json.loads(result.stdout)
    assert (record["operator"], record["threshold"], record["threshold_high"]) == (
        "between",
        0.05,
        0.1,
    )


def test_show_unknown_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["targets", "show", "nope"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "错误：没有 id 为“nope”的目标集或目标（内置目标集：henan-2021、"
    )
    result = runner.invoke(app, ["targets", "show", "nope"], env={"KPI_AUDIT_LANG": "en"})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no target set or target with id 'nope'")


def test_validate_bundled_files(runner: CliRunner) -> None:
    paths = [str(p) for p in bundled_target_sets().values()]
    result = runner.invoke(app, ["targets", "validate", *paths])
    assert (result.exit_code, result.stdout) == (0, "OK：84 项目标\n")


def test_validate_reports_each_problem(runner: CliRunner) -> None:
    unknown_key = FIXTURES / "unknown_key.toml"
    bad_operator = FIXTURES / "bad_operator.toml"
    result = runner.invoke(
        app, ["targets", "validate", CUSTOM, str(unknown_key), str(bad_operator)]
    )
    assert result.exit_code == 3
    assert result.stdout == (
        f"{unknown_key}:12: t-1.thresold: unknown key (did you mean 'threshold'?)\n"
        f"{unknown_key}:8: t-1.threshold: missing\n"
        f"{bad_operator}:11: t-1.operator: unknown operator '=>' "
        "(expected one of >=, <=, between, ==, >, <, around)\n"
    )


def test_validate_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "gone.toml"
    result = runner.invoke(app, ["targets", "validate", str(missing)])
    assert (result.exit_code, result.stdout) == (
        3,
        f"{missing}: cannot read: No such file or directory\n",
    )
