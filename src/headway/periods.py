"""Quarters, the periods trials and hub submissions are counted in: 2026Q1 to 2027Q4, in order."""

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


def wave_starts(periods: int, waves: int) -> list[int]:
    """The first supported period (1-based) of each wave of a stepped wedge: spread evenly
    from period 2 (period 1 is the baseline every LA has) to the last period, when the last
    wave starts. Spreading them to the end matters: with not-yet-supported LAs as the
    comparison, nothing after the last wave's start can be estimated."""
    if waves < 1 or periods < 2 or waves > periods - 1:
        raise HeadwayError(
            f"{waves} waves do not fit in {periods} periods.",
            f"A stepped wedge needs a baseline period first, so at most {max(periods - 1, 0)} "
            "waves.",
        )
    if waves == 1:
        return [periods // 2 + 1]
    step = (periods - 2) / (waves - 1)
    return [2 + round(k * step) for k in range(waves)]


def wave_start_quarters(quarters: list[str], waves: int) -> list[str]:
    """wave_starts as quarters."""
    return [quarters[i - 1] for i in wave_starts(len(quarters), waves)]
