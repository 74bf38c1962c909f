"""The distributions a synthetic child is drawn from, built once from proportions.py,
and the small fixed tables the drawing uses."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Mapping
from typing import Generic, TypeVar

from headway.synth import proportions as P

T = TypeVar("T")


class Dist(Generic[T]):
    """A weighted choice, drawn with one `random()` call."""

    __slots__ = ("_cum", "_total", "_values")

    def __init__(self, weights: Mapping[T, float]) -> None:
        self._values: tuple[T, ...] = tuple(weights)
        cum: list[float] = []
        total = 0.0
        for v in self._values:
            total += weights[v]
            cum.append(total)
        self._cum = tuple(cum)
        self._total = total

    def pick(self, rng: random.Random) -> T:
        return self._values[bisect_right(self._cum, rng.random() * self._total)]


class Days:
    """A weighted choice of day ranges, then a uniform day count inside the range."""

    __slots__ = ("_ranges",)

    def __init__(self, weights: Mapping[tuple[int, int], float]) -> None:
        self._ranges = Dist(weights)

    def pick(self, rng: random.Random) -> int:
        lo, hi = self._ranges.pick(rng)
        return lo + int(rng.random() * (hi - lo + 1))


PATHWAY = Dist(P.PATHWAYS)
CIN_AGE = Dist(P.CIN_AGE)
CLA_AGE = Dist(P.CLA_ENTRY_AGE)
UASC_AGE = Dist(P.UASC_AGE)
ETHNICITY = Dist(P.ETHNICITY)
UASC_ETHNICITY = Dist(P.UASC_ETHNICITY)
DISABILITY = Dist(P.DISABILITY)
SOURCE = Dist(P.REFERRAL_SOURCE)
UASC_SOURCE = Dist(P.UASC_REFERRAL_SOURCE)
NEED = Dist(P.PRIMARY_NEED)
CLA_NEED = Dist(P.CLA_NEED)
AFTER_ASSESSMENT = Dist(P.CLOSED_AFTER_ASSESSMENT)
AFTER_SUPPORT = Dist(P.CLOSED_AFTER_SUPPORT)
ASSESSMENT_DAYS = Days(P.ASSESSMENT_DAYS)
FACTOR = Dist(P.ASSESSMENT_FACTORS)
FACTOR_COUNT = Dist(P.FACTORS_PER_ASSESSMENT)
ABUSE = Dist(P.ABUSE_CATEGORY)
PREVIOUS_CPP = Dist(P.PREVIOUS_CPP)
CPP_DAYS = Days(P.CPP_DAYS)
CARE_ROUTE = Dist(P.CARE_ROUTE)
PLACEMENT = {band: Dist(w) for band, w in P.PLACEMENT_BY_AGE.items()}
PROVIDER_FOSTER = Dist(P.PROVIDER_FOSTER)
PROVIDER_HOME = Dist(P.PROVIDER_HOME)
PROVIDER_SUPPORTED = Dist(P.PROVIDER_SUPPORTED)
PROVIDER_OTHER = Dist(P.PROVIDER_OTHER)
PROVIDER_ADOPTION = Dist(P.PROVIDER_ADOPTION)
PLACE_CHANGE = Dist(P.REASON_PLACE_CHANGE)
LEGAL_AT_ENTRY = {route: Dist(w) for route, w in P.LEGAL_AT_ENTRY.items()}
CARE_PATH = {band: Dist(w) for band, w in P.CARE_PATH_BY_AGE.items()}
HOME_DAYS = Days(P.HOME_DAYS)
OTHER_EXIT = Dist(P.OTHER_EXIT)
UASC_OTHER_EXIT = Dist(P.UASC_OTHER_EXIT)
HOME_EXIT = Dist(P.HOME_EXIT)
SGO_EXIT = Dist(P.SGO_EXIT)
AGE18_EXIT = Dist(P.AGE18_EXIT)
REVERSED_REASON = Dist(P.REVERSED_REASON)
ADOPTER_SEX = Dist(P.ADOPTER_SEX)
SW_REASON = Dist(P.SW_REASON)
IN_TOUCH = Dist(P.IN_TOUCH)
ACTIVITY = Dist(P.ACTIVITY)
ACCOMMODATION = Dist(P.ACCOMMODATION)
EXTRA_CONTACTS = Dist(P.EXTRA_CONTACTS)
EH_REASON = Dist(P.EARLY_HELP_REASON)
EH_END = Dist(P.EARLY_HELP_END)
EH_ORG = Dist(P.EARLY_HELP_ORGANISATION)
REVIEW_CODE = Dist(
    {"PN1": 55.0, "PN2": 8.0, "PN3": 12.0, "PN4": 8.0, "PN5": 6.0, "PN6": 6.0, "PN7": 5.0}
)
FOLLOW_UP = Dist({"nfa": 30.0, "assessed": 50.0, "cin_plan": 20.0})
# Legal status of adopters: L0 single; L11/L3 married/unmarried different-sex couple;
# L12/L4 married/unmarried same-sex couple; L2 civil partners (903 rules 514-524).
ADOPTERS_MF = Dist({"L11": 70.0, "L3": 25.0, "L2": 5.0})
ADOPTERS_SAME_SEX = Dist({"L12": 45.0, "L2": 35.0, "L4": 20.0})
PREV_PERM = Dist({"Z1": 88.0, "P1": 1.0, "P2": 6.0, "P3": 4.0, "P4": 1.0})
# Share of each pathway whose main episode began before the target year, and how far back
# (days). CLA 2023-24: ~70% of children looked after during a year were in care at its start.
PRIOR_ATTEMPTS = 8
PRIOR_START: dict[str, tuple[float, int]] = {
    "cla": (0.85, 5500),
    "cpp": (0.3, 540),
    "cin_plan": (0.25, 400),
    "s47": (0.1, 120),
    "assessed": (0.05, 60),
    "nfa": (0.0, 1),
}
UPN_WEIGHTS = tuple(range(2, 14))  # UPN check letter: characters 2-13 weighted 2-13, mod 23
UPN_CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"
CARE_LEAVER_EXITS = frozenset({"E5", "E6", "E17", "E8", "E13", "E9", "E14", "E7", "E3"})
TEAMS = {
    "assess": "Assessment Team",
    "cin": "Children in Need Team",
    "cp": "Child Protection Team",
    "cla": "Children in Care Team",
}
