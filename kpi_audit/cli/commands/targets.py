"""`kpi-audit targets list | show | validate`: what the bundled and user target sets
require, and whether a target file is valid."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpi_audit.cli.console import echo, out_console
from kpi_audit.cli.options import Lang, LangOption, TargetsOption
from kpi_audit.core.errors import EXIT_INPUT
from kpi_audit.core.models import Indicator, Target, TargetSet

if TYPE_CHECKING:  # rich loads only when a table is printed
    from rich.console import Console
    from rich.table import Table

targets_app = typer.Typer(
    help="List, show and validate target sets.", no_args_is_help=True, rich_markup_mode=None
)


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")


class ListFormat(StrEnum):
    table = "table"
    json = "json"


_LEVEL_ZH = {"facility": "机构", "county": "县", "city": "市"}
# (heading, separator between entries) of the table of data the targets lack
_NEEDS_WORDS = {Lang.zh: ("缺少数据", "；"), Lang.en: ("Data needed", "; ")}
# The row labels of `targets show`, (zh, en).
_SHOW_LABELS = {
    "target": ("目标编号", "target"),
    "set": ("目标集", "set"),
    "indicator": ("指标", "indicator"),
    "requirement": ("要求", "requirement"),
    "in_force": ("施行年份", "in force"),
    "levels": ("层级", "levels"),
    "warn_within": ("预警范围", "warn within"),
    "evaluable": ("可评估", "evaluable"),
    "measures": ("计算方法", "measures"),
    "document": ("文件", "document"),
    "clause": ("条款", "clause"),
    "quote": ("原文", "quote"),
    "note": ("备注", "note"),
}

FormatOption = Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")]


def _console() -> Console:

    return out_console(soft_wrap=False)


@targets_app.command("list")
def list_(
    targets: TargetsOption = None,
    fmt: FormatOption = ListFormat.table,
    lang: LangOption = Lang.zh,
) -> None:
    """List every target (default: all bundled sets) with its requirement, years,
    levels, whether the submissions can measure it (and if not, the data it needs),
    and its clause."""
    from kpi_audit.spec.catalog import load_catalog
    from kpi_audit.spec.targets import bundled_target_sets, load_target_sets, target_record

    target_sets = load_target_sets(targets or list(bundled_target_sets()))
    catalog = load_catalog()
    if fmt is ListFormat.json:
        records = [target_record(t, catalog) for s in target_sets for t in s.targets]
        echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    console = _console()
    for target_set in target_sets:
        console.print(_set_table(target_set, catalog))
        needs = _needs_table(target_set, catalog, lang)
        if needs is not None:
            console.print(needs)


@targets_app.command("show")
def show(
    ident: Annotated[
        str, typer.Argument(metavar="ID_OR_SET", help="A target id, a set name or a target file.")
    ],
    targets: TargetsOption = None,
    fmt: FormatOption = ListFormat.table,
    lang: LangOption = Lang.zh,
) -> None:
    """Show one target in full (document, clause, quoted sentence, what it needs) or a
    whole set."""
    from kpi_audit.spec.catalog import load_catalog
    from kpi_audit.spec.targets import find_target_or_set, target_record

    found = find_target_or_set(ident, targets or ())
    catalog = load_catalog()
    chosen = found.targets if isinstance(found, TargetSet) else (found,)
    if fmt is ListFormat.json:
        records = [target_record(t, catalog) for t in chosen]
        payload = records if isinstance(found, TargetSet) else records[0]
        echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console = _console()
    if isinstance(found, TargetSet):
        console.print(f"{found.name}: {found.title}  ({found.path})", markup=False)
    for target in chosen:
        console.print(_target_details(target, catalog, lang))


@targets_app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Target files to check.")],
) -> None:
    """Check target files: print each problem as FILE:LINE: key: message (exit 3 if
    there is any), else "OK: N targets"."""
    from kpi_audit.spec.targets import validate_target_files

    report = validate_target_files(files)
    for problem in report.problems:
        echo(str(problem))
    if not report.ok:
        raise typer.Exit(EXIT_INPUT)
    echo(f"OK: {report.targets} targets")


def _set_table(target_set: TargetSet, catalog: dict[str, Indicator]) -> Table:
    first = target_set.targets[0].source if target_set.targets else None
    caption = first.citation if first else target_set.title
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from kpi_audit.spec.targets import format_requirement, target_is_evaluable

    table = Table(
        title=Text(f"{target_set.name} · {caption}"),
        title_justify="left",
        caption="✘ no: needs data a submission lacks (kpi-audit targets show ID)",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    # Short headers and folding cells keep the table inside an 80-column terminal.
    table.add_column("ID", min_width=14, overflow="fold")
    table.add_column("指标", min_width=10, overflow="fold")
    table.add_column("要求", no_wrap=True)
    table.add_column("起始年", no_wrap=True)
    table.add_column("层级", no_wrap=True)
    table.add_column("可评估", no_wrap=True)
    table.add_column("条款", no_wrap=True)
    for target in target_set.targets:
        indicator = catalog.get(target.indicator)
        evaluable, _ = target_is_evaluable(target, catalog)
        cells = (
            target.id,
            indicator.name_zh if indicator else target.indicator,
            format_requirement(target, indicator),
            _years(target),
            "/".join(_LEVEL_ZH[level] for level in target.levels),
            "✔ yes" if evaluable else "✘ no",
            target.source.clause,
        )
        table.add_row(*(Text(cell) for cell in cells))
    return table


def _needs_table(target_set: TargetSet, catalog: dict[str, Indicator], lang: Lang) -> Table | None:
    """ID and the data it lacks, for the targets the submissions cannot measure."""
    from kpi_audit.spec.targets import target_needs

    heading, separator = _NEEDS_WORDS[lang]
    rows = [(t.id, separator.join(target_needs(t, catalog, lang))) for t in target_set.targets]
    rows = [(ident, needs) for ident, needs in rows if needs]
    if not rows:
        return None
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("ID", min_width=14, overflow="fold")
    table.add_column(heading, overflow="fold")
    for ident, needs in rows:
        table.add_row(Text(ident), Text(needs))
    return table


def _years(target: Target) -> str:
    return f"{target.from_year}–{target.until_year}" if target.until_year else str(target.from_year)


def _target_details(target: Target, catalog: dict[str, Indicator], lang: Lang) -> Table:
    from kpi_audit.spec.targets import format_requirement, target_is_evaluable, target_needs

    zh = lang is Lang.zh
    indicator = catalog.get(target.indicator)
    evaluable, _ = target_is_evaluable(target, catalog)
    needs = _NEEDS_WORDS[lang][1].join(target_needs(target, catalog, lang))
    years = _years(target)
    if target.until_year is None:
        years = f"{years} 年起" if zh else f"from {years}"
    elif zh:
        years = f"{years} 年"
    rows: list[tuple[str, str]] = [
        ("target", target.id),
        ("set", target.target_set),
        (
            "indicator",
            f"{target.indicator} — {indicator.name_zh} ({indicator.name_en})"
            if indicator
            else target.indicator,
        ),
        ("requirement", format_requirement(target, indicator, lang.value)),
        ("in_force", years),
        (
            "levels",
            "、".join(_LEVEL_ZH[level] for level in target.levels)
            if zh
            else ", ".join(target.levels),
        ),
    ]
    if target.warn_within is not None:
        short = f"{target.warn_within:g}"
        rows.append(
            (
                "warn_within",
                f"低于目标值不超过 {short} 时为预警" if zh else f"{short} short of the threshold",
            )
        )
    if evaluable:
        rows.append(("evaluable", "是" if zh else "yes"))
    else:
        rows.append(("evaluable", f"否 — 缺少数据：{needs}" if zh else f"no — needs: {needs}"))
    if indicator is not None and indicator.description:
        rows.append(("measures", indicator.description))
    rows += [
        ("document", target.source.citation),
        ("clause", target.source.clause),
        ("quote", target.source.quote),
    ]
    if target.note:
        rows.append(("note", target.note))
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in rows:
        grid.add_row(_SHOW_LABELS[key][0 if zh else 1], Text(value))
    grid.add_row("", "")
    return grid
