"""SSDA903 (children looked after) CSVs for one collection year: one file per table.

A child is in a year's return when looked after at any time in it (or, for OC3 only, a care
leaver whose 17th-21st birthday falls in it). Social worker episodes (from 2024) are all
those in the year of the children looked after in it, before and after care too (D2I rules
SW01, SW12). Dates are dd/mm/YYYY; dates after 31 March are not yet known and are left
blank with what depends on them (DEC with REC and the reason for a placement change).
Tables and code changes by year are in codes.py.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

from headway.synth import codes
from headway.synth.dates import Day, age_on, birthday, dmy
from headway.synth.history import CarePeriod, Child
from headway.synth.records import ManifestFile, Year, noise


def _opt(d: Day | None, end: Day) -> str:
    return dmy(d) if d is not None and d <= end else ""


class Ssda903Writer:
    """One year's SSDA903 CSV files for one LA."""

    def __init__(self, year: Year) -> None:
        self.y = year
        self.folder: Path = year.folder / "ssda903"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.tables = codes.s903_tables(year.year)
        self.sex = codes.S903_SEX if year.year >= codes.S903_SEX_FROM else {"1": "1", "2": "2"}
        self.new_places = year.year >= codes.S903_PLACE_FROM_2026
        self._files: dict[str, IO[str]] = {}
        self._rows: dict[str, Any] = {}
        self.counts = dict.fromkeys(self.tables, 0)
        for table in self.tables:
            fh = (self.folder / f"{table}.csv").open("w", newline="", encoding="utf-8")
            self._files[table] = fh
            writer = csv.writer(fh)
            writer.writerow(codes.S903_TABLES[table])
            self._rows[table] = writer.writerow
        self._closed = False

    def _write(self, table: str, row: list[str]) -> None:
        self._rows[table](row)
        self.counts[table] += 1

    def add(self, child: Child) -> None:
        y = self.y
        periods = [p for p in child.care if p.start <= y.end and p.end >= y.start]
        leaver = [
            (age, v)
            for p in child.care
            for age, v in p.oc3.items()
            if y.within(birthday(child.dob, age))
        ]
        if not periods and not leaver:
            return
        self._header(child, looked_after=bool(periods))
        dob = dmy(child.dob)
        for p in periods:
            self._period(child, dob, p)
        if any(p.uasc for p in periods):
            # DUC is the 18th birthday, given every year, even while still ahead (rule 205B)
            duc = dmy(birthday(child.dob, 18))
            self._write("UASC", [child.id, self.sex[child.sex], dob, duc])
        for _age, (touch, activ, accom) in leaver:
            activ = codes.s903_code("ACTIV", activ, y.year)
            self._write("OC3", [child.id, dob, touch, activ, accom])

    def _header(self, child: Child, looked_after: bool) -> None:
        """MOTHER is given for every girl looked after in the year, and only for them
        (903 rules 165, 393, 607, 628)."""
        end = self.y.end
        upn = child.upn if age_on(child.dob, end) >= 5 else "UN1"
        mother, mc_dob = "", ""
        if child.sex == "2" and looked_after:
            mc = next((p.mc_dob for p in child.care if p.mc_dob is not None), None)
            mother = "1" if mc is not None and mc <= end else "0"
            mc_dob = dmy(mc) if mother == "1" and mc is not None else ""
        sex = self.sex[child.sex]
        self._write("Header", [child.id, sex, dmy(child.dob), child.ethnicity, upn, mother, mc_dob])

    def _period(self, child: Child, dob: str, p: CarePeriod) -> None:
        y = self.y
        end, year = y.end, y.year
        for e in p.episodes:
            if e.start > end or e.end < y.start:
                continue
            known = e.end <= end
            place, provider, urn = self._placement(e.place, e.provider, e.urn)
            self._write(
                "Episodes",
                [
                    child.id, dmy(e.start), e.rne, e.ls, e.need, place, provider,
                    dmy(e.end) if known else "",
                    codes.s903_code("REC", e.rec, year) if known else "",
                    codes.s903_code("REASON_PLACE_CHANGE", e.place_change, year)
                    if known and e.place_change else "",
                    child.home_post, e.pl_post, urn,
                ],
            )  # fmt: skip
        for d, code in p.reviews:
            if y.within(d):
                self._write("Reviews", [child.id, dob, dmy(d), code])
        if p.start <= end - 365 and p.end > end:
            self._write("OC2", self._oc2(child, dob))
        self._adoption(child, dob, p)
        if y.within(p.start):
            code, la, when = p.prev_perm
            self._write("PrevPerm", [child.id, dob, code, la, _opt(when, end)])
        for kind, start, stop in p.missing:
            if y.within(start):
                self._write("Missing", [child.id, dob, kind, dmy(start), _opt(stop, end)])
        if "SWEpisodes" in self.counts:
            for sw, start, stop, reason in p.social_workers:
                if start <= end and stop >= y.start:
                    row = [child.id, dob, sw, dmy(start), _opt(stop, end), reason]
                    self._write("SWEpisodes", row)
        if "DoLo" in self.counts:
            for start, stop in p.dolos:
                if start <= end and stop >= y.start:
                    self._write("DoLo", [child.id, dob, dmy(start), _opt(stop, end)])

    def _placement(self, place: str, provider: str, urn: str) -> tuple[str, str, str]:
        """The year's placement code, provider and URN for a history placement."""
        if self.new_places:
            place = codes.S903_PLACE_2026.get(place, place)
            if place.startswith("Z1"):
                return place, "", ""
            return place, provider, urn
        if place in codes.S903_NO_URN_TO_2025:
            return place, provider, ""
        return place, provider, urn

    def _adoption(self, child: Child, dob: str, p: CarePeriod) -> None:
        a = p.adoption
        y = self.y
        if a is None or a.decision > y.end:
            return
        if a.reversed is None or a.reversed >= y.start:
            ceased = _opt(a.reversed, y.end)
            reason = a.reversed_reason if ceased else ""
            self._write("PlacedAdoption", [child.id, dob, dmy(a.decision), ceased, reason])
        if a.order is not None and y.within(a.order):
            self._write(
                "AD1",
                [
                    child.id, dob, dmy(a.decision), _opt(a.match, y.end),
                    "1" if a.foster_carer else "0", str(len(a.adopters)), a.sex_adopters,
                    a.ls_adopters,
                ],
            )  # fmt: skip

    def _oc2(self, child: Child, dob: str) -> list[str]:
        """Outcomes for children looked after 12 months at 31 March (filler values)."""
        year, start, end = self.y.year, self.y.start, self.y.end
        age = age_on(child.dob, end)

        def flag(salt: int, p_yes: float) -> str:
            return "1" if noise(child, year, salt) < p_yes else "0"

        sdq, sdq_reason = "", ""
        # aged 4 to 17 at some time in the year: an SDQ score or a reason (rules 157, 197B)
        if birthday(child.dob, 4) <= end and birthday(child.dob, 17) >= start:
            if noise(child, year, 1) < 0.78:
                sdq = str(int(noise(child, year, 2) * 30))
            else:
                sdq_reason = f"SDQ{2 + int(noise(child, year, 3) * 4)}"  # SDQ1: out of age
        misuse = flag(9, 0.03)
        received = flag(10, 0.6) if misuse == "1" else ""
        offered = flag(11, 0.8) if received == "0" else ""  # asked only if none received
        return [
            child.id, dob, sdq, sdq_reason,
            flag(4, 0.03) if age >= 10 else "",  # convicted
            flag(5, 0.88) if age < 5 else "",  # development checks
            flag(6, 0.85), flag(7, 0.75), flag(8, 0.89), misuse,
            received, offered,
        ]  # fmt: skip

    def close(self) -> list[ManifestFile]:
        if not self._closed:
            self._closed = True
            for fh in self._files.values():
                fh.close()
        return [
            {
                "path": self.y.relative(self.folder / f"{t}.csv"),
                "format": "ssda903_csv",
                "records": {t: self.counts[t]},
            }
            for t in self.tables
        ]
