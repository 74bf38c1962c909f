"""Dates as day numbers (proleptic Gregorian ordinals), collection windows and fast formatting.

Histories hold dates as `int` ordinals (`date.toordinal()`): adding days is integer addition
and formatting goes through small caches, which keeps a national-size run fast.
"""

from __future__ import annotations

from datetime import date
from functools import cache

Day = int  # a date as its proleptic Gregorian ordinal

_ISO: dict[Day, str] = {}
_DMY: dict[Day, str] = {}


def day(y: int, m: int, d: int) -> Day:
    return date(y, m, d).toordinal()


@cache
def collection_window(year: int) -> tuple[Day, Day]:
    """1 April of the previous year to 31 March of `year` (collections are named by the end)."""
    return day(year - 1, 4, 1), day(year, 3, 31)


def iso(d: Day) -> str:
    """YYYY-MM-DD."""
    s = _ISO.get(d)
    if s is None:
        s = _ISO[d] = date.fromordinal(d).isoformat()
    return s


def dmy(d: Day) -> str:
    """dd/mm/YYYY, as SSDA903 CSVs carry dates."""
    s = _DMY.get(d)
    if s is None:
        v = date.fromordinal(d)
        s = _DMY[d] = f"{v.day:02d}/{v.month:02d}/{v.year:04d}"
    return s


def birthday(dob: Day, years: int) -> Day:
    """The day a person born on `dob` turns `years` (29 February birthdays fall on 1 March)."""
    b = date.fromordinal(dob)
    try:
        return date(b.year + years, b.month, b.day).toordinal()
    except ValueError:
        return date(b.year + years, 3, 1).toordinal()


def age_on(dob: Day, d: Day) -> int:
    """Age in whole years on day `d`."""
    b = date.fromordinal(dob)
    v = date.fromordinal(d)
    return v.year - b.year - ((v.month, v.day) < (b.month, b.day))
