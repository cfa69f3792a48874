"""A target explained in words (``targets show``): how it is judged, when it is due,
where it applies and whether it binds — in Chinese by default, or English. The words
live in the one table of :mod:`kpi_audit.render.i18n` (``show.*`` keys)."""

from __future__ import annotations

from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.core.models import Condition, Indicator, Scope, Target
from kpi_audit.render.format import Display
from kpi_audit.render.i18n import LABELS, label

_CLASS_WORDS: dict[str, tuple[str, str]] = {
    "primary_care": ("基层医疗卫生机构", "primary-care facilities"),
    "hospital": ("医院", "hospitals"),
    "tcm_institution": ("中医类医疗机构", "TCM institutions"),
    "tcm_hospital": ("中医类医院（中医、中西医结合、民族医医院）", "TCM hospitals"),
    "public_health": ("专业公共卫生机构", "public-health institutions"),
    "other": ("其他机构", "other institutions"),
}
_OP_WORDS: dict[str, tuple[str, str]] = {
    "=": ("为", "is"),
    "!=": ("不为", "is not"),
    "in": ("为", "is one of"),
    "not in": ("不为", "is none of"),
    ">=": ("≥", ">="),
    "<=": ("≤", "<="),
    ">": (">", ">"),
    "<": ("<", "<"),
}


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


def _condition_text(c: Condition, lang: str) -> str:
    zh = lang != "en"
    values = c.value if isinstance(c.value, tuple) else (c.value,)
    if c.field == "org_class":
        name = "机构大类" if zh else "institution class"
        shown = [_CLASS_WORDS.get(str(v), (str(v), str(v)))[0 if zh else 1] for v in values]
    else:
        field = FIELDS_BY_ID.get(c.field)
        name = (field.zh if zh else field.en) if field else c.field
        shown = [
            ("是" if v else "否")
            if zh and isinstance(v, bool)
            else str(v).lower()
            if isinstance(v, bool)
            else str(v)
            for v in values
        ]
    word = _OP_WORDS.get(c.op, (c.op, c.op))[0 if zh else 1]
    joined = ("、" if zh else ", ").join(shown)
    return f"{name}{word}{joined}" if zh else f"{name} {word} {joined}"


def scope_text(scope: Scope, lang: str = "zh") -> str:
    """``仅适用于县、县级市…；只计…的机构`` — or every area and institution."""
    if scope.is_everything:
        return label("show.scope.all", lang)
    parts = []
    if scope.area_type:
        sep = "、" if lang != "en" else ", "
        parts.append(label("show.scope.area", lang, types=sep.join(scope.area_type)))
    if scope.where:
        sep = "，且" if lang != "en" else " and "
        conditions = sep.join(_condition_text(c, lang) for c in scope.where)
        parts.append(label("show.scope.where", lang, conditions=conditions))
    return ("；" if lang != "en" else "; ").join(parts)
