"""Submissions from a simulated sector: synthetic LAs with varied readiness, for the demo,
the tests and the benchmarks. Each LA has its own readiness (some far ahead, some far
behind, most between), so the evidence shows the spread a real sector would."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pandas as pd

from headway.desk.model import SOURCES
from headway.hub.disclosure import protect
from headway.hub.submission import (
    SCHEMA,
    DeskLoad,
    ItemQuality,
    PackStatus,
    RequirementStatus,
    SubmissionPayload,
)
from headway.packs.model import Pack
from headway.synth.sector import SectorLA


def _requirements(pack: Pack, ahead: float, rng: random.Random) -> list[RequirementStatus]:
    out = []
    for r in pack.requirements:
        draw = rng.random()
        status = (
            "ready" if draw < ahead else "at risk" if draw < ahead + (1 - ahead) * 0.4 else "gap"
        )
        share = {"ready": 0.0, "at risk": 0.5, "gap": 1.0}[status]
        hours = round(r.effort_hours * share * rng.lognormvariate(0, 0.3), 1)
        out.append(RequirementStatus(id=r.id, status=status, effort_hours=hours))  # type: ignore[arg-type]
    return out


def _score(requirements: Sequence[RequirementStatus]) -> float:
    weight = {"ready": 1.0, "at risk": 0.5, "gap": 0.0}
    return round(100 * sum(weight[r.status] for r in requirements) / max(len(requirements), 1), 1)


def _desk(rng: random.Random) -> DeskLoad:
    rows = {s: [rng.randint(0, 30), rng.randint(0, 12)] for s in SOURCES}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["on time", "overdue"])
    return DeskLoad(requests=protect(table).by_row())


def sector_submission(
    la: SectorLA, packs: Sequence[Pack], period: str, seed: int
) -> SubmissionPayload:
    rng = random.Random(f"{seed}:{la.code}:{period}")
    ahead = rng.betavariate(2.5, 2.0)
    statuses = [(p, _requirements(p, ahead, rng)) for p in packs]
    items = sorted({i for p in packs for r in p.requirements for i in r.items})
    return SubmissionPayload(
        schema=SCHEMA,
        la_code=la.code,
        period=period,
        readiness=[
            PackStatus(pack=p.id, version=p.version, score=_score(rs), requirements=rs)
            for p, rs in statuses
        ],
        quality=[
            ItemQuality(
                item=i,
                completeness=round(rng.uniform(0.85, 1.0), 3),
                invalid=round(rng.uniform(0, 0.03), 3),
            )
            for i in items
        ],
        desk=_desk(rng),
    )
