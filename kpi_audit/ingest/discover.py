"""Files, folders (searched recursively) and glob patterns → the spreadsheet files to read."""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

from kpi_audit.core.errors import InputError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; folders searched recursively for spreadsheets; glob patterns
    expanded. A path that matches nothing raises :class:`InputError`."""
    found: dict[Path, None] = {}
    for given in paths:
        text = str(given)
        if glob.has_magic(text):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            matches = [m for m in matches if m.is_file() and _is_spreadsheet(m)]
        elif Path(text).is_dir():
            matches = sorted(
                p
                for p in Path(text).rglob("*")
                if p.is_file()
                and _is_spreadsheet(p)
                and not any(part.startswith(".") for part in p.relative_to(text).parts)
            )
        elif Path(text).exists():
            matches = [Path(text)]
        else:
            raise InputError(code="no_such_path", path=text)
        if not matches:
            raise InputError(code="no_spreadsheet", path=text)
        found.update(dict.fromkeys(matches))
    return list(found)


def _is_spreadsheet(path: Path) -> bool:
    # ~$name.xlsx is the lock file Excel leaves next to an open workbook.
    return path.suffix.lower() in SUFFIXES and not path.name.startswith("~$")
