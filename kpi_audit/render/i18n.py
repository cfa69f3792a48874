"""The one table of words and messages, Chinese and English, and how a coded message
(a not-evaluable reason, a data issue) is rendered per language at the edge.

Everything a user reads comes from :data:`LABELS`: report headings, statuses, terminal
lines, and the messages of reason and issue codes. The entries live in one table per
area in :mod:`kpi_audit.render.words` (``report``, ``terminal``, ``targets``, ``cli``,
``quality``, ``template``, ``reasons``, ``issues``, ``errors``); :data:`LABELS` is
their union and the only way in. Importing this module loads no polars (the CLI's
help texts come from here on every start); the frame helpers import it when called.

A library error (:class:`kpi_audit.core.errors.KpiAuditError`) is data as well: its
``code`` + ``params`` are an ``error.<code>`` entry in ``render/words/errors.py``,
rendered by :func:`error_text` / :func:`error_line` in the CLI's one except clause.

Problems are data: the evaluator writes a stable code and its parameters
(``reason_code`` + ``reason_params`` on a result row, ``code`` + ``params`` on a data
issue); this module turns them into words.

Adding a reason or data-issue code
----------------------------------
1. Where the problem is found, write the code and a JSON object of parameters, e.g.
   ``reason_code="not_due"``, ``reason_params=json.dumps({"due": "year_end"})``
   (data issues: ``code`` / ``params``, and ``message_zh`` / ``message_en`` from
   :func:`issue_messages`).
2. Add ONE entry to ``render/words/reasons.py``:
   ``"reason.not_due": ("中文 {due}", "English {due}")`` (data issues:
   ``"issue.<code>"`` in ``render/words/issues.py``). Placeholders are parameter names.

Parameter conventions: a list is joined with 、 in Chinese and ", " in English (see
:data:`_JOINS` for exceptions); ``field`` / ``fields`` hold field ids, shown in Chinese
as the template's headers (总诊疗人次) and in English as the ids. Text that exists in
both languages travels as two parameters (``name_zh`` / ``name_en``) and each template
uses its own. ``tests/test_i18n.py`` checks that every entry renders in both languages.
An unknown code renders as the code and its parameters, never as an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kpi_audit.render.words import merged

if TYPE_CHECKING:
    import polars as pl

    from kpi_audit.core.errors import KpiAuditError
    from kpi_audit.core.result import AuditResult

LANGS = ("zh", "en")

# key -> (zh, en): the union of the area tables in kpi_audit/render/words/
LABELS: dict[str, tuple[str, str]] = merged()

# How a list parameter is joined, per parameter name: (zh, en). Default: 、 and ", ".
_JOINS: dict[str, tuple[str, str]] = {
    "needs_zh": ("；", "; "),
    "quarters": (", ", ", "),
    "markers": ("」「", "', '"),  # each in its quotes: 「无」「—」, '无', '—'
}
_FIELD_PARAMS = ("field", "fields", "fallback")


def label(key: str, lang: str = "zh", **fmt: object) -> str:
    """The label ``key`` in ``lang`` (zh or en), with ``{placeholders}`` filled."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def parse_params(params: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """Parameters as a dict, from a JSON object string (as the frames hold them)."""
    if params is None or params == "":
        return {}
    if isinstance(params, str):
        loaded = json.loads(params)
        return loaded if isinstance(loaded, dict) else {}
    return dict(params)


def params_json(**params: Any) -> str:
    """The JSON object string a frame's ``reason_params`` / ``params`` column holds."""
    return json.dumps(params, ensure_ascii=False, sort_keys=True)


_SHARE_PARAMS = ("missing_prior_share", "reporting_rate")


def _shown(name: str, value: Any, lang: str) -> str:
    zh = lang != "en"
    if name in _SHARE_PARAMS:
        if value is None:
            return "未知" if zh else "unknown"
        return f"{float(value) * 100:.1f}%"
    if name in _FIELD_PARAMS and zh:
        from kpi_audit.core.fields import FIELDS_BY_ID

        ids = value if isinstance(value, list | tuple) else [value]
        value = [FIELDS_BY_ID[f].zh if f in FIELDS_BY_ID else f for f in ids]
    if isinstance(value, list | tuple):
        sep = _JOINS.get(name, ("、", ", "))[0 if zh else 1]
        return sep.join(str(v) for v in value)
    return "" if value is None else str(value)


def coded_text(
    prefix: str, code: str | None, params: Mapping[str, Any] | str | None, lang: str = "zh"
) -> str:
    """The message of ``prefix.code`` (``reason`` or ``issue``) in ``lang``; empty
    for no code. An unknown code or a missing parameter shows the code and its
    parameters rather than failing a report."""
    if not code:
        return ""
    values = parse_params(params)
    entry = LABELS.get(f"{prefix}.{code}.{values.get('case')}") or LABELS.get(f"{prefix}.{code}")
    if entry is not None:
        template = entry[1] if lang == "en" else entry[0]
        try:
            return template.format_map({k: _shown(k, v, lang) for k, v in values.items()})
        except (KeyError, IndexError, ValueError):
            pass
    return f"{code} {params_json(**values)}" if values else code


def reason_text(code: str | None, params: Mapping[str, Any] | str | None, lang: str = "zh") -> str:
    """A not-evaluable reason (``reason_code`` + ``reason_params``) in ``lang``."""
    return coded_text("reason", code, params, lang)


def issue_text(code: str | None, params: Mapping[str, Any] | str | None, lang: str = "zh") -> str:
    """A data issue's message (``code`` + ``params``) in ``lang``."""
    return coded_text("issue", code, params, lang)


def error_text(exc: KpiAuditError, lang: str = "zh") -> str:
    """A library error's one-line message in ``lang``: its ``code`` + ``params`` through the
    ``error.<code>`` entry (a parameter that is itself an error is rendered in ``lang``
    too), prefixed with where it happened (file, sheet, row, column). An error without a
    code, or whose code has no entry, is its English ``str(exc)`` in every language."""
    if not error_translated(exc):
        return str(exc)
    from kpi_audit.core.errors import KpiAuditError

    params = {
        k: error_text(v, lang) if isinstance(v, KpiAuditError) else v for k, v in exc.params.items()
    }
    message = coded_text("error", exc.code, params, lang)
    where = [
        label(key, lang, **{name: value})
        for key, name, value in (
            ("error.at.path", "path", exc.path),
            ("error.at.sheet", "sheet", exc.sheet),
            ("error.at.row", "row", exc.row),
            ("error.at.column", "column", exc.column),
        )
        if value is not None and value != ""
    ]
    if not where:
        return message
    return label("error.at", lang, where=label("error.at.sep", lang).join(where), message=message)


def error_translated(exc: KpiAuditError) -> bool:
    """Whether ``exc`` has words in the table (a ``code`` with an ``error.<code>`` entry,
    and so do the errors among its parameters)."""
    from kpi_audit.core.errors import KpiAuditError

    code, case = exc.code, exc.params.get("case")
    if not code or (f"error.{code}" not in LABELS and f"error.{code}.{case}" not in LABELS):
        return False
    return all(error_translated(v) for v in exc.params.values() if isinstance(v, KpiAuditError))


def error_line(exc: KpiAuditError, lang: str = "zh") -> str:
    """What the CLI prints for ``exc``: ``错误：…`` / ``error: …``; an error without words
    in the table stays the English line in every language."""
    shown = lang if error_translated(exc) else "en"
    return label("error.line", shown, message=error_text(exc, shown))


def issue_messages(code: str, **params: Any) -> tuple[str, str, str]:
    """(params JSON, message_zh, message_en) of a data issue found by kpi-audit."""
    return params_json(**params), issue_text(code, params, "zh"), issue_text(code, params, "en")


def issue_exprs(code: str, **params: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(message_zh, message_en) expressions of data issue ``code`` whose parameters are
    columns: the issue's templates with each ``{name}`` filled from ``params[name]``."""
    import polars as pl

    return tuple(  # type: ignore[return-value]
        pl.format(
            re.sub(r"\{\w+\}", "{}", template),
            *(
                params[name].cast(pl.String).fill_null("")
                for name in re.findall(r"\{(\w+)\}", template)
            ),
        )
        for template in LABELS[f"issue.{code}"]
    )


def _coded_expr(frame: pl.DataFrame, prefix: str, code: str, params: str, lang: str) -> pl.Expr:
    """The messages of a frame's ``code`` / ``params`` columns in ``lang``: each
    distinct pair rendered once, then mapped (null where there is no code)."""
    import polars as pl

    key = pl.concat_str([pl.col(code), pl.col(params).fill_null("")], separator="\x1f")
    pairs = frame.select(code, params).unique().drop_nulls(code)
    mapping = {f"{c}\x1f{p or ''}": coded_text(prefix, c, p, lang) for c, p in pairs.iter_rows()}
    return key.replace_strict(mapping, default=None, return_dtype=pl.String)


def reason_expr(frame: pl.DataFrame, lang: str = "zh") -> pl.Expr:
    """A results frame's reasons (``reason_code`` + ``reason_params``) in ``lang``."""
    return _coded_expr(frame, "reason", "reason_code", "reason_params", lang)


def shown_reason_expr(frame: pl.DataFrame, lang: str = "zh") -> pl.Expr:
    """What a report's reason column shows: the not-evaluable reason, else for a
    provisional result ``暂定：N家未报`` (the JSON's ``reason`` stays the reason alone)."""
    import polars as pl

    reason = reason_expr(frame, lang)
    if "provisional" not in frame.columns:
        return reason
    side = 1 if lang == "en" else 0
    template = LABELS["comp.provisional"][side].replace("{missing}", "{}")
    provisional = pl.format(template, pl.col("reporting_missing").fill_null(0))
    shown = reason.is_null() & pl.col("provisional").fill_null(False)
    if "left_out" not in frame.columns:
        return pl.when(shown).then(provisional).otherwise(reason)
    # and, on a judged unit, the institutions a blank field left out of its sums
    left_template = LABELS["comp.left_out"][side].replace("{left_out}", "{}")
    left = pl.format(left_template, pl.col("left_out"))
    some_left = reason.is_null() & (pl.col("left_out").fill_null(0) > 0)
    return (
        pl.when(shown & some_left)
        .then(pl.concat_str([provisional, left], separator="; " if side else "；"))
        .when(shown)
        .then(provisional)
        .when(some_left)
        .then(left)
        .otherwise(reason)
    )


def message_expr(lang: str = "zh") -> pl.Expr:
    """A data-issues frame's message in ``lang`` (its ``message_zh`` / ``message_en``)."""
    import polars as pl

    return pl.col("message_en" if lang == "en" else "message_zh")


def localized(result: AuditResult, lang: str = "zh") -> AuditResult:
    """A copy of ``result`` whose results carry ``reason`` (as reports show it:
    :func:`shown_reason_expr`) and whose data issues carry ``message``, both in ``lang``."""
    return replace(
        result,
        results=result.results.with_columns(reason=shown_reason_expr(result.results, lang)),
        data_issues=result.data_issues.with_columns(message=message_expr(lang)),
    )
