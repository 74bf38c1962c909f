"""Which successor each child of a predecessor workspace goes to, and why (docs/reorg.md).

The rule, in order; the first that gives a successor decides:

1. `home_at_reference`: the home address in force at the reference date (ssd_address),
   when the lookup resolves its postcode;
2. `latest_address`: else the latest address the lookup resolves (by start date): a child
   who has moved away, or whose address has ended, stays with the part of the predecessor
   that knew it last;
3. `placing_authority`: else, for a looked-after child (placed out of area, so that its
   addresses are outside the lookup, or with no address recorded), the home postcode on
   its latest care episode (903 HOME_POST, the home it came into care from): the successor
   for that place takes over as the placing authority;
4. otherwise the child is **unassigned**, with the reason (no address, a postcode outside
   the lookup, ambiguous or malformed), and listed: never dropped.

Every person id in any standard-model table is a child here (the same set as the linkage's
people frame), so the assignment covers every row that carries a child.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from headway.model.schema import tables
from headway.reorg.lookup import Lookup, clean_postcode

RULES = ("home_at_reference", "latest_address", "placing_authority")
UNASSIGNED = "unassigned"
CSV_COLUMNS = ("person_id", "successor_code", "successor_name", "rule", "postcode", "reason")


@dataclass(frozen=True)
class Assignment:
    person_id: str
    successor: str | None  # the successor's LA code; None: unassigned
    successor_name: str
    rule: str  # one of RULES, or unassigned
    postcode: str  # the postcode that decided it (or the last one tried)
    reason: str

    def row(self) -> list[str]:
        return [
            self.person_id,
            self.successor or "",
            self.successor_name,
            self.rule,
            self.postcode,
            self.reason,
        ]


def person_columns() -> dict[str, str]:
    """Each standard-model table that carries a child, and its person id column (the first
    one: ssd_mother's rows go with the mother, moth_person_id)."""
    out: dict[str, str] = {}
    for t in tables().values():
        pid = next((c.name for c in t.columns if c.name.endswith("_person_id")), None)
        if pid is not None:
            out[t.name] = pid
    return out


def all_people(con: duckdb.DuckDBPyConnection, schema: str = "main") -> list[str]:
    """Every person id in any table of the workspace (children and mothers alike)."""
    parts = [
        f'SELECT CAST("{c.name}" AS VARCHAR) AS p FROM {schema}."{t.name}" '
        f'WHERE "{c.name}" IS NOT NULL'
        for t in tables().values()
        for c in t.columns
        if c.name.endswith("_person_id")
    ]
    return [r[0] for r in con.execute(" UNION ".join(parts) + " ORDER BY p").fetchall()]


def _addresses(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Each person's addresses (start, end, postcode), one row per address: the same
    address comes in each year's extract, and the latest collection year's row stands."""
    rows = con.execute("""
        SELECT CAST(addr_person_id AS VARCHAR), addr_address_start_date, addr_address_end_date,
          addr_address_postcode
        FROM ssd_address a LEFT JOIN hw_loads l ON l.load_id = a.hw_load_id
        WHERE addr_person_id IS NOT NULL
        QUALIFY row_number() OVER (
          PARTITION BY addr_person_id, coalesce(addr_table_id, ''), addr_address_start_date,
            addr_address_postcode
          ORDER BY coalesce(l.collection_year, 0) DESC, a.hw_load_id DESC) = 1
        ORDER BY 1, 2 NULLS FIRST, 3 NULLS LAST""").fetchall()
    out: dict[str, list[tuple[Any, ...]]] = {}
    for person, start, end, postcode in rows:
        out.setdefault(person, []).append((start, end, postcode))
    return out


def _care(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Any, ...]]:
    """Each looked-after child's latest care episode: (start, home postcode, placement)."""
    rows = con.execute("""
        SELECT CAST(clae_person_id AS VARCHAR), clae_cla_episode_start_date, clae_home_postcode,
          clae_placement_postcode
        FROM ssd_cla_episodes WHERE clae_person_id IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY clae_person_id
          ORDER BY (nullif(trim(clae_home_postcode), '') IS NOT NULL) DESC,
            clae_cla_episode_start_date DESC NULLS LAST, hw_load_id DESC) = 1""").fetchall()
    return {r[0]: r[1:] for r in rows}


def assign(con: duckdb.DuckDBPyConnection, lookup: Lookup, reference: date) -> list[Assignment]:
    """Every child of the workspace, assigned by the rule above (sorted by person id)."""
    addresses = _addresses(con)
    care = _care(con)
    return [_one(p, addresses.get(p, []), care.get(p), lookup, reference) for p in all_people(con)]


def _one(
    person: str,
    addresses: list[tuple[Any, ...]],
    care: tuple[Any, ...] | None,
    lookup: Lookup,
    reference: date,
) -> Assignment:
    def done(code: str, rule: str, postcode: str, reason: str) -> Assignment:
        return Assignment(person, code, lookup.name(code), rule, postcode, reason)

    tried: list[str] = []  # what failed, for the reason
    current = [a for a in addresses if _in_force(a, reference)]
    for start, _end, postcode in sorted(current, key=_by_start, reverse=True):
        code, how = lookup.resolve(postcode)
        if code is not None:
            return done(
                code,
                "home_at_reference",
                _shown(postcode),
                f"home address at {reference.isoformat()} (from {_day(start)}); {_by(how)}",
            )
        tried.append(f"{_shown(postcode)} at {reference.isoformat()} {_why(how)}")
    for start, end, postcode in sorted(addresses, key=_by_start, reverse=True):
        code, how = lookup.resolve(postcode)
        if code is not None:
            later = f"; {tried[0]}" if tried else ""
            return done(
                code,
                "latest_address",
                _shown(postcode),
                f"latest address in the lookup ({_day(start)} to {_day(end) or 'open'}); "
                f"{_by(how)}{later}",
            )
        if not any(t.startswith(_shown(postcode)) for t in tried):
            tried.append(f"{_shown(postcode)} {_why(how)}")
    if care is not None:
        start, home, placement = care
        if home is not None and str(home).strip():
            code, how = lookup.resolve(home)
            if code is not None:
                where = _placed(lookup, placement)
                return done(
                    code,
                    "placing_authority",
                    _shown(home),
                    f"looked after (episode from {_day(start)}), {where}: home postcode "
                    f"{_shown(home)} on the care episode; {_by(how)}",
                )
            tried.append(f"care episode home postcode {_shown(home)} {_why(how)}")
        else:
            tried.append("no home postcode on the care episode")
    if not addresses and care is None:
        reason = "no address recorded and not looked after"
    elif not tried:
        reason = "no address recorded"
    else:
        reason = "; ".join(([] if addresses else ["no address recorded"]) + tried)
    postcode = (
        _shown(addresses[-1][2]) if addresses else _shown(care[1]) if care and care[1] else ""
    )
    return Assignment(person, None, "", UNASSIGNED, postcode, reason)


def _in_force(address: tuple[Any, ...], day: date) -> bool:
    start, end, _ = address
    return (start is None or start <= day) and (end is None or end >= day)


def _by_start(address: tuple[Any, ...]) -> tuple[date, date]:
    start, end, _ = address
    return (start or date.min, end or date.max)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _shown(postcode: object) -> str:
    cleaned = clean_postcode(postcode)
    return cleaned[1] if cleaned else str(postcode).strip()


def _by(how: str) -> str:
    return {
        "postcode": "postcode in the lookup",
        "sector": "its postcode sector in the lookup",
        "district": "its postcode district in the lookup",
    }[how]


def _why(how: str) -> str:
    return {
        "outside": "is not in the lookup",
        "ambiguous": "is ambiguous in the lookup",
        "malformed": "is not a postcode",
    }[how]


def _placed(lookup: Lookup, placement: object) -> str:
    if placement is None or not str(placement).strip():
        return "placement postcode not recorded"
    code, _ = lookup.resolve(placement)
    if code is None:
        return f"placed out of area ({_shown(placement)})"
    return f"placed in {lookup.name(code)} ({_shown(placement)})"


def summarise(assignments: list[Assignment]) -> dict[str, Any]:
    """Children by successor and by rule; the share the lookup covers."""
    by_successor = Counter(a.successor_name or UNASSIGNED for a in assignments)
    by_rule = Counter(a.rule for a in assignments)
    total = len(assignments)
    assigned = total - by_rule.get(UNASSIGNED, 0)
    return {
        "children": total,
        "assigned": assigned,
        "unassigned": total - assigned,
        "coverage": round(assigned / total, 4) if total else 0.0,
        "by_successor": dict(sorted(by_successor.items())),
        "by_rule": {r: by_rule.get(r, 0) for r in (*RULES, UNASSIGNED)},
    }


def write_assignments(path: Path, assignments: list[Assignment]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        w.writerows(a.row() for a in assignments)
    return path
