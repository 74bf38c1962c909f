"""Every figure of a workspace that a reorganisation must carry across, and the
reconciliation of one workspace's figures with the sum of several others'.

The figures: rows in each table, children, each statutory return's rows and children by
collection year, every measure of every shipped pack (by period and breakdown), and the
rows of each Annex A list. A split reconciles the predecessor with the sum of its
successors (and the unassigned children); a merge reconciles the merged workspace with the
sum of its predecessors, less the children linked across them.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.measures.engine import run_measures
from headway.model.schema import tables
from headway.outputs.annex_a import write_annex_a
from headway.reorg.assign import all_people, person_columns
from headway.workspace import Workspace

ADDITIVE = {"rows", "children", "count"}
BOOKKEEPING = (
    "hw_loads",
    "hw_load_counts",
    "hw_quarantine",
    "hw_value_issues",
    "hw_self_assessments",
)
# Tables without a person id: the table, its column, the table and column it follows.
FOLLOWS: dict[str, tuple[str, str, str]] = {
    "ssd_ehcp_requests": ("ehcr_send_table_id", "ssd_send", "send_table_id"),
    "ssd_ehcp_assessment": ("ehca_ehcp_request_id", "ssd_ehcp_requests", "ehcr_ehcp_request_id"),
    "ssd_ehcp_named_plan": ("ehcn_ehcp_asmt_id", "ssd_ehcp_assessment", "ehca_ehcp_assessment_id"),
    "ssd_ehcp_active_plans": ("ehcp_ehcp_request_id", "ssd_ehcp_requests", "ehcr_ehcp_request_id"),
    "ssd_sen_need": ("senn_active_ehcp_id", "ssd_ehcp_active_plans", "ehcp_active_ehcp_id"),
    "ssd_s251_finance": ("s251_cla_placement_id", "ssd_cla_placement", "clap_cla_placement_id"),
    "hw_adopters": ("adop_family_id", "ssd_permanence", "perm_family_id"),
}
REFERENCE = ("ssd_department", "ssd_professionals")  # staff and teams: copied to every part


@dataclass
class Figures:
    """One workspace's figures, each keyed (kind, name, period, breakdown) -> (value, unit)."""

    values: dict[tuple[str, str, int | None, str | None], tuple[float | None, str]]
    errors: dict[str, str] = field(default_factory=dict)  # measure -> its error
    titles: dict[str, str] = field(default_factory=dict)


def figures(ws: Workspace, as_at: date, annex_a: Path) -> Figures:
    """Compute every figure of a workspace; the Annex A workbook is written to `annex_a`."""
    from headway.packs import library

    values: dict[tuple[str, str, int | None, str | None], tuple[float | None, str]] = {}
    errors: dict[str, str] = {}
    titles: dict[str, str] = {}
    with ws.connect(read_only=True) as con:
        for name in [*tables(), *BOOKKEEPING]:
            (n,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchone() or (0,)
            values[("table", name, None, None)] = (float(n), "rows")
        values[("children", "children", None, None)] = (float(len(all_people(con))), "children")
        for (ret, year), (rows, children) in _returns(con).items():
            values[("return", ret, year, "rows")] = (float(rows), "rows")
            values[("return", ret, year, "children")] = (float(children), "children")
        for pack in library():
            results = run_measures(con, pack.measures)
            for r in results:
                key = f"{pack.id}/{r.id}"
                titles[key] = r.title
                if r.error:
                    errors[key] = r.error
                for row in r.rows:
                    values[("measure", key, row.period, row.breakdown)] = (row.value, r.unit)
        report = write_annex_a(con, annex_a, as_at)
    for lst in report.lists:
        values[("annex_a", f"List {lst.number}", None, None)] = (float(lst.rows), "rows")
        titles[f"List {lst.number}"] = lst.title
    return Figures(values, errors, titles)


def _returns(con: Any) -> dict[tuple[str, int], tuple[int, int]]:
    """(return, collection year) -> (rows, distinct children), over every table with a child."""
    parts = [
        f'SELECT l.source_return AS r, l.collection_year AS y, CAST(t."{pid}" AS VARCHAR) AS p '
        f'FROM "{name}" t JOIN hw_loads l ON l.load_id = t.hw_load_id'
        for name, pid in person_columns().items()
    ]
    rows = con.execute(
        f"SELECT r, y, count(*), count(DISTINCT p) FROM ({' UNION ALL '.join(parts)}) "
        "GROUP BY r, y ORDER BY r, y"
    ).fetchall()
    return {(r, int(y)): (int(n), int(c)) for r, y, n, c in rows}


@dataclass
class Line:
    """One figure: the whole (predecessor, or merged workspace) against its parts."""

    kind: str  # table | children | return | measure | annex_a
    name: str
    period: int | None
    breakdown: str | None
    unit: str
    whole: float | None
    parts: dict[str, float | None]
    status: str  # reconciles | copied | shared | linked | stays | recomputed | differs | error
    explanation: str = ""

    @property
    def difference(self) -> float | None:
        if self.unit not in ADDITIVE:
            return None
        return (self.whole or 0.0) - sum(v or 0.0 for v in self.parts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "period": self.period,
            "breakdown": self.breakdown,
            "unit": self.unit,
            "whole": self.whole,
            "parts": self.parts,
            "difference": self.difference,
            "status": self.status,
            "explanation": self.explanation,
        }


@dataclass
class Reconciliation:
    mode: str  # split | merge
    whole: str  # the predecessor's or the merged workspace's label
    parts: list[str]
    lines: list[Line]

    @property
    def differs(self) -> list[Line]:
        return [ln for ln in self.lines if ln.status in ("differs", "error")]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for ln in self.lines:
            out[ln.status] = out.get(ln.status, 0) + 1
        return dict(sorted(out.items()))

    def summary_json(self) -> dict[str, Any]:
        """The statuses counted and every figure that does not add up."""
        return {"statuses": self.counts(), "differs": [ln.to_json() for ln in self.differs]}

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "whole": self.whole,
            "parts": self.parts,
            "statuses": self.counts(),
            "lines": [ln.to_json() for ln in self.lines],
        }

    def write_csv(self, path: Path) -> Path:
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(
                [
                    "kind",
                    "name",
                    "period",
                    "breakdown",
                    "unit",
                    self.whole,
                    *self.parts,
                    "difference",
                    "status",
                    "explanation",
                ]
            )
            for ln in self.lines:
                w.writerow(
                    [
                        ln.kind,
                        ln.name,
                        ln.period or "",
                        ln.breakdown or "",
                        ln.unit,
                        _num(ln.whole),
                        *(_num(ln.parts.get(p)) for p in self.parts),
                        _num(ln.difference),
                        ln.status,
                        ln.explanation,
                    ]
                )
        return path

    def write_json(self, path: Path) -> Path:
        path.write_text(json.dumps(self.to_json(), indent=2, default=str) + "\n", "utf-8")
        return path

    def render(self, out: Console, limit: int = 12) -> None:
        """The headline lines (tables with rows, children, Annex A), then anything that differs."""
        t = Table(
            "Figure",
            self.whole,
            *self.parts,
            "Status",
            title=f"Reconciliation ({self.mode})",
            title_justify="left",
        )
        shown = [
            ln
            for ln in self.lines
            if ln.kind in ("children", "annex_a")
            or (ln.kind == "table" and (ln.whole or 0) > 0 and not ln.name.startswith("hw_"))
        ]
        for ln in shown[: limit * 3]:
            colour = "green" if ln.status in ("reconciles", "copied", "linked") else "yellow"
            t.add_row(
                escape(_label(ln)),
                _num(ln.whole),
                *(_num(ln.parts.get(p)) for p in self.parts),
                f"[{colour}]{ln.status}[/]",
            )
        out.print(t)
        statuses = ", ".join(f"{n:,} {s}" for s, n in self.counts().items())
        out.print(f"{len(self.lines):,} figures reconciled: {statuses}.")
        for ln in self.differs[:limit]:
            out.print(f"[red]{ln.status}[/] {escape(_label(ln))}: {escape(ln.explanation)}")


def _label(ln: Line) -> str:
    bits = [ln.name] + [str(b) for b in (ln.period, ln.breakdown) if b is not None]
    return " ".join(bits)


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return f"{v:.0f}" if v == int(v) else f"{v:.4g}"


def reconcile(
    mode: str,
    whole_label: str,
    whole: Figures,
    parts: dict[str, Figures],
    leftover: str | None = None,
    linked: int = 0,
) -> Reconciliation:
    """Each figure of `whole` against the sum of `parts`. In a split, `leftover` names the
    part holding the unassigned children; in a merge, `linked` is the number of records
    that are another source's child (the most the merged counts can fall short by)."""
    keys = sorted(
        set(whole.values).union(*(p.values for p in parts.values())),
        key=lambda k: (_ORDER.index(k[0]), _natural(k[1]), k[2] or 0, k[3] or ""),
    )
    lines = []
    for key in keys:
        kind, name, period, breakdown = key
        unit = (
            whole.values.get(key) or next(p.values[key] for p in parts.values() if key in p.values)
        )[1]
        w = whole.values.get(key, (None, unit))[0]
        values = {label: p.values.get(key, (None, unit))[0] for label, p in parts.items()}
        ln = Line(kind, name, period, breakdown, unit, w, values, "reconciles")
        _judge(ln, mode, whole, parts, leftover, linked)
        lines.append(ln)
    return Reconciliation(mode, whole_label, list(parts), lines)


def _natural(name: str) -> tuple[Any, ...]:
    """ "List 2" before "List 10"."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


_ORDER = ("children", "table", "return", "annex_a", "measure")


def _judge(
    ln: Line,
    mode: str,
    whole: Figures,
    parts: dict[str, Figures],
    leftover: str | None,
    linked: int,
) -> None:
    errors = [whole.errors.get(ln.name)] + [p.errors.get(ln.name) for p in parts.values()]
    if ln.kind == "measure" and any(errors):
        ln.status, ln.explanation = "error", next(e for e in errors if e) or ""
        return
    if ln.unit not in ADDITIVE:
        ln.status = "recomputed"
        ln.explanation = f"a {ln.unit} measure: recomputed on each part's children, not a sum"
        return
    diff = ln.difference or 0.0
    held = ln.parts.get(leftover) if leftover else None
    if mode == "split" and ln.kind == "table" and ln.name in (*REFERENCE, "hw_loads"):
        ln.status = "copied"
        ln.explanation = (
            "reference data (teams, staff) copied to every part"
            if ln.name in REFERENCE
            else "the load records, copied so each part keeps its provenance"
        )
        return
    if ln.kind == "table" and (
        ln.name == "hw_self_assessments" or (ln.name == "hw_quarantine" and mode == "split")
    ):
        ln.status = "stays"
        ln.explanation = (
            "records set aside at ingest carry no child to assign: they stay in "
            "the predecessor workspace"
            if ln.name == "hw_quarantine"
            else "the predecessor's own judgements: the new authority makes its own"
        )
        return
    if diff == 0:
        ln.status = "reconciles"
        if held:
            ln.explanation = f"{held:.0f} held with the unassigned children"
        return
    if mode == "split" and ln.kind == "table" and ln.name in FOLLOWS and diff < 0:
        ln.status = "shared"
        ln.explanation = (
            "rows linked to children of more than one part are copied to each "
            f"({-diff:.0f} more in the parts)"
        )
        return
    if mode == "split" and ln.name == "hw_value_issues" and diff > 0:
        ln.status = "stays"
        ln.explanation = (
            f"{diff:.0f} value issues belong to no stored row (their records "
            "were quarantined): they stay in the predecessor workspace"
        )
        return
    if mode == "split" and ln.name == "hw_load_counts":
        ln.status = "copied"
        ln.explanation = "each part counts its own rows for each load the predecessor made"
        return
    if mode == "merge" and diff < 0 and -diff <= linked and ln.kind != "table":
        ln.status = "linked"
        ln.explanation = (
            f"{-diff:.0f} fewer than the sum: children known to more than one "
            "predecessor are one child here"
        )
        return
    ln.status = "differs"
    ln.explanation = _unexplained(ln, diff, mode)


def _unexplained(ln: Line, diff: float, mode: str) -> str:
    side = "predecessor" if mode == "split" else "merged workspace"
    what = f"the {side} has {diff:+.0f} against the sum of the parts"
    if ln.kind == "measure":
        return (
            f"{what}: the measure counts across children (e.g. a UPN shared by children "
            "in different parts, or a threshold), so it is not additive"
        )
    if ln.kind == "annex_a":
        return (
            f"{what}: Annex A merges the records of one child from several returns, and "
            "a child's records can fall on either side"
        )
    return what
