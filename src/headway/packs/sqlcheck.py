"""Check a measure's or output's SQL against the pack contract, with sqlglot, with line numbers.

The contract (docs/packs.md): one SELECT, no semicolon, in a portable subset of SQL (DuckDB
is the reference engine; sqlglot must carry it to T-SQL, PostgreSQL and Spark SQL), reading
only standard-model tables and hw_loads. A measure returns `period`, `value` and optionally
`breakdown`; an output names its columns (no SELECT *). Column names are checked against
the standard model with sqlglot's qualifier, so a typo is found before any data is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Literal

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import ErrorLevel, OptimizeError, ParseError, TokenError, UnsupportedError
from sqlglot.optimizer.qualify import qualify

from headway.model.schema import BOOKKEEPING_DDL, tables
from headway.packs.errors import PackError
from headway.packs.model import suggest

Kind = Literal["measure", "output"]
READ = "duckdb"
TARGETS = ("tsql", "postgres", "spark")
MEASURE_REQUIRED = ("period", "value")
MEASURE_OPTIONAL = ("breakdown",)
LOADS_TABLE = "hw_loads"
_LINE = re.compile(r"Line: (\d+)")
_UNKNOWN_COLUMN = re.compile(r"Unknown column: (\w+)|Column '(\w+)' could not be resolved")


@cache
def readable_schema() -> Mapping[str, Mapping[str, str]]:
    """Every table a measure may read, with its columns and types, for sqlglot."""
    schema: dict[str, dict[str, str]] = {
        t.name: {c.name: c.type for c in t.columns} for t in tables().values()
    }
    for statement in sqlglot.parse(BOOKKEEPING_DDL, read=READ):
        if isinstance(statement, exp.Create) and statement.find(exp.Table) is not None:
            target = statement.find(exp.Table)
            if target is not None and target.name == LOADS_TABLE:
                schema[LOADS_TABLE] = {
                    col.name: col.args["kind"].sql(READ)
                    for col in statement.find_all(exp.ColumnDef)
                }
    return schema


def _line(node: exp.Expr) -> int | None:
    """The first line number sqlglot recorded in or under `node`."""
    for sub in node.walk():
        line = sub.meta.get("line") if sub.meta else None
        if isinstance(line, int):
            return line
    return None


class _Checker:
    """Collects the problems of one SQL file."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[PackError] = []

    def add(self, line: int | None, message: str) -> None:
        self.errors.append(PackError(self.name, line, None, "", message))


def _semicolons(text: str, check: _Checker) -> bool:
    """Report each semicolon; False when the text cannot even be tokenized."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(READ).tokenize(text)
    except TokenError as e:
        check.add(None, f"cannot be read as SQL: {e}")
        return False
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            check.add(token.line, "has a semicolon: write one SELECT, with no semicolon")
    return True


def _parse(text: str, check: _Checker) -> exp.Query | None:
    try:
        statements = [s for s in sqlglot.parse(text, read=READ) if s is not None]
    except ParseError as e:
        first = e.errors[0] if e.errors else {}
        detail = str(first.get("description", e)).split(". Line")[0]
        check.add(first.get("line"), f"cannot be parsed: {detail}")
        return None
    except TokenError as e:
        check.add(None, f"cannot be read as SQL: {e}")
        return None
    except RecursionError:
        check.add(None, "is nested too deeply to read")
        return None
    if not statements:
        check.add(None, "is empty: write one SELECT")
        return None
    if len(statements) > 1:
        check.add(_line(statements[1]), f"holds {len(statements)} statements: write one SELECT")
    query = statements[0]
    if not isinstance(query, exp.Query):
        check.add(_line(query), f"is a {query.key.upper()} statement: write one SELECT")
        return None
    return query


def _cte_names(query: exp.Expr) -> set[str]:
    return {cte.alias_or_name for cte in query.find_all(exp.CTE)}


def _tables(query: exp.Expr, check: _Checker) -> bool:
    """Only standard-model tables, hw_loads and the query's own CTEs; True when all are."""
    ok = True
    known = readable_schema()
    ctes = _cte_names(query)
    for table in query.find_all(exp.Table):
        line = _line(table)
        if not isinstance(table.this, exp.Identifier):
            check.add(line, f"reads {table.this.sql(READ)}: read only standard-model tables")
            ok = False
        elif table.db or table.catalog:
            check.add(line, f"names a schema in {table.sql(READ)}: use the bare table name")
            ok = False
        elif table.name not in known and table.name not in ctes:
            hint = suggest(table.name, known)
            check.add(line, f"reads '{table.name}', which is not a standard-model table{hint}")
            ok = False
    return ok


def _portable(query: exp.Expr, check: _Checker) -> None:
    for found in query.find_all(exp.Filter):
        check.add(_line(found), "uses FILTER (WHERE ...): write CASE WHEN ... END instead")
    for call in query.find_all(exp.Anonymous):
        check.add(
            _line(call),
            f"calls {call.name}(), which sqlglot cannot translate for SQL Server, "
            "PostgreSQL and Spark: use a standard function",
        )
    for dialect in TARGETS:
        try:
            query.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
        except UnsupportedError as e:
            check.add(None, f"cannot be written for {dialect}: {e}")


def _columns(query: exp.Query, kind: Kind, check: _Checker) -> None:
    names = [n.lower() for n in query.named_selects]
    line = _line(query)
    if "*" in names or not names:
        check.add(line, "selects *: name each column it returns")
        return
    if kind == "output":
        return
    for wanted in MEASURE_REQUIRED:
        if wanted not in names:
            check.add(line, f"does not return a '{wanted}' column: a measure returns "
                      "period, value and optionally breakdown")  # fmt: skip
    for name in names:
        if name not in MEASURE_REQUIRED + MEASURE_OPTIONAL:
            check.add(line, f"returns '{name}': a measure returns only period, value "
                      "and optionally breakdown")  # fmt: skip


def _column_lines(query: exp.Expr, column: str) -> Iterator[int | None]:
    for node in query.find_all(exp.Column):
        if node.name.lower() == column.lower():
            yield _line(node)


def _known_columns(query: exp.Expr, check: _Checker) -> None:
    """Every column resolves to a column of the tables read (sqlglot's qualifier)."""
    try:
        qualify(
            query.copy(),
            schema=dict(readable_schema()),
            dialect=READ,
            validate_qualify_columns=True,
        )
    except OptimizeError as e:
        found = _UNKNOWN_COLUMN.search(str(e))
        if not found:
            return  # only unknown columns are reported; other qualifier limits are not ours
        column = found.group(1) or found.group(2)
        at = _LINE.search(str(e))
        line = int(at.group(1)) if at else next(_column_lines(query, column), None)
        check.add(line, f"reads column '{column}', which none of the tables it reads has")


def check_sql(name: str, text: str, kind: Kind) -> list[PackError]:
    """Every way the SQL in file `name` breaks the measure or output contract."""
    check = _Checker(name)
    if not _semicolons(text, check):
        return check.errors
    query = _parse(text, check)
    if query is None:
        return check.errors
    tables_ok = _tables(query, check)
    _portable(query, check)
    _columns(query, kind, check)
    if tables_ok:
        _known_columns(query, check)
    return check.errors
