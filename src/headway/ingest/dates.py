"""Dates in the forms LAs actually send, normalised to datetime.date.

Statutory specs say dd/mm/YYYY (903) or YYYY-MM-DD (CIN XML), but exports from case
management systems and Excel also give d/m/YYYY, dd-mm-YYYY, dd.mm.YYYY, YYYYMMDD,
'05-Apr-2024', '5 April 2024', ISO date-times and two-digit years. The same few
thousand dates repeat across a return, so parsing is cached.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})" + _TIME + "$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-]([A-Za-z]{3,9})[\s\-,]+(\d{2}|\d{4})$")
_EXCEL_EPOCH = date(1899, 12, 30)


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        # Two-digit years: a child's dates are within a century; 00-69 is 2000s.
        y += 2000 if y < 70 else 1900
    return y


@lru_cache(maxsize=65536)
def parse_date_text(text: str) -> date | None:
    """Return the date a text means, or None when it cannot be read as a date."""
    s = text.strip()
    if not s:
        return None
    try:
        if m := _ISO.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(s):
            return date(_year(m[3]), int(m[2]), int(m[1]))
        if m := _YMD_SLASH.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _COMPACT.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _NAMED.match(s)) and (month := _MONTHS.get(m[2].lower())):
            return date(_year(m[3]), month, int(m[1]))
    except ValueError:  # e.g. 31/02/2024
        return None
    return None


def parse_date(value: object) -> date | None:
    """Dates from any reader: text, Excel serial numbers, or date/datetime objects."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial day number (1900 date system) that reached us as a number.
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    return parse_date_text(str(value))


def collection_year(d: date) -> int:
    """The collection year a date falls in: 1 April Y-1 to 31 March Y is year Y."""
    return d.year + 1 if d.month >= 4 else d.year
