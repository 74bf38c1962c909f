"""Run measures on the workspace's DuckDB: rows per period, the latest value, time, errors.

A measure that fails (bad SQL, a missing table, a result that breaks the contract) gives a
MeasureResult with `error` set: one failing measure never stops the others. The same
result type serves the PostgreSQL and Spark runners (headway.measures.postgres, .spark),
which pass the rows they fetched through `build_result`.

The latest value is the value at the latest period: the row without a breakdown, or the
only row of that period. A measure that returns breakdowns only has a latest period but no
single latest value; add a total row (breakdown NULL) to give it one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from time import perf_counter
from typing import Any

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.measures.contract import RESULT_COLUMNS, check_sql
from headway.measures.export import ExportError, export
from headway.measures.measure import MeasureLike


@dataclass(frozen=True)
class MeasureRow:
    period: int
    value: float | None
    breakdown: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "value": self.value, "breakdown": self.breakdown}


@dataclass(frozen=True)
class MeasureResult:
    """One measure run on one engine."""

    id: str
    title: str
    unit: str
    engine: str = "duckdb"
    rows: tuple[MeasureRow, ...] = ()
    seconds: float = 0.0
    error: str | None = None
    latest_period: int | None = field(init=False, default=None)
    latest_value: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if not self.rows:
            return
        period = max(r.period for r in self.rows)
        at = [r for r in self.rows if r.period == period]
        totals = [r for r in at if r.breakdown is None]
        value = totals[0].value if totals else (at[0].value if len(at) == 1 else None)
        object.__setattr__(self, "latest_period", period)
        object.__setattr__(self, "latest_value", value)

    @property
    def ok(self) -> bool:
        return self.error is None

    def values(self) -> dict[tuple[int, str | None], float | None]:
        """The rows as {(period, breakdown): value}, for comparing engines."""
        return {(r.period, r.breakdown): r.value for r in self.rows}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "unit": self.unit,
            "engine": self.engine,
            "ok": self.ok,
            "error": self.error,
            "latest_period": self.latest_period,
            "latest_value": self.latest_value,
            "seconds": round(self.seconds, 4),
            "rows": [r.to_dict() for r in self.rows],
        }


class ContractError(ValueError):
    """A measure's result breaks the contract (its message is shown to the analyst)."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _period(value: object) -> int:
    if isinstance(value, bool):
        raise ContractError(f"period {value!r} is not a collection year")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal) and value == int(value):
        return int(value)
    raise ContractError(f"period {value!r} is not a whole number (a collection year, e.g. 2025)")


def _value(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ContractError(f"value {value!r} is not a number")
    number = float(value)
    return None if math.isnan(number) else number


def _breakdown(value: object) -> str | None:
    return None if value is None else str(value)


def result_rows(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> tuple[MeasureRow, ...]:
    """Rows as the contract wants them, sorted by period then breakdown; raises ContractError."""
    names = [c.lower() for c in columns]
    missing = [c for c in ("period", "value") if c not in names]
    if missing:
        raise ContractError(
            f"the SQL returns columns {', '.join(names) or '(none)'}, without "
            f"{' and '.join(missing)}: a measure returns period, value and optionally breakdown"
        )
    extra = [c for c in names if c not in RESULT_COLUMNS]
    if extra or len(set(names)) != len(names):
        raise ContractError(
            f"the SQL returns columns {', '.join(names)}: a measure returns period, value "
            "and optionally breakdown, nothing else"
        )
    at = {c: names.index(c) for c in names}
    out: dict[tuple[int, str | None], MeasureRow] = {}
    for raw in rows:
        row = MeasureRow(
            _period(raw[at["period"]]),
            _value(raw[at["value"]]),
            _breakdown(raw[at["breakdown"]]) if "breakdown" in at else None,
        )
        key = (row.period, row.breakdown)
        if key in out:
            what = f" and breakdown '{row.breakdown}'" if row.breakdown is not None else ""
            raise ContractError(f"the SQL returns two rows for period {row.period}{what}")
        out[key] = row
    return tuple(
        sorted(out.values(), key=lambda r: (r.period, r.breakdown is not None, r.breakdown or ""))
    )


def build_result(
    measure: MeasureLike,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    seconds: float,
    engine: str = "duckdb",
) -> MeasureResult:
    """A MeasureResult from what an engine returned, or one that says how it breaks the
    contract."""
    try:
        checked = result_rows(columns, rows)
    except ContractError as exc:
        return failed(measure, str(exc), seconds, engine)
    return MeasureResult(measure.id, measure.title, measure.unit, engine, checked, seconds)


def failed(
    measure: MeasureLike, error: str, seconds: float = 0.0, engine: str = "duckdb"
) -> MeasureResult:
    return MeasureResult(measure.id, measure.title, measure.unit, engine, (), seconds, error)


def contract_error(measure: MeasureLike) -> str | None:
    """Why the measure's SQL breaks the contract before it runs, or None."""
    problems = check_sql(measure.sql)
    return "the SQL breaks the measure contract: " + "; ".join(problems) if problems else None


def exported(m: MeasureLike, dialect: str) -> str | MeasureResult:
    """The measure's SQL for another engine, or the failed result that says why not."""
    problem = contract_error(m)
    if problem:
        return failed(m, problem, engine=dialect)
    try:
        return export(m.sql, dialect)
    except ExportError as exc:
        return failed(m, str(exc), engine=dialect)


def run_measure(con: duckdb.DuckDBPyConnection, measure: MeasureLike) -> MeasureResult:
    """Run one measure on DuckDB. Never raises for a measure's own faults."""
    problem = contract_error(measure)
    if problem:
        return failed(measure, problem)
    started = perf_counter()
    try:
        cursor = con.execute(measure.sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        return failed(
            measure, f"the SQL failed on DuckDB: {_first_line(exc)}", perf_counter() - started
        )
    return build_result(measure, columns, rows, perf_counter() - started)


def run_measures(
    con: duckdb.DuckDBPyConnection, measures: Sequence[MeasureLike]
) -> list[MeasureResult]:
    """Run every measure on the workspace's DuckDB connection, in order."""
    return [run_measure(con, m) for m in measures]


# --- Output --------------------------------------------------------------------------------


def to_json(results: Sequence[MeasureResult]) -> str:
    """The results as JSON, for --json."""
    return json.dumps({"measures": [r.to_dict() for r in results]}, indent=2)


def format_value(value: float | None, unit: str) -> str:
    """A value as an analyst reads it: 42.9%, 1,234, 12.5 days, 31.2 per 10,000, 0.429."""
    if value is None:
        return "-"
    if unit == "percent":
        return f"{value:,.1f}%"
    if unit == "count":
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    if unit == "days":
        return f"{value:,.1f} days"
    if unit == "rate-per-10000":
        return f"{value:,.1f} per 10,000"
    return f"{value:,.3f}"


def results_table(results: Sequence[MeasureResult], title: str = "Measures") -> Table:
    """A Rich table: one line per measure with its latest value, or its error."""
    table = Table(title=title, title_justify="left")
    table.add_column("Measure")
    table.add_column("Latest", justify="right")
    table.add_column("Period", justify="right")
    table.add_column("Rows", justify="right")
    table.add_column("Time", justify="right")
    table.add_column("Status")
    for r in results:
        name = f"{escape(r.title)}\n[dim]{escape(r.id)}[/]"
        if r.ok:
            latest = format_value(r.latest_value, r.unit) if r.latest_period else "no rows"
            status = "[green]ok[/]"
        else:
            latest = ""
            status = f"[red]error:[/] {escape(r.error or '')}"
        period = str(r.latest_period) if r.latest_period is not None else ""
        table.add_row(name, latest, period, str(len(r.rows)), f"{r.seconds:.2f}s", status)
    return table


def print_results(results: Sequence[MeasureResult], console: Console | None = None) -> None:
    """Print the results table and a one-line summary."""
    con = console or Console()
    con.print(results_table(results))
    failures = sum(1 for r in results if not r.ok)
    total = sum(r.seconds for r in results)
    summary = f"{len(results)} measures in {total:.2f}s"
    con.print(summary + (f", [red]{failures} failed[/]" if failures else ", all ran"))
