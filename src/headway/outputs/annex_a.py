"""Ofsted ILACS Annex A lists 1-11 from the standard model, as one xlsx.

`write_annex_a(con, out, as_at)` writes a Summary sheet and one sheet per list ("List 1" ..
"List 11") with Ofsted's columns in Ofsted's order (headway.outputs.annex_a_lists). Each
list covers the six months ending at `as_at` (twelve for the adoption lists 10 and 11).

Where the rows come from. A record (a contact, a referral, a plan, a period of care ...) is
the child plus the date that starts it; the same record usually arrives several times: in
each year's CIN census or SSDA903 and in each year's Annex A. Headway merges them into one
row: each column is taken from the most authoritative row that carries it, the latest
collection year first, then the CIN census, the SSDA903 and the LA's own extracts before
Annex A. A return that does not carry a column (the CIN census has no allocated team), or
leaves it empty, never blanks it, except for the dates that end a record and what goes with
them (closure date and reason ...): there an empty value from the best row means "still
open" and stands.
Only returns for collection years up to the one holding `as_at` are read, and dates after
`as_at` are left blank: they had not happened yet. The child's gender, ethnicity and date of
birth come from the CIN census or SSDA903 child records, else as reported on the list.
Codes are written as the Annex A labels the pooling tools expect (annex_a_labels.yaml).

A list whose data the LA has not loaded is still in the workbook, with a first row saying so
and what to load; a list whose data is loaded but has no record in the window says that. The
Summary sheet names every list, its rows and the returns they came from. Text that would be
read as a formula is neutralised (headway.outputs.xlsx).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.errors import HeadwayError
from headway.ingest.mapping import mappings
from headway.ingest.ssda903_xml import CHILD_KINDS, GROUPS
from headway.model.schema import table as model_table
from headway.outputs.annex_a_lists import (
    AGE,
    DOB,
    ETHNICITY,
    GENDER,
    LISTS,
    Col,
    ListSpec,
)
from headway.outputs.xlsx import EXCEL_MAX_ROWS, safe_text, write_cell

NO_DATA, NO_RECORDS, WRITTEN = "no data loaded", "no records in the window", "written"
_SOURCE_NAMES = {"cin_census": "CIN census", "annex_a": "Annex A", "ssd_extract": "local extract"}
_REPORTED = ("hw_reported_sex", "hw_reported_ethnicity", "hw_reported_dob")


# --- Dates ---------------------------------------------------------------------------------


def collection_year(day: date) -> int:
    """The collection year holding a date, named by the year it ends: 2024 = 2023-24."""
    return day.year + 1 if day.month >= 4 else day.year


def window_start(as_at: date, months: int) -> date:
    """The first day of the `months`-month window ending at as_at (31 Mar -> 1 Oct for 6)."""
    month_index = as_at.year * 12 + as_at.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(as_at.day, last)) + timedelta(days=1)


def age_on(dob: date | None, day: date) -> int | None:
    if dob is None or dob > day:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


# --- Labels --------------------------------------------------------------------------------


@cache
def labels() -> dict[str, dict[str, str]]:
    """Code -> Annex A label, per code list (annex_a_labels.yaml)."""
    text = resources.files("headway.outputs").joinpath("annex_a_labels.yaml").read_text("utf-8")
    raw: dict[str, dict[str, str]] = yaml.safe_load(text)
    return {name: {str(k).upper(): str(v) for k, v in codes.items()} for name, codes in raw.items()}


def label(code_list: str | None, value: object) -> object:
    """A code as its Annex A label; anything else (a label already, free text) as it is."""
    if code_list is None or not isinstance(value, str):
        return value
    return labels()[code_list].get(value.strip().upper(), value)


# --- Which source carries which column -----------------------------------------------------


def _source_columns(spec: ListSpec) -> dict[str, set[str]]:
    """For each source (hw_src), the columns of the list's table it fills."""
    out: dict[str, set[str]] = defaultdict(set)
    for m in mappings("cin_census").values():
        if m.table == spec.table:
            out["cin_census"].update(m.columns)
    for kind, m in mappings("ssda903").items():
        if m.table == spec.table:
            out[f"ssda903:{kind}"].update(m.columns)
            out["ssda903_xml"].update(m.columns)  # a 903 XML row whose table is not known
    annex = mappings("annex_a").get(spec.sheet)
    if annex is not None and annex.table == spec.table:
        out["annex_a"].update(annex.columns)
    if spec.table.startswith("ssd_"):
        out["ssd_extract"].update(model_table(spec.table).column_names)
    for src, columns in spec.extra_carried.items():
        out[src].update(columns)
    return out


def _dedicated_datasets(spec: ListSpec) -> list[str]:
    """Loads that feed only this list's table (a 903 table, an SSD extract of the table):
    one of them loaded means the LA has loaded the list's data, even if it holds no rows."""
    kinds = [k for k, m in mappings("ssda903").items() if m.table == spec.table]
    return [*(f"ssda903:{k}" for k in kinds), f"ssd:{spec.table}"]


def _loaded(con: duckdb.DuckDBPyConnection, spec: ListSpec, as_at: date) -> bool:
    found = con.execute(
        "SELECT count(*) FROM hw_loads WHERE list_contains(?, dataset) AND collection_year <= ?",
        [_dedicated_datasets(spec), collection_year(as_at)],
    ).fetchone()
    return bool(found and found[0])


def _model_columns(spec: ListSpec) -> list[str]:
    wanted = [c.column for c in spec.columns if c.column is not None]
    for end, deps in spec.ends.items():
        wanted += [end, *deps]
    return list(dict.fromkeys(wanted))


# --- SQL -----------------------------------------------------------------------------------

_ORDER = "ORDER BY hw_year DESC, hw_pref, hw_source_ref"


def source_sql() -> str:
    """SQL naming the source of a row (t) of a load (l): cin_census, annex_a, ssd_extract,
    or ssda903:<table>, also for the 903 XML (one load for every table), whose rows say
    their table in their source ref (CHILD[3]#OC3, CHILD[3]/HEADER/AD_PLACED[1] ...)."""
    xml = " ".join(
        [
            *(f"WHEN t.hw_source_ref LIKE '%#{k}' THEN 'ssda903:{k}'" for k in CHILD_KINDS),
            *(
                f"WHEN t.hw_source_ref LIKE '%/{element}[%' THEN 'ssda903:{kind}'"
                for element, kind in GROUPS.items()
            ),
        ]
    )
    return (
        "CASE WHEN l.source_return <> 'ssda903' THEN l.source_return "
        "WHEN l.dataset <> 'ssda903_xml' THEN l.dataset "
        f"{xml} ELSE 'ssda903_xml' END"
    )


def _candidates(spec: ListSpec) -> str:
    if spec.source_sql is not None:
        return spec.source_sql.replace("{hw_src}", source_sql())
    src = source_sql()
    replaced = []
    for column in sorted({c for cols in spec.replace.values() for c in cols}):
        cases = " ".join(
            f"WHEN '{s}' THEN {exprs[column]}"
            for s, exprs in spec.replace.items()
            if column in exprs
        )
        replaced.append(f"CASE hw_src {cases} ELSE t.{column} END AS {column}")
    star = f"t.* REPLACE ({', '.join(replaced)})" if replaced else "t.*"
    return f"""
base AS (
  SELECT t.*, l.collection_year AS hw_year, {src} AS hw_src,
    CASE WHEN l.source_return = 'annex_a' THEN 1 ELSE 0 END AS hw_pref
  FROM "{spec.table}" AS t JOIN hw_loads AS l ON l.load_id = t.hw_load_id
  WHERE l.collection_year <= $year
), cand AS (
  SELECT {star} FROM base AS t WHERE {spec.where}
)"""


def _merge_column(column: str, sources: list[str], strict: bool) -> str:
    """The column from the best row whose source carries it; for an end and what goes with
    it (strict) even when that row leaves it empty, else the best row that has a value."""
    if not sources:
        return f"NULL AS {column}"
    names = ", ".join(f"'{s}'" for s in sources)
    has_value = "" if strict else f" AND {column} IS NOT NULL"
    return f"first({column} {_ORDER}) FILTER (WHERE hw_src IN ({names}){has_value}) AS {column}"


def _strict_columns(spec: ListSpec) -> set[str]:
    return {c for end, deps in spec.ends.items() for c in (end, *deps)}


def _window_sql(spec: ListSpec) -> str:
    """The window as SQL on the merged records (an end after as_at is past the window's
    first day, so masking it first would change nothing here); checked again in Python."""
    w = spec.window
    if w.start is None:
        return "m.hw_last_year = (SELECT max(hw_last_year) FROM merged)"
    parts = [f"m.{w.start} <= $as_at"]
    if w.event:
        parts.append(f"m.{w.start} >= $first")
    parts += [f"(m.{end} IS NULL OR m.{end} >= $first)" for end in w.ends]
    return " AND ".join(parts)


def _params(spec: ListSpec, as_at: date, count: bool) -> dict[str, object]:
    params: dict[str, object] = {"year": collection_year(as_at)}
    if not count and spec.window.start is not None:
        params["as_at"] = as_at
        if spec.window.event or spec.window.ends:
            params["first"] = window_start(as_at, spec.months)
    return params


def list_query(spec: ListSpec, count: bool = False) -> str:
    """The DuckDB query giving one merged row per record of the list in its window, or
    (count) the number of merged records whatever their dates."""
    carried = _source_columns(spec)
    strict = _strict_columns(spec)
    merged = [
        _merge_column(c, sorted(s for s, cols in carried.items() if c in cols), c in strict)
        for c in _model_columns(spec)
    ]
    merged += [f"first({c} {_ORDER}) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in _REPORTED]
    group = spec.group_key or spec.person
    key = spec.key or "NULL"
    key_present = f" AND {spec.key} IS NOT NULL" if spec.key else ""
    final = (
        "SELECT count(*) FROM merged"
        if count
        else f"""SELECT m.*, p.hw_sex, p.hw_ethnicity, p.hw_dob
FROM merged AS m LEFT JOIN people AS p ON p.hw_pid = m.hw_group
WHERE {_window_sql(spec)}
ORDER BY m.hw_key NULLS LAST, m.hw_group"""
    )
    return f"""
WITH {_candidates(spec).strip()},
merged AS (
  SELECT {group} AS hw_group, {key} AS hw_key,
    {", ".join(merged)},
    max(hw_year) AS hw_last_year,
    list(DISTINCT hw_src || ' ' || CAST(hw_year AS VARCHAR)) AS hw_sources
  FROM cand
  WHERE {group} IS NOT NULL{key_present}
  GROUP BY 1, 2
), people AS (
  SELECT p.pers_person_id AS hw_pid,
    first(p.pers_sex ORDER BY l.collection_year DESC) FILTER (WHERE p.pers_sex IS NOT NULL)
      AS hw_sex,
    first(p.pers_ethnicity ORDER BY l.collection_year DESC)
      FILTER (WHERE p.pers_ethnicity IS NOT NULL) AS hw_ethnicity,
    first(p.pers_dob ORDER BY l.collection_year DESC) FILTER (WHERE p.pers_dob IS NOT NULL)
      AS hw_dob
  FROM ssd_person AS p JOIN hw_loads AS l ON l.load_id = p.hw_load_id
  WHERE l.collection_year <= $year
  GROUP BY 1
)
{final}
"""


# --- Records -------------------------------------------------------------------------------


@dataclass
class ListReport:
    number: int
    title: str
    sheet: str
    status: str  # written | no data loaded | no records in the window
    rows: int
    window_start: date
    window_end: date
    sources: list[str] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "list": self.number,
            "title": self.title,
            "sheet": self.sheet,
            "status": self.status,
            "rows": self.rows,
            "window": [self.window_start.isoformat(), self.window_end.isoformat()],
            "sources": self.sources,
            "note": self.note,
        }


@dataclass
class AnnexAReport:
    path: Path
    as_at: date
    lists: list[ListReport]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "as_at": self.as_at.isoformat(),
            "lists": [r.to_dict() for r in self.lists],
        }


def _fetch(con: duckdb.DuckDBPyConnection, spec: ListSpec, as_at: date) -> list[dict[str, Any]]:
    cursor = con.execute(list_query(spec), _params(spec, as_at, count=False))
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _merged_count(con: duckdb.DuckDBPyConnection, spec: ListSpec, as_at: date) -> int:
    found = con.execute(list_query(spec, count=True), _params(spec, as_at, count=True))
    row = found.fetchone()
    return int(row[0]) if row else 0


def _mask_future(spec: ListSpec, record: dict[str, Any], as_at: date) -> None:
    """Blank what had not happened by as_at: later dates, and what goes with a later end."""
    for end, deps in spec.ends.items():
        day = _as_date(record.get(end))
        if day is not None and day > as_at:
            for column in deps:
                record[column] = None
    for column, value in record.items():
        day = _as_date(value)
        if day is not None and day > as_at and not column.startswith("hw_"):
            record[column] = None


def _in_window(spec: ListSpec, record: dict[str, Any], first: date, as_at: date) -> bool:
    w = spec.window
    if w.start is None:
        return True  # the latest year's records: chosen in SQL (_window_sql)
    start = _as_date(record.get(w.start))
    if start is None or start > as_at or (w.event and start < first):
        return False
    for end in w.ends:
        day = _as_date(record.get(end))
        if day is not None and day < first:
            return False
    return True


def _select(spec: ListSpec, records: list[dict[str, Any]], as_at: date) -> list[dict[str, Any]]:
    """Blank what had not happened by as_at, then keep the records in the window."""
    first = window_start(as_at, spec.months)
    kept = []
    for record in records:
        _mask_future(spec, record, as_at)
        if _in_window(spec, record, first, as_at):
            kept.append(record)
    return kept


def _value(col: Col, record: dict[str, Any], as_at: date) -> object:
    if col.column is not None:
        return label(col.labels, record.get(col.column))
    dob = _as_date(record.get("hw_dob")) or _as_date(record.get("hw_reported_dob"))
    if col.heading == GENDER:
        return label(col.labels, record.get("hw_sex") or record.get("hw_reported_sex"))
    if col.heading == ETHNICITY:
        return label(col.labels, record.get("hw_ethnicity") or record.get("hw_reported_ethnicity"))
    if col.heading == DOB:
        return dob if dob is not None and dob <= as_at else None
    if col.heading == AGE:
        return age_on(dob, as_at)
    raise ValueError(f"no value for Annex A heading {col.heading!r}")


def source_name(src: str) -> str:
    if src.startswith("ssda903:"):
        return f"SSDA903 {src.split(':', 1)[1]}"
    return _SOURCE_NAMES.get(src, src)


def _sources(records: Sequence[dict[str, Any]]) -> list[str]:
    years: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for item in record.get("hw_sources") or []:
            src, _, year = str(item).rpartition(" ")
            years[source_name(src)].add(year)
    return [f"{name} {', '.join(sorted(ys))}" for name, ys in sorted(years.items())]


# --- Workbook ------------------------------------------------------------------------------


class _Book:
    def __init__(self, out: Path, as_at: date) -> None:
        self.wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
        self.wb.set_properties({"title": f"Annex A lists as at {as_at:%d/%m/%Y}"})
        self.bold = self.wb.add_format({"bold": True})
        self.note = self.wb.add_format({"bold": True, "font_color": "#B10E1E"})
        self.dates = self.wb.add_format({"num_format": "dd/mm/yyyy"})
        self.summary = self.wb.add_worksheet("Summary")

    def list_sheet(
        self, spec: ListSpec, records: list[dict[str, Any]], note: str, as_at: date
    ) -> None:
        sheet = self.wb.add_worksheet(spec.sheet)
        sheet.set_column(0, len(spec.columns) - 1, 20)
        row = 0
        if note:
            sheet.write_string(0, 0, safe_text(note), self.note)
            row = 1
        for c, heading in enumerate(spec.headings):
            sheet.write_string(row, c, heading, self.bold)
        sheet.freeze_panes(row + 1, 0)
        if row + 1 + len(records) > EXCEL_MAX_ROWS:
            raise HeadwayError(
                f"Annex A list {spec.number} has {len(records):,} rows, more than one Excel "
                "sheet holds.",
                "Choose an earlier as-at date or check the loaded data for duplicates.",
            )
        for r, record in enumerate(records, start=row + 1):
            for c, col in enumerate(spec.columns):
                write_cell(sheet, r, c, _value(col, record, as_at), col.kind, self.dates)

    def write_summary(self, as_at: date, reports: list[ListReport]) -> None:
        s = self.summary
        s.set_column(0, 0, 8)
        s.set_column(1, 1, 32)
        s.set_column(2, 3, 24)
        s.set_column(4, 5, 12)
        s.set_column(6, 7, 60)
        s.write_string(0, 0, f"Ofsted ILACS Annex A lists as at {as_at:%d/%m/%Y}", self.bold)
        s.write_string(
            1,
            0,
            "Written by Headway from the standard model. Lists 1-9 cover six months, lists "
            "10 and 11 twelve, ending at the as-at date. Text that began with = + - or @ has "
            "a leading ' so that it is never read as a formula.",
        )
        heads = ["List", "Title", "Window from", "Window to", "Rows", "Status", "Source", "Note"]
        for c, h in enumerate(heads):
            s.write_string(3, c, h, self.bold)
        for r, rep in enumerate(reports, start=4):
            s.write_string(r, 0, rep.sheet)
            s.write_string(r, 1, rep.title)
            s.write_datetime(r, 2, rep.window_start, self.dates)
            s.write_datetime(r, 3, rep.window_end, self.dates)
            s.write_number(r, 4, rep.rows)
            s.write_string(r, 5, rep.status)
            s.write_string(r, 6, safe_text("; ".join(rep.sources) or "none"))
            s.write_string(r, 7, safe_text(rep.note))

    def close(self) -> None:
        self.wb.close()


def _note(spec: ListSpec, status: str, first: date, as_at: date) -> str:
    if status == NO_DATA:
        return f"No data loaded for this list: {spec.hint}."
    if status == NO_RECORDS:
        return (
            f"No records in the window {first:%d/%m/%Y} to {as_at:%d/%m/%Y}: the data for "
            "this list is loaded, but none of it falls in the window."
        )
    return ""


def default_as_at(con: duckdb.DuckDBPyConnection) -> date:
    """31 March of the latest collection year loaded (the end of what the returns cover),
    or today if nothing is loaded."""
    found = con.execute("SELECT max(collection_year) FROM hw_loads").fetchone()
    return date(found[0], 3, 31) if found and found[0] else date.today()


def print_report(report: AnnexAReport, console: Console | None = None) -> None:
    """A Rich table of the lists: rows, status and sources, then where the file is."""
    table = Table(title=f"Annex A as at {report.as_at:%d/%m/%Y}", title_justify="left")
    for heading in ("List", "Title", "Rows", "Status", "Source"):
        table.add_column(heading, justify="right" if heading == "Rows" else "left")
    colour = {WRITTEN: "green", NO_RECORDS: "yellow", NO_DATA: "red"}
    for r in report.lists:
        status = f"[{colour[r.status]}]{r.status}[/]"
        if r.status == NO_DATA:
            status += f"\n[dim]{escape(r.note)}[/]"
        table.add_row(r.sheet, escape(r.title), f"{r.rows:,}", status, escape("; ".join(r.sources)))
    out = console or Console()
    out.print(table)
    out.print(f"Written to {escape(str(report.path))}")


def write_annex_a(con: duckdb.DuckDBPyConnection, out: Path, as_at: date) -> AnnexAReport:
    """Write the Annex A lists 1-11 as at `as_at` to the xlsx `out`; say what went where."""
    out.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(out, as_at)
    reports: list[ListReport] = []
    try:
        for spec in LISTS:
            records = _select(spec, _fetch(con, spec, as_at), as_at)
            loaded = bool(records) or _merged_count(con, spec, as_at) > 0
            loaded = loaded or _loaded(con, spec, as_at)
            status = WRITTEN if records else (NO_RECORDS if loaded else NO_DATA)
            first = window_start(as_at, spec.months)
            note = _note(spec, status, first, as_at)
            book.list_sheet(spec, records, note, as_at)
            reports.append(
                ListReport(
                    spec.number,
                    spec.title,
                    spec.sheet,
                    status,
                    len(records),
                    first,
                    as_at,
                    _sources(records),
                    note,
                )
            )
        book.write_summary(as_at, reports)
    finally:
        book.close()
    return AnnexAReport(out, as_at, reports)
