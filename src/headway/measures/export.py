"""Measures for other engines: DuckDB SQL transpiled by sqlglot to T-SQL, PostgreSQL and Spark.

Most LAs run SQL Server, so the T-SQL must be what an analyst would write: TOP not LIMIT,
DATEADD/DATEDIFF for dates, CAST(... AS FLOAT) for ratios. sqlglot does most of that; the one
rewrites Headway adds are date + INTERVAL n DAY -> DATEADD(DAY, n, date), which sqlglot leaves
as interval arithmetic that SQL Server cannot run; AVG(x) -> AVG(CAST(x AS FLOAT)), because SQL
Server averages integers as an integer; and make_date -> MAKE_DATE for PostgreSQL (sqlglot
writes a DATE_FROM_PARTS that PostgreSQL does not have). Every export is parsed back with the target
dialect's reader before it is returned, so a file Headway writes is at least valid SQL there.

`export_pack` writes one .sql file per measure, each with a header comment saying what the
measure is (id, title, definition, unit, period, items).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

import sqlglot
from rich.console import Console
from rich.markup import escape
from sqlglot import ErrorLevel, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.generator import Generator

from headway.errors import HeadwayError
from headway.measures.measure import MeasureLike

DIALECTS: Final = ("tsql", "postgres", "spark")
DIALECT_NAMES: Final = {
    "tsql": "SQL Server (T-SQL)",
    "postgres": "PostgreSQL",
    "spark": "Spark SQL",
}
# Tokens that must never survive into T-SQL: SQL Server has no LIMIT, no interval literals
# and no GROUP BY ALL (in T-SQL "GROUP BY ALL" means something else and is deprecated).
_TSQL_FORBIDDEN = re.compile(r"\b(LIMIT|INTERVAL|GROUP\s+BY\s+ALL)\b", re.IGNORECASE)
# Functions sqlglot passes through to T-SQL unchanged that SQL Server does not have.
_TSQL_MISSING = re.compile(
    r"\b(MEDIAN|REGEXP_\w+|LIST_\w+|ARRAY|APPROX_\w+|STRUCT|MAP)\s*\(", re.IGNORECASE
)


class ExportError(HeadwayError):
    """A measure's SQL cannot be written for a target engine."""


def _check_dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise ExportError(
            f"'{dialect}' is not a dialect Headway exports to.",
            f"Use one of: {', '.join(DIALECTS)}.",
        )
    return dialect


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def parse_duckdb(sql: str) -> exp.Expression:
    """The measure's one statement, parsed as DuckDB SQL (the reference dialect)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except SqlglotError as exc:
        raise ExportError(f"sqlglot cannot parse the SQL: {_first_line(exc)}") from exc
    if len(statements) != 1:
        raise ExportError(f"the SQL holds {len(statements)} statements, not one SELECT.")
    tree = statements[0]
    if not isinstance(tree, exp.Expression):
        raise ExportError("sqlglot cannot parse the SQL into one statement.")
    return tree


def _interval_parts(interval: exp.Interval) -> tuple[exp.Expression, str]:
    """INTERVAL '20' DAY -> (20, 'DAY'); INTERVAL '5 days' is normalised by sqlglot already."""
    amount = interval.this
    if isinstance(amount, exp.Literal) and re.fullmatch(r"-?\d+", amount.name.strip()):
        amount = exp.Literal.number(int(amount.name.strip()))
    unit = (interval.text("unit") or "DAY").upper()
    if unit.endswith("S"):
        unit = unit[:-1]
    return amount, unit


def _negate(amount: exp.Expression) -> exp.Expression:
    if isinstance(amount, exp.Literal) and not amount.is_string:
        return exp.Literal.number(-int(amount.name))
    return exp.Neg(this=exp.Paren(this=amount))


def _dateadd(date: exp.Expression, interval: exp.Interval, subtract: bool) -> exp.Expression:
    amount, unit = _interval_parts(interval)
    if subtract:
        amount = _negate(amount)
    return exp.DateAdd(this=date, expression=amount, unit=exp.Var(this=unit))


def _tsql_dates(node: exp.Expression) -> exp.Expression:
    """date +/- INTERVAL n UNIT and date_add(date, INTERVAL ...) -> DATEADD(UNIT, n, date)."""
    if isinstance(node, exp.Add | exp.Sub):
        left, right = node.this, node.expression
        if isinstance(right, exp.Interval):
            return _dateadd(left, right, isinstance(node, exp.Sub))
        if isinstance(left, exp.Interval) and isinstance(node, exp.Add):
            return _dateadd(right, left, False)
    if isinstance(node, exp.DateAdd | exp.DateSub) and isinstance(node.expression, exp.Interval):
        return _dateadd(node.this, node.expression, isinstance(node, exp.DateSub))
    return node


def _tsql_avg(node: exp.Expression) -> exp.Expression:
    """AVG(x) -> AVG(CAST(x AS FLOAT)): SQL Server averages integers as an integer, DuckDB
    (the reference) always as a double."""
    if isinstance(node, exp.Avg) and not (
        isinstance(node.this, exp.Cast) and node.this.to.is_type(*exp.DataType.REAL_TYPES)
    ):
        node.set("this", exp.cast(node.this, exp.DataType.build("double")))
    return node


def _postgres_make_date(node: exp.Expression) -> exp.Expression:
    """make_date(y, m, d): sqlglot writes DATE_FROM_PARTS for PostgreSQL, which has no such
    function; PostgreSQL's own is MAKE_DATE."""
    if isinstance(node, exp.DateFromParts):
        parts = [node.args[k] for k in ("year", "month", "day")]
        return exp.Anonymous(this="MAKE_DATE", expressions=parts)
    return node


def _spark_dates(node: exp.Expression) -> exp.Expression:
    """date_add(date, INTERVAL ...) -> date + INTERVAL ...: Spark's DATE_ADD takes days only."""
    if isinstance(node, exp.DateAdd | exp.DateSub) and isinstance(node.expression, exp.Interval):
        op = exp.Sub if isinstance(node, exp.DateSub) else exp.Add
        return op(this=node.this, expression=node.expression)
    return node


def _qualify(tree: exp.Expression, schema: str) -> exp.Expression:
    """Put the standard-model tables in `schema` (CTE names are left alone)."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if table.name.lower() not in ctes and not table.args.get("db"):
            table.set("db", exp.to_identifier(schema))
    return tree


@cache
def _generator(dialect: str, pretty: bool) -> Generator:
    """The dialect's sqlglot generator, writing `x IS NOT NULL` where sqlglot would write
    `NOT x IS NULL` (the same, but not what anyone writes)."""
    target = Dialect.get_or_raise(dialect)
    base: type[Generator] = target.generator_class

    class Readable(base):  # type: ignore[valid-type,misc]
        def not_sql(self, expression: exp.Not) -> str:
            inner = expression.this
            if (
                isinstance(inner, exp.Is)
                and isinstance(inner.expression, exp.Null)
                and isinstance(inner.this, exp.Column)
            ):
                return f"{self.sql(inner, 'this')} IS NOT NULL"
            return str(super().not_sql(expression))

    return Readable(dialect=target, pretty=pretty, unsupported_level=ErrorLevel.RAISE)


def export(sql: str, dialect: str, schema: str | None = None, pretty: bool = True) -> str:
    """The measure's DuckDB SQL written for `dialect` (tsql, postgres or spark).

    `schema`, if given, qualifies every table (e.g. the schema the SSD lives in on the LA's
    SQL Server). Raises ExportError when sqlglot cannot write it faithfully.
    """
    _check_dialect(dialect)
    return export_tree(parse_duckdb(sql), dialect, schema, pretty)


def export_tree(
    parsed: exp.Expression, dialect: str, schema: str | None = None, pretty: bool = True
) -> str:
    """As export, from SQL parsed already (parse_duckdb); the tree is not changed."""
    target = _check_dialect(dialect)
    tree = parsed.copy()
    if target == "tsql":
        tree = tree.transform(_tsql_dates, copy=False).transform(_tsql_avg, copy=False)
    elif target == "postgres":
        tree = tree.transform(_postgres_make_date, copy=False)
    else:
        tree = tree.transform(_spark_dates, copy=False)
    if schema:
        tree = _qualify(tree, schema)
    try:
        out = _generator(target, pretty).generate(tree)
    except SqlglotError as exc:
        raise ExportError(
            f"sqlglot cannot write this SQL for {DIALECT_NAMES[target]}: {_first_line(exc)}",
            "Keep to the portable subset in docs/measures.md.",
        ) from exc
    _verify(out, target)
    return out


def _verify(out: str, dialect: str) -> None:
    """Parse the export back with the target's own reader; refuse what that engine lacks."""
    try:
        sqlglot.parse_one(out, read=dialect)
    except SqlglotError as exc:
        raise ExportError(
            f"the {DIALECT_NAMES[dialect]} export does not parse back: {_first_line(exc)}"
        ) from exc
    if dialect == "tsql":
        text = _without_strings(out)
        missing = _TSQL_MISSING.search(text)
        if missing:
            raise ExportError(
                f"the T-SQL export calls {missing[1].upper()}(), which SQL Server does not have.",
                "Keep to the portable subset in docs/measures.md.",
            )
        found = _TSQL_FORBIDDEN.search(text)
        if found:
            raise ExportError(
                f"the T-SQL export still uses {found[1].upper()}, which SQL Server does not have.",
                "Keep to the portable subset in docs/measures.md.",
            )


def _without_strings(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


# --- Pack export ---------------------------------------------------------------------------


@dataclass
class PackExport:
    """What export_pack wrote, and the measures it could not write (id -> reason)."""

    dialect: str
    files: list[Path] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dialect": self.dialect,
            "files": [str(p) for p in self.files],
            "errors": self.errors,
        }


def print_export(result: PackExport, console: Console | None = None) -> None:
    """One line per file written, and one per measure that could not be."""
    con = console or Console()
    name = DIALECT_NAMES[result.dialect]
    for path in result.files:
        con.print(f"[green]wrote[/] {escape(str(path))}")
    for measure_id, reason in result.errors.items():
        con.print(f"[red]not exported[/] {escape(measure_id)}: {escape(reason)}")
    con.print(f"{len(result.files)} measures written for {name}, {len(result.errors)} not.")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def header(measure: MeasureLike, dialect: str) -> str:
    """The comment block at the top of an exported measure file."""
    lines = [
        f"Measure: {_one_line(measure.id)}",
        f"Title: {_one_line(measure.title)}",
        *textwrap.wrap(
            f"Definition: {_one_line(measure.definition)}",
            width=94,
            subsequent_indent="  ",
        ),
        f"Unit: {_one_line(measure.unit)}; period: {_one_line(measure.period)}",
        *textwrap.wrap(
            "Items: " + (", ".join(_one_line(i) for i in measure.items) or "(none listed)"),
            width=94,
            subsequent_indent="  ",
        ),
        f"Returns: period (collection year), value, optionally breakdown. "
        f"Written for {DIALECT_NAMES[dialect]} by Headway from DuckDB SQL with sqlglot "
        f"{version('sqlglot')}.",
    ]
    return "".join(f"-- {line}\n" for line in lines)


def file_name(measure_id: str) -> str:
    """A safe file name for a measure id (ids are lowercase-hyphen; anything else goes)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", measure_id).strip("_")
    return f"{stem or 'measure'}.sql"


def export_pack(
    measures: Sequence[MeasureLike], dialect: str, out_dir: Path, schema: str | None = None
) -> PackExport:
    """Write `<id>.sql` for each measure into out_dir; a measure that cannot be exported is
    listed in the result's errors and gets no file."""
    target = _check_dialect(dialect)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = PackExport(target)
    for m in measures:
        try:
            body = export(m.sql, target, schema=schema)
        except ExportError as exc:
            result.errors[m.id] = str(exc)
            continue
        path = out_dir / file_name(m.id)
        path.write_text(f"{header(m, target)}\n{body};\n", encoding="utf-8")
        result.files.append(path)
    return result
