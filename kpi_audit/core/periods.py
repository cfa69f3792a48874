"""Reporting periods: a quarter (2024Q3) or a whole year (2024)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})\s*[-/_ ]?\s*[Qq](?P<q>[1-4])$"),
    re.compile(r"^(?P<y>\d{4})\s*年?\s*第?\s*(?P<q>[一二三四1-4])\s*季度?$"),
    re.compile(r"^(?P<y>\d{4})\s*年?\s*[Qq](?P<q>[1-4])$"),
    re.compile(r"^(?P<y>\d{4})\s*(年|年度|年全年)?$"),
)


@dataclass(frozen=True)
class Period:
    """A reporting period: a quarter (``Period(2024, 3)``) or a whole year (``Period(2024)``).

    The one order of periods: by year, and within a year Q1 < Q2 < Q3 < Q4 < the whole
    year. A year sorts after its fourth quarter because its report is complete last
    (an annual report covers the quarters before it). Any two periods compare, a year
    with a quarter too, so ``sorted`` never raises.
    """

    year: int
    quarter: int | None = None  # None = the whole year

    def __post_init__(self) -> None:
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1–4 or None, not {self.quarter!r}")

    @property
    def is_annual(self) -> bool:
        return self.quarter is None

    def __str__(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}Q{self.quarter}"

    @property
    def label_zh(self) -> str:
        if self.quarter is None:
            return f"{self.year}年"
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"

    def sort_key(self) -> tuple[int, int]:
        """(year, 1–4 for a quarter, 5 for the whole year): the order documented above."""
        return (self.year, 5 if self.quarter is None else self.quarter)

    def __lt__(self, other: Period) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: Period) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: Period) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: Period) -> bool:
        return self.sort_key() >= other.sort_key()

    def previous(self) -> Period:
        """The period of the same kind just before: 2024Q1 → 2023Q4, 2024 → 2023."""
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def year_earlier(self) -> Period:
        """The same period a year before: 2024Q3 → 2023Q3, 2024 → 2023."""
        return Period(self.year - 1, self.quarter)

    def quarters(self) -> tuple[Period, ...]:
        """The quarters the period is made of: a year's four, or the quarter itself."""
        if self.quarter is None:
            return tuple(Period(self.year, q) for q in range(1, 5))
        return (self,)

    def back(self, n: int) -> list[Period]:
        """This period and the ``n - 1`` periods of its kind before it, oldest first."""
        out = [self]
        for _ in range(n - 1):
            out.append(out[-1].previous())
        return out[::-1]


def period_of(label: str) -> Period:
    """A stored (canonical) period label → its Period; ValueError when it is none."""
    parsed = parse_period(label)
    if parsed is None:
        raise ValueError(f"not a period label: {label!r}")
    return parsed


def parse_period(text: object) -> Period | None:
    """Parse the spellings offices use; None when it is not a period."""
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        if float(text).is_integer() and 1900 <= int(text) <= 2200:
            return Period(int(text))
        return None
    import unicodedata

    s = unicodedata.normalize("NFKC", str(text)).strip()
    for pattern in _PATTERNS:
        m = pattern.match(s)
        if m:
            year = int(m.group("y"))
            q = m.groupdict().get("q")
            return Period(year, _CN_DIGITS[q] if q else None)
    return None
