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


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # None = the whole year

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

    def year_earlier(self) -> Period:
        return Period(self.year - 1, self.quarter)

    def sort_key(self) -> tuple[int, int]:
        return (self.year, self.quarter or 0)


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
