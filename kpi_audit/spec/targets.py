"""Target sets: the bundled ones (one TOML file per policy document, shipped as the
package ``kpi_audit.bundled_targets``) and users' own files, loaded into
:class:`~kpi_audit.core.models.TargetSet` objects and validated with problems as data.

The file format is described in ``targets/README.md``; parsing lives in
:mod:`kpi_audit.spec.targets_parse`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from kpi_audit.core.errors import ConfigError, UsageError
from kpi_audit.core.models import Indicator, Scope, Target, TargetSet
from kpi_audit.spec.catalog import load_catalog
from kpi_audit.spec.targets_parse import OPERATORS, parse_target_file
from kpi_audit.spec.tomlsource import ConfigProblem

__all__ = [
    "OPERATORS",
    "TargetFileProblem",
    "TargetValidation",
    "bundled_target_sets",
    "find_target_or_set",
    "format_requirement",
    "load_target_file",
    "load_target_sets",
    "scope_record",
    "target_is_evaluable",
    "target_needs",
    "target_record",
    "validate_target_file",
    "validate_target_files",
]

TargetFileProblem = ConfigProblem  # (path, line, key, message); str() → "path:line: key: message"

_REPO_TARGETS = Path(__file__).resolve().parents[2] / "targets"


def bundled_target_sets() -> dict[str, Path]:
    """Bundled set name → file, from the installed package ``kpi_audit.bundled_targets``
    (the repository's ``targets/`` folder when the package is not importable)."""
    try:
        folder = Path(str(files("kpi_audit.bundled_targets")))
    except ModuleNotFoundError:
        folder = _REPO_TARGETS
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def validate_target_file(
    path: Path, catalog: dict[str, Indicator] | None = None
) -> list[TargetFileProblem]:
    """Every problem in one target file (empty when it is valid)."""
    return parse_target_file(Path(path), _catalog(catalog))[1]


@dataclass
class TargetValidation:
    """What ``kpi-audit targets validate`` reports."""

    problems: list[TargetFileProblem] = field(default_factory=list)
    files: int = 0
    targets: int = 0  # targets in the files that are valid

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_target_files(
    paths: Sequence[Path], catalog: dict[str, Indicator] | None = None
) -> TargetValidation:
    catalog = _catalog(catalog)
    report = TargetValidation(files=len(paths))
    for path in paths:
        target_set, problems = parse_target_file(Path(path), catalog)
        report.problems.extend(problems)
        if target_set is not None:
            report.targets += len(target_set.targets)
    return report


def load_target_file(path: Path, catalog: dict[str, Indicator] | None = None) -> TargetSet:
    """Parse one target file; ConfigError with the first problem (and how many more)."""
    target_set, problems = parse_target_file(Path(path), _catalog(catalog))
    if problems or target_set is None:
        more = len(problems) - 1
        rest = (
            f" (and {more} more problem{'s' if more > 1 else ''}; run `kpi-audit targets "
            f"validate {path}`)"
            if more > 0
            else ""
        )
        raise ConfigError(f"invalid target file: {problems[0]}{rest}")
    return target_set


def load_target_sets(
    specs: Sequence[str], catalog: dict[str, Indicator] | None = None
) -> list[TargetSet]:
    """Load each spec: a bundled set name (``zhengzhou-2016``) or a path to a target file.
    The same file named twice is loaded once; two sets sharing a name or a target id is
    a ConfigError."""
    catalog = _catalog(catalog)
    paths: list[Path] = []
    for spec in specs:
        path = _resolve_spec(spec)
        if path.resolve() not in [p.resolve() for p in paths]:
            paths.append(path)
    sets = [load_target_file(p, catalog) for p in paths]
    seen_sets: dict[str, str] = {}
    seen_targets: dict[str, str] = {}
    for target_set in sets:
        if target_set.name in seen_sets:
            raise ConfigError(
                f"two target files define the set '{target_set.name}': "
                f"{seen_sets[target_set.name]} and {target_set.path}"
            )
        seen_sets[target_set.name] = target_set.path
        for target in target_set.targets:
            if target.id in seen_targets:
                raise ConfigError(
                    f"target id '{target.id}' is defined in both "
                    f"{seen_targets[target.id]} and {target_set.path}"
                )
            seen_targets[target.id] = target_set.path
    return sets


def _resolve_spec(spec: str) -> Path:
    bundled = bundled_target_sets()
    if spec in bundled:
        return bundled[spec]
    path = Path(spec)
    if path.is_file():
        return path
    sets = {"spec": spec, "sets": list(bundled)}
    if path.suffix == ".toml" or "/" in spec or "\\" in spec:
        raise ConfigError(code="target_file_not_found", params=sets)
    raise ConfigError(code="unknown_target_set", params=sets)


def _catalog(catalog: dict[str, Indicator] | None) -> dict[str, Indicator]:
    return load_catalog() if catalog is None else catalog


def target_is_evaluable(
    target: Target, catalog: dict[str, Indicator]
) -> tuple[bool, tuple[str, ...]]:
    """(evaluable, the data it needs) — not evaluable when its indicator needs data a
    facility submission cannot carry."""
    indicator = catalog.get(target.indicator)
    if indicator is None:
        return False, (f"indicator '{target.indicator}' is not in the catalog",)
    return indicator.evaluable, indicator.needs


def target_needs(
    target: Target, catalog: dict[str, Indicator], lang: str = "zh"
) -> tuple[str, ...]:
    """The data ``target`` lacks in ``lang`` (zh: the catalog's ``needs_zh``; en:
    ``needs``); empty when the submissions can measure it."""
    evaluable, needs = target_is_evaluable(target, catalog)
    indicator = catalog.get(target.indicator)
    if evaluable or lang == "en" or indicator is None or not indicator.needs_zh:
        return () if evaluable else needs
    return indicator.needs_zh


def find_target_or_set(
    ident: str, specs: Sequence[str] = (), catalog: dict[str, Indicator] | None = None
) -> TargetSet | Target:
    """``ident`` as a set (bundled name or file path), else as a target id in the
    bundled sets and ``specs``. UsageError when it is neither."""
    catalog = _catalog(catalog)
    bundled = bundled_target_sets()
    if ident in bundled or Path(ident).is_file():
        return load_target_sets([ident], catalog)[0]
    for target_set in load_target_sets([*bundled, *specs], catalog):
        for target in target_set.targets:
            if target.id == ident:
                return target
    raise UsageError(code="unknown_target", params={"ident": ident, "sets": list(bundled)})


def format_requirement(target: Target, indicator: Indicator | None, lang: str = "zh") -> str:
    """``≥ 65%``, ``5%–10%``, ``≤ 4``, ``≥ 1.2/千人`` … by the one display rule
    (:class:`kpi_audit.render.format.Display`) for the indicator's value kind."""
    from kpi_audit.render.format import Display

    return Display(indicator.value_kind if indicator else "number").requirement(target, lang)


def target_record(target: Target, catalog: dict[str, Indicator]) -> dict[str, Any]:
    """One target as ``targets list --format json`` prints it: the domain.md §5 keys
    (id, target_set, indicator, operator, threshold, from_year, evaluable, needs,
    source{document, clause, quote}) plus descriptive extras, among them ``needs_zh``
    (the Chinese of ``needs``, which stays English)."""
    evaluable, needs = target_is_evaluable(target, catalog)
    indicator = catalog.get(target.indicator)
    return {
        "id": target.id,
        "target_set": target.target_set,
        "indicator": target.indicator,
        "operator": target.operator,
        "threshold": target.threshold,
        "from_year": target.from_year,
        "evaluable": evaluable,
        "needs": list(needs),
        "needs_zh": list(indicator.needs_zh) if indicator and not evaluable else [],
        "source": {
            "document": target.source.citation,
            "clause": target.source.clause,
            "quote": target.source.quote,
            "title": target.source.document,
            "number": target.source.number,
        },
        "threshold_high": target.threshold_high,
        "until_year": target.until_year,
        "binding": target.binding,
        "tolerance": target.tolerance,
        "due": target.due,
        "scope": scope_record(target.scope),
        "levels": list(target.levels),
        "warn_within": target.warn_within,
        "requirement": format_requirement(target, indicator),
        "indicator_name": indicator.name_zh if indicator else None,
        "indicator_name_en": indicator.name_en if indicator else None,
        "kind": indicator.kind if indicator else None,
        "scale": indicator.scale if indicator else None,
        "title_zh": target.title_zh,
        "note": target.note,
    }


def scope_record(scope: Scope) -> dict[str, Any]:
    """A scope as JSON: ``{"area_type": [...], "where": [{"field", "op", "value"}]}``;
    empty lists mean every area type / no filter beyond the indicator's."""
    return {
        "area_type": list(scope.area_type),
        "where": [
            {
                "field": c.field,
                "op": c.op,
                "value": list(c.value) if isinstance(c.value, tuple) else c.value,
            }
            for c in scope.where
        ],
    }
