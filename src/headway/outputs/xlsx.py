"""Writing cells an analyst will open in Excel, safely.

A text cell that starts with = + - @ (or a tab or carriage return) would be read as a
formula by Excel or by whatever the file is pasted into (CSV/formula injection, OWASP).
Such text is written with a leading apostrophe, as a string, so it shows as text and is
never evaluated. Cells are always written with an explicit type (write_string,
write_number, write_datetime): XlsxWriter's generic write() would turn "=..." into a
formula and "http://..." into a link.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767


def safe_text(value: object) -> str:
    """Text that Excel will show, never evaluate: a leading ' before a formula start."""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - 1] + "…"
    return text


def write_cell(
    sheet: Any, row: int, col: int, value: object, kind: str, date_format: Any = None
) -> None:
    """Write one cell as its kind: s text, d date, n number. None leaves the cell blank."""
    if value is None or value == "":
        return
    if kind == "d" and isinstance(value, date | datetime):
        sheet.write_datetime(row, col, value, date_format)
    elif kind == "n" and isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, safe_text(value))
