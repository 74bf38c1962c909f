"""A reorganisation plan: the successor lookup (its file and hash), the reference date, the
successors, the lookup's problems and, with a workspace, how much of it the lookup covers.

`headway reorg plan` writes it (JSON); `headway reorg split` reads it and refuses a lookup
that has changed since (the hash), so a split can always be traced to the lookup it used.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.errors import HeadwayError
from headway.reorg.assign import UNASSIGNED, assign, summarise
from headway.reorg.lookup import EXAMPLES, Lookup, clean_postcode, file_sha256, read_lookup
from headway.workspace import Workspace

PLAN_VERSION = 1


@dataclass
class Plan:
    data: dict[str, Any]  # as written to the plan file
    path: Path | None = None

    @property
    def reference_date(self) -> date:
        return date.fromisoformat(self.data["reference_date"])

    @property
    def successors(self) -> list[dict[str, Any]]:
        return list(self.data["successors"])

    def to_json(self) -> dict[str, Any]:
        return self.data

    def lookup(self) -> Lookup:
        """The plan's lookup, read again; an error if the file has changed since the plan."""
        info = self.data["lookup"]
        path = Path(info["path"])
        if not path.is_file():
            raise HeadwayError(
                f"The plan's lookup {path} is no longer there.",
                "Put it back, or make a new plan with headway reorg plan.",
            )
        if file_sha256(path) != info["sha256"]:
            raise HeadwayError(
                f"The lookup {path.name} has changed since the plan was made.",
                "Make the plan again (headway reorg plan) so the split uses the lookup it names.",
            )
        wards = Path(info["wards"]["path"]) if info.get("wards") else None
        codes = {s["name"]: s["code"] for s in self.data["successors"]}
        return read_lookup(path, codes, wards)

    def render(self, out: Console) -> None:
        d = self.data
        lk = d["lookup"]
        t = Table(
            "Successor",
            "Code",
            "Lookup keys",
            title=f"Reorganisation plan ({lk['layout']} "
            f"lookup, reference date {d['reference_date']})",
            title_justify="left",
        )
        ws = d.get("workspace")
        if ws:
            t.add_column("Children", justify="right")
        for s in d["successors"]:
            row = [escape(s["name"]), s["code"], f"{s['keys']:,}"]
            if ws:
                row.append(f"{ws['by_successor'].get(s['name'], 0):,}")
            t.add_row(*row)
        if ws:
            t.add_row("[yellow]unassigned[/]", "", "", f"{ws['unassigned']:,}")
        out.print(t)
        keys = ", ".join(f"{n:,} {k}s" for k, n in lk["keys"].items())
        out.print(
            f"Lookup {escape(Path(lk['path']).name)}: {lk['rows']:,} rows, {keys}; "
            f"key column {escape(lk['columns']['key'])}; sha256 {lk['sha256'][:12]}..."
        )
        for what, n, ex in (
            ("malformed", lk["malformed"], lk["malformed_examples"]),
            ("ambiguous", lk["ambiguous"], lk["ambiguous_examples"]),
        ):
            if n:
                shown = "; ".join(_example(e) for e in ex[:3])
                out.print(f"[yellow]{n:,} {what} rows[/] (e.g. {escape(shown)})")
        if lk["terminated"]:
            out.print(f"{lk['terminated']:,} terminated postcodes kept (older addresses use them)")
        if ws:
            rules = ", ".join(f"{r.replace('_', ' ')} {n:,}" for r, n in ws["by_rule"].items())
            out.print(
                f"Coverage of {escape(ws['la_name'])}: {ws['coverage']:.1%} of "
                f"{ws['children']:,} children assigned ({rules})."
            )
            for what in ("unknown_postcodes", "ambiguous_postcodes", "malformed_postcodes"):
                found = ws[what]
                if found["count"]:
                    shown = ", ".join(
                        f"{e['postcode']} ({e['children']})" for e in found["examples"][:5]
                    )
                    out.print(
                        f"[yellow]{found['count']:,} {what.replace('_', ' ')}[/] in the "
                        f"workspace: {escape(shown)}"
                    )
        if self.path:
            out.print(f"Plan written to {escape(str(self.path))}")


def _example(e: dict[str, Any]) -> str:
    if "line" in e:
        return f"line {e['line']}: {e['key']!r} ({e['problem']})"
    return f"{e['key']} -> {' / '.join(e['successors'])}"


def make_plan(lookup: Lookup, reference: date, ws: Workspace | None = None) -> Plan:
    """The plan for a lookup and reference date; with a workspace, its coverage."""
    if len(lookup.successors) < 2:
        names = ", ".join(s.name for s in lookup.successors)
        raise HeadwayError(
            f"The lookup names one successor only ({names}); a split needs two or more.",
            "Check the successor column, or that the whole lookup was given.",
        )
    data: dict[str, Any] = {
        "headway_reorg_plan": PLAN_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "reference_date": reference.isoformat(),
        "successors": [s.to_json() for s in lookup.successors],
        "lookup": lookup.to_json(),
        "workspace": _coverage(lookup, reference, ws) if ws else None,
    }
    return Plan(data)


def _coverage(lookup: Lookup, reference: date, ws: Workspace) -> dict[str, Any]:
    with ws.connect(read_only=True) as con:
        assignments = assign(con, lookup, reference)
        postcodes = con.execute("""
            SELECT pc, count(DISTINCT p) FROM (
              SELECT addr_address_postcode AS pc, addr_person_id AS p FROM ssd_address
              UNION ALL
              SELECT clae_home_postcode, clae_person_id FROM ssd_cla_episodes)
            WHERE nullif(trim(pc), '') IS NOT NULL GROUP BY pc""").fetchall()
    problems: dict[str, Counter[str]] = {
        "outside": Counter(),
        "ambiguous": Counter(),
        "malformed": Counter(),
    }
    for postcode, children in postcodes:
        code, how = lookup.resolve(postcode)
        if code is None:
            cleaned = clean_postcode(postcode)
            problems[how][cleaned[1] if cleaned else str(postcode)] += int(children)
    summary = summarise(assignments)
    summary.update(path=str(ws.path.resolve()), la_code=ws.la_code, la_name=ws.la_name)
    for key, how in (
        ("unknown_postcodes", "outside"),
        ("ambiguous_postcodes", "ambiguous"),
        ("malformed_postcodes", "malformed"),
    ):
        found = problems[how]
        summary[key] = {
            "count": len(found),
            "examples": [{"postcode": p, "children": n} for p, n in found.most_common(EXAMPLES)],
        }
    summary["unassigned_children"] = [
        {"person_id": a.person_id, "reason": a.reason} for a in assignments if a.rule == UNASSIGNED
    ][:EXAMPLES]
    return summary


def write_plan(plan: Plan, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(plan.data, indent=2, default=str) + "\n", "utf-8")
    tmp.replace(path)
    plan.path = path
    return path


def load_plan(path: Path) -> Plan:
    if not path.is_file():
        raise HeadwayError(
            f"There is no plan at {path}.",
            "Make one with: headway reorg plan --lookup FILE --out PLAN",
        )
    try:
        data = json.loads(path.read_text("utf-8"))
        ok = data.get("headway_reorg_plan") == PLAN_VERSION
        date.fromisoformat(data["reference_date"])
        ok = ok and bool(data["successors"]) and "sha256" in data["lookup"]
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise HeadwayError(
            f"{path} is not a Headway reorganisation plan.",
            "Make one with: headway reorg plan --lookup FILE --out PLAN",
        )
    return Plan(data, path)
