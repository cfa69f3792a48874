"""The HTML report's closing sections — data issues, completeness, files not read,
sources. Each returns the plain data the template reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from kpi_audit.core.fields import FIELDS
from kpi_audit.core.models import Target
from kpi_audit.core.result import AuditResult
from kpi_audit.render.format import format_count, kind_text
from kpi_audit.render.i18n import label
from kpi_audit.render.report_frames import completeness_counts, completeness_rows

ISSUE_CAP = 200  # data-issue rows listed
MISSING_CAP = 200  # missing institutions listed


def refused(result: AuditResult, lang: str) -> list[dict[str, str]]:
    """The files named for the run that were not read (exit 3): file name and why."""
    return [
        {
            "file": Path(f.file).name,  # never a full path
            "status": label(f"refused.{f.status}", lang),
            "reason": f.message.removeprefix(f.file).removeprefix(":").strip(),
        }
        for f in result.files_refused
    ]


def issues(result: AuditResult, lang: str) -> dict[str, Any]:
    issues = result.data_issues.filter(
        ~pl.col("kind").is_in(["missing_report", "reported_with_errors", "county_no_data"])
    )
    fields = {f.id: (f.en if lang == "en" else f.zh) for f in FIELDS}
    shown = issues.head(ISSUE_CAP)
    return {
        "total": issues.height,
        "more": issues.height - shown.height,
        "rows": [
            {
                **r,
                "kind": kind_text(r["kind"], lang),
                "file": Path(r["file"]).name if r["file"] else "",  # never a full path
                "field": fields.get(r["field"] or "", r["field"] or ""),
            }
            for r in shown.iter_rows(named=True)
        ],
    }


def completeness(result: AuditResult, lang: str) -> dict[str, Any]:
    c = result.completeness
    rows = completeness_rows(result, lang)
    missing = rows.filter(pl.col("kind") == "missing_report")
    shown = missing.head(MISSING_CAP)
    return {
        "counts": [
            (name, value if isinstance(value, str) else format_count(value))
            for name, value in completeness_counts(result, lang)
        ],
        "counties": list(
            dict.fromkeys(
                [
                    *c.counties_without_data,
                    *rows.filter(pl.col("kind") == "county_no_data")["county"].drop_nulls(),
                ]
            )
        ),
        "missing_total": missing.height,
        "missing_more": missing.height - shown.height,
        "missing": list(shown.iter_rows(named=True)),
        "with_errors": list(
            rows.filter(pl.col("kind") == "reported_with_errors").iter_rows(named=True)
        ),
    }


def sources(targets: tuple[Target, ...]) -> list[dict[str, Any]]:
    """Documents, each once, with the targets they set."""
    documents: dict[tuple[str, str], dict[str, Any]] = {}
    for t in targets:
        entry = documents.setdefault(
            (t.source.document, t.source.number),
            {"document": t.source.document, "number": t.source.number, "targets": []},
        )
        entry["targets"].append(t)
    return list(documents.values())
