"""Ofsted ILACS Annex A workbooks (lists 1-11), read as values into the standard model.

An Annex A return is an xlsx with one sheet per list. LAs build them by hand or from
their own reports, so the same list arrives as "List 3", "List 3 - Referrals",
"L3 Referrals", "Referrals" or "List3", with headings in any case, spacing or punctuation
and often a title row or two above the table. Headway recognises a sheet by its name AND
its header row, using the headings and spellings in the `annex_a:` section of
mappings.yaml (data, not code: a new spelling needs no code change):

- a header row holds the list's ID column and at least one column that only a few lists
  have; the one among the sheet's first 10 rows that fits best (the first, if tied) is
  the header, and rows above it (titles, notes, blank rows) are skipped;
- a sheet named for a list ("List 3", "L3 ...") must have that list's header row; a sheet
  with another name is a list if its header row says which one (name words such as
  "Referrals" settle a tie); anything else (a cover sheet, guidance, a hidden lookup
  sheet) is not read and is named in the load's detail.

Where the lists go (the source ref of every row is "<sheet>!row <n>", 1-based):
   1 contacts         -> ssd_contacts          7 child protection  -> ssd_cp_plans
   2 early help       -> ssd_early_help_episodes 8 children in care -> ssd_cla_episodes
   3 referrals        -> ssd_cin_episodes      9 care leavers      -> ssd_care_leavers
   4 assessments      -> ssd_cin_assessments  10 adoption          -> ssd_permanence
   5 s47 and ICPC     -> ssd_s47_enquiry      11 adopters          -> hw_adopters
   6 children in need -> ssd_cin_episodes: a CIN case is a CIN episode (start, primary
     need, closure), not a CIN plan; cine_annex_a_list tells lists 3 and 6 apart.
The child's gender, ethnicity, date of birth and age go to hw_reported_sex,
hw_reported_ethnicity, hw_reported_dob and hw_reported_age on every list but 11, whose
rows are adopters, identified by the adopter ID or, failing that, the family ID.

Tolerated and refused (each refusal is one HeadwayError and the ingest rolls back):
- tolerated: title, note and blank rows above the header; merged cells and formulas in
  those title rows; columns in any order; missing Annex A columns (loaded as empty and
  named in the load's detail); blank rows (skipped); extra columns that are not in Annex
  A: their values are kept, cell by cell, in hw_value_issues with the issue "column not
  in Annex A; kept here, not loaded", so nothing is lost and the file still loads;
- quarantined: a row with no child ID (list 11: no adopter or family ID);
- refused: formulas in the table (the values are whatever Excel last calculated), merged
  cells in the table (only the first cell holds the value), a hidden sheet that looks like
  a list by name or header (what the analyst sees is not what would be loaded; hidden
  sheets that are not lists, such as lookups, are left alone), a second header row inside
  the data (two tables pasted into one sheet), two columns or two sheets for the same
  thing, zip bombs and damaged files (xlsx_safety), and a workbook with no list at all.
Values are read with python-calamine: values only, no formula is ever executed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from python_calamine import CalamineError, CalamineWorkbook

from headway.errors import HeadwayError
from headway.ingest.load import FileLoad, ValueIssue
from headway.ingest.mapping import mappings
from headway.ingest.xlsx_safety import SheetPart, SheetScan, inspect_xlsx
from headway.model.schema import table as model_table

HEADER_SEARCH_ROWS = 10
UNKNOWN_COLUMN = "column not in Annex A; kept here, not loaded"
# A heading shared by this many lists or more (child ID, gender, team ...) cannot tell
# the lists apart; a header row must also hold at least one heading that can.
_COMMON_IN = 4
_NAMED = re.compile(r"(?<![a-z])(?:list|l)\s*[-_.:#]?\s*0*(\d{1,2})(?!\d)")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _norm(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower().replace("&", "and"))


def _forms(text: str) -> list[str]:
    """A heading as compared, ignoring case and punctuation: as written, then without any
    (bracketed) part, so "Age of Child (Years)" also matches "Age of child"."""
    return [f for f in dict.fromkeys((_norm(text), _norm(_BRACKETED.sub("", text)))) if f]


def _spellings(name: str, also: list[str]) -> frozenset[str]:
    return frozenset(_forms(name)).union(*map(_forms, also))


def _words(text: str) -> str:
    return " " + " ".join(_NOT_ALNUM.sub(" ", text.lower().replace("&", " and ")).split()) + " "


@dataclass(frozen=True)
class _Field:
    name: str  # the Annex A heading as published
    column: str
    spellings: frozenset[str]
    optional: bool = False  # only in some Annex A versions: not reported when missing


@dataclass(frozen=True)
class _ListSpec:
    kind: str  # "List 3"
    number: int
    table: str
    fields: tuple[_Field, ...]
    ids: tuple[str, ...]
    sheet_words: tuple[str, ...]
    constants: tuple[tuple[str, str], ...]
    by_spelling: dict[str, _Field] = field(default_factory=dict, compare=False)
    specific: frozenset[str] = frozenset()

    def field_for(self, heading: str) -> _Field | None:
        for form in _forms(heading):
            f = self.by_spelling.get(form)
            if f is not None:
                return f
        return None


@cache
def _specs() -> tuple[_ListSpec, ...]:
    """The lists as mappings.yaml describes them, checked against the standard model."""
    text = resources.files("headway.ingest").joinpath("mappings.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)["annex_a"]
    checked = mappings("annex_a")  # raises if a column is not in the model
    seen_in: dict[str, int] = {}
    for body in raw.values():
        for name in body["fields"]:
            seen_in[name] = seen_in.get(name, 0) + 1
    out = []
    for kind, body in raw.items():
        fields = tuple(
            _Field(name, f["column"], _spellings(name, f.get("also", [])), f.get("optional", False))
            for name, f in body["fields"].items()
        )
        by_spelling: dict[str, _Field] = {}
        for f in fields:
            for s in f.spellings:
                if by_spelling.setdefault(s, f) is not f:
                    raise ValueError(f"mappings.yaml annex_a {kind}: '{s}' names two fields")
        constants = tuple((str(k), str(v)) for k, v in body.get("constants", {}).items())
        for column, _ in constants:
            model_table(checked[kind].table).column(column)
        out.append(
            _ListSpec(
                kind=kind,
                number=int(kind.split()[-1]),
                table=checked[kind].table,
                fields=fields,
                ids=tuple(body["ids"]),
                sheet_words=tuple(_words(w) for w in body.get("sheet", [])),
                constants=constants,
                by_spelling=by_spelling,
                specific=frozenset(f.name for f in fields if seen_in[f.name] < _COMMON_IN),
            )
        )
    return tuple(out)


def _spec(number: int) -> _ListSpec:
    return next(s for s in _specs() if s.number == number)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _letter(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class _Header:
    spec: _ListSpec
    row: int  # 0-based index into the sheet's rows
    columns: dict[int, _Field]
    headings: dict[int, str]  # every non-blank heading cell, as written

    @property
    def score(self) -> tuple[int, int]:
        names = {f.name for f in self.columns.values()}
        return len(names & self.spec.specific), len(names)

    @property
    def satisfied(self) -> bool:
        names = {f.name for f in self.columns.values()}
        return bool(names & set(self.spec.ids)) and bool(names & self.spec.specific)


def _match(spec: _ListSpec, rows: list[list[Any]], r: int) -> _Header:
    columns: dict[int, _Field] = {}
    headings: dict[int, str] = {}
    for c, cell in enumerate(rows[r]):
        if _blank(cell):
            continue
        headings[c] = str(cell).strip()
        f = spec.field_for(str(cell)) if isinstance(cell, str) else None
        if f is not None:
            columns[c] = f
    return _Header(spec, r, columns, headings)


def _best_headers(rows: list[list[Any]]) -> dict[int, _Header]:
    """For each list, the first header row in the search window that fits it best."""
    best: dict[int, _Header] = {}
    for r in range(min(HEADER_SEARCH_ROWS, len(rows))):
        if not any(isinstance(c, str) and c.strip() for c in rows[r]):
            continue
        for spec in _specs():
            h = _match(spec, rows, r)
            if h.satisfied and (spec.number not in best or h.score > best[spec.number].score):
                best[spec.number] = h
    return best


def _unknown_columns(header: _Header, rows: list[list[Any]]) -> list[tuple[int, str]]:
    """Columns that are not Annex A columns of the list, each with its heading as written."""
    width = max((len(r) for r in rows), default=0)
    return [
        (c, header.headings.get(c) or f"(column {_letter(c)}, no heading)")
        for c in range(width)
        if c not in header.columns
    ]


def _is_heading(value: object, f: _Field) -> bool:
    """Whether a data cell holds one of the field's headings (a header row repeated)."""
    return isinstance(value, str) and _norm(value) in f.spellings


def _named_list(sheet: str) -> int | None:
    m = _NAMED.search(sheet.lower())
    return int(m[1]) if m and 1 <= int(m[1]) <= 11 else None


def _worded_lists(sheet: str) -> set[int]:
    words = _words(sheet)
    return {s.number for s in _specs() if any(w in words for w in s.sheet_words)}


class _Reader:
    """One Annex A workbook: which sheet is which list, then every row into the load."""

    def __init__(self, path: Path, load: FileLoad) -> None:
        self.path = path
        self.load = load
        self.ignored: list[str] = []
        self.missing: list[str] = []
        self.blank_rows = 0

    def fail(self, message: str, hint: str) -> HeadwayError:
        return HeadwayError(f"{self.path.name}: {message}", hint)

    def identify(self, sheet: str, rows: list[list[Any]]) -> _Header | None:
        """The list a sheet holds and its header row, None if it is not a list."""
        found = _best_headers(rows)
        named = _named_list(sheet)
        if named is not None:
            if named in found:
                return found[named]
            if found:
                other = max(found.values(), key=lambda h: h.score).spec
                raise self.fail(
                    f"sheet '{sheet}' is named as list {named} but its columns are those of "
                    f"list {other.number}.",
                    "Rename the sheet after the list it holds, or correct its headings.",
                )
            spec = _spec(named)
            wanted = next(f.name for f in spec.fields if f.name in spec.specific)
            raise self.fail(
                f"sheet '{sheet}' has no header row Headway recognises as list {named} in its "
                f"first {HEADER_SEARCH_ROWS} rows.",
                f"Its header row needs '{spec.ids[0]}' and the list's columns (e.g. '{wanted}').",
            )
        if not found:
            return None
        worded = _worded_lists(sheet)
        pool = [h for n, h in found.items() if n in worded] or list(found.values())
        pool.sort(key=lambda h: h.score, reverse=True)
        if len(pool) > 1 and pool[0].score == pool[1].score:
            raise self.fail(
                f"sheet '{sheet}' could be list {pool[0].spec.number} or list "
                f"{pool[1].spec.number}.",
                "Name the sheet after its list, e.g. 'List 3'.",
            )
        return pool[0]

    def refuse_hidden_list(self, sheet: str, rows: list[list[Any]]) -> None:
        """A hidden sheet may hold lookups; one that looks like a list must not be hidden."""
        number = _named_list(sheet)
        if number is None:
            found = _best_headers(rows)
            if not found:
                return
            number = max(found.values(), key=lambda h: h.score).spec.number
        raise self.fail(
            f"sheet '{sheet}' is hidden but looks like Annex A list {number}.",
            "Unhide it (right-click a sheet tab > Unhide) if it belongs in the return, "
            "or delete it, and load it again.",
        )

    def check_table(self, sheet: str, header: _Header, scan: SheetScan) -> None:
        """Refuse what values-only reading would silently get wrong in the table itself."""
        first_row = header.row + 1  # Excel's 1-based number of the header row
        cell = scan.first_formula_from(first_row)
        if cell is not None:
            raise self.fail(
                f"sheet '{sheet}' has a formula in cell {cell}.",
                "Copy the sheet and paste it as values (Paste Special > Values), save, and "
                "load it again.",
            )
        merged = scan.first_merge_from(first_row)
        if merged is not None:
            raise self.fail(
                f"sheet '{sheet}' has merged cells {merged} in its table.",
                "Unmerge them (Home > Merge & Center > Unmerge Cells), give each row its own "
                "values, and load it again.",
            )

    def columns_of(self, sheet: str, header: _Header) -> None:
        """Refuse two columns for one field; note the Annex A columns the sheet lacks."""
        where: dict[str, int] = {}
        for c, f in sorted(header.columns.items()):
            if f.name in where:
                raise self.fail(
                    f"sheet '{sheet}' has two columns for '{f.name}': "
                    f"{_letter(where[f.name])} ('{header.headings[where[f.name]]}') and "
                    f"{_letter(c)} ('{header.headings[c]}').",
                    "Delete or rename one of them, and load it again.",
                )
            where[f.name] = c
        lacking = [f.name for f in header.spec.fields if f.name not in where and not f.optional]
        if lacking:
            self.missing.append(f"{header.spec.kind} ({', '.join(lacking)})")

    def load_rows(self, sheet: str, header: _Header, rows: list[list[Any]]) -> None:
        """Every row below the header: stored, quarantined, or (if blank) skipped."""
        spec = header.spec
        kind, table = spec.kind, spec.table
        mapped = sorted(header.columns.items())
        idx = [c for c, _ in mapped]
        id_cols = [c for c, f in mapped if f.name in spec.ids]
        id_field = header.columns[id_cols[0]]
        unknown = _unknown_columns(header, rows)
        constants = tuple(v for _, v in spec.constants)
        writer = self.load.writer(
            kind, table, [*(k for k, _ in spec.constants), *(f.column for _, f in mapped)]
        )
        issues = self.load.issues
        for r in range(header.row + 1, len(rows)):
            row = rows[r]
            if all(_blank(v) for v in row):
                self.blank_rows += 1
                continue
            self.load.records[kind] += 1
            ref = f"{sheet}!row {r + 1}"
            if _is_heading(row[id_cols[0]], id_field):
                raise self.fail(
                    f"sheet '{sheet}' row {r + 1} repeats the header row inside the data.",
                    "Delete that row (and anything below it that belongs to another table), "
                    "and load it again.",
                )
            if all(_blank(row[c]) for c in id_cols):
                raw = {header.headings.get(c, _letter(c)): v for c, v in enumerate(row) if v != ""}
                self.load.quarantine(
                    kind, table, ref, f"the row has no {' or '.join(spec.ids)}", raw
                )
                continue
            writer.add((*constants, *(row[c] for c in idx)), ref)
            for c, heading in unknown:
                if not _blank(row[c]):
                    issues.append(
                        ValueIssue(table, heading, ref, str(row[c]).strip(), UNKNOWN_COLUMN)
                    )

    def read(self) -> str:
        package = inspect_xlsx(self.path)
        try:
            book = CalamineWorkbook.from_path(str(self.path))
        except CalamineError as exc:
            raise self.fail(
                f"Headway cannot read this workbook ({exc}).", "Open it in Excel and save it again."
            ) from exc
        try:
            loaded = self.read_sheets(book, package.sheets, package.scans)
        finally:
            book.close()
        if not loaded:
            names = ", ".join(f"'{s.name}'" for s in package.sheets) or "none"
            raise HeadwayError(
                f"{self.path.name} is an Excel workbook but none of its sheets ({names}) is "
                "an Annex A list.",
                "Headway looks for sheets such as 'List 1' or 'Contacts' whose header row "
                f"(in the first {HEADER_SEARCH_ROWS} rows) has 'Child Unique ID' and the "
                "list's columns.",
            )
        return self.detail(sorted(loaded))

    def read_sheets(
        self, book: CalamineWorkbook, sheets: Sequence[SheetPart], scans: dict[str, SheetScan]
    ) -> dict[int, str]:
        loaded: dict[int, str] = {}
        for part in sheets:
            if part.part is None:
                continue  # a chart sheet: no cells
            scan = scans.get(part.part)
            if scan is None:
                raise self.fail(
                    f"sheet '{part.name}' is missing from the file.",
                    "Open it in Excel and save it again.",
                )
            rows: list[list[Any]] = book.get_sheet_by_name(part.name).to_python(
                skip_empty_area=False
            )
            if not any(not _blank(v) for row in rows for v in row):
                self.ignored.append(f"{part.name} (empty)")
                continue
            if part.hidden:
                self.refuse_hidden_list(part.name, rows)
                self.ignored.append(f"{part.name} (hidden)")
                continue
            header = self.identify(part.name, rows)
            if header is None:
                self.ignored.append(part.name)
                continue
            number = header.spec.number
            if number in loaded:
                raise self.fail(
                    f"sheets '{loaded[number]}' and '{part.name}' both hold Annex A list {number}.",
                    "Combine them into one sheet or delete one, and load it again.",
                )
            self.check_table(part.name, header, scan)
            self.columns_of(part.name, header)
            self.load_rows(part.name, header, rows)
            loaded[number] = part.name
        return loaded

    def detail(self, numbers: list[int]) -> str:
        parts = [f"Annex A {'list' if len(numbers) == 1 else 'lists'} {_ranges(numbers)}"]
        if self.ignored:
            parts.append("sheets not read: " + ", ".join(self.ignored))
        if self.missing:
            parts.append("columns missing: " + "; ".join(self.missing))
        if self.blank_rows:
            parts.append(f"{self.blank_rows} blank rows skipped")
        return "; ".join(parts)


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> '1-3, 5'."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def read_annex_a(path: Path, load: FileLoad) -> str:
    """Load every Annex A list in the workbook; return a short description of the load."""
    return _Reader(path, load).read()
