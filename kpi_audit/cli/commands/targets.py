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

targets_app = typer.Typer(help="help.targets", no_args_is_help=True, rich_markup_mode=None)


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")


class ListFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[ListFormat, typer.Option("--format", "-f", help="help.opt.format.list")]


def _console() -> Console:

    return out_console(soft_wrap=False)


@targets_app.command("list", help="help.targets.list")
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
        console.print(_set_table(target_set, catalog, lang.value))
        needs = _needs_table(target_set, catalog, lang.value)
        if needs is not None:
            console.print(needs)


@targets_app.command("show", help="help.targets.show")
def show(
    ident: Annotated[str, typer.Argument(metavar="ID_OR_SET", help="help.targets.show.ident")],
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
        console.print(_target_details(target, catalog, lang.value))


@targets_app.command("validate", help="help.targets.validate")
def validate(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="help.targets.validate.files")
    ],
    lang: LangOption = Lang.zh,
) -> None:
    """Check target files: print each problem as FILE:LINE: key: message (exit 3 if
    there is any), else "OK: N targets"."""
    from kpi_audit.spec.targets import validate_target_files

    report = validate_target_files(files)
    for problem in report.problems:
        echo(str(problem))
    if not report.ok:
        raise typer.Exit(EXIT_INPUT)
    from kpi_audit.render.i18n import label

    echo(label("targets.validate_ok", lang.value, n=report.targets))


def _levels(target: Target, lang: str, sep: str = "/") -> str:
    from kpi_audit.render.i18n import label

    return sep.join(label(f"targets.level.{level}", lang) for level in target.levels)


def _set_table(target_set: TargetSet, catalog: dict[str, Indicator], lang: str) -> Table:
    first = target_set.targets[0].source if target_set.targets else None
    caption = first.citation if first else target_set.title
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from kpi_audit.render.format import indicator_name
    from kpi_audit.render.i18n import label
    from kpi_audit.spec.targets import format_requirement, target_is_evaluable

    table = Table(
        title=Text(f"{target_set.name} · {caption}"),
        title_justify="left",
        caption=label("targets.caption", lang),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    # Short headers and folding cells keep the table inside an 80-column terminal.
    table.add_column(label("targets.col.id", lang), min_width=14, overflow="fold")
    table.add_column(label("targets.col.indicator", lang), min_width=10, overflow="fold")
    for key in ("requirement", "from_year", "levels", "evaluable", "clause"):
        table.add_column(label(f"targets.col.{key}", lang), no_wrap=True)
    for target in target_set.targets:
        indicator = catalog.get(target.indicator)
        names = {target.indicator: (indicator.name_zh, indicator.name_en)} if indicator else {}
        evaluable, _ = target_is_evaluable(target, catalog)
        cells = (
            target.id,
            indicator_name(names, target.indicator, lang),
            format_requirement(target, indicator, lang),
            _years(target),
            _levels(target, lang),
            label("targets.yes" if evaluable else "targets.no", lang),
            target.source.clause,
        )
        table.add_row(*(Text(cell) for cell in cells))
    return table


def _needs_table(target_set: TargetSet, catalog: dict[str, Indicator], lang: str) -> Table | None:
    """ID and the data it lacks, for the targets the submissions cannot measure."""
    from kpi_audit.render.i18n import label
    from kpi_audit.spec.targets import target_needs

    separator = label("targets.needs_sep", lang)
    rows = [(t.id, separator.join(target_needs(t, catalog, lang))) for t in target_set.targets]
    rows = [(ident, needs) for ident, needs in rows if needs]
    if not rows:
        return None
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column(label("targets.col.id", lang), min_width=14, overflow="fold")
    table.add_column(label("targets.col.needs", lang), overflow="fold")
    for ident, needs in rows:
        table.add_row(Text(ident), Text(needs))
    return table


def _years(target: Target) -> str:
    if target.until_year is None or target.until_year == target.from_year:
        return str(target.from_year)
    return f"{target.from_year}–{target.until_year}"


def _target_details(target: Target, catalog: dict[str, Indicator], lang: str) -> Table:
    from kpi_audit.render.i18n import label
    from kpi_audit.render.target_text import binding_text, due_text, judged_text, scope_text
    from kpi_audit.spec.targets import format_requirement, target_is_evaluable, target_needs

    indicator = catalog.get(target.indicator)
    evaluable, _ = target_is_evaluable(target, catalog)
    needs = label("targets.needs_sep", lang).join(target_needs(target, catalog, lang))
    span = "targets.years_from" if target.until_year is None else "targets.years_span"
    rows: list[tuple[str, str]] = [
        ("target", target.id),
        ("set", target.target_set),
        (
            "indicator",
            f"{target.indicator} — {indicator.name_zh} ({indicator.name_en})"
            if indicator
            else target.indicator,
        ),
        ("requirement", format_requirement(target, indicator, lang)),
        # how it is judged (with the warning band), whether it binds, when it is due
        ("judged", judged_text(target, indicator, lang)),
        ("binding", binding_text(target, lang)),
        ("in_force", label(span, lang, years=_years(target))),
        ("due", due_text(target, lang)),
        ("levels", _levels(target, lang, label("targets.level_sep", lang))),
        ("scope", scope_text(target.scope, lang)),
    ]
    if evaluable:
        rows.append(("evaluable", label("targets.evaluable_yes", lang)))
    else:
        rows.append(("evaluable", label("targets.evaluable_no", lang, needs=needs)))
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
        grid.add_row(label(f"targets.show.{key}", lang), Text(value))
    grid.add_row("", "")
    return grid
