"""The profile: how complete, valid and date-consistent each standard-model item is.

For every column of every standard-model table that has rows (Headway's own hw_ columns
are skipped, except the hw_reported_* values that came from the returns):
- completeness: rows, and rows with a value (blank text counts as empty);
- validity: filled values outside the item's code list (code_lists.yaml), with examples;
- date logic: an end before its start, an event before the child's birth or after their
  death (joined to ssd_person by person id), a date after the end of the collection year
  of the load the row came from.

All counting is SQL in DuckDB: one scan per table (two where a coded column has invalid
values), so a national-size workspace profiles in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
from rich.console import Console, JustifyMethod
from rich.markup import escape
from rich.table import Table as RichTable

from headway.model.schema import Column, Table, tables
from headway.quality.code_lists import CodeList, code_lists

COMPLETE_ENOUGH = 0.95
EXAMPLES = 5

# Start and end of the same spell, per table: an end before its start is a failure.
START_END: Mapping[str, tuple[tuple[str, str], ...]] = {
    "ssd_person": (("pers_dob", "pers_death_date"),),
    "ssd_address": (("addr_address_start_date", "addr_address_end_date"),),
    "ssd_cin_episodes": (("cine_referral_date", "cine_close_date"),),
    "ssd_cin_assessments": (("cina_assessment_start_date", "cina_assessment_auth_date"),),
    "ssd_cin_plans": (("cinp_cin_plan_start_date", "cinp_cin_plan_end_date"),),
    "ssd_s47_enquiry": (("s47e_s47_start_date", "s47e_s47_end_date"),),
    "ssd_cp_plans": (("cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),),
    "ssd_cla_episodes": (("clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),),
    "ssd_cla_placement": (("clap_cla_placement_start_date", "clap_cla_placement_end_date"),),
    "ssd_cla_care_plan": (("lacp_cla_care_plan_start_date", "lacp_cla_care_plan_end_date"),),
    "ssd_legal_status": (("lega_legal_status_start_date", "lega_legal_status_end_date"),),
    "ssd_early_help_episodes": (("earl_episode_start_date", "earl_episode_end_date"),),
    "ssd_missing": (("miss_missing_episode_start_date", "miss_missing_episode_end_date"),),
    "ssd_involvements": (("invo_involvement_start_date", "invo_involvement_end_date"),),
    "ssd_immigration_status": (
        ("immi_immigration_status_start_date", "immi_immigration_status_end_date"),
    ),
    "ssd_linked_identifiers": (("link_valid_from_date", "link_valid_to_date"),),
    "ssd_ehcp_requests": (("ehcr_ehcp_req_date", "ehcr_ehcp_req_outcome_date"),),
    "ssd_ehcp_named_plan": (("ehcn_named_plan_start_date", "ehcn_named_plan_ceased_date"),),
    "hw_deprivation_of_liberty": (("dolo_start_date", "dolo_end_date"),),
}

# Work before birth is real for unborn children: the CIN census accepts a referral up to
# 40 weeks before the date of birth (DfE CIN validation rule 8606). On these tables an
# event counts as "before birth" only when it is more than 280 days before it.
PRE_BIRTH_DAYS = 280
PRE_BIRTH_WORK_TABLES = frozenset(
    {
        "ssd_contacts",
        "ssd_early_help_episodes",
        "ssd_cin_episodes",
        "ssd_cin_assessments",
        "ssd_cin_plans",
        "ssd_cin_visits",
        "ssd_s47_enquiry",
        "ssd_initial_cp_conference",
        "ssd_cp_plans",
        "ssd_cp_reviews",
        "ssd_cp_visits",
        "ssd_pre_proceedings",
        "ssd_involvements",
    }
)
# Tables whose person id is not the child the dates are about, or whose dates are not events
# in the child's life (a family address or an identifier can predate the child).
NOT_CHILD_EVENTS = frozenset({"ssd_person", "ssd_mother", "ssd_address", "ssd_linked_identifiers"})
# Dates that are not events to test against birth and death.
NOT_EVENTS = frozenset(
    {"pers_expected_dob", "hw_reported_dob", "pers_mother_child_dob", "moth_childs_dob"}
)
# Dates that may rightly fall after the collection year: expectations, targets, due dates.
MAY_BE_LATER = frozenset(
    {
        "pers_expected_dob",
        "s47e_icpc_target_date",
        "icpc_icpc_target_date",
        "clar_cla_review_due_date",
        "cppr_cp_review_due",
    }
)

END_BEFORE_START = "end_before_start"
BEFORE_BIRTH = "before_birth"
AFTER_DEATH = "after_death"
AFTER_YEAR_END = "after_year_end"
DATE_CHECK_LABELS = {
    END_BEFORE_START: "ends before it starts",
    BEFORE_BIRTH: "before the child's birth",
    AFTER_DEATH: "after the child's death",
    AFTER_YEAR_END: "after the collection year end",
}


@dataclass(frozen=True)
class InvalidValue:
    value: str
    count: int
    source_ref: str | None  # where one row with this value came from

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count, "source_ref": self.source_ref}


@dataclass(frozen=True)
class DateFailure:
    check: str  # end_before_start, before_birth, after_death, after_year_end
    against: str  # the start column, pers_dob, pers_death_date or "collection year end"
    count: int
    example_ref: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "against": self.against,
            "count": self.count,
            "example_ref": self.example_ref,
        }


@dataclass(frozen=True)
class ItemProfile:
    table: str
    column: str
    item_ref: str | None
    type: str
    rows: int
    filled: int
    coded: bool
    invalid: int = 0
    invalid_values: tuple[InvalidValue, ...] = ()
    date_failures: tuple[DateFailure, ...] = ()

    @property
    def completeness(self) -> float:
        return self.filled / self.rows if self.rows else 0.0

    @property
    def date_failures_total(self) -> int:
        return sum(f.count for f in self.date_failures)

    def date_failure(self, check: str) -> int:
        return sum(f.count for f in self.date_failures if f.check == check)

    @property
    def has_problems(self) -> bool:
        return (
            self.invalid > 0 or self.date_failures_total > 0 or self.completeness < COMPLETE_ENOUGH
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "column": self.column,
            "item_ref": self.item_ref,
            "type": self.type,
            "rows": self.rows,
            "filled": self.filled,
            "completeness": round(self.completeness, 4),
            "coded": self.coded,
            "invalid": self.invalid,
            "invalid_values": [v.to_json() for v in self.invalid_values],
            "date_failures": [f.to_json() for f in self.date_failures],
        }


@dataclass(frozen=True)
class ProfileSummary:
    tables_profiled: int
    items_profiled: int
    items_below_95: int  # completeness under 95%, empty items included
    items_empty: int  # no value at all: usually an item the loaded returns do not carry
    invalid_values: int
    date_logic_failures: int

    def to_json(self) -> dict[str, int]:
        return {
            "tables_profiled": self.tables_profiled,
            "items_profiled": self.items_profiled,
            "items_below_95": self.items_below_95,
            "items_empty": self.items_empty,
            "invalid_values": self.invalid_values,
            "date_logic_failures": self.date_logic_failures,
        }


@dataclass(frozen=True)
class QualityProfile:
    items: tuple[ItemProfile, ...]
    table_rows: Mapping[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def item(self, table: str, column: str) -> ItemProfile:
        for i in self.items:
            if i.table == table and i.column == column:
                return i
        raise KeyError(f"{table}.{column} was not profiled")

    def summary(self) -> ProfileSummary:
        return ProfileSummary(
            tables_profiled=len(self.table_rows),
            items_profiled=len(self.items),
            items_below_95=sum(1 for i in self.items if i.completeness < COMPLETE_ENOUGH),
            items_empty=sum(1 for i in self.items if i.filled == 0),
            invalid_values=sum(i.invalid for i in self.items),
            date_logic_failures=sum(i.date_failures_total for i in self.items),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary().to_json(),
            "tables": dict(self.table_rows),
            "items": [i.to_json() for i in self.items],
            "seconds": round(self.seconds, 3),
        }


# --- SQL --------------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text_of(col: str) -> str:
    return f"trim(CAST(t.{_q(col)} AS VARCHAR))"


def _not_in_list(col: str, codes: CodeList) -> str:
    """A value outside the code list. Annex A lists carry Ofsted's labelled values ('a) Yes',
    'U: Independent living'), not the returns' codes: their rows are profiled for
    completeness and dates, not judged against the CIN and 903 code lists."""
    listed = ", ".join(_lit(c) for c in codes.codes)
    return (
        f"{_text_of(col)} <> '' AND {_text_of(col)} NOT IN ({listed}) "
        "AND coalesce(y.src, '') <> 'annex_a'"
    )


_LOADS_JOIN = (
    "LEFT JOIN (SELECT load_id, make_date(collection_year, 3, 31) AS year_end, "
    "source_return AS src FROM hw_loads) y ON y.load_id = t.hw_load_id"
)


def profiled_columns(t: Table, present: set[str]) -> list[Column]:
    """The columns that hold data from returns: not hw_ bookkeeping, but hw_reported_*."""
    return [
        c
        for c in t.columns
        if c.name in present and (not c.name.startswith("hw_") or c.name.startswith("hw_reported_"))
    ]


def person_column(t: Table, present: set[str]) -> str | None:
    """The column naming the child a table's events are about, if there is one."""
    if t.name in NOT_CHILD_EVENTS:
        return None
    for c in t.columns:
        if c.name in present and c.name.endswith("_person_id"):
            return c.name
    return None


@dataclass
class _Plan:
    """The aggregate expressions of one table's profiling query, and what each one means."""

    selects: list[str] = field(default_factory=list)
    meaning: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, column, detail)

    def add(self, expression: str, kind: str, column: str, detail: str = "") -> None:
        self.selects.append(expression)
        self.meaning.append((kind, column, detail))

    def add_date_check(self, condition: str, check: str, column: str, against: str) -> None:
        self.add(f"count(*) FILTER (WHERE {condition})", check, column, against)
        self.add(
            f"min(t.hw_source_ref) FILTER (WHERE {condition})", "ref:" + check, column, against
        )


def _plan(
    t: Table, columns: Sequence[Column], lists: Mapping[str, CodeList], person: str | None
) -> _Plan:
    plan = _Plan()
    plan.add("count(*)", "rows", "")
    for c in columns:
        filled = (
            f"count(*) FILTER (WHERE {_text_of(c.name)} <> '')"
            if c.type == "VARCHAR"
            else f"count(t.{_q(c.name)})"
        )
        plan.add(filled, "filled", c.name)
        if c.name in lists:
            plan.add(
                f"count(*) FILTER (WHERE {_not_in_list(c.name, lists[c.name])})", "invalid", c.name
            )
    names = {c.name for c in columns}
    for start, end in START_END.get(t.name, ()):
        if start in names and end in names:
            plan.add_date_check(f"t.{_q(end)} < t.{_q(start)}", END_BEFORE_START, end, start)
    allowance = PRE_BIRTH_DAYS if t.name in PRE_BIRTH_WORK_TABLES else 0
    for c in columns:
        if c.type != "DATE":
            continue
        col = f"t.{_q(c.name)}"
        if c.name not in MAY_BE_LATER:
            plan.add_date_check(
                f"{col} > y.year_end", AFTER_YEAR_END, c.name, "collection year end"
            )
        if person is not None and c.name not in NOT_EVENTS:
            plan.add_date_check(f"{col} < p.dob - {allowance}", BEFORE_BIRTH, c.name, "pers_dob")
            plan.add_date_check(f"{col} > p.dod", AFTER_DEATH, c.name, "pers_death_date")
    return plan


def _from_clause(t: Table, person: str | None, has_persons: bool) -> str:
    sql = f"FROM {_q(t.name)} t {_LOADS_JOIN}"
    if person is not None and has_persons:
        sql += (
            " LEFT JOIN (SELECT pers_person_id AS pid, min(pers_dob) AS dob, "
            "max(pers_death_date) AS dod FROM ssd_person WHERE pers_person_id IS NOT NULL "
            f"GROUP BY pers_person_id) p ON p.pid = t.{_q(person)}"
        )
    return sql


def _invalid_examples(
    con: duckdb.DuckDBPyConnection, table: str, column: str, codes: CodeList
) -> tuple[InvalidValue, ...]:
    rows = con.execute(
        f"SELECT {_text_of(column)} AS v, count(*) AS n, min(t.hw_source_ref) "
        f"FROM {_q(table)} t {_LOADS_JOIN} WHERE {_not_in_list(column, codes)} "
        f"GROUP BY v ORDER BY n DESC, v LIMIT {EXAMPLES}"
    ).fetchall()
    return tuple(
        InvalidValue(str(v), int(n), None if ref is None else str(ref)) for v, n, ref in rows
    )


def _profile_table(
    con: duckdb.DuckDBPyConnection,
    t: Table,
    present: set[str],
    lists: Mapping[str, CodeList],
    has_persons: bool,
) -> list[ItemProfile]:
    columns = profiled_columns(t, present)
    person = person_column(t, present) if has_persons else None
    plan = _plan(t, columns, lists, person)
    row = con.execute(
        f"SELECT {', '.join(plan.selects)} {_from_clause(t, person, has_persons)}"
    ).fetchone()
    values = list(row) if row is not None else [0] * len(plan.selects)
    rows = int(values[0])
    filled: dict[str, int] = {}
    invalid: dict[str, int] = {}
    failures: dict[str, list[DateFailure]] = {}
    refs = {
        (kind[4:], column, detail): value
        for (kind, column, detail), value in zip(plan.meaning, values, strict=True)
        if kind.startswith("ref:")
    }
    for (kind, column, detail), value in zip(plan.meaning, values, strict=True):
        if kind == "filled":
            filled[column] = int(value)
        elif kind == "invalid":
            invalid[column] = int(value)
        elif kind in DATE_CHECK_LABELS and int(value) > 0:
            ref = refs.get((kind, column, detail))
            failures.setdefault(column, []).append(
                DateFailure(kind, detail, int(value), None if ref is None else str(ref))
            )
    return [
        ItemProfile(
            table=t.name,
            column=c.name,
            item_ref=c.item_ref,
            type=c.type,
            rows=rows,
            filled=filled[c.name],
            coded=c.name in lists,
            invalid=invalid.get(c.name, 0),
            invalid_values=(
                _invalid_examples(con, t.name, c.name, lists[c.name]) if invalid.get(c.name) else ()
            ),
            date_failures=tuple(failures.get(c.name, ())),
        )
        for c in columns
    ]


def _present_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table_name, column_name in rows:
        out.setdefault(str(table_name), set()).add(str(column_name))
    return out


def _row_counts(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> dict[str, int]:
    if not names:
        return {}
    union = " UNION ALL ".join(f"SELECT {_lit(n)}, count(*) FROM {_q(n)}" for n in names)
    return {str(n): int(c) for n, c in con.execute(union).fetchall()}


def profile(con: duckdb.DuckDBPyConnection) -> QualityProfile:
    """Profile every standard-model table that has rows."""
    started = time.perf_counter()
    present = _present_columns(con)
    if "hw_loads" not in present:
        raise ValueError("this database has no hw_loads table: it is not a Headway workspace")
    model = [t for t in tables().values() if t.name in present]
    counts = _row_counts(con, [t.name for t in model])
    with_rows = [t for t in model if counts.get(t.name, 0) > 0]
    has_persons = counts.get("ssd_person", 0) > 0 and {"pers_person_id", "pers_dob"} <= present.get(
        "ssd_person", set()
    )
    lists = code_lists()
    items: list[ItemProfile] = []
    for t in with_rows:
        items += _profile_table(con, t, present[t.name], lists, has_persons)
    return QualityProfile(
        items=tuple(items),
        table_rows={t.name: counts[t.name] for t in with_rows},
        seconds=time.perf_counter() - started,
    )


# --- rendering --------------------------------------------------------------------------


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _date_text(item: ItemProfile) -> str:
    parts = []
    for f in item.date_failures:
        label = DATE_CHECK_LABELS[f.check]
        against = f" ({f.against})" if f.check == END_BEFORE_START else ""
        example = f", e.g. {f.example_ref}" if f.example_ref else ""
        parts.append(f"{f.count:,} {label}{against}{example}")
    return "; ".join(parts)


def _invalid_text(item: ItemProfile) -> str:
    if not item.invalid:
        return ""
    shown = ", ".join(f"{v.value!r} x{v.count:,}" for v in item.invalid_values)
    first_ref = item.invalid_values[0].source_ref if item.invalid_values else None
    where = f" (e.g. {first_ref})" if first_ref else ""
    return f"{item.invalid:,}: {shown}{where}"


def summary_lines(summary: ProfileSummary) -> list[str]:
    return [
        f"Items profiled: {summary.items_profiled:,} in {summary.tables_profiled} tables",
        f"Items below 95% complete: {summary.items_below_95:,} "
        f"({summary.items_empty:,} of them hold no data at all)",
        f"Invalid coded values: {summary.invalid_values:,}",
        f"Date logic failures: {summary.date_logic_failures:,}",
    ]


_COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("Table", "left"),
    ("Item", "left"),
    ("Rows", "right"),
    ("Complete", "right"),
    ("Invalid values", "left"),
    ("Date logic", "left"),
)


def render_profile(profile: QualityProfile, console: Console, *, all_items: bool = False) -> None:
    """The profile as Rich tables: a summary, then the items to look at (or all items)."""
    summary = profile.summary()
    console.print("[bold]Data quality profile[/bold]")
    for line in summary_lines(summary):
        console.print(f"  {line}")
    if not profile.items:
        console.print("  No standard-model table has rows yet: load some data first.")
        return
    shown = [i for i in profile.items if all_items or (i.filled > 0 and i.has_problems)]
    if not shown:
        console.print("  Every item that holds data is complete, valid and date-consistent.")
        return
    grid = RichTable(title="Items to look at" if not all_items else "All items", show_lines=False)
    for name, justify in _COLUMNS:
        grid.add_column(name, justify=justify, overflow="fold")
    for i in shown:
        item = f"{i.column} ({i.item_ref})" if i.item_ref else i.column
        grid.add_row(
            i.table,
            item,
            f"{i.rows:,}",
            _percent(i.completeness),
            escape(_invalid_text(i)),  # values and refs come from the data: never markup
            escape(_date_text(i)),
        )
    console.print(grid)
    if not all_items and summary.items_empty:
        console.print(
            f"  {summary.items_empty:,} items hold no data (most are items the loaded returns "
            "do not carry); see the JSON output for every item."
        )
