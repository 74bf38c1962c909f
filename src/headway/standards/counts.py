"""Counts over an LA workspace's standard-model columns, for change impact.

Columns are given as "table.column". Counts are limited to the rows that one standard's
files stored (hw_loads.source_return) unless `own=False`; a column or table the workspace
does not have (made by an older Headway) counts as empty. Values are compared as trimmed
text, so a code is found however the column is typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class WorkspaceCounts:
    """Counts over the workspace's standard-model columns, limited to one standard's loads."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sources: tuple[str, ...]) -> None:
        self.con = con
        self.sources = sources
        found = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall()
        self.columns = {f"{t}.{c}" for t, c in found}
        self.tables = {t for t, _ in found}

    def _from(self, table: str, own: bool) -> tuple[str, list[Any]]:
        if not own or "hw_loads" not in self.tables:
            return f"FROM {_quote(table)} t", []
        marks = ", ".join("?" for _ in self.sources)
        return (
            f"FROM {_quote(table)} t JOIN hw_loads l ON l.load_id = t.hw_load_id "
            f"WHERE l.source_return IN ({marks})",
            list(self.sources),
        )

    def _count(self, column: str, condition: str, params: list[Any], own: bool) -> int:
        if column not in self.columns:
            return 0
        table, name = column.split(".", 1)
        source, args = self._from(table, own)
        joiner = "AND" if "WHERE" in source else "WHERE"
        value = f"trim(CAST(t.{_quote(name)} AS VARCHAR))"
        sql = f"SELECT count(*) {source} {joiner} {condition.format(value=value)}"
        row = self.con.execute(sql, args + params).fetchone()
        return int(row[0]) if row else 0

    def filled(self, columns: Iterable[str], own: bool = True) -> int:
        return sum(self._count(c, "{value} <> ''", [], own) for c in columns)

    def blank(self, columns: Iterable[str]) -> int:
        return sum(self._count(c, "coalesce({value}, '') = ''", [], True) for c in columns)

    def using(self, columns: Iterable[str], codes: Iterable[str]) -> int:
        wanted = sorted(set(codes))
        if not wanted:
            return 0
        marks = ", ".join("?" for _ in wanted)
        return sum(self._count(c, f"{{value}} IN ({marks})", wanted, True) for c in columns)

    def not_in(self, columns: Iterable[str], codes: Iterable[str]) -> int:
        """Filled values that are not among `codes`."""
        wanted = sorted(set(codes))
        marks = ", ".join("?" for _ in wanted) or "NULL"
        condition = f"{{value}} <> '' AND {{value}} NOT IN ({marks})"
        return sum(self._count(c, condition, wanted, True) for c in columns)

    def rows(self, tables: Iterable[str], own: bool) -> int:
        total = 0
        for table in tables:
            if table not in self.tables:
                continue
            source, args = self._from(table, own)
            row = self.con.execute(f"SELECT count(*) {source}", args).fetchone()
            total += int(row[0]) if row else 0
        return total

    def dfe_findings(self, source_return: str, names: Iterable[str]) -> int:
        wanted = sorted(set(names))
        if "hw_dfe_findings" not in self.tables or not wanted:
            return 0
        marks = ", ".join("?" for _ in wanted)
        row = self.con.execute(
            f"""SELECT count(*) FROM hw_dfe_findings WHERE source_return = ? AND list_has_any(
                  list_transform(string_split(coalesce(field, ''), ','), x -> trim(x)),
                  [{marks}])""",
            [source_return, *wanted],
        ).fetchone()
        return int(row[0]) if row else 0
