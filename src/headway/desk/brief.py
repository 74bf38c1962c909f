"""The leader brief: one page for a head of service or director.

Demand against capacity, what will slip and what that costs, the decisions only a leader
can take (fund more capacity, decline or defer low-value asks, escalate statutory work
that slips whatever the team does), and readiness headlines from the adopted packs.
HTML is self-contained (styles inline, no scripts, no fetched assets); PDF is the same
page through WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from headway.desk.plan import Analyst, Plan, Scheduled, WhatIf, whatif
from headway.desk.planning import PlannedRequest, jobs, planned_requests
from headway.desk.priority import Weights
from headway.desk.store import Desk
from headway.packs import library
from headway.pages import write_page
from headway.readiness.engine import AT_RISK, GAP, PackReadiness, assess_all
from headway.workspace import Workspace

SLIPS_SHOWN = 6
DEFER_SHOWN = 4
PACKS_SHOWN = 6  # lowest readiness first
TITLE_CHARS = 80  # one line in the brief's tables
PACK_TITLE_CHARS = 48
EXTRA_ANALYST_HOURS = 37.0


def _short(text: str, chars: int = TITLE_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def consequence(p: PlannedRequest) -> str:
    """What it costs when this request is late, in a leader's words."""
    r = p.request
    if r.inspection:
        return "An inspector waits: it reads as weak grip on the LA's own data."
    if r.statutory:
        return "A statutory duty is late: DfE follows up and published figures are at risk."
    if r.source in ("national programme", "pack requirement", "pack diff", "standard diff"):
        return "A national programme deadline is missed: assurance or funding may be at risk."
    if r.requester_level in ("director", "head of service"):
        return "A senior leader decides without the figures."
    return "The person who asked waits longer."


@dataclass(frozen=True)
class Brief:
    la_name: str
    today: date
    plan: Plan
    extra: WhatIf  # the same desk with one more analyst
    planned: dict[int, PlannedRequest]
    readiness: Sequence[PackReadiness]

    def context(self) -> dict[str, Any]:
        plan = self.plan
        slips = plan.slips()
        critical = [s for s in slips if self._critical(s.job.id)]
        still_late = {s.job.id for s in self.extra.after.slips()}
        deferrable = sorted(
            (s for s in slips if not self._critical(s.job.id)),
            key=lambda s: self.planned[s.job.id].priority.score,
        )[:DEFER_SHOWN]
        by_source: dict[str, list[float]] = {}
        for p in self.planned.values():
            row = by_source.setdefault(p.request.source, [0, 0.0])
            row[0] += 1
            row[1] += p.hours
        biggest = max((h for _, h in by_source.values()), default=1.0) or 1.0
        return {
            "la_name": self.la_name,
            "today": self.today,
            "plan": plan,
            "weeks": plan.weeks,
            "demand": plan.demand_hours,
            "capacity": plan.capacity_hours,
            "ratio": plan.demand_hours / plan.capacity_hours if plan.capacity_hours else 0.0,
            "open": len(self.planned),
            "slips": [self._row(s) for s in slips[:SLIPS_SHOWN]],
            "slip_count": len(slips),
            "critical_count": len(critical),
            "beyond": sum(1 for s in slips if s.beyond_horizon),
            "sources": sorted(
                ((src, n, h, round(100 * h / biggest)) for src, (n, h) in by_source.items()),
                key=lambda row: -row[2],
            ),
            "extra_hours": EXTRA_ANALYST_HOURS,
            "extra_late_before": len(slips),
            "extra_late_after": len(self.extra.after.slips()),
            "extra_wl_before": plan.weighted_lateness,
            "extra_wl_after": self.extra.after.weighted_lateness,
            "escalate": [self._row(s) for s in critical if s.job.id in still_late][:DEFER_SHOWN],
            "defer": [self._row(s) for s in deferrable],
            "defer_hours": sum(self.planned[s.job.id].hours for s in deferrable),
            "packs": [
                {
                    "title": _short(p.title, PACK_TITLE_CHARS),
                    "score": p.score,
                    "gaps": p.count(GAP),
                    "at_risk": p.count(AT_RISK),
                    "hours": p.effort_to_close,
                }
                for p in sorted(self.readiness, key=lambda p: p.score)[:PACKS_SHOWN]
            ],
            "packs_more": max(0, len(self.readiness) - PACKS_SHOWN),
        }

    def _critical(self, request_id: int) -> bool:
        r = self.planned[request_id].request
        return r.statutory or r.inspection

    def _row(self, s: Scheduled) -> dict[str, Any]:
        p = self.planned[s.job.id]
        return {
            "id": s.job.id,
            "title": _short(s.job.title),
            "source": p.request.source,
            "due": s.job.due,
            "late_days": s.late_days,
            "beyond": s.beyond_horizon,
            "score": p.priority.score,
            "hours": p.hours,
            "consequence": consequence(p),
        }

    def html(self) -> str:
        env = jinja2.Environment(
            loader=jinja2.FunctionLoader(_template),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        return env.get_template("brief.html.j2").render(**self.context())

    def write(self, path: Path) -> Path:
        return write_page(self.html(), path)


def _template(name: str) -> str:
    return resources.files("headway.desk").joinpath("templates", name).read_text("utf-8")


def make_brief(
    desk: Desk,
    ws: Workspace | None,
    team: Sequence[Analyst],
    start: date,
    weeks: int,
    weights: Weights,
    time_limit: float,
) -> Brief:
    """Plan the desk as it is and with one more analyst; add the adopted packs' readiness."""
    planned = planned_requests(desk, start, weights)
    adopted = set(desk.adopted())
    readiness: list[PackReadiness] = []
    if ws is not None and adopted:
        with ws.connect(read_only=True) as con:
            readiness = assess_all(con, [p for p in library() if p.id in adopted])
    extra = Analyst("One more analyst", EXTRA_ANALYST_HOURS)
    result = whatif(jobs(planned), team, start, weeks, extra=[extra], time_limit=time_limit)
    name = ws.la_name if ws else "Shared desk"
    return Brief(name, start, result.before, result, {p.request.id: p for p in planned}, readiness)
