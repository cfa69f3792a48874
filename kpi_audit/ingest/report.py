"""What an ingest run reports: per file, its status, rows, sheets, periods and issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from kpi_audit.core.errors import InputError
from kpi_audit.ingest.issues import empty_issues

Status = Literal["loaded", "unchanged", "rejected", "failed"]
STATUSES: tuple[Status, ...] = ("loaded", "unchanged", "rejected", "failed")


@dataclass
class FileReport:
    path: str
    sha256: str | None
    status: Status  # rejected = the whole file refused under --strict
    rows_loaded: int
    rows_rejected: int
    sheets: list[str]  # the sheets read (none for a CSV file)
    periods: list[str]  # the periods of the rows loaded, in time order
    issues: pl.DataFrame  # the issue records of this file (ISSUE_SCHEMA)
    error: str | None = None  # one line, for status == "failed"
    cause: InputError | None = None  # that error as data (code + params), for its words
    note: str | None = None  # e.g. where an unchanged file was loaded before
    # an unchanged file: when it was loaded before ("2024-10-12 09:30") and as which path
    loaded_before: tuple[str, str] | None = None
    register: str | None = None  # areas | institutions for a register file


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    def with_status(self, status: Status) -> list[FileReport]:
        return [f for f in self.files if f.status == status]

    @property
    def failed(self) -> list[FileReport]:
        return self.with_status("failed")

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def issues(self) -> pl.DataFrame:
        return pl.concat([empty_issues(), *(f.issues for f in self.files)], how="vertical")

    def raise_for_failures(self) -> None:
        """Raise :class:`InputError` naming the first file that failed, or was refused
        whole under --strict, if any was (exit 3)."""
        refused = [*self.failed, *self.with_status("rejected")]
        if not refused:
            return
        first = refused[0]
        others = len(refused) - 1
        cause = first.cause or (
            InputError(first.error)
            if first.error
            else InputError(
                code="strict_refused", params={"path": first.path, "rows": first.rows_rejected}
            )
        )
        case = "one" if others == 1 else "many" if others else None
        raise InputError(
            code="files_refused", params={"cause": cause, "others": others, "case": case}
        )
