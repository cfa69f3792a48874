"""The data-quality review (issue 10): checks across rows and across time that no
single row shows — outliers against an institution's own history, jumps against the
previous period, consistency over time, related data, repeated and late submissions.

- :func:`load_rules` / :func:`check_rules`: the rule catalogue ``rules.toml`` as typed
  rule objects.
- :func:`review`: every rule over the store for one period → :class:`QualityReview`.
- :func:`messages`: each finding's message in a language (rendered at the edge).

Findings never change a verdict; ``--fail-on quality`` turns error findings into exit 1.
"""

from __future__ import annotations

from kpi_audit.core.result import QualityReview
from kpi_audit.quality.messages import messages
from kpi_audit.quality.rules import Rule, check_rules, load_rules
from kpi_audit.quality.run import review

__all__ = ["QualityReview", "Rule", "check_rules", "load_rules", "messages", "review"]
