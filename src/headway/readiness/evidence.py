"""The evidence about each standard item that readiness judges: is there data, how complete,
how valid, and do the DfE rules flag it.

An item is judged on the rows its own sources could fill, in each source's latest
collection year, and on the source that serves it best: cine_referral_nfa is carried by the
CIN census, not by Annex A list 3, so Annex A rows do not make it look incomplete. Code
lists apply to return rows, not to Annex A's labelled values (as in the quality profile).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import duckdb

from headway.ingest.mapping import mappings
from headway.model.schema import table as model_table
from headway.quality.code_lists import code_lists
from headway.standards import catalogue

RETURNS = ("cin_census", "ssda903", "annex_a")


@dataclass(frozen=True)
class ItemEvidence:
    item: str  # table.column
    sources: tuple[str, ...]  # the returns that can fill it
    required: bool  # a statutory return requires it (else blanks can be right: open cases)
    year: int | None  # the latest collection year with rows from those sources
    rows: int
    filled: int
    invalid: int
    dfe_failures: int
    source_fields: tuple[str, ...]  # the return fields that fill it, e.g. CINreferralDate

    @property
    def completeness(self) -> float:
        return self.filled / self.rows if self.rows else 0.0

    @property
    def has_data(self) -> bool:
        return self.filled > 0

    def to_json(self) -> dict[str, object]:
        return {
            "item": self.item,
            "sources": list(self.sources),
            "required": self.required,
            "year": self.year,
            "rows": self.rows,
            "filled": self.filled,
            "completeness": round(self.completeness, 4),
            "invalid": self.invalid,
            "dfe_failures": self.dfe_failures,
            "source_fields": list(self.source_fields),
        }


@cache
def fillers() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """(table, column) -> ((source_return, field as it appears in the return), ...)."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for source_return in RETURNS:
        for m in mappings(source_return).values():
            for f in m.fields:
                out[(m.table, f.column)].append((source_return, f.source))
            for key in m.keys:  # identifiers Headway derives for the record (C1/CIN2)
                out[(m.table, key)].append((source_return, m.kind))
    return {k: tuple(v) for k, v in out.items()}


def _sources(table: str, column: str) -> tuple[str, ...]:
    found = {r for r, _ in fillers().get((table, column), ())}
    if model_table(table).column(column).origin == "ssd":
        found.add("ssd_extract")  # an SSD extract fills every SSD field of its table
    return tuple(sorted(found))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literals(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _table_evidence(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], dfe: bool
) -> list[ItemEvidence]:
    out = []
    lists = code_lists()
    for column in columns:
        sources = _sources(table, column)
        if not sources:
            out.append(ItemEvidence(f"{table}.{column}", (), False, None, 0, 0, 0, 0, ()))
            continue
        col = _quote(column)
        text = f"trim(CAST(t.{col} AS VARCHAR))"
        invalid = "0"
        if column in lists:
            invalid = (
                f"count(*) FILTER (WHERE {text} <> '' AND l.source_return <> 'annex_a' "
                f"AND {text} NOT IN ({_literals(lists[column].codes)}))"
            )
        # Per source, its latest year; the item is judged on the source that serves it best
        # (Annex A list 6 has no referral source, but the CIN census does).
        best = con.execute(
            f"""WITH latest AS (
                  SELECT l.source_return AS src, max(l.collection_year) AS year
                  FROM {_quote(table)} t JOIN hw_loads l ON l.load_id = t.hw_load_id
                  WHERE l.source_return IN ({_literals(sources)}) GROUP BY 1)
                SELECT l.collection_year, count(*), count(*) FILTER (WHERE {text} <> ''),
                       {invalid}
                FROM {_quote(table)} t JOIN hw_loads l ON l.load_id = t.hw_load_id
                JOIN latest ON latest.src = l.source_return AND latest.year = l.collection_year
                GROUP BY l.source_return, l.collection_year
                ORDER BY count(*) FILTER (WHERE {text} <> '') / count(*) DESC, count(*) DESC
                LIMIT 1"""
        ).fetchone()
        year, rows, filled, bad = best if best else (None, 0, 0, 0)
        fields = tuple(sorted({f for _, f in fillers().get((table, column), ())}))
        failures = _dfe_failures(con, fields, year) if dfe and year is not None else 0
        item = f"{table}.{column}"
        out.append(
            ItemEvidence(item, sources, _required(item), year, rows, filled, bad, failures, fields)
        )
    return out


@cache
def _required(item: str) -> bool:
    """Whether any statutory return that fills the column requires the item (the latest
    version of its spec: minOccurs 1 in the CIN census, canbeblank no in the SSDA903)."""
    cat = catalogue.load()
    for entry_id in cat.items_in(item):
        standard, _, key = entry_id.partition(":")
        if standard in ("cin_census", "ssda903"):
            entry = cat.entry(cat.standard(standard), key)
            if entry.latest.required:
                return True
    return False


def _dfe_failures(con: duckdb.DuckDBPyConnection, fields: tuple[str, ...], year: int) -> int:
    """DfE rule findings in that year naming any of the item's return fields."""
    if not fields:
        return 0
    names = _literals(fields)
    row = con.execute(
        f"""SELECT count(*) FROM hw_dfe_findings
            WHERE collection_year = ? AND list_has_any(
              list_transform(string_split(coalesce(field, ''), ','), x -> trim(x)), [{names}])""",
        [year],
    ).fetchone()
    return int(row[0]) if row else 0


def gather(con: duckdb.DuckDBPyConnection, items: Iterable[str]) -> dict[str, ItemEvidence]:
    """Evidence for each `table.column` item, read in one pass per table."""
    by_table: dict[str, list[str]] = defaultdict(list)
    for item in dict.fromkeys(items):
        table, column = item.split(".", 1)
        by_table[table].append(column)
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'hw_dfe_findings'"
    ).fetchone()
    dfe = bool(found and found[0])
    out: dict[str, ItemEvidence] = {}
    for table, columns in by_table.items():
        for ev in _table_evidence(con, table, columns, dfe):
            out[ev.item] = ev
    return out
