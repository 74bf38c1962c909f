"""Synthetic child histories: one child's whole journey, from its own random stream.

`make_child(ctx, i)` draws child `i` from `random.Random(f"{seed}:{i}")`, so any child can be
made alone, in any order, in any process, and the same seed always gives the same child.
A history (history.py) holds every event with its date (day ordinals, see dates.py) in the
latest code lists; the writers cut it into collection years and map codes back for earlier
years. This module draws the child and its episodes of need, contacts and early help;
care.py draws a period of care; draw.py holds the distributions (from proportions.py).

Invariants the writers and tests rely on: events fall between birth and the day before the
18th birthday (care and need end on the 18th birthday at the latest) and never after death;
a child's CIN episodes are sequential (next referral after the previous closure); inside an
episode, assessment start >= referral, authorisation >= start, plans end by the closure; a
period of care lies inside one CIN episode and its 903 episodes are contiguous.
"""

from __future__ import annotations

import random
from datetime import date
from operator import mul

from headway.synth import proportions as P
from headway.synth.address import Address, home_addresses
from headway.synth.care import CareBuilder, TooShort, closure_for_exit
from headway.synth.dates import Day, age_on, birthday, collection_window
from headway.synth.draw import (
    ABUSE,
    AFTER_ASSESSMENT,
    AFTER_SUPPORT,
    ASSESSMENT_DAYS,
    CARE_ROUTE,
    CIN_AGE,
    CLA_AGE,
    CLA_NEED,
    CPP_DAYS,
    DISABILITY,
    EH_END,
    EH_ORG,
    EH_REASON,
    ETHNICITY,
    EXTRA_CONTACTS,
    FACTOR,
    FACTOR_COUNT,
    FOLLOW_UP,
    LEGAL_AT_ENTRY,
    NEED,
    PATHWAY,
    PREVIOUS_CPP,
    PRIOR_ATTEMPTS,
    PRIOR_START,
    SOURCE,
    TEAMS,
    UASC_AGE,
    UASC_ETHNICITY,
    UASC_SOURCE,
    UPN_CHECK,
    UPN_WEIGHTS,
)
from headway.synth.history import (
    Assessment,
    CarePeriod,
    Child,
    CinEpisode,
    CinPlan,
    Contact,
    Context,
    CPPlan,
    EarlyHelp,
    PreProceedings,
    Section47,
)


# --- Generation ----------------------------------------------------------------------------
def make_child(ctx: Context, index: int) -> Child:
    """Child `index` of the LA: deterministic in (seed, index) only."""
    rng = random.Random(f"{ctx.seed}:{index}")
    return ChildBuilder(ctx, index, rng).build()


class ChildBuilder:
    """Draws one child's history; CareBuilder uses its helpers for a period of care."""

    def __init__(self, ctx: Context, index: int, rng: random.Random) -> None:
        self.ctx = ctx
        self.index = index
        self.rng = rng
        self.key = f"{ctx.la_code}{index + 1:0{ctx.id_width}d}"
        self.dob = 0
        self.cap = 0  # the day before the 18th birthday
        self.b18 = 0
        self.death: Day | None = None
        self.sex = "1"
        self.reach: Day | None = None  # a care period must last until this day (see TooShort)
        self.home_post = ""

    # small helpers ------------------------------------------------------------------------
    def int_in(self, lo: int, hi: int) -> int:
        return lo + int(self.rng.random() * (hi - lo + 1))

    def capped(self, d: Day) -> Day:
        return d if d <= self.cap else self.cap

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def worker(self) -> str:
        return f"SW{self.int_in(10000, 99999)}"

    def team(self, kind: str) -> str:
        return f"{TEAMS[kind]} {self.int_in(1, 4)}"

    def age(self, d: Day) -> int:
        return age_on(self.dob, d)

    def _review_days(self, start: Day, end: Day) -> list[Day]:
        """Review conferences: within 3 months of the start, then every 6 months."""
        out: list[Day] = []
        r = _weekday(start + self.int_in(75, 90))
        while r < end:
            out.append(r)
            r = _weekday(r + self.int_in(160, 182))
        return out

    # the child ----------------------------------------------------------------------------
    def build(self) -> Child:
        rng = self.rng
        pathway = PATHWAY.pick(rng)
        uasc = pathway == "cla" and self.chance(P.UASC_SHARE_OF_CLA)
        if uasc:
            age, male, ethnicity = UASC_AGE.pick(rng), P.MALE_SHARE_UASC, UASC_ETHNICITY.pick(rng)
        elif pathway == "cla":
            age, male, ethnicity = CLA_AGE.pick(rng), P.MALE_SHARE_CLA, ETHNICITY.pick(rng)
        else:
            age, male, ethnicity = CIN_AGE.pick(rng), P.MALE_SHARE_CIN, ETHNICITY.pick(rng)
        sex = self.sex = "1" if self.chance(male) else "2"
        age_days = int(age * 365.25) + 1 + int(rng.random() * 363)
        year = self.ctx.years[int(rng.random() * len(self.ctx.years))]
        ys, ye = collection_window(year)
        self.home_post = self.postcode(self.ctx.postcode_area)
        main, care = self._main_overlapping(pathway, uasc, age_days, ys, ye)
        episodes = [main, *self._follow_ups(main.closure, care)]
        disabilities = self._disabilities(main.need)
        return Child(
            index=self.index,
            id=f"C{self.key}",
            dob=self.dob,
            sex=sex,
            ethnicity=ethnicity,
            disabilities=disabilities,
            upn=self._upn(),
            death=self.death,
            home_post=self.home_post,
            episodes=episodes,
            care=[care] if care is not None else [],
            contacts=self._contacts(episodes, uasc),
            early_help=self._early_help(episodes),
            addresses=self._addresses(),
        )

    def _addresses(self) -> list[Address]:
        """Home addresses up to the end of the last collection year (or the child's 18th
        birthday or death), from a random stream of their own (address.py)."""
        last = min(self.cap, collection_window(self.ctx.years[-1])[1])
        if self.death is not None:
            last = min(last, self.death)
        return home_addresses(self.ctx.seed, self.index, f"C{self.key}", self.dob, last,
                              self.home_post, self.ctx.postcode_area)  # fmt: skip

    def _main_overlapping(
        self, pathway: str, uasc: bool, age_days: int, ys: Day, ye: Day
    ) -> tuple[CinEpisode, CarePeriod | None]:
        """The main episode, open at some time in the target year [ys, ye].

        Long-running cases began before the year (PRIOR_START): a start is drawn uniformly
        back from the year and redrawn a few times if the case had closed before the year
        began, which favours long cases as a point-in-time population does; failing that,
        the case starts inside the year.
        """
        share, back = PRIOR_START[pathway]
        if self.chance(share):
            self.reach = ys
            try:
                for _ in range(PRIOR_ATTEMPTS):
                    referral = ys - 1 - int(self.rng.random() * back)
                    try:
                        main, care = self._main(pathway, uasc, referral, age_days)
                    except TooShort:
                        continue
                    if main.closure >= ys:
                        return main, care
            finally:
                self.reach = None
        return self._main(pathway, uasc, self.day_in(ys, ye), age_days)

    def day_in(self, lo: Day, hi: Day) -> Day:
        return lo + int(self.rng.random() * (hi - lo + 1))

    def _set_birth(self, referral: Day, age_days: int) -> None:
        self.dob = referral - age_days
        self.b18 = birthday(self.dob, 18)
        self.cap = self.b18 - 1
        self.death = None

    def _disabilities(self, need: str) -> tuple[str, ...]:
        rng = self.rng
        if self.chance(0.9 if need == "N2" else P.DISABLED_SHARE):
            codes = {DISABILITY.pick(rng) for _ in range(self.int_in(1, 3))}
            return tuple(sorted(codes))
        return ("NONE",) if self.chance(P.DISABILITY_RECORDED_NONE_SHARE) else ()

    def _upn(self) -> str:
        """A UPN with a valid check letter: LA number, school, year of entry, serial."""
        entry_year = (date.fromordinal(self.dob).year + 5) % 100  # year the child started school
        school, serial = self.int_in(2000, 7999), self.int_in(0, 999)
        body = f"{self.ctx.la_code}{school:04d}{entry_year:02d}{serial:03d}"
        total = sum(map(mul, map(int, body), UPN_WEIGHTS))
        return UPN_CHECK[total % 23] + body

    def postcode(self, area: str) -> str:
        return f"{area}{self.int_in(1, 20)} {self.int_in(0, 9)}"

    # episodes of need ---------------------------------------------------------------------
    def _episode(self, referral: Day, source: str, need: str, kind: str) -> CinEpisode:
        return CinEpisode(
            referral=referral,
            source=source,
            need=need,
            nfa=False,
            closure=referral,
            reason="RC8",
            team=self.team(kind),
            worker=self.worker(),
        )

    def _assessment(self, start: Day, closing: bool = False) -> Assessment:
        """An assessment; factor 21 (no factors) only for one the episode closes after."""
        start = self.capped(start)
        auth = self.capped(_weekday(start + ASSESSMENT_DAYS.pick(self.rng)))
        n = FACTOR_COUNT.pick(self.rng)
        factors = {FACTOR.pick(self.rng) for _ in range(n)}
        if "21" in factors:
            factors = {"21"} if closing else (factors - {"21"} or {"20"})
        return Assessment(start, auth, tuple(sorted(factors)))

    def _main(
        self, pathway: str, uasc: bool, referral: Day, age_days: int
    ) -> tuple[CinEpisode, CarePeriod | None]:
        self._set_birth(referral, age_days)
        rng = self.rng
        if pathway == "cla":
            source = UASC_SOURCE.pick(rng) if uasc else SOURCE.pick(rng)
            need = "N8" if uasc else CLA_NEED.pick(rng)
            ep = self._episode(referral, source, need, "cla")
            care = self._looked_after(ep, uasc)
            _close_after_events(ep)
            return ep, care
        ep = self._episode(referral, SOURCE.pick(rng), NEED.pick(rng), "assess")
        if pathway == "nfa":
            self._referral_nfa(ep)
        elif pathway == "assessed":
            self._assessed(ep)
        elif pathway == "cin_plan":
            self._cin_plan(ep, ep.referral)
        elif pathway == "s47":
            self._s47_only(ep)
        else:
            self._cpp(ep)
        _close_after_events(ep)
        return ep, None

    def _referral_nfa(self, ep: CinEpisode) -> None:
        """No further action on the referral: closed the same day, no assessment (RC7;
        RC8/RC9 need an assessment, D2I rule 8825Q)."""
        ep.nfa = True
        ep.closure, ep.reason = ep.referral, "RC7"

    def _assessed(self, ep: CinEpisode) -> None:
        """Closed after the assessment; RC8/RC9 only when nothing else happened (rule 2990)."""
        a = self._assessment(ep.referral + self.int_in(0, 7), closing=not ep.s47s)
        ep.assessments.append(a)
        ep.closure = self.capped(a.auth + self.int_in(0, 3))
        if ep.s47s:
            ep.reason = AFTER_SUPPORT.pick(self.rng)
        elif a.factors == ("21",):
            ep.reason = "RC8" if self.chance(0.75) else "RC9"
        else:
            ep.reason = AFTER_ASSESSMENT.pick(self.rng)

    def _cin_plan(self, ep: CinEpisode, after: Day) -> None:
        """Assessment (unless one exists), then support on a CIN plan."""
        if not ep.assessments:
            ep.assessments.append(self._assessment(after + self.int_in(0, 7)))
            after = ep.assessments[-1].auth
        ep.team = self.team("cin")
        start = self.capped(after + self.int_in(0, 14))
        end = max(self.capped(start + self.int_in(60, 450)), start + 1)  # not one day (4012Q)
        if self.chance(P.DEATH_SHARE) and end > start:
            self.death = end = start + self.int_in(1, end - start)
            ep.plans.append(CinPlan(start, end))
            ep.closure, ep.reason = end, "RC2"
            return
        ep.plans.append(CinPlan(start, end))
        ep.closure = self.capped(end + self.int_in(0, 7))
        ep.reason = (
            ("RC6" if self.chance(0.3) else "RC7")
            if ep.closure >= self.cap
            else (AFTER_SUPPORT.pick(self.rng))
        )

    def _s47_only(self, ep: CinEpisode) -> None:
        s_start = self.capped(ep.referral + self.int_in(0, 5))
        icpc = (
            self.capped(_weekday(s_start + self.int_in(8, 21)))
            if self.chance(P.ICPC_AFTER_S47_NO_PLAN)
            else None
        )
        ep.s47s.append(Section47(s_start, icpc, False))
        if self.chance(0.5):
            ep.assessments.append(self._assessment(ep.referral + self.int_in(0, 4)))
            self._cin_plan(ep, max(ep.assessments[-1].auth, icpc or 0))
        else:
            self._assessed(ep)

    def _child_protection(self, ep: CinEpisode, length: int | None = None) -> CPPlan:
        """s47, ICPC and a CP plan lasting `length` days (drawn when None)."""
        rng = self.rng
        s_start = self.capped(ep.referral + self.int_in(0, 5))
        icpc = self.capped(
            _weekday(s_start + (self.int_in(5, 21) if self.chance(0.8) else self.int_in(22, 45)))
        )
        ep.s47s.append(Section47(s_start, icpc, True))
        ep.assessments.append(self._assessment(ep.referral + self.int_in(0, 3)))
        ep.team = self.team("cp")
        end = max(self.capped(icpc + (CPP_DAYS.pick(rng) if length is None else length)), icpc + 1)
        reviews = tuple(self._review_days(icpc, end))
        initial = ABUSE.pick(rng)
        latest = initial if self.chance(P.CATEGORY_UNCHANGED_SHARE) else ABUSE.pick(rng)
        plan = CPPlan(icpc, end, initial, latest, PREVIOUS_CPP.pick(rng), reviews)
        ep.cpps.append(plan)
        return plan

    def _cpp(self, ep: CinEpisode) -> None:
        plan = self._child_protection(ep)
        length = plan.end - plan.start
        if length > 150 and self.chance(P.PRE_PROCEEDINGS_CPP_SHARE):
            start = plan.start + self.int_in(30, length - 120)
            ep.pre_proceedings.append(self._pre_proceedings_stepped_down(start))
        if plan.end < self.cap - 30 and self.chance(0.7):
            start = plan.end
            end = self.capped(start + self.int_in(90, 270))
            ep.plans.append(CinPlan(start, end))
            ep.closure = self.capped(end + self.int_in(0, 7))
        else:
            ep.closure = self.capped(plan.end + self.int_in(0, 10))
        ep.reason = "RC6" if ep.closure >= self.cap else AFTER_SUPPORT.pick(self.rng)

    def _pre_proceedings_stepped_down(self, start: Day) -> PreProceedings:
        lbp = start + self.int_in(3, 14)
        offer = self.chance(0.7)
        initial = lbp + self.int_in(7, 21)
        return PreProceedings(
            start=start,
            lbp_sent=lbp,
            fgdm_offer=offer,
            fgdm_fac=self.chance(0.55) if offer else None,
            initial_meeting=initial,
            review_meetings=self.int_in(0, 3),
            step_decision=initial + self.int_in(60, 100),
            outcome="B" if self.chance(0.85) else "C",
            court_app=None,
            letter_init=None,
        )

    def _pre_proceedings_to_court(self, ep: CinEpisode, entry: Day) -> None:
        court = entry - self.int_in(1, 10)
        letter = court + self.int_in(0, 2)
        step = court - self.int_in(1, 21)
        initial = step - self.int_in(40, 110)
        lbp = initial - self.int_in(7, 21)
        start = lbp - self.int_in(3, 14)
        if start <= ep.referral + 7:
            return
        offer = self.chance(0.7)
        ep.pre_proceedings.append(
            PreProceedings(
                start=start,
                lbp_sent=lbp,
                fgdm_offer=offer,
                fgdm_fac=self.chance(0.55) if offer else None,
                initial_meeting=initial,
                review_meetings=self.int_in(0, 4),
                step_decision=step,
                outcome="A",
                court_app=court,
                letter_init=min(letter, entry),
            )
        )

    def _follow_ups(self, after: Day, care: CarePeriod | None) -> list[CinEpisode]:
        out: list[CinEpisode] = []
        p = P.RE_REFERRAL_SHARE
        while self.death is None and self.chance(p) and (care is None or not care.at18):
            referral = after + self.int_in(14, 600)
            if referral >= self.cap - 30:
                break
            kind = FOLLOW_UP.pick(self.rng)
            ep = self._episode(referral, SOURCE.pick(self.rng), NEED.pick(self.rng), "assess")
            if kind == "nfa":
                self._referral_nfa(ep)
            elif kind == "assessed":
                self._assessed(ep)
            else:
                self._cin_plan(ep, referral)
            _close_after_events(ep)
            out.append(ep)
            after = ep.closure
            p /= 2
        return out

    # looked after -------------------------------------------------------------------------
    def _looked_after(self, ep: CinEpisode, uasc: bool) -> CarePeriod:
        rng = self.rng
        route = "voluntary" if uasc else CARE_ROUTE.pick(rng)
        if route == "after_cpp" and ep.referral > self.cap - 120:
            route = "voluntary"  # too close to 18 for a plan before care
        if uasc:
            ep.assessments.append(self._assessment(ep.referral + self.int_in(0, 3)))
            entry, ls = self.capped(ep.referral + self.int_in(0, 3)), "V2"
        elif route == "emergency":
            s_start = self.capped(ep.referral + self.int_in(0, 1))
            ep.s47s.append(Section47(s_start, None, False))
            ep.assessments.append(self._assessment(ep.referral + self.int_in(0, 3)))
            entry, ls = (
                self.capped(ep.referral + self.int_in(0, 2)),
                LEGAL_AT_ENTRY[route].pick(rng),
            )
        elif route == "after_cpp":
            plan = self._child_protection(ep, length=self.int_in(45, 400))
            entry = plan.end
            ls = LEGAL_AT_ENTRY[route].pick(rng)
            if ls == "C1" and self.chance(P.PRE_PROCEEDINGS_COURT_ROUTE_SHARE):
                self._pre_proceedings_to_court(ep, entry)
        else:
            a = self._assessment(ep.referral + self.int_in(0, 7))
            ep.assessments.append(a)
            entry = self.capped(a.auth + self.int_in(0, 150))
            ls = LEGAL_AT_ENTRY[route].pick(rng)
            if ls in ("J1", "J2") and self.age(entry) < 10:
                ls = "V2"
        care = CareBuilder(self, ep, entry, ls, uasc).build()
        ep.team = self.team("cla")
        ep.closure = care.case_end
        if care.at18:
            ep.reason = "RC6" if self.chance(0.2) else "RC7"
        else:
            ep.reason = closure_for_exit(care.rec)
        return care

    # front door ---------------------------------------------------------------------------
    def _contacts(self, episodes: list[CinEpisode], uasc: bool) -> list[Contact]:
        rng = self.rng
        days: list[tuple[Day, str, str]] = [
            (max(self.dob, e.referral - self.int_in(0, 2)), e.source, "referral") for e in episodes
        ]
        lo = max(self.dob + 1, episodes[0].referral - 400)
        hi = min(self.cap, episodes[-1].closure + 200, self.death or self.cap)
        for _ in range(EXTRA_CONTACTS.pick(rng) if hi > lo else 0):
            d = self.day_in(lo, hi)
            open_ep = any(e.referral <= d <= e.closure for e in episodes)
            outcome = "existing" if open_ep else ("nfa" if self.chance(0.55) else "advice")
            days.append((d, UASC_SOURCE.pick(rng) if uasc else SOURCE.pick(rng), outcome))
        days.sort()
        return [
            Contact(f"CT{self.key}{k:02d}", d, source, outcome)
            for k, (d, source, outcome) in enumerate(days, 1)
        ]

    def _early_help(self, episodes: list[CinEpisode]) -> list[EarlyHelp]:
        out: list[tuple[Day, Day, str]] = []
        first, last = episodes[0], episodes[-1]
        if first.source == "5D" or self.chance(P.EARLY_HELP_SHARE * 0.6):
            start = max(self.dob + 1, first.referral - self.int_in(60, 400))
            end = first.referral - self.int_in(0, 14)
            if end > start:
                out.append((start, end, "Step-up to children's social care"))
        stepped_down = last.reason == "RC9"
        if self.death is None and (stepped_down or self.chance(P.EARLY_HELP_SHARE * 0.4)):
            start = last.closure + self.int_in(0, 14)
            end = self.capped(start + self.int_in(60, 300))
            if end > start:
                out.append((start, end, EH_END.pick(self.rng)))
        return [
            EarlyHelp(
                id=f"EH{self.key}{k:02d}",
                start=start,
                end=end,
                reason=EH_REASON.pick(self.rng),
                end_reason=end_reason,
                organisation=EH_ORG.pick(self.rng),
                worker=f"EHW{self.int_in(1000, 9999)}",
            )
            for k, (start, end, end_reason) in enumerate(out, 1)
        ]


def _weekday(d: Day) -> Day:
    """The day, or the Monday after it when it falls at a weekend (conferences, sign-off)."""
    wd = (d - 1) % 7  # ordinal 1 (1 January of year 1) was a Monday
    return d + (7 - wd) if wd >= 5 else d


def _close_after_events(ep: CinEpisode) -> None:
    """An episode closes on or after the last thing that happened in it."""
    last = ep.closure
    for a in ep.assessments:
        last = max(last, a.auth)
    for s in ep.s47s:
        last = max(last, s.icpc or s.start)
    for p in ep.plans:
        last = max(last, p.end)
    for c in ep.cpps:
        last = max(last, c.end)
    for pp in ep.pre_proceedings:
        last = max(last, pp.letter_init or pp.step_decision)
    ep.closure = last
