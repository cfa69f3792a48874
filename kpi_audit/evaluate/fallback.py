"""The institutions for which a measure's ``fallback`` field stood in (e.g. 总诊疗人次
for a blank 门诊人次): listed as data issues, so that every report states the basis."""

from __future__ import annotations

import duckdb
import polars as pl

from kpi_audit.core.models import Indicator, Measure
from kpi_audit.evaluate.sql import compile_where, quote_ident, sql_literal
from kpi_audit.render.i18n import issue_messages

CODE = "fallback_field"


def _fallback_measures(ind: Indicator) -> list[Measure]:
    measures = (ind.numerator, ind.denominator)
    return [m for m in measures if m is not None and m.field and m.fallback]


def fallback_issues(
    con: duckdb.DuckDBPyConnection, ind: Indicator, table: str, period: str
) -> pl.DataFrame | None:
    """One issue per institution in the scope of a measure with a fallback whose field is
    blank and whose fallback is not, in ``period``; None when the indicator has none."""
    frames = []
    for m in _fallback_measures(ind):
        assert m.field and m.fallback
        field, fallback = quote_ident(m.field), quote_ident(m.fallback)
        sql = (
            f"SELECT org_code, org_name, county FROM {table} "
            f"WHERE eval_period = {sql_literal(period)} AND COALESCE({compile_where(m.where)}, "
            f"FALSE) AND {field} IS NULL AND {fallback} IS NOT NULL ORDER BY org_code"
        )
        params, zh, en = issue_messages(
            CODE,
            indicator=ind.id,
            name_zh=ind.name_zh,
            name_en=ind.name_en,
            field=m.field,
            fallback=m.fallback,
        )
        frames.append(
            con.sql(sql)
            .pl()
            .select(
                kind=pl.lit(CODE),
                code=pl.lit(CODE),
                params=pl.lit(params),
                field=pl.lit(m.field),
                message_zh=pl.lit(zh),
                message_en=pl.lit(en),
                org_code="org_code",
                org_name="org_name",
                county="county",
            )
        )
    return pl.concat(frames) if frames else None
