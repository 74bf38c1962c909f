"""What a new pack version means for one LA: its pack diff turned into desk requests.

A requirement the new version adds or changes is judged on the LA's own data (readiness);
if it is not ready, the gap becomes a request with the effort to close it. A measure whose
SQL changed must be re-run and re-baselined; a moved milestone must be planned for; a
requirement the new version drops no longer needs producing. Each request has the same
shape as a standard diff's consequences (headway.standards.impact), so the desk takes both.
"""

from __future__ import annotations

from typing import Any

import duckdb

from headway.packs.diff import PackDiff
from headway.packs.model import Pack
from headway.readiness.engine import GAP, READY, assess

RERUN_MEASURE_HOURS = 2.0  # re-run, compare with the old definition, explain the break
MOVED_MILESTONE_HOURS = 1.0  # re-plan the work that leads to it
DROPPED_REQUIREMENT_HOURS = 0.5  # tell the people who receive it; stop the job


def _request(
    kind: str,
    title: str,
    description: str,
    items: list[str],
    severity: str,
    hours: float,
    due: str | None,
    source: str,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "description": description,
        "items": items,
        "severity": severity,
        "effort_hours": hours,
        "due": due,
        "source": source,
    }


def pack_impact(
    con: duckdb.DuckDBPyConnection, d: PackDiff, new: Pack, met: set[str] | None = None
) -> list[dict[str, Any]]:
    """The consequences of moving from pack a to pack b (`new`), as desk requests."""
    source = f"pack diff {d.a} to {d.b}"
    out: list[dict[str, Any]] = []
    touched = {e.id for e in d.section("requirements").added} | {
        c.id for c in d.section("requirements").changed
    }
    readiness = assess(con, new, met)
    for r in readiness.requirements:
        if r.id not in touched or r.status == READY:
            continue
        added = r.id in {e.id for e in d.section("requirements").added}
        out.append(
            _request(
                "new_requirement" if added else "changed_requirement",
                f"{new.title}: {r.title}",
                "; ".join(r.reasons),
                [i.item for i in r.items],
                "high" if r.status == GAP else "medium",
                r.effort_to_close,
                r.due.isoformat() if r.due else None,
                source,
            )
        )
    for c in d.section("measures").changed:
        if any(f.field == "sql" for f in c.changes):
            m = new.measure(c.id)
            out.append(
                _request(
                    "measure_changed",
                    f"Measure redefined: {c.title}",
                    "The measure's SQL changed: re-run it and re-baseline earlier figures.",
                    list(m.items),
                    "medium",
                    RERUN_MEASURE_HOURS,
                    None,
                    source,
                )
            )
    for c in d.section("milestones").changed:
        for f in c.changes:
            if f.field == "date":
                out.append(
                    _request(
                        "milestone_moved",
                        f"Milestone moved: {c.title}",
                        f"{f.describe()}.",
                        [],
                        "low",
                        MOVED_MILESTONE_HOURS,
                        str(f.after),
                        source,
                    )
                )
    for e in d.section("requirements").removed:
        out.append(
            _request(
                "requirement_dropped",
                f"No longer asked: {e.title}",
                "The new version drops this requirement.",
                [],
                "low",
                DROPPED_REQUIREMENT_HOURS,
                None,
                source,
            )
        )
    return out
