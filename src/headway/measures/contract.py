"""The measure SQL contract, checked before a measure runs (docs/measures.md).

What can be checked from the text alone: one SELECT and no semicolons; only standard-model
tables and hw_loads are read; none of the DuckDB habits that do not travel (FILTER, GROUP BY
ALL, QUALIFY, subtracting dates, date_diff in units other than days); and sqlglot can write
it for T-SQL, PostgreSQL and Spark. What the SQL returns (period, value, breakdown) is
checked when it runs (headway.measures.engine).
"""

from __future__ import annotations

from functools import cache, lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from headway.measures.export import (
    DIALECT_NAMES,
    DIALECTS,
    ExportError,
    export_tree,
    parse_duckdb,
)
from headway.model.schema import tables

RESULT_COLUMNS = ("period", "value", "breakdown")
DATE_DIFF_RULE = "use date_diff('day', start_date, end_date) for a difference in days"


@cache
def readable_tables() -> frozenset[str]:
    """The tables a measure may read: the standard model and hw_loads."""
    return frozenset({*tables(), "hw_loads"})


def _semicolons(sql: str) -> list[str]:
    try:
        tokens = sqlglot.tokenize(sql, read="duckdb")
    except SqlglotError:
        return []  # the parser reports it
    if any(t.token_type.name == "SEMICOLON" for t in tokens):
        return ["it has a semicolon: a measure is one SELECT statement with no ';'"]
    return []


def _table_problems(tree: exp.Expression) -> list[str]:
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    problems: list[str] = []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            problems.append(f"it reads from {table.this.sql('duckdb')}, not from a table")
            continue
        name = table.name.lower()
        if table.args.get("db") or table.args.get("catalog"):
            problems.append(
                f"it names a schema or database for '{table.sql('duckdb')}': write the "
                "table name alone (an export can add the schema)"
            )
        elif name not in ctes and name not in readable_tables():
            problems.append(
                f"it reads '{table.name}', which is not a standard-model table or hw_loads"
            )
    return problems


def _looks_like_date(node: exp.Expression) -> bool:
    if isinstance(node, exp.Paren):
        return _looks_like_date(node.this)
    if isinstance(node, exp.Column):
        name = node.name.lower()
        return "date" in name or name.endswith("dob") or name.endswith("_decom")
    if isinstance(node, exp.Cast):
        return node.to.is_type("date", "timestamp")
    return isinstance(node, exp.CurrentDate | exp.DateAdd | exp.DateSub | exp.TsOrDsToDate)


def _is_number(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string


def _portability_problems(tree: exp.Expression) -> list[str]:
    problems: list[str] = []
    if tree.find(exp.Filter):
        problems.append("it uses FILTER (WHERE ...): use CASE inside the aggregate instead")
    if any(g.args.get("all") for g in tree.find_all(exp.Group)):
        problems.append("it uses GROUP BY ALL: name the grouped columns")
    if tree.find(exp.Qualify):
        problems.append("it uses QUALIFY, which only DuckDB has: filter in an outer query")
    for func in tree.find_all(exp.Anonymous):
        problems.append(
            f"it calls {func.name}(), a function sqlglot does not know, so it cannot be "
            "checked or translated for other engines"
        )
    for diff in tree.find_all(exp.DateDiff):
        unit = (diff.text("unit") or "DAY").upper()
        if unit not in ("DAY", "DAYS"):
            problems.append(
                f"it uses date_diff in {unit.lower()}s, which engines count differently: "
                + DATE_DIFF_RULE
            )
    for sub in tree.find_all(exp.Sub):
        left, right = sub.this, sub.expression
        if _looks_like_date(left) and _looks_like_date(right):
            problems.append(
                f"it subtracts dates ({sub.sql('duckdb')}), which SQL Server cannot do: "
                + DATE_DIFF_RULE
            )
    for node in tree.find_all(exp.Add, exp.Sub):
        left, right = node.this, node.expression
        if (_looks_like_date(left) and _is_number(right)) or (
            isinstance(node, exp.Add) and _is_number(left) and _looks_like_date(right)
        ):
            problems.append(
                f"it adds a bare number to a date ({node.sql('duckdb')}): "
                "write date + INTERVAL n DAY"
            )
    return problems


def _export_problems(tree: exp.Expression) -> list[str]:
    problems = []
    for dialect in DIALECTS:
        try:
            export_tree(tree, dialect, pretty=False)
        except ExportError as exc:
            problems.append(f"{DIALECT_NAMES[dialect]}: {exc.message}")
    return problems


def check_sql(sql: str) -> list[str]:
    """Everything in `sql` that breaks the measure contract, each as a short phrase; [] if
    none. Runs no SQL."""
    return list(_check(sql))


@lru_cache(maxsize=1024)  # the same measure is checked for each engine it runs on
def _check(sql: str) -> tuple[str, ...]:
    problems = _semicolons(sql)
    try:
        tree = parse_duckdb(sql)
    except ExportError as exc:
        return (*problems, exc.message)
    if not isinstance(tree, exp.Query):
        return (*problems, f"it is a {tree.key.upper()} statement, not a SELECT")
    problems += _table_problems(tree)
    problems += _portability_problems(tree)
    if not problems:
        problems += _export_problems(tree)
    return tuple(dict.fromkeys(problems))
