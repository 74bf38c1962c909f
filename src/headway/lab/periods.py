"""Quarters, the lab's periods: '2026Q1' to '2027Q4', in order."""

from __future__ import annotations

import re

from headway.errors import HeadwayError

_QUARTER = re.compile(r"^(20[0-9]{2})Q([1-4])$")


def parse(text: str) -> tuple[int, int]:
    m = _QUARTER.match(text.strip().upper())
    if not m:
        raise HeadwayError(f"'{text}' is not a quarter.", "Write quarters as 2026Q1 ... 2026Q4.")
    return int(m.group(1)), int(m.group(2))


def label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def between(first: str, last: str) -> list[str]:
    """Every quarter from first to last, inclusive."""
    (y, q), end = parse(first), parse(last)
    if (y, q) > end:
        raise HeadwayError(f"{first} is after {last}.", "Give the first quarter first.")
    out = []
    while (y, q) <= end:
        out.append(label(y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def wave_starts(periods: list[str], waves: int) -> list[str]:
    """When each wave of a stepped wedge starts: every LA is a control in the first
    period, the waves start at equal steps after it, and the last period has all treated."""
    if waves < 1 or waves > len(periods) - 1:
        raise HeadwayError(
            f"{waves} waves do not fit in {len(periods)} periods.",
            f"A stepped wedge needs a baseline period, so at most {len(periods) - 1} waves.",
        )
    step = (len(periods) - 1) // waves
    return [periods[1 + k * step] for k in range(waves)]
