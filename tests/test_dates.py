"""The date parser: every form LAs send, and never a wrong date."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from headway.ingest.dates import collection_year, parse_date, parse_date_text

dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2069, 12, 31))
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December"]  # fmt: skip


@given(dates)
def test_every_written_form_reads_back_to_the_same_date(d: date) -> None:
    forms = [
        d.isoformat(),
        d.strftime("%d/%m/%Y"),
        f"{d.day}/{d.month}/{d.year}",
        d.strftime("%d-%m-%Y"),
        d.strftime("%d.%m.%Y"),
        d.strftime("%Y%m%d"),
        d.strftime("%Y/%m/%d"),
        f"{d.isoformat()}T00:00:00",
        f"{d.isoformat()} 13:45:00",
        f"{d.isoformat()}T09:30:00Z",
        f"{d.day:02d}-{MONTH_NAMES[d.month - 1][:3]}-{d.year}",
        f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}",
        f"  {d.strftime('%d/%m/%Y')}  ",
    ]
    for text in forms:
        assert parse_date_text(text) == d, text


@given(dates)
def test_two_digit_years_within_the_window(d: date) -> None:
    if 1970 <= d.year <= 2069:
        assert parse_date_text(d.strftime("%d/%m/%y")) == d


@given(st.text(max_size=30))
def test_any_text_gives_a_date_or_none_never_an_error(text: str) -> None:
    result = parse_date_text(text)
    assert result is None or isinstance(result, date)


@given(st.integers(min_value=1, max_value=31), st.integers(min_value=13, max_value=99))
def test_impossible_months_are_not_dates(day: int, month: int) -> None:
    assert parse_date_text(f"{day:02d}/{month}/2024") is None
    assert parse_date_text(f"2024-{month}-{day:02d}") is None


def test_impossible_days_are_not_dates() -> None:
    assert parse_date_text("31/02/2024") is None
    assert parse_date_text("2023-02-29") is None
    assert parse_date_text("2024-02-29") == date(2024, 2, 29)


@given(dates)
def test_excel_serial_numbers_and_objects(d: date) -> None:
    serial = (d - date(1899, 12, 30)).days
    assert parse_date(serial) == d
    assert parse_date(float(serial)) == d
    assert parse_date(datetime(d.year, d.month, d.day, 10, 30)) == d
    assert parse_date(d) == d


def test_blank_and_nonsense() -> None:
    for text in ["", "   ", "unknown", "N/A", "2024", "31/03", "not a date 2024-01-01"]:
        assert parse_date_text(text) is None, text
    assert parse_date(None) is None
    assert parse_date(True) is None


@given(dates)
def test_collection_year_runs_april_to_march(d: date) -> None:
    y = collection_year(d)
    assert date(y - 1, 4, 1) <= d <= date(y, 3, 31)
