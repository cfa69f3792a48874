"""docs/architecture.md is the code map: every package and module of kpi_audit is on it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kpi_audit"
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
NAMED = set(re.findall(r"[\w.]+\.py\b", DOC))


def test_every_module_is_named_on_the_map() -> None:
    modules = sorted(
        p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"
    )
    assert modules, "no modules found"
    assert [m for m in modules if m.rsplit("/", 1)[-1] not in NAMED] == []


def test_every_package_is_on_the_map() -> None:
    packages = sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_dir() and p.name != "__pycache__" and any(p.glob("*.py"))
    )
    assert [p for p in packages if f"{p.rsplit('/', 1)[-1]}/" not in DOC] == []


def test_every_module_named_on_the_map_exists() -> None:
    names = {p.name for p in PACKAGE.rglob("*.py")}
    scripts = {p.name for p in (ROOT / "benchmarks").glob("*.py")}
    assert sorted(NAMED - names - scripts) == []
