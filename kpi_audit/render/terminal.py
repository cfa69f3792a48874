"""The terminal summary of a check, for a reform-office reader scanning it.

Evaluated targets come first, those with the most units behind target first, one rich
table each (city, counties, facilities; furthest behind first). Targets that could not
be evaluated anywhere for one reason (data the submissions lack, a target not yet in
force) follow as ONE compact table, grouped by document. Then data-issue counts, the
summary line and the counties behind target.

Status is always a symbol and a word as well as a colour, so the output reads the same
with NO_COLOR, in a pipe, or in a log file.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kpi_audit.core.models import Target
from kpi_audit.core.result import AuditResult
from kpi_audit.render.format import (
    DISPLAY_LEVEL_ORDER,
    STATUS_PALETTE,
    Display,
    display_of,
    indicator_name,
    level_text,
    reporting_headline,
    status_text,
)
from kpi_audit.render.i18n import label, message_expr, shown_reason_expr

STYLE = {status: colours.terminal for status, colours in STATUS_PALETTE.items()}
LEVEL_ORDER = {level: i for i, level in enumerate(DISPLAY_LEVEL_ORDER)}
BEHIND = ("fail", "warn")
REASON_CELLS = 60  # a reason in the not-evaluable table is cut to one line of this width


def one_line(text: str, cells: int = REASON_CELLS) -> str:
    """``text`` on one line of at most ``cells`` character cells, "…" where cut."""
    text = " ".join(text.split())
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, cells - 1).rstrip() + "…"


def _ordered(rows: pl.DataFrame) -> pl.DataFrame:
    """City, county, facility; within a level the furthest behind first."""
    return (
        rows.with_columns(
            _lv=pl.col("level").replace_strict(LEVEL_ORDER, default=3, return_dtype=pl.Int8),
            _ne=pl.col("status") == "not_evaluable",
        )
        .sort("_lv", "_ne", "gap", "unit", nulls_last=True)
        .drop("_lv", "_ne")
    )


def _heading(target: Target, result: AuditResult, shown: Display, lang: str) -> list[Text]:
    """``name  requirement  [set]`` and the citation: printed at the console's width,
    not the table's, so a narrow table does not fold the document title."""
    title = Text()
    title.append(indicator_name(result.indicator_names, target.indicator, lang), "bold")
    title.append(f"  {shown.requirement(target, lang)}  [{target.target_set}]")
    if not target.binding:
        title.append(f"  {label('term.aspiration', lang)}", "italic")
    citation = Text(f"{target.source.citation} {target.source.clause}".strip(), "dim")
    references = [
        Text(
            label(
                "term.reference",
                lang,
                label=r.label_en if lang == "en" else r.label_zh,
                value=shown.threshold(r.value),
                source=r.source.citation,
            ),
            "dim",
        )
        for r in result.reference_values
        if r.indicator == target.indicator
    ]
    return [title, citation, *references]


def _table(rows: pl.DataFrame, shown: Display, lang: str) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for key, justify in (
        ("level", "left"),
        ("unit", "left"),
        ("value", "right"),
        ("threshold", "right"),
        ("gap", "right"),
        ("status", "left"),
        ("reason", "left"),
    ):
        table.add_column(label(f"term.{key}", lang), justify=justify)  # type: ignore[arg-type]
    for r in rows.iter_rows(named=True):
        unit = (
            r["unit"] if r["unit_name"] in (None, r["unit"]) else f"{r['unit_name']} ({r['unit']})"
        )
        low = shown.threshold(r["threshold"])
        threshold = (
            f"{low}–{shown.threshold(r['threshold_high'])}"
            if r["operator"] == "between"
            else f"{low}±{shown.threshold(r['tolerance'])}"
            if r["operator"] == "around" and r.get("tolerance") is not None
            else low
        )
        # a target not yet due shows its value so far, in brackets
        progress = r.get("progress_value")
        value = shown.value(r["value"]) if progress is None else f"({shown.value(progress)})"
        gap = shown.gap(r["gap"] if progress is None else r.get("progress_gap"), lang)
        table.add_row(
            level_text(r["level"], lang),
            unit,
            value,
            threshold,
            gap,
            Text(status_text(r["status"], lang), style=STYLE[r["status"]]),
            r["reason"] or "",
        )
    return table


def _target_stats(results: pl.DataFrame) -> pl.DataFrame:
    """Per target: units failing / close / passing, and the one reason when every
    unit is not evaluable for the same reason (null otherwise)."""
    return results.group_by("target_id", maintain_order=True).agg(
        n_fail=(pl.col("status") == "fail").sum(),
        n_warn=(pl.col("status") == "warn").sum(),
        n_pass=(pl.col("status") == "pass").sum(),
        only_reason=pl.when(
            (pl.col("status") == "not_evaluable").all() & (pl.col("reason").n_unique() == 1)
        ).then(pl.col("reason").first()),
    )


def _print_not_evaluable(
    console: Console, targets: list[Target], reasons: dict[str, str], result: AuditResult, lang: str
) -> None:
    """One table per document: indicator, requirement, clause, reason cut to a line."""
    console.print(Text(label("term.not_evaluable", lang, n=len(targets)), style="bold"))
    # One line per reason: at most REASON_CELLS, less on a narrow console so that the
    # indicator name keeps room to wrap.
    cells = max(16, min(REASON_CELLS, console.width * 2 // 5))
    by_document: dict[str, list[Target]] = {}
    for t in targets:
        by_document.setdefault(t.source.citation, []).append(t)
    for citation, group in by_document.items():
        console.print(Text(citation, style="dim"))
        table = Table(show_edge=False, pad_edge=False)
        # fold: Chinese names have no spaces to wrap at, and must not be cut
        table.add_column(label("term.indicator", lang), overflow="fold")
        table.add_column(label("term.requirement", lang), no_wrap=True)
        table.add_column(label("term.clause", lang), no_wrap=True)
        table.add_column(label("term.reason", lang), no_wrap=True)
        for t in group:
            table.add_row(
                indicator_name(result.indicator_names, t.indicator, lang),
                display_of(result.value_kinds, t.indicator).requirement(t, lang),
                t.source.clause,
                one_line(reasons[t.id], cells),
            )
        console.print(table)
    console.print()


def behind_by_county(results: pl.DataFrame) -> list[tuple[str, int]]:
    """(county, number of binding targets it fails at county level), most first."""
    counts = (
        results.filter(
            (pl.col("level") == "county")
            & (pl.col("status") == "fail")
            & pl.col("binding").fill_null(True)
        )
        .group_by("unit")
        .agg(pl.col("target_id").n_unique().alias("n"))
        .sort(["n", "unit"], descending=[True, False])
    )
    return [(str(u), int(n)) for u, n in counts.iter_rows()]


def _behind_line(results: pl.DataFrame, lang: str) -> str | None:
    behind = behind_by_county(results)
    if not behind:
        return None
    items = [
        label("term.behind_item", lang, county=c, n=n, targets="target" if n == 1 else "targets")
        for c, n in behind
    ]
    return label("term.behind", lang, counties=label("term.behind_sep", lang).join(items))


def print_result(
    result: AuditResult, console: Console, *, level: str = "all", lang: str = "zh"
) -> None:
    """Print ``result``: evaluated targets (most units behind first), the targets not
    evaluable anywhere, issue counts, the summary line and the counties behind.

    Unless ``level`` is ``facility``, facility rows are cut to those behind target plus
    a count of the rest.
    """
    results = result.results
    if level != "all":
        results = results.filter(pl.col("level") == level)
    results = results.with_columns(reason=shown_reason_expr(results, lang))
    headline = reporting_headline(result, lang)
    if headline:
        console.print(Text(headline, style="bold yellow"))
        console.print()
    targets = {t.id: t for t in result.targets}
    stats = _target_stats(results).filter(pl.col("target_id").is_in(list(targets)))
    evaluated = stats.filter(pl.col("only_reason").is_null()).sort(
        ["n_fail", "n_warn", "n_pass"], descending=True, maintain_order=True
    )
    by_target = results.partition_by("target_id", as_dict=True, maintain_order=True)
    for target_id in evaluated["target_id"]:
        target = targets[target_id]
        rows = by_target[(target_id,)]
        hidden = 0
        if level != "facility":
            facility = pl.col("level") == "facility"
            keep = ~facility | pl.col("status").is_in(BEHIND)
            hidden = rows.filter(~keep).height
            rows = rows.filter(keep)
        shown = display_of(result.value_kinds, target.indicator)
        for line in _heading(target, result, shown, lang):
            console.print(line)
        console.print(_table(_ordered(rows), shown, lang))
        if hidden:
            console.print(Text(label("term.more", lang, n=hidden), style="dim"))
        console.print()
    unmeasured = stats.filter(pl.col("only_reason").is_not_null())
    if unmeasured.height:
        reasons = dict(unmeasured.select("target_id", "only_reason").iter_rows())
        _print_not_evaluable(
            console, [targets[t] for t in unmeasured["target_id"]], reasons, result, lang
        )
    if not results.height:
        console.print(label("term.nothing", lang))
    _print_footer(result, results, console, level, lang)


def _status_counts(
    result: AuditResult, results: pl.DataFrame, level: str
) -> tuple[dict[str, int], dict[str, int]]:
    """Results per status, binding targets and aspirations apart: of the whole result, or
    of the shown ``results`` when one level is shown."""
    if level == "all":
        return result.summary(), result.aspiration_summary()
    binding = pl.col("binding").fill_null(True)

    def count(keys: Sequence[str], which: pl.Expr) -> dict[str, int]:
        return {k: results.filter(which & (pl.col("status") == k)).height for k in keys}

    return (
        count(list(result.summary()), binding),
        count(list(result.aspiration_summary()), ~binding),
    )


def _print_footer(
    result: AuditResult, results: pl.DataFrame, console: Console, level: str, lang: str
) -> None:
    issues = result.data_issues["kind"].value_counts()
    counts = dict(zip(issues["kind"].to_list(), issues["count"].to_list(), strict=True))
    other = sum(
        n
        for k, n in counts.items()
        if k
        not in ("row_error", "missing_report", "county_no_data", "notice", "reported_with_errors")
    )
    notices = result.data_issues.filter(pl.col("kind") == "notice")
    for notice in notices.select(message_expr(lang)).to_series().to_list():
        console.print(Text(notice, style="dim"))
    console.print(
        label(
            "term.issues",
            lang,
            rows=result.completeness.rejected_rows,
            missing=counts.get("missing_report", 0),
            counties=counts.get("county_no_data", 0),
            other=other,
        )
    )
    s, a = _status_counts(result, results, level)
    headline = reporting_headline(result, lang)
    if headline:
        console.print(Text(headline, style="bold yellow"))
    console.print(
        Text(
            label(
                "term.summary",
                lang,
                period=result.period,
                pass_=s["pass"],
                fail=s["fail"],
                warn=s["warn"],
                ne=s["not_evaluable"],
            ),
            style="bold",
        )
    )
    if any(a.values()):
        console.print(
            label(
                "term.aspirations",
                lang,
                pass_=a["pass"],
                fail=a["fail"],
                warn=a["warn"],
                ne=a["not_evaluable"],
            )
        )
    behind = _behind_line(results, lang)
    if behind:
        console.print(Text(behind, style="bold red"))
