"""late_submission: the files whose rows the period's audit uses, received after the
deadline. One finding per county and file (an office sends a file per county)."""

from __future__ import annotations

from collections.abc import Sequence

from kpi_audit.evaluate.sql import sql_literal
from kpi_audit.quality.rules import LateRule


def deadline_sql(rule: LateRule) -> str:
    """The deadline of a row's submitted period, from period_year / period_quarter: the
    ``deadline_day`` of the ``deadline_months``-th month after the period's last month."""
    last_month = "coalesce(period_quarter * 3, 12)"
    return (
        f"(make_date(period_year, {last_month}, 1) + INTERVAL ({rule.deadline_months}) MONTH "
        f"+ INTERVAL ({rule.deadline_day - 1}) DAY)::DATE"
    )


def late_sql(rule: LateRule, latest: str, labels: Sequence[str]) -> str:
    """``latest``: the latest load of every institution and period (a subquery over
    ``submissions`` with file_id); ``labels``: the submitted periods of the audit."""
    listed = ", ".join(sql_literal(label) for label in labels)
    received = "coalesce(f.received_at, CAST(f.ingested_at AS DATE))"
    per_file = f"""
        SELECT s.county, s.file_id, min(s.period) AS period, {deadline_sql(rule)} AS deadline,
               count(DISTINCT s.org_code) AS n
        FROM ({latest}) s WHERE s.period IN ({listed})
        GROUP BY s.county, s.file_id, s.period_year, s.period_quarter"""
    return f"""
        SELECT CASE WHEN {received} > x.deadline THEN 'flagged' ELSE 'passed' END AS state,
          'county' AS level, x.county AS unit, x.county AS unit_name, x.county,
          NULL::VARCHAR AS indicator, NULL::VARCHAR AS field,
          CAST(date_diff('day', x.deadline, {received}) AS DOUBLE) AS value,
          NULL::DOUBLE AS expected_low, 0.0 AS expected_high, NULL::DOUBLE AS score,
          NULL::DOUBLE AS reference,
          regexp_extract(f.path, '[^/\\\\]+$') AS other,
          strftime(x.deadline, '%Y-%m-%d') AS note, x.n AS count
        FROM ({per_file}) x JOIN files f ON f.file_id = x.file_id"""
