"""A synthetic sector: LAs across England's nine regions, for the Centre's demos and tests.

Each LA has a made-up code (SYN001 ...) and name, a region, a size band and a latest Ofsted
judgement, drawn from shares close to the sector's (about 150 LAs: most judged good, some
outstanding, some requiring improvement, a few inadequate). No real LA is described.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
SIZES = (("small", 0.35), ("medium", 0.4), ("large", 0.25))
JUDGEMENTS = (
    ("Outstanding", 0.15),
    ("Good", 0.45),
    ("Requires improvement", 0.3),
    ("Inadequate", 0.1),
)


@dataclass(frozen=True)
class SectorLA:
    code: str
    name: str
    region: str
    size: str
    ofsted: str


def _draw(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in shares], [w for _, w in shares])[0]


def synthetic_sector(las: int, seed: int) -> list[SectorLA]:
    """`las` LAs, every region represented when there are at least nine."""
    rng = random.Random(seed)
    regions = [REGIONS[i % len(REGIONS)] for i in range(las)]
    rng.shuffle(regions)
    return [
        SectorLA(
            f"SYN{i:03d}", f"Synthetic LA {i}", region, _draw(rng, SIZES), _draw(rng, JUDGEMENTS)
        )
        for i, region in enumerate(regions, start=1)
    ]


def write_sector(path: Path, sector: list[SectorLA]) -> Path:
    """The sector as a CSV: la_code, name, region, size, ofsted."""
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["la_code", "name", "region", "size", "ofsted"])
        out.writerows([la.code, la.name, la.region, la.size, la.ofsted] for la in sector)
    return path
