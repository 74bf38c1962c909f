"""The readiness engine: a pack's requirements judged against the LA's own data.

For each requirement: the evidence on its items (readiness.evidence), whether its measure
or output runs on the workspace and what it gives, and the effort to close what is
missing. For the pack: a score, the blockers, and the expectations still to be met.

The rules are deliberately simple and stated here, because leaders will ask why:
- gap: an item has no data in the latest year, or the measure or output does not run;
- at risk: an item a return requires is under 95% complete (an optional item, such as a
  closure date, is rightly blank for open cases), over 1% of its coded values are invalid,
  the DfE rules flag over 1% of its values, or the measure runs but gives nothing;
- ready: none of those.
Effort to close: a gap costs the requirement's default effort, at risk half of it.
Score: ready counts 1, at risk 0.5, gap 0, as a share of all requirements (0-100).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from headway.measures.engine import run_measure
from headway.packs.model import Measure, Output, Pack, Requirement
from headway.readiness.evidence import ItemEvidence, gather

COMPLETE_ENOUGH = 0.95
INVALID_TOLERATED = 0.01
READY, AT_RISK, GAP = "ready", "at risk", "gap"
_WEIGHT = {READY: 1.0, AT_RISK: 0.5, GAP: 0.0}


@dataclass
class RunResult:
    """What running a requirement's measure or output on the workspace gave."""

    kind: str  # measure or output
    id: str
    ok: bool
    rows: int = 0
    latest_period: int | None = None
    latest_value: float | None = None
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RequirementReadiness:
    id: str
    title: str
    status: str
    reasons: list[str]
    items: list[ItemEvidence]
    run: RunResult | None
    due: date | None
    effort_to_close: float
    basis: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "reasons": self.reasons,
            "items": [i.to_json() for i in self.items],
            "run": self.run.to_json() if self.run else None,
            "due": self.due.isoformat() if self.due else None,
            "effort_to_close_hours": self.effort_to_close,
            "basis": self.basis,
        }


@dataclass
class PackReadiness:
    pack_id: str
    title: str
    version: str
    requirements: list[RequirementReadiness]
    expectations_open: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        if not self.requirements:
            return 0.0
        total = sum(_WEIGHT[r.status] for r in self.requirements)
        return round(100 * total / len(self.requirements), 1)

    def count(self, status: str) -> int:
        return sum(1 for r in self.requirements if r.status == status)

    @property
    def effort_to_close(self) -> float:
        return sum(r.effort_to_close for r in self.requirements)

    @property
    def blockers(self) -> list[RequirementReadiness]:
        """Gaps, soonest due first."""
        gaps = [r for r in self.requirements if r.status == GAP]
        return sorted(gaps, key=lambda r: (r.due or date.max, r.id))

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack_id,
            "title": self.title,
            "version": self.version,
            "score": self.score,
            "ready": self.count(READY),
            "at_risk": self.count(AT_RISK),
            "gap": self.count(GAP),
            "effort_to_close_hours": self.effort_to_close,
            "blockers": [
                {"id": b.id, "title": b.title, "reasons": b.reasons} for b in self.blockers
            ],
            "expectations_open": self.expectations_open,
            "requirements": [r.to_json() for r in self.requirements],
            "seconds": round(self.seconds, 3),
        }


def _run_measure(con: duckdb.DuckDBPyConnection, measure: Measure) -> RunResult:
    """The measure run as `headway measures run` runs it (measures.engine)."""
    r = run_measure(con, measure)
    return RunResult("measure", measure.id, r.ok, len(r.rows), r.latest_period, r.latest_value,
                     r.error or "")  # fmt: skip


def _run_output(con: duckdb.DuckDBPyConnection, output: Output) -> RunResult:
    try:
        rows = con.execute(output.sql).fetchall()
    except duckdb.Error as exc:
        return RunResult("output", output.id, False, error=str(exc).splitlines()[0])
    return RunResult("output", output.id, True, rows=len(rows))


def _judge(
    req: Requirement, items: list[ItemEvidence], run: RunResult | None
) -> tuple[str, list[str]]:
    gaps, risks = [], []
    for ev in items:
        if not ev.sources:
            gaps.append(f"{ev.item}: no return Headway reads carries it")
        elif not ev.has_data:
            gaps.append(f"{ev.item}: no data loaded (from {', '.join(ev.sources)})")
        else:
            if ev.required and ev.completeness < COMPLETE_ENOUGH:
                risks.append(f"{ev.item}: {ev.completeness:.0%} complete in {ev.year}")
            if ev.invalid > INVALID_TOLERATED * ev.filled:
                risks.append(f"{ev.item}: {ev.invalid:,} invalid values")
            if ev.dfe_failures > INVALID_TOLERATED * ev.filled:
                risks.append(f"{ev.item}: {ev.dfe_failures:,} DfE rule findings")
    if run is not None and not run.ok:
        gaps.append(f"{run.kind} {run.id} does not run: {run.error}")
    elif run is not None and run.rows == 0:
        risks.append(f"{run.kind} {run.id} runs but gives no rows")
    if gaps:
        return GAP, gaps + risks
    return (AT_RISK, risks) if risks else (READY, [])


def assess(
    con: duckdb.DuckDBPyConnection, pack: Pack, met: set[str] | None = None
) -> PackReadiness:
    """Readiness of one pack on the workspace behind `con`. `met`: expectation ids the LA
    has self-assessed as met."""
    start = time.perf_counter()
    evidence = gather(con, [i for r in pack.requirements for i in r.items])
    measures = {m.id: m for m in pack.measures}
    outputs = {o.id: o for o in pack.outputs}
    out = []
    for req in pack.requirements:
        run = None
        if req.measure:
            run = _run_measure(con, measures[req.measure])
        elif req.output:
            run = _run_output(con, outputs[req.output])
        items = [evidence[i] for i in req.items]
        status, reasons = _judge(req, items, run)
        effort = {READY: 0.0, AT_RISK: math.ceil(req.effort_hours / 2), GAP: req.effort_hours}
        out.append(
            RequirementReadiness(
                req.id,
                req.title,
                status,
                reasons,
                items,
                run,
                req.due,
                float(effort[status]),
                req.basis,
            )
        )
    open_expectations = [
        {"id": e.id, "title": e.title, "level": e.level, "basis": e.basis}
        for e in pack.expectations
        if e.id not in (met or set())
    ]
    return PackReadiness(
        pack.id, pack.title, pack.version, out, open_expectations, time.perf_counter() - start
    )


def assess_all(
    con: duckdb.DuckDBPyConnection, packs: Sequence[Pack], met: dict[str, set[str]] | None = None
) -> list[PackReadiness]:
    return [assess(con, p, (met or {}).get(p.id)) for p in packs]
