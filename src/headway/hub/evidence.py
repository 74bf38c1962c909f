"""Sector evidence for one pack, from every LA's latest submission, disclosure-controlled.

Per requirement: how many LAs are ready, at risk or have a gap (counts of 1 to 5 and what
would reveal them are "c"; national totals rounded to the nearest 10; shares to one decimal
place only where the count is published), the effort LAs estimate to comply (total, and the
per-LA mean with a 95% t-interval), and a regional breakdown. From the pack library, not
from submissions: which of its items existing collections already carry, and which
requirements other programmes also ask for, with conflicting definitions flagged (the "ask
once" opportunities). And a burden assessment in the shape of DfE's Star Chamber checklist.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy import stats  # type: ignore[import-untyped]

from headway.errors import HeadwayError
from headway.hub.disclosure import SUPPRESSED, TOTAL, protect, round_to
from headway.hub.store import Hub
from headway.packs import library
from headway.packs.model import Pack

STATUSES = ("ready", "at risk", "gap")
ENGLAND_LAS = 153  # LAs with children's services duties, for scaling the sector's cost
MIN_LAS_FOR_EFFORT = 6  # fewer submitting LAs than this and effort is not published
NOT_AVAILABLE = ":"  # the statistical symbol for "not available"


@dataclass
class RequirementEvidence:
    id: str
    title: str
    counts: dict[str, int | str]  # status -> LAs (disclosure-controlled, rounded)
    shares: dict[str, float | str]  # status -> percent of submitting LAs
    effort_total: int | str  # hours across submitting LAs, rounded to 10
    effort_mean: float | str
    effort_interval: tuple[float, float] | str
    carried_by: list[str]
    also_asked_by: list[dict[str, Any]]  # other packs asking for the same items

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Evidence:
    pack: str
    title: str
    las: int | str  # submitting LAs, rounded to 10
    requirements: list[RequirementEvidence]
    regions: dict[str, dict[str, int | str]]
    burden: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "title": self.title,
            "submitting_las": self.las,
            "requirements": [r.to_json() for r in self.requirements],
            "regions": self.regions,
            "burden_assessment": self.burden,
            "ask_once": [
                {"requirement": r.id, "also_asked_by": r.also_asked_by}
                for r in self.requirements
                if r.also_asked_by
            ],
            "notes": self.notes,
        }


def _status_table(
    pack: Pack, latest: Mapping[str, dict[str, Any]]
) -> tuple[pd.DataFrame, dict[str, list[float]]]:
    counts = pd.DataFrame(0, index=[r.id for r in pack.requirements], columns=list(STATUSES))
    effort: dict[str, list[float]] = {r.id: [] for r in pack.requirements}
    for payload in latest.values():
        for p in payload.get("readiness", []):
            if p.get("pack") != pack.id:
                continue
            for r in p.get("requirements", []):
                if r.get("id") in effort and r.get("status") in STATUSES:
                    counts.loc[r["id"], r["status"]] += 1
                    effort[r["id"]].append(float(r.get("effort_hours", 0)))
    return counts, effort


def _effort(hours: list[float]) -> tuple[int | str, float | str, tuple[float, float] | str]:
    if len(hours) < MIN_LAS_FOR_EFFORT:
        return SUPPRESSED, SUPPRESSED, SUPPRESSED
    mean = statistics.fmean(hours)
    half = stats.t.ppf(0.975, len(hours) - 1) * statistics.stdev(hours) / math.sqrt(len(hours))
    return (
        round_to(round(sum(hours))),
        round(mean, 1),
        (round(mean - half, 1), round(mean + half, 1)),
    )


def _also_asked(pack: Pack, packs: Sequence[Pack]) -> dict[str, list[dict[str, Any]]]:
    """For each requirement, the requirements of other programmes asking for the same items,
    and whether their definitions (frequency or measure definition) conflict."""
    out: dict[str, list[dict[str, Any]]] = {}
    definitions = {m.id: m.definition for m in pack.measures}
    for req in pack.requirements:
        mine = set(req.items)
        for other in packs:
            if other.programme == pack.programme:
                continue
            theirs_defs = {m.id: m.definition for m in other.measures}
            for o in other.requirements:
                shared = sorted(mine & set(o.items))
                if not shared:
                    continue
                conflicts = []
                if o.frequency != req.frequency:
                    conflicts.append(f"frequency {req.frequency} vs {o.frequency}")
                a, b = definitions.get(req.measure or ""), theirs_defs.get(o.measure or "")
                if a and b and a != b:
                    conflicts.append("the measures are defined differently")
                out.setdefault(req.id, []).append(
                    {
                        "pack": other.id,
                        "requirement": o.id,
                        "title": o.title,
                        "shared_items": shared,
                        "conflicts": conflicts,
                    }
                )
    return out


def _regions(
    pack: Pack, latest: Mapping[str, dict[str, Any]], regions: Mapping[str, str]
) -> dict[str, dict[str, int | str]]:
    """LAs by region and their pack-level position: ready (score 100), partly, not started."""
    table: dict[str, list[int]] = {}
    for la, payload in latest.items():
        for p in payload.get("readiness", []):
            if p.get("pack") == pack.id:
                score = float(p.get("score", 0))
                row = table.setdefault(regions.get(la, "unknown"), [0, 0, 0])
                row[0 if score >= 100 else 1 if score > 0 else 2] += 1
    if not table:
        return {}
    frame = pd.DataFrame.from_dict(
        table, orient="index", columns=["ready", "partly", "not started"]
    )
    published = protect(frame.sort_index()).published
    return {
        str(k): {str(c): _rounded_if_total(k, v) for c, v in row.items()}
        for k, row in published.to_dict(orient="index").items()
    }


def _count(count: object) -> int | str:
    """A national count of LAs: "c" stays "c"; a published count is rounded to 10."""
    return count if isinstance(count, str) else round_to(int(count))  # type: ignore[call-overload]


def _share(count: object, las: int) -> float | str:
    """A percentage of the submitting LAs; ":" (not available) when none submitted."""
    if isinstance(count, str):
        return count
    return round(100 * int(count) / las, 1) if las else NOT_AVAILABLE  # type: ignore[call-overload]


def _rounded_if_total(row: object, value: object) -> int | str:
    """The national total is rounded to the nearest 10; a region's count is shown as it is."""
    if isinstance(value, str):
        return value
    return round_to(int(value)) if row == TOTAL else int(value)  # type: ignore[call-overload]


def build_evidence(hub: Hub, pack_id: str) -> Evidence:
    packs = library()
    pack = next((p for p in packs if p.id == pack_id), None)
    if pack is None:
        raise HeadwayError(f"No pack '{pack_id}'.", "See them with: headway pack list")
    latest = hub.latest()
    submitting = {
        la: p
        for la, p in latest.items()
        if any(r.get("pack") == pack.id for r in p.get("readiness", []))
    }
    counts, effort = _status_table(pack, submitting)
    published = protect(counts).published if len(submitting) else counts
    also = _also_asked(pack, packs)
    n = len(submitting)
    requirements = []
    for req in pack.requirements:
        row = published.loc[req.id]
        total, mean, interval = _effort(effort[req.id])
        requirements.append(
            RequirementEvidence(
                id=req.id,
                title=req.title,
                counts={s: _count(row[s]) for s in STATUSES},
                shares={s: _share(row[s], n) for s in STATUSES},
                effort_total=total,
                effort_mean=mean,
                effort_interval=interval,
                carried_by=[c for c in req.carried_by if c != "none"],
                also_asked_by=also.get(req.id, []),
            )
        )
    return Evidence(
        pack=pack.id,
        title=pack.title,
        las=round_to(n) if n > 5 else SUPPRESSED,
        requirements=requirements,
        regions=_regions(pack, submitting, hub.regions()),
        burden=burden_assessment(pack, requirements, n),
        notes=[
            f"From the latest submission of each LA that assessed {pack.id}.",
            "Counts of 1 to 5 LAs, and counts that would reveal them, are shown as c; "
            "national totals are rounded to the nearest 10.",
        ],
    )


def burden_assessment(
    pack: Pack, requirements: Sequence[RequirementEvidence], n: int
) -> list[dict[str, str]]:
    """The Star Chamber's questions, answered from the pack and the evidence."""
    items = {i for r in pack.requirements for i in r.items}
    carried = {i for r in pack.requirements if set(r.carried_by) - {"none"} for i in r.items}
    asked_twice = [r for r in requirements if r.also_asked_by]
    frequencies = sorted({r.frequency for r in pack.requirements})
    required = sum(1 for e in pack.expectations if e.level == "required")
    means = [r.effort_mean for r in requirements if isinstance(r.effort_mean, float)]
    cost = (
        f"about {round_to(round(sum(means) * ENGLAND_LAS)):,} analyst hours across "
        f"{ENGLAND_LAS} LAs (mean estimates of {n} submitting LAs, scaled)"
        if means
        else "not enough submissions to estimate"
    )
    return [
        {
            "question": "Is it necessary?",
            "answer": f"{len(pack.sources)} published sources cited; "
            f"{len(pack.expectations)} expectations, {required} required.",
        },
        {
            "question": "Do existing or proxy sources exist?",
            "answer": f"{len(carried)} of "
            f"{len(items)} items are already carried by existing collections.",
        },
        {
            "question": "Are only essential items asked?",
            "answer": f"{len(pack.requirements)} "
            f"requirements over {len(items)} items; {len(asked_twice)} requirements ask for items "
            "another programme also asks for (ask once).",
        },
        {
            "question": "Are respondent numbers and frequency justified?",
            "answer": f"Frequencies: {', '.join(frequencies)}; {n} LAs have assessed it.",
        },
        {"question": "What are the compliance time and costs for LAs?", "answer": cost},
        {
            "question": "Was it consulted on and piloted?",
            "answer": "See the deliberation on "
            "this pack and any lab trial; the hub holds no pilot of this collection itself.",
        },
        {
            "question": "Can it be pre-populated or collected electronically?",
            "answer": f"{len(carried)} items could be pre-populated from existing returns; "
            f"{len(items) - len(carried)} would need new collection.",
        },
    ]
