"""A target explained in words (``targets show``): how it is judged, when it is due,
where it applies and whether it binds — in Chinese by default, or English. The words
live in the one table of :mod:`kpi_audit.render.i18n` (``show.*`` keys, in
:mod:`kpi_audit.render.words.targets`)."""

from __future__ import annotations

from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.core.models import Condition, Indicator, Scope, Target
from kpi_audit.render.format import Display
from kpi_audit.render.i18n import LABELS, label


def _number(value: float, indicator: Indicator | None, lang: str = "zh") -> str:
    """A threshold as the documents write it (65%, 1.2/千人), by the one display rule."""
    display = Display(indicator.value_kind if indicator else "number")
    unit_key = f"unit.{display.kind}"
    return display.threshold(value) + (label(unit_key, lang) if unit_key in LABELS else "")


def judged_text(target: Target, indicator: Indicator | None, lang: str = "zh") -> str:
    """How a value is judged: ``不低于 65% 为达标`` …, with the warning band."""
    t = _number(target.threshold, indicator)
    op = target.operator
    if op == "around" and target.tolerance is not None:
        low = _number(target.threshold - target.tolerance, indicator)
        high = _number(target.threshold + target.tolerance, indicator)
        text = label("show.around", lang, t=t, low=low, high=high)
    elif op == "between" and target.threshold_high is not None:
        text = label("show.between", lang, low=t, high=_number(target.threshold_high, indicator))
    else:
        text = label(f"show.op.{op}", lang, t=t)
    if target.warn_within is not None:
        key = "show.warn_band" if op in ("around", "between") else "show.warn_short"
        share = indicator is not None and Display(indicator.value_kind).share
        w = (
            label("show.points", lang, n=f"{target.warn_within * 100:g}")
            if share
            else _number(target.warn_within, indicator)
        )
        text += label(key, lang, w=w)
    return text


def binding_text(target: Target, lang: str = "zh") -> str:
    return label("show.binding" if target.binding else "show.aspiration", lang)


def due_text(target: Target, lang: str = "zh") -> str:
    text = label(f"show.due.{target.due}", lang, year=target.from_year)
    if target.until_year is not None:
        text += label("show.until", lang, until=target.until_year)
    return text


def _word(key: str, default: str, lang: str) -> str:
    return label(key, lang) if key in LABELS else default


def _condition_text(c: Condition, lang: str) -> str:
    zh = lang != "en"
    values = c.value if isinstance(c.value, tuple) else (c.value,)
    if c.field == "org_class":
        name = label("show.org_class", lang)
        shown = [_word(f"show.class.{v}", str(v), lang) for v in values]
    else:
        field = FIELDS_BY_ID.get(c.field)
        name = (field.zh if zh else field.en) if field else c.field
        shown = [
            label("show.true" if v else "show.false", lang) if isinstance(v, bool) else str(v)
            for v in values
        ]
    word = _word(f"show.cond.{c.op}", c.op, lang)
    joined = label("show.list_sep", lang).join(shown)
    return label("show.condition", lang, name=name, word=word, values=joined)


def scope_text(scope: Scope, lang: str = "zh") -> str:
    """``仅适用于县、县级市…；只计…的机构`` — or every area and institution."""
    if scope.is_everything:
        return label("show.scope.all", lang)
    parts = []
    if scope.area_type:
        types = label("show.list_sep", lang).join(scope.area_type)
        parts.append(label("show.scope.area", lang, types=types))
    if scope.where:
        conditions = label("show.and", lang).join(_condition_text(c, lang) for c in scope.where)
        parts.append(label("show.scope.where", lang, conditions=conditions))
    return label("show.part_sep", lang).join(parts)
