"""The standard model's tables, read from standard_model.yaml, and their DuckDB DDL.

Also the workspace's own bookkeeping tables (hw_loads, hw_load_counts, hw_quarantine,
hw_value_issues): what was loaded from where, what was set aside and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import duckdb
import yaml

DUCKDB_TYPES = {"VARCHAR", "DATE", "INTEGER", "DOUBLE", "BOOLEAN"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    item_ref: str | None = None  # the SSD item reference, for SSD fields
    origin: str = "ssd"  # ssd, addition, headway, common


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    from_ssd: bool

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")


def _columns(entries: list[dict[str, str]], origin: str) -> list[Column]:
    cols = []
    for e in entries:
        if e["type"] not in DUCKDB_TYPES:
            raise ValueError(f"unknown type {e['type']} for {e['name']}")
        cols.append(
            Column(e["name"], e["type"], e.get("description", ""), e.get("item_ref"), origin)
        )
    return cols


@cache
def tables() -> dict[str, Table]:
    """Every table of the standard model, by name."""
    text = resources.files("headway.model").joinpath("standard_model.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    common = _columns(spec["common"], "common")
    out: dict[str, Table] = {}
    for name, body in spec["ssd_tables"].items():
        cols = _columns(body["columns"], "ssd")
        cols += _columns(spec["additions"].get(name, []), "addition")
        out[name] = Table(name, body.get("description", ""), tuple(cols + common), True)
    unknown = set(spec["additions"]) - set(out)
    if unknown:
        raise ValueError(f"additions name tables that are not in the SSD: {sorted(unknown)}")
    for name, body in spec["headway_tables"].items():
        cols = _columns(body["columns"], "headway")
        out[name] = Table(name, body["description"], tuple(cols + common), False)
    return out


def table(name: str) -> Table:
    try:
        return tables()[name]
    except KeyError:
        raise KeyError(f"the standard model has no table {name}") from None


BOOKKEEPING_DDL = """
CREATE SEQUENCE IF NOT EXISTS hw_load_seq START 1;
CREATE TABLE IF NOT EXISTS hw_loads (
    load_id INTEGER PRIMARY KEY,
    dataset VARCHAR NOT NULL,          -- e.g. cin_census, ssda903:Episodes, annex_a, ssd:ssd_person
    source_return VARCHAR NOT NULL,    -- cin_census, ssda903, annex_a, ssd
    collection_year INTEGER NOT NULL,  -- named by the year it ends: 2024 = 2023-24
    la_code VARCHAR NOT NULL,
    file_path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    detail VARCHAR                     -- e.g. the CIN schema variant or the 903 table
);
CREATE TABLE IF NOT EXISTS hw_load_counts (
    load_id INTEGER NOT NULL,
    table_name VARCHAR NOT NULL,
    read BIGINT NOT NULL,
    stored BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    PRIMARY KEY (load_id, table_name)
);
CREATE TABLE IF NOT EXISTS hw_quarantine (
    load_id INTEGER NOT NULL,
    table_name VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    raw VARCHAR                        -- the record as read, JSON
);
CREATE TABLE IF NOT EXISTS hw_self_assessments (
    pack_id VARCHAR NOT NULL,          -- the programme pack
    expectation_id VARCHAR NOT NULL,   -- one of its expectations
    met BOOLEAN NOT NULL,              -- the LA's own judgement
    note VARCHAR,
    assessed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (pack_id, expectation_id)
);
CREATE TABLE IF NOT EXISTS hw_value_issues (
    load_id INTEGER NOT NULL,
    table_name VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    original_value VARCHAR NOT NULL,   -- kept as sent, because it could not be read
    issue VARCHAR NOT NULL
);
"""


def create_table_ddl(t: Table) -> str:
    cols = ",\n    ".join(f'"{c.name}" {c.type}' for c in t.columns)
    return f'CREATE TABLE IF NOT EXISTS "{t.name}" (\n    {cols}\n);'


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every standard-model and bookkeeping table that is not there yet, and add the
    columns a newer model has to a workspace made by an older Headway."""
    con.execute(BOOKKEEPING_DDL)
    existing: dict[str, set[str]] = {}
    for table_name, column_name in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    ).fetchall():
        existing.setdefault(table_name, set()).add(column_name)
    for t in tables().values():
        if t.name not in existing:
            con.execute(create_table_ddl(t))
            continue
        for c in t.columns:
            if c.name not in existing[t.name]:
                con.execute(f'ALTER TABLE "{t.name}" ADD COLUMN "{c.name}" {c.type}')
