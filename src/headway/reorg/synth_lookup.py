"""Synthetic successor lookups for a synthetic county (headway.synth), made by code.

A synthetic LA's children live in one postcode area (`Context.postcode_area`, e.g. LE for
LA 201) in districts 1 to 20. `write_lookup` splits those districts between successors
(by default two: districts 1-10 and 11-20) and writes the lookup in one of two layouts:

- `ons`: one row per postcode, with ONS's column names (pcd7, pcds, dointr, doterm, wd23cd,
  wd23nm, lad23cd, lad23nm), as the ONS postcode to ward and LAD lookup would carry the
  new authorities once ONS issues their codes;
- `simple`: one row per postcode district: district, successor_code, successor_name.

The successor codes are placeholders in the E06999... range, which ONS has not used.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from headway.synth.address import DISTRICTS, UNIT_LETTERS
from headway.synth.history import POSTCODE_AREAS

SUCCESSORS = (("E06999901", "North Synthshire"), ("E06999902", "South Synthshire"))


def area_of(la_code: str) -> str:
    """The postcode area of a synthetic LA (as headway.synth.history.Context has it)."""
    return POSTCODE_AREAS[int(la_code) % len(POSTCODE_AREAS)]


def successor_of(district: int, successors: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """Districts 1..20 in equal runs, one run per successor."""
    run = -(-DISTRICTS // len(successors))
    return successors[min((district - 1) // run, len(successors) - 1)]


def write_lookup(
    path: Path,
    la_code: str,
    layout: str = "ons",
    successors: Sequence[tuple[str, str]] = SUCCESSORS,
) -> Path:
    """Write the synthetic lookup for LA `la_code`'s postcode area; returns the path."""
    area = area_of(la_code)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        if layout == "simple":
            w.writerow(["district", "successor_code", "successor_name"])
            for d in range(1, DISTRICTS + 1):
                w.writerow([f"{area}{d}", *successor_of(d, successors)])
            return path
        if layout != "ons":
            raise ValueError(f"layout is ons or simple, not {layout!r}")
        w.writerow(["pcd7", "pcds", "dointr", "doterm", "wd23cd", "wd23nm", "lad23cd", "lad23nm"])
        for d in range(1, DISTRICTS + 1):
            code, name = successor_of(d, successors)
            for s in range(10):
                ward = f"E059{int(la_code):03d}{(d * 10 + s) % 100:02d}"
                for a in UNIT_LETTERS:
                    for b in UNIT_LETTERS:
                        pcds = f"{area}{d} {s}{a}{b}"
                        pcd7 = f"{area}{d}".ljust(4) + f"{s}{a}{b}"
                        ended = "202312" if (a, b) == ("J", "J") else ""
                        w.writerow(
                            [pcd7, pcds, "198001", ended, ward, f"{area}{d} ward {s}", code, name]
                        )
    return path
