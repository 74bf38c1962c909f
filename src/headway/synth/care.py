"""One period of care of a synthetic child: legal statuses, placements, the SSDA903 episodes
and what hangs off them (reviews, missing episodes, social workers, DoLOs, adoption, care
leaving). Built by people.ChildBuilder for a child's CIN episode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from headway.synth import proportions as P
from headway.synth.dates import Day, birthday
from headway.synth.draw import (
    ACCOMMODATION,
    ACTIVITY,
    ADOPTER_SEX,
    ADOPTERS_MF,
    ADOPTERS_SAME_SEX,
    AGE18_EXIT,
    CARE_LEAVER_EXITS,
    CARE_PATH,
    CLA_NEED,
    ETHNICITY,
    HOME_DAYS,
    HOME_EXIT,
    IN_TOUCH,
    OTHER_EXIT,
    PLACE_CHANGE,
    PLACEMENT,
    PREV_PERM,
    PROVIDER_ADOPTION,
    PROVIDER_FOSTER,
    PROVIDER_HOME,
    PROVIDER_OTHER,
    PROVIDER_SUPPORTED,
    REVERSED_REASON,
    REVIEW_CODE,
    SGO_EXIT,
    SW_REASON,
    UASC_OTHER_EXIT,
)
from headway.synth.history import (
    POSTCODE_AREAS,
    Adopter,
    Adoption,
    CareEpisode,
    CarePeriod,
    CinEpisode,
)

if TYPE_CHECKING:
    from headway.synth.people import ChildBuilder


class TooShort(Exception):
    """A care period drawn for an earlier start ended before the target year: draw again."""


def closure_for_exit(rec: str) -> str:
    """CIN reason for closure matching how a period of care ended."""
    if rec in ("E11", "E12"):
        return "RC1"
    if rec == "E2":
        return "RC2"
    if rec in ("E41",):
        return "RC3"
    if rec in ("E45", "E46", "E47", "E48"):
        return "RC4"
    if rec == "E3":
        return "RC5"
    if rec == "E7":
        return "RC6"
    return "RC7"


def age_band(age: int) -> str:
    if age < 1:
        return "0"
    if age < 5:
        return "1-4"
    if age < 10:
        return "5-9"
    if age < 16:
        return "10-15"
    return "16-17"


class CareBuilder:
    """One period of care: legal statuses, placements, 903 episodes and what hangs off them."""

    def __init__(self, b: ChildBuilder, ep: CinEpisode, entry: Day, ls: str, uasc: bool) -> None:
        self.b = b
        self.ep = ep
        self.entry = entry
        self.ls = ls
        self.uasc = uasc
        self.age = b.age(entry)
        self.need = "N8" if uasc else (ep.need if ep.need in CLA_NEEDS else CLA_NEED.pick(b.rng))

    def build(self) -> CarePeriod:
        b = self.b
        path = self._path()
        end, rec, adoption = self._end(path)
        at18 = end >= b.b18
        if at18:
            end, rec, adoption = b.b18, AGE18_EXIT.pick(b.rng), None
        if b.reach is not None and end < b.reach:
            raise TooShort  # cheap early exit for a start drawn before the target year
        if at18:
            case_end = end
        elif rec in ("E4A", "E4B", "E13", "E41"):  # supported at home for a while
            case_end = max(end, b.capped(end + b.int_in(60, 300)))
        else:
            case_end = max(end, b.capped(end + b.int_in(0, 30)))
        legal = self._legal(end, path, adoption)
        places = self._placements(end, path, adoption)
        episodes = self._episodes(legal, places, end, rec)
        care_leaver = (
            rec in CARE_LEAVER_EXITS
            and b.age(end) >= 16
            and (end - max(self.entry, birthday(b.dob, 14)) >= 91)
        )
        return CarePeriod(
            start=self.entry,
            end=end,
            rec=rec,
            uasc=self.uasc,
            at18=at18,
            episodes=episodes,
            reviews=self._reviews(end),
            missing=self._missing(end),
            social_workers=self._social_workers(case_end),
            case_end=case_end,
            dolos=self._dolos(episodes),
            prev_perm=self._prev_perm(),
            adoption=adoption,
            care_leaver=care_leaver,
            oc3=self._oc3(end) if care_leaver else {},
            mc_dob=self._mother(end),
        )

    def _path(self) -> str:
        b = self.b
        if self.ls in ("J1", "J2"):
            return "remand"
        band = "uasc" if self.uasc else age_band(self.age)
        return CARE_PATH[band].pick(b.rng)

    def _end(self, path: str) -> tuple[Day, str, Adoption | None]:
        b, e = self.b, self.entry
        rng = b.rng
        if path == "home":
            return e + HOME_DAYS.pick(rng), HOME_EXIT.pick(rng), None
        if path == "sgo":
            return e + b.int_in(300, 1100), SGO_EXIT.pick(rng), None
        if path == "adopt":
            return self._adoption()
        if path in ("long", "age18"):
            return b.b18, AGE18_EXIT.pick(rng), None
        if path == "remand":
            return e + b.int_in(7, 120), "E14" if self.ls == "J1" else "E8", None
        exit_ = UASC_OTHER_EXIT.pick(rng) if self.uasc else OTHER_EXIT.pick(rng)
        return e + b.int_in(30, 700), exit_, None

    def _adoption(self) -> tuple[Day, str, Adoption | None]:
        b = self.b
        rng = b.rng
        decision = self.entry + b.int_in(120, 300)
        po = decision + b.int_in(60, 150)
        sex = ADOPTER_SEX.pick(rng)
        if sex in ("M1", "F1"):
            ls = "L0"  # single adopter
        elif sex == "MF":
            ls = ADOPTERS_MF.pick(rng)
        else:
            ls = ADOPTERS_SAME_SEX.pick(rng)
        ffa = self.entry if b.chance(0.12) else None
        adoption = Adoption(
            family_id=f"F{b.key}",
            decision=decision,
            placement_order=po,
            match=None,
            placed=None,
            order=None,
            reversed=None,
            reversed_reason="",
            ffa=ffa,
            foster_carer=ffa is not None or b.chance(0.1),
            sex_adopters=sex,
            ls_adopters=ls,
            adopters=[],
        )
        if b.chance(P.ADOPTION_REVERSED_SHARE):
            adoption.reversed = po + b.int_in(60, 300)
            adoption.reversed_reason = REVERSED_REASON.pick(rng)
            return adoption.reversed + b.int_in(200, 900), SGO_EXIT.pick(rng), adoption
        adoption.match = po + b.int_in(60, 240)
        adoption.placed = adoption.match + b.int_in(7, 35)
        adoption.order = adoption.placed + b.int_in(150, 400)
        adoption.adopters = self._adopters(adoption)
        return adoption.order, "E12" if b.chance(0.7) else "E11", adoption

    def _adopters(self, a: Adoption) -> list[Adopter]:
        b = self.b
        match = a.match or a.placement_order
        enquiry = match - b.int_in(300, 600)
        s1 = enquiry + b.int_in(7, 60)
        s1_end = s1 + b.int_in(40, 70)
        s2 = s1_end + b.int_in(0, 30)
        s2_end = s2 + b.int_in(90, 150)
        approval = min(s2_end + b.int_in(0, 30), match - 1)
        sexes = {"M1": "1", "F1": "2", "MM": "11", "FF": "22", "MF": "12"}[a.sex_adopters]
        return [
            Adopter(
                id=f"AD{b.key}{k}",
                sex=s,
                ethnicity="WBRI" if b.chance(0.8) else ETHNICITY.pick(b.rng),
                enquiry=enquiry,
                stage1_start=s1,
                stage1_end=s1_end,
                stage2_start=s2,
                stage2_end=s2_end,
                approval=approval,
            )
            for k, s in enumerate(sexes, 1)
        ]

    def _legal(self, end: Day, path: str, adoption: Adoption | None) -> list[tuple[Day, str]]:
        b = self.b
        changes = [(self.entry, self.ls)]
        day, cur = self.entry, self.ls
        if cur in ("L1", "L2"):
            day += b.int_in(1, 3) if cur == "L1" else b.int_in(3, 8)
            cur = "C1" if b.chance(0.7) else "V2"
            changes.append((day, cur))
        if cur == "V2" and path in ("long", "sgo", "adopt") and b.chance(0.8):
            day += b.int_in(60, 400)
            cur = "C1"
            changes.append((day, cur))
        if cur == "C1":
            day += b.int_in(180, 340)
            if day > changes[-1][0]:
                changes.append((day, "C2"))
        if adoption is not None:  # the placement order (E1) comes before placing (rule 408)
            changes = [c for c in changes if c[0] < adoption.placement_order]
            changes.append((adoption.placement_order, "E1"))
            if adoption.reversed is not None and adoption.reversed > adoption.placement_order:
                changes.append((adoption.reversed, "C2"))  # placement order revoked
        return [(d, ls) for d, ls in changes if d < end]

    def _placement(self, day: Day) -> str:
        b = self.b
        if self.uasc:
            return PLACEMENT["uasc_16" if b.age(day) >= 16 else "uasc_young"].pick(b.rng)
        age = b.age(day)
        band = age_band(age)
        place = PLACEMENT["1-9" if band in ("1-4", "5-9") else band].pick(b.rng)
        return "U6" if place == "S1" and age < 4 else place  # schools from 4 (rule 373)

    def _placements(
        self, end: Day, path: str, adoption: Adoption | None
    ) -> list[tuple[Day, str, bool]]:
        """(start, placement, same carer as before) in order."""
        b = self.b
        first = "U5" if adoption is not None and adoption.ffa is not None else None
        out = [(self.entry, first or self._placement(self.entry), False)]
        last_move = end
        if adoption is not None and adoption.placed is not None:
            last_move = adoption.placed
        elif path == "home" and end - self.entry > 60 and b.chance(0.25):
            last_move = end - b.int_in(30, min(180, end - self.entry - 14))
        day = self.entry
        rate = P.PLACEMENT_MOVES_PER_YEAR / 365.0
        while True:
            day += 14 + int(b.rng.expovariate(rate))
            if day >= last_move:
                break
            place = self._placement(day)
            prev = out[-1][1]
            if prev == "U6" and place in ("U6", "U4") and b.chance(0.5):
                out.append((day, "U4", True))  # became long-term fostering with the same carer
            elif place != prev or b.chance(0.5):
                out.append((day, place, False))
        if last_move < end:
            if adoption is not None:
                place = "A5" if adoption.foster_carer else "A6"
                out.append((last_move, place, adoption.foster_carer))
            else:
                out.append((last_move, "P1", False))
        return out

    def _provider(self, place: str) -> str:
        rng = self.b.rng
        if place in ("U1", "U2", "U3", "U4", "U5", "U6"):
            return PROVIDER_FOSTER.pick(rng)
        if place in ("K1", "K2"):
            return PROVIDER_HOME.pick(rng)
        if place in ("H5", "P2"):
            return PROVIDER_SUPPORTED.pick(rng)
        if place in ("A3", "A4", "A5", "A6"):
            return PROVIDER_ADOPTION.pick(rng)
        if place == "P1":
            return "PR0"
        if place == "Z1":
            return ""  # other placements take no provider (903 rule 178)
        return PROVIDER_OTHER.pick(rng)

    def _episodes(
        self,
        legal: list[tuple[Day, str]],
        places: list[tuple[Day, str, bool]],
        end: Day,
        rec: str,
    ) -> list[CareEpisode]:
        b = self.b
        legal_at = {d: ls for d, ls in legal}
        place_at = {d: (p, same) for d, p, same in places}
        days = sorted(set(legal_at) | set(place_at))
        episodes: list[CareEpisode] = []
        ls, place, provider, post, urn = self.ls, "", "", "", ""
        for i, d in enumerate(days):
            new_ls = legal_at.get(d, ls)
            moved = place_at.get(d)
            if i == 0:
                rne = "S"
            elif moved is not None and new_ls != ls:
                rne = "U"
            elif moved is not None:
                rne = "T" if moved[1] else "P"
            else:
                rne = "L"
            if moved is not None:
                new_place = moved[0]
                if new_place == "P1" and new_ls not in ("C1", "C2"):
                    new_place = "U3"  # placed with parents needs a care order (903 rule 378)
                if not moved[1] or not provider:
                    provider = self._provider(new_place)
                    post = self._pl_post(new_place)
                    urn = self._urn(new_place)
                if episodes and not moved[1]:
                    episodes[-1].place_change = PLACE_CHANGE.pick(b.rng)
                elif episodes:
                    episodes[-1].place_change = "CARPL"
                place = new_place
            ls = new_ls
            nxt = days[i + 1] if i + 1 < len(days) else end
            episodes.append(
                CareEpisode(d, nxt, rne, ls, self.need, place, provider, "X1", "", post, urn)
            )
        last = episodes[-1]
        if rec in ("E45", "E46") and last.place not in P.FOSTER_CODES:
            rec = {"E45": "E47", "E46": "E48"}[rec]  # former carers: from foster care (516)
        last.rec = rec
        return episodes

    def _pl_post(self, place: str) -> str:
        """Placement postcode: home for P1, otherwise never home (903 rule 392d)."""
        b = self.b
        if place == "P1":
            return b.home_post
        while True:
            area = b.ctx.postcode_area if b.chance(0.7) else POSTCODE_AREAS[b.int_in(0, 13)]
            post = b.postcode(area)
            if post != b.home_post:
                return post

    def _urn(self, place: str) -> str:
        """Ofsted URN: registered homes, schools and (from 2026, as K3) supported
        accommodation have one; foster and adoption placements XXXXXXX; others none
        (903 rules 218, 222, 242). Writers drop what a year does not take."""
        if place in ("K1", "K2", "S1", "R3", "H5", "P2"):
            return f"SC{self.b.int_in(100000, 999999)}"
        if place in P.FOSTER_CODES or place in ("A3", "A4", "A5", "A6"):
            return "XXXXXXX"
        return ""

    def _reviews(self, end: Day) -> list[tuple[Day, str]]:
        b = self.b
        out: list[tuple[Day, str]] = []
        r = self.entry + b.int_in(14, 28)
        second = True
        four = birthday(b.dob, 4)  # under 4 at the review: PN0
        while r < end:
            out.append((r, "PN0" if r < four else REVIEW_CODE.pick(b.rng)))
            r += b.int_in(70, 92) if second else b.int_in(150, 182)
            second = False
        return out

    def _missing(self, end: Day) -> list[tuple[str, Day, Day]]:
        b = self.b
        lo = max(self.entry, birthday(b.dob, 11))
        if lo >= end - 1 or not b.chance(P.MISSING_SHARE_11_PLUS):
            return []
        out: list[tuple[str, Day, Day]] = []
        starts = sorted(b.day_in(lo, end - 1) for _ in range(1 + int(b.rng.expovariate(0.5))))
        last_end = 0
        for s in starts:
            if s <= last_end:
                continue
            e = min(s + b.int_in(0, 3), end)
            out.append(("M" if b.chance(0.85) else "A", s, e))
            last_end = e
        return out

    def _social_workers(self, end: Day) -> list[tuple[str, Day, Day, str]]:
        """(id, start, end, reason the episode started). A worker is allocated soon after
        the referral (FCONTA, first contact); on entry to care the case transfers to a
        children-in-care worker (TSPROC); later changes have their own reasons (903 rules
        SW03, SW10b, SW12, SW13)."""
        b = self.b
        out: list[tuple[str, Day, Day, str]] = []
        allocated = self.ep.referral + b.int_in(1, 10)
        if allocated < self.entry:
            out.append((b.worker(), allocated, self.entry, "FCONTA"))
            start, reason = self.entry, "TSPROC"
        else:
            start, reason = self.entry, "FCONTA"
        lo, hi = P.SW_CHANGE_DAYS
        while True:
            nxt = start + b.int_in(lo, hi)
            if nxt >= end:
                out.append((b.worker(), start, end, reason))
                return out
            out.append((b.worker(), start, nxt, reason))
            start, reason = nxt, SW_REASON.pick(b.rng)

    def _dolos(self, episodes: list[CareEpisode]) -> list[tuple[Day, Day]]:
        b = self.b
        out: list[tuple[Day, Day]] = []
        thirteen = birthday(b.dob, 13)
        for ep in episodes:
            if ep.place != "K2" or ep.start < thirteen or ep.end - ep.start < 40:
                continue
            if b.chance(P.DOLO_SHARE_K2_13_PLUS):
                start = ep.start + b.int_in(7, 30)
                out.append((start, min(start + b.int_in(30, 365), ep.end)))
        return out

    def _prev_perm(self) -> tuple[str, str, Day | None]:
        b = self.b
        code = PREV_PERM.pick(b.rng)
        if code == "Z1" or self.entry - b.dob < 60:
            return "Z1", "", None
        return code, b.ctx.la_code, b.day_in(b.dob + 30, self.entry - 30)

    def _oc3(self, end: Day) -> dict[int, tuple[str, str, str]]:
        b = self.b
        out: dict[int, tuple[str, str, str]] = {}
        for age in range(17, 22):
            if birthday(b.dob, age) <= end:
                continue
            touch = IN_TOUCH.pick(b.rng)
            if touch == "YES":
                accom = ACCOMMODATION.pick(b.rng)
                suitable = "1" if b.chance(P.ACCOMMODATION_SUITABLE_SHARE) else "2"
                if accom in ("S", "X"):
                    suitable = "2"  # no fixed abode and custody are never suitable (rule 133)
                out[age] = (touch, ACTIVITY.pick(b.rng), accom + suitable)
            else:
                out[age] = (touch, "0", "0")
            if touch == "DIED":
                break
        return out

    def _mother(self, end: Day) -> Day | None:
        b = self.b
        start = max(self.entry, birthday(b.dob, 14))
        if b.sex != "2" or end - start < 300 or not b.chance(0.03):
            return None
        return b.day_in(start + 30, end - 1)


CLA_NEEDS = frozenset({"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"})
