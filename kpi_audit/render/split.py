"""One report per county (``report --split county -o DIR``): each file holds that
county's results (its county rows with its rank in the city, its institutions), its data
issues, its trends and runs of misses — cut set-wise from the one city AuditResult — plus
an index page (index.html) linking them.

File names: ``{city}_{county}_{period}.{ext}`` (河川市_白水县_2024Q3.xlsx), with the
characters Windows refuses (``<>:"/\\|?*`` and controls) replaced by "_", no trailing dot
or space, and the name bounded (:data:`MAX_STEM` characters before the extension).
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from kpi_audit.core.atomic import check_writable, write_text_atomic
from kpi_audit.core.result import AuditResult, Completeness
from kpi_audit.render.i18n import label

MAX_STEM = 80
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_name(stem: str, ext: str) -> str:
    """A file name any Windows or POSIX file system takes."""
    cleaned = _UNSAFE.sub("_", stem).strip(" .") or "_"
    return f"{cleaned[:MAX_STEM].rstrip(' .')}.{ext}"


def county_result(result: AuditResult, county: str) -> AuditResult:
    """The part of ``result`` that concerns ``county`` (its rank stays the city rank)."""
    mine = pl.col("county") == county
    issues = result.data_issues.filter(mine)
    missing = issues.filter(pl.col("kind") == "missing_report").height
    reported = result.results.filter(mine & (pl.col("level") == "facility"))["unit"].n_unique()
    counted = result.results.filter(
        (pl.col("level") == "county") & mine & pl.col("reporting_expected").is_not_null()
    ).head(1)
    known = counted.height > 0
    return dataclasses.replace(
        result,
        area=f"{result.area} {county}",
        results=result.results.filter(mine),
        data_issues=issues,
        trends=result.trends.filter(pl.col("unit") == county),
        streaks=result.streaks.filter(pl.col("unit") == county),
        completeness=Completeness(
            expected_institutions=0,
            reported_institutions=reported,
            missing_institutions=missing,
            counties_without_data=tuple(
                c for c in result.completeness.counties_without_data if c == county
            ),
            rejected_rows=issues.filter(pl.col("kind") == "row_error").height,
            expected_basis=result.completeness.expected_basis if known else "none",
            expected=int(counted["reporting_expected"][0]) if known else 0,
            rejected_institutions=int(counted["reporting_rejected"][0]) if known else 0,
        ),
        quality=None,
    )


def write_split(
    result: AuditResult, folder: Path, formats: Sequence[str], *, lang: str = "zh"
) -> list[Path]:
    """Write one report per county and format into ``folder`` and the index page;
    returns the paths written, the index last."""
    from kpi_audit.render import write_report

    check_writable(folder / "index.html")  # the folder can be made and written (OutputError)
    folder.mkdir(parents=True, exist_ok=True)
    counties = sorted(
        result.results.filter(pl.col("level") == "county")["unit"].unique().drop_nulls()
    )
    written: list[Path] = []
    rows = []
    for county in counties:
        part = county_result(result, county)
        files = []
        for fmt in formats:
            path = folder / safe_name(f"{result.area}_{county}_{result.period}", fmt)
            write_report(part, path, fmt, lang=lang)  # type: ignore[arg-type]
            written.append(path)
            files.append(path.name)
        counts = part.results.filter(pl.col("level") == "county")["status"].value_counts()
        n = dict(counts.iter_rows())
        rows.append((county, n.get("fail", 0), n.get("pass", 0), files))
    index = folder / "index.html"
    write_text_atomic(index, _index_html(result, rows, lang))
    written.append(index)
    return written


def _index_html(result: AuditResult, rows: list[tuple[str, int, int, list[str]]], lang: str) -> str:
    title = f"{result.area} {result.period} {label('report.title', lang)}"
    head = (
        f"<tr><th>{label('col.county', lang)}</th><th>{label('cat.fail', lang)}</th>"
        f"<th>{label('cat.pass', lang)}</th><th>{label('split.files', lang)}</th></tr>"
    )
    body = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{f}</td><td>{p}</td><td>"
        + " ".join(f'<a href="{html.escape(x)}">{html.escape(x)}</a>' for x in files)
        + "</td></tr>"
        for c, f, p, files in sorted(rows, key=lambda r: (-r[1], r[0]))
    )
    return (
        f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        f'<meta charset="utf-8"><title>{html.escape(title)}</title>'
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><table>{head}{body}</table></body></html>\n"
    )
