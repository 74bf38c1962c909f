"""A synthetic child's home addresses: full postcodes with start and end dates, some moves.

Statutory returns carry only the 903 home postcode sector of looked-after children; the
LA's own case system keeps every child's address history (the SSD table ssd_address), and
that is what assigns a child to a successor authority when an LA is split
(headway.reorg). `home_addresses` draws the history from a random stream of its own, seeded
by the LA's seed and the child's index, so adding addresses changes no other synthetic
record, and the same seed gives the same addresses.

The current address is in the child's home postcode sector (the 903 HOME_POST): its unit
is drawn from a small set of letters, so an LA's whole postcode universe is small enough
to enumerate (`area_postcodes`, used by the synthetic successor lookups). Earlier
addresses are mostly elsewhere in the LA's postcode area, sometimes in another area. A few
children have moved out of the area (a last address elsewhere), a few have moved with the
new address not known (the last address has an end date), and a few have no address
recorded at all: the cases a reorganisation's assignment rule must handle.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from headway.synth.dates import Day
from headway.synth.history import POSTCODE_AREAS

UNIT_LETTERS = "ABDEFGHJ"  # the second half of a synthetic postcode: 64 units per sector
DISTRICTS = 20  # districts 1..20 in each synthetic postcode area (people.py draws these)
NO_ADDRESS = 0.02  # children with no address recorded
MOVED_AWAY = 0.02  # last address outside the LA's postcode area
LEFT_UNKNOWN = 0.02  # last address ended, the new one not known
MOVES = ((0, 0.6), (1, 0.28), (2, 0.12))  # earlier addresses before the current one
ELSEWHERE = 0.25  # an earlier address outside the LA's postcode area


@dataclass(frozen=True, slots=True)
class Address:
    id: str
    start: Day
    end: Day | None  # None: still the child's address
    postcode: str


def area_postcodes(area: str) -> list[str]:
    """Every postcode a synthetic LA with this postcode area can give a child."""
    return [
        f"{area}{d} {s}{a}{b}"
        for d in range(1, DISTRICTS + 1)
        for s in range(10)
        for a in UNIT_LETTERS
        for b in UNIT_LETTERS
    ]


def home_addresses(
    seed: int, index: int, child_id: str, dob: Day, last: Day, home_post: str, area: str
) -> list[Address]:
    """The address history of one child, from birth (`dob`) to `last` (the last day of its
    history), oldest first, ending at its home postcode sector `home_post`."""
    rng = random.Random(f"{seed}:{index}:address")
    if rng.random() < NO_ADDRESS or last <= dob + 2:
        return []

    def unit() -> str:
        return rng.choice(UNIT_LETTERS) + rng.choice(UNIT_LETTERS)

    def elsewhere(in_area: bool) -> str:
        other = area if in_area else rng.choice([a for a in POSTCODE_AREAS if a != area])
        return f"{other}{rng.randint(1, DISTRICTS)} {rng.randint(0, 9)}{unit()}"

    draw, moves = rng.random(), 0
    for n, share in MOVES:
        if draw < share:
            moves = n
            break
        draw -= share
    fate = rng.random()
    away = fate < MOVED_AWAY
    left = MOVED_AWAY <= fate < MOVED_AWAY + LEFT_UNKNOWN
    postcodes = [elsewhere(rng.random() >= ELSEWHERE) for _ in range(moves)]
    postcodes.append(f"{home_post}{unit()}")
    if away:
        postcodes.append(elsewhere(False))
    days = sorted({rng.randint(dob + 1, last) for _ in range(len(postcodes) - 1)})
    postcodes = postcodes[-(len(days) + 1) :]  # two moves drawn on one day are one move
    starts = [dob, *days]
    ends: list[Day | None] = [d - 1 for d in days] + [None]
    if left:
        ends[-1] = rng.randint(starts[-1] + 1, last) if last > starts[-1] else None
    return [
        Address(f"{child_id}-A{i + 1}", s, e, p)
        for i, (s, e, p) in enumerate(zip(starts, ends, postcodes, strict=True))
    ]
