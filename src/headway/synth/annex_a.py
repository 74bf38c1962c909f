"""Ofsted ILACS Annex A workbook for one year: one sheet per list, "List 1" .. "List 11".

Column headings are those the liia-tools pooling tool expects: the names in its data map
(data-map.yml) exactly, typos included ("Eligibity Category", "Suitability of Accomodation"),
and its la-agg sort order for the rest and for the column order; the pooled "LA" column is
added by the tool, not the LA, and is left out. Lists
cover the six months before 31 March of the year; the adoption lists (10 and 11) twelve.
Category cells carry the data map's labels ("a) Male", "N1 - Abuse or neglect" ...). Dates
are real Excel dates. Written with XlsxWriter in constant_memory mode: each sheet's rows
are appended in order as children pass, so nothing is held in memory.

Filler columns with no source in a history (visits, health checks, child seen) are derived
deterministically from the child (records.noise), so the same seed gives the same bytes.
"""

# ruff: noqa: RUF001 - code labels are the specifications' own text, en dashes included

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from headway.synth import codes
from headway.synth.dates import Day, age_on, day
from headway.synth.history import CareEpisode, CarePeriod, Child, CinEpisode
from headway.synth.proportions import FOSTER_CODES
from headway.synth.records import ManifestFile, Year, noise

Cell = str | int | None
Row = list[Cell]

# --- Labels (data-map.yml codes) -------------------------------------------------------------
GENDER = {"1": "a) Male", "2": "b) Female"}
_ETHNIC_ORDER = (
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU",
)  # fmt: skip
ETHNICITY = {
    code: f"{letter}) {code}"
    for letter, code in zip("abcdefghijklmnopqrs", _ETHNIC_ORDER, strict=True)
} | {"NOBT": "s) NOBT"}  # the data map gives REFU and NOBT both "s)"
YES, NO = "a) Yes", "b) No"
SOURCE = {
    "1A": "a) 1A: Individual", "1B": "b) 1B: Individual", "1C": "c) 1C: Individual",
    "1D": "d) 1D: Individual", "2A": "e) 2A: Schools", "2B": "f) 2B: Education services",
    "3A": "g) 3A: Health services", "3B": "h) 3B: Health services",
    "3C": "i) 3C: Health services", "3D": "j) 3D: Health services",
    "3E": "k) 3E: Health services", "3F": "l) 3F: Health services", "4": "m) 4: Housing",
    "5A": "n) 5A: LA services", "5B": "o) 5B: LA services", "5C": "p) 5C: LA services",
    "5D": "p1) 5D: LA services", "6": "q) 6: Police", "7": "r) 7: Other legal agency",
    "8": "s) 8: Other", "9": "t) 9: Anonymous", "10": "u) 10: Unknown",
}  # fmt: skip
NEED = {
    "N1": "N1 - Abuse or neglect", "N2": "N2 - Child's disability",
    "N3": "N3 - Parental disability or illness", "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction", "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income", "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need", "N0": "N0 - Not stated",
}  # fmt: skip
CLOSURE = {
    "RC1": "RC1 - Adopted", "RC2": "RC2 - Died", "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
    "RC9": "RC9 - Case closed after assessment, referred to early help",
}  # fmt: skip
ABUSE = {
    "NEG": "a) Neglect", "PHY": "b) Physical abuse", "SAB": "c) Sexual abuse",
    "EMO": "d) Emotional abuse", "MUL": "e) Multiple/not recommended",
}  # fmt: skip
LEGAL = {
    "E1": "E1: Placement order", "C1": "C1: ICO", "C2": "C2: FCO", "D1": "D1: Freeing order",
    "V2": "V2: Single period under S20", "L1": "L1: Police protection LA accommodation",
    "L2": "L2: EPO", "L3": "L3: Child assessment order LA accommodation",
    "J1": "J1: Remanded to LA or youth detention", "J2": "J2: LA accommodation under PACE",
    "J3": "J3: Youth rehabilitation order", "V3": "V3: Short term breaks, episodes recorded",
    "V4": "V4: Short term breaks, agreements recorded",
}  # fmt: skip
CEASED = {
    "E11": "a) E11: Adopted - application unopposed",
    "E12": "b) E12: Adopted - consent dispensed", "E2": "c) E2: Died",
    "E3": "d) E3: Care taken by another LA",
    "E4A": "e) E4A: Returned home to live with parents or relatives - part of planning",
    "E4B": "f) E4B: Returned home to live with parents or relatives - not part of planning",
    "E13": "g) E13: Parents, relatives or other with no parental responsibility",
    "E41": "h) E41: Residence order granted",
    "E45": "i) E45: Special Guardianship Orders - former carer relative/friend",
    "E46": "j) E46: Special Guardianship Orders - former carer other",
    "E47": "k) E47: Special Guardianship Orders - relative/friend",
    "E48": "l) E48: Special Guardianship Orders - other",
    "E5": "m) E5: Moved into independent living - supported",
    "E6": "n) E6: Moved into independent living - no support",
    "E7": "o) E7: Transferred to residential care funded by adult social services",
    "E9": "p) E9: Sentenced to custody", "E14": "q) E14: Accommodation on remand ended",
    "E15": "r) E15: Age assessment determined child was 18 or over",
    "E16": "s) E16: Child moved abroad", "E8": "t) E8: Care ceased for any other reason",
    "E17": "v) E17: Aged 18+ and remained with current carers",
}  # fmt: skip
PLACEMENT = {
    "U1": "a) U1: Foster placement - relatives - long term",
    "U2": "b) U2: Foster placement - relative - FFA",
    "U3": "c) U3: Foster placement - relative - not FFA",
    "U4": "d) U4: Foster placement - long term", "U5": "e) U5: Foster placement - FFA",
    "U6": "f) U6: Foster placement - not FFA",
    "A3": "g) A3: Placed for adoption - consent - current foster",
    "A4": "h) A4: Placed for adoption - consent - not foster",
    "A5": "i) A5: Placed for adoption - order - foster",
    "A6": "j) A6: Placed for adoption - order - not foster",
    "P1": "k) P1: Placed with parents", "P2": "l) P2: Independent living",
    "P3": "m) P3: Residential employment", "H5": "n) H5: Residential accommodation",
    "K1": "o) K1: Secure Children's Homes", "K2": "p) K2: Children's Homes",
    "R1": "q) R1: Residential Care Home", "R2": "r) R2: NHS/Health Trust",
    "R3": "s) R3: Family Centre or Mother and Baby Unit",
    "R5": "t) R5: Young Offender Institution", "S1": "u) S1: Residential school",
    "Z1": "v) Z1: Other placements",
}  # fmt: skip
PROVIDER = {
    "PR0": "a) PR0: Parents/Parental responsibility", "PR1": "b) PR1: Own provision",
    "PR2": "c) PR2: Other LA provision", "PR3": "d) PR3: Other public provision",
    "PR4": "e) PR4: Private provision", "PR5": "f) PR5: Voluntary/third sector",
}  # fmt: skip
IN_TOUCH = {
    "YES": "a) Yes", "NO": "b) No", "DIED": "c) Died", "REFU": "d) Refu", "NREQ": "e) NREQ",
    "RHOM": "f) Rhom",
}  # fmt: skip
ACCOMMODATION = {
    "B": "B: Parents/relatives", "C": "C: Community home/residential care",
    "D": "D: Semi-independent, transitional accommodation and self-contained accommodation",
    "E": "E: Supported lodgings", "G": "G: Abroad", "H": "H: Deported",
    "K": "K: Ordinary lodgings, without formal support", "R": "R: Residence not known",
    "S": "S: No fixed adobe/homeless", "T": "T: Foyers and similar supported accommodation",
    "U": "U: Independent living", "V": "V: Emergency accommodation",
    "W": "W: Bed and breakfast", "X": "X: In custody", "Y": "Y: Other accommodation",
    "Z": "Z: With former foster carers",
}  # fmt: skip
ACTIVITY = {
    "F1": "F1: Full time in higher education", "P1": "P1: Part time in higher education",
    "F2": "F2: Full time in education other than higher",
    "P2": "P2: Part time in education other than higher",
    "F3": "F3: Full time in training or employment",
    "P3": "P3: Part time in training or employment",
    "G4": "G4: Not in education, employment or training - illness or disability",
    "G5": "G5: Not in education, employment or training - other",
    "G6": "G6: Not in education, employment or training - pregnancy or parenting",
}  # fmt: skip
# The Annex A activity list predates the 2022 split of F3/P3 into F4/F5 and P4/P5.
ACTIVITY_ANNEX = {"F4": "F3", "F5": "F3", "P4": "P3", "P5": "P3"}
REVERSED = {
    "RD1": "RD1 - The child’s needs changed subsequent to the decision",
    "RD2": "RD2 - The Court did not make a placement order",
    "RD3": "RD3 - Prospective adopters could not be found",
    "RD4": "RD4 - Any other reason",
}
CASE_STATUS = {
    "cla": "a) Looked after child",
    "cpp": "b) Child Protection plan",
    "cin": "c) Child in need plan",
    "assessment": "d) Open assessment",
    "closed": "e) Closed episode",
}

# --- Columns: (heading, kind) with kind s string, d date, n number -------------------------
_DEMO = [
    ("Child Unique ID", "s"),
    ("Gender", "s"),
    ("Ethnicity", "s"),
    ("Date of Birth", "d"),
    ("Age of Child (Years)", "n"),
]
_DIS = [("Does the Child have a Disability", "s")]
_WORK = [("Allocated Team", "s"), ("Allocated Worker", "s")]
_EPISODES_AWAY = (
    "Number of Episodes the Child has been '{}' from their Placement in the last 12 months"
)
LISTS: dict[str, list[tuple[str, str]]] = {
    "List 1": [*_DEMO, ("Date of Contact", "d"), ("Contact Source", "s")],
    "List 2": [
        *_DEMO,
        ("Assessment start date", "d"),
        ("Assessment completion date", "d"),
        ("Organisation completing assessment", "s"),
    ],
    "List 3": [
        *_DEMO,
        ("Date of referral", "d"),
        ("Referral Source", "s"),
        ("Referral NFA?", "s"),
        ("Number of Referrals in Last 12 Months", "n"),
        *_WORK,
    ],
    "List 4": [
        *_DEMO,
        *_DIS,
        ("Continuous Assessment Start Date", "d"),
        ("Child Seen During Continuous Assessment", "s"),
        ("Continuous Assessment Date of Authorisation", "d"),
        ("Was the child assessed as requiring LA children's social care support", "s"),
        *_WORK,
    ],
    "List 5": [
        *_DEMO,
        *_DIS,
        ("Strategy discussion initiating Section 47 Enquiry Start Date", "d"),
        ("Was an Initial Child Protection Conference deemed unnecessary?", "s"),
        ("Date of Initial Child Protection Conference", "d"),
        ("Did the Initial Child Protection Conference Result in a Child Protection Plan", "s"),
        ("Number of Section 47 Enquiries in the last 12 months", "n"),
        ("Number of ICPCs in the last 12 months", "n"),
        *_WORK,
    ],
    "List 6": [
        *_DEMO,
        *_DIS,
        ("CIN Start Date", "d"),
        ("Primary Need Code", "s"),
        ("Date Child Was Last Seen", "d"),
        ("CIN Closure Date", "d"),
        ("Reason for Closure", "s"),
        ("Case status", "s"),
        *_WORK,
    ],
    "List 7": [
        *_DEMO,
        *_DIS,
        ("Child Protection Plan Start Date", "d"),
        ("Initial Category of Abuse", "s"),
        ("Latest Category of Abuse", "s"),
        ("Date of the Last Statutory Visit", "d"),
        ("Was the Child Seen Alone?", "s"),
        ("Date of latest review conference", "d"),
        ("Child Protection Plan End Date", "d"),
        (
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last "
            "Six Months (Y/N)",
            "s",
        ),
        ("Number of Previous Child Protection Plans", "n"),
        *_WORK,
    ],
    "List 8": [
        *_DEMO,
        ("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "s"),
        *_DIS,
        ("Date Started to be Looked After", "d"),
        ("Child's Category of Need", "s"),
        (
            "Is this a second or subsequent period of being a Looked After Child within the "
            "last 12 months (Y/N)",
            "s",
        ),
        ("Start date of current legal status", "d"),
        ("Child's Legal Status", "s"),
        ("Date of Latest Statutory Review", "d"),
        ("Date of Last Social Work Visit", "d"),
        ("What is the permanence plan for this child?", "s"),
        ("Date of Last IRO Visit / Contact to the Child", "d"),
        ("Date of Last Health Assessment", "d"),
        ("Date of Last Dental Check", "d"),
        ("Number of Placements in the Last 12 months", "n"),
        ("Date Ceased to be Looked After", "d"),
        ("Reason Ceased to be Looked After", "s"),
        ("Start Date of Most Recent Placement", "d"),
        ("Placement Type", "s"),
        ("Placement Provider", "s"),
        ("Placement postcode", "s"),
        ("URN of Placement", "s"),
        ("Placement Location", "s"),
        ("LA of Placement", "s"),
        (_EPISODES_AWAY.format("Missing"), "n"),
        (_EPISODES_AWAY.format("Absent"), "n"),
        ("Was the child offered a Return Interview after their last missing episode (Y/N)?", "s"),
        ("Did the child accept a Return Interview after their last missing episode (Y/N)?", "s"),
        *_WORK,
    ],
    "List 9": [
        *_DEMO,
        *_DIS,
        *_WORK,
        ("Eligibity Category", "s"),
        ("LA in Touch", "s"),
        ("Type of accommodation", "s"),
        ("Suitability of Accomodation", "s"),
        ("Activity Status", "s"),
    ],
    "List 10": [
        ("Child Unique ID", "s"),
        ("Family identifier", "s"),
        *_DEMO[1:],
        *_DIS,
        ("Date the Child Entered Care", "d"),
        ("Date of Decision that Child Should be Placed for Adoption", "d"),
        ("Date of Placement Order", "d"),
        ("Date of Matching Child and Prospective Adopters", "d"),
        ("Date Placed for Adoption", "d"),
        ("Date of Adoption Order", "d"),
        ("Date of Decision that Child Should No Longer be Placed for Adoption", "d"),
        ("Reason Why Child No Longer Placed for Adoption", "s"),
        ("Date the child was placed for fostering in FFA or concurrent planning placement", "d"),
    ],
    "List 11": [
        ("Individual adopter identifier", "s"),
        ("Family identifier", "s"),
        ("Gender", "s"),
        ("Ethnicity", "s"),
        ("Disability", "s"),
        ("Is the (prospective) adopter fostering for adoption?", "s"),
        ("Date enquiry received", "d"),
        ("Date Stage 1 started", "d"),
        ("Date Stage 1 ended", "d"),
        ("Date Stage 2 started", "d"),
        ("Date Stage 2 ended", "d"),
        ("Date application submitted", "d"),
        ("Date application approved", "d"),
        ("Date adopter matched with child(ren)", "d"),
        ("Date child/children placed with adopter(s)", "d"),
        ("No. of children placed", "n"),
        ("Date of Adoption Order", "d"),
        ("Date of leaving adoption process", "d"),
        ("Reason for leaving adoption process", "s"),
    ],
}


EXCEL_MAX_ROWS = 1_048_576
_EXCEL_EPOCH = day(1899, 12, 30)  # Excel serial = day - this (1900 date system, post-1900)
_Column = tuple[str, str, str, str]  # kind, "<c r=\"COL", middle, end


class RowSheet(Worksheet):  # type: ignore[misc]
    """An XlsxWriter worksheet that appends whole rows in constant_memory mode.

    XlsxWriter's cell-by-cell path costs ~4 us a cell (argument checks, a cell tuple per
    cell, then per-cell XML on flush), which made Annex A most of a national run. This
    subclass (XlsxWriter supports worksheet subclasses through `worksheet_class`) writes a
    finished row's cells to the worksheet's constant_memory row file in one go, in exactly
    the XML XlsxWriter itself writes there (<row r=..><c r=.. s=..><v>..</v></c>, inline
    strings), and keeps the sheet dimensions up to date. Rows must come in order, as
    constant_memory requires anyway. It relies on XlsxWriter internals that have been stable
    through 3.x (`fh`, `previous_row`, `table`, `_write_single_row`, `_check_dimensions`);
    tests read the workbooks back with python-calamine to guard them.
    """

    def columns(self, kinds: tuple[str, ...], date_xf: int) -> tuple[_Column, ...]:
        """Pre-rendered XML pieces for each column of this sheet (see append_row)."""
        mids = {"d": f'" s="{date_xf}"><v>', "n": '"><v>', "s": '" t="inlineStr"><is><t>'}
        ends = {"d": "</v></c>", "n": "</v></c>", "s": "</t></is></c>"}
        return tuple(
            (kind, f'<c r="{xl_col_to_name(col)}', mids[kind], ends[kind])
            for col, kind in enumerate(kinds)
        )

    def append_row(self, row: int, values: Row, columns: tuple[_Column, ...]) -> None:
        """Write data row `row` (0-based; after every earlier row). Blank cells are skipped."""
        if row >= EXCEL_MAX_ROWS:
            raise ValueError(f"{self.name} would pass Excel's {EXCEL_MAX_ROWS:,} rows")
        if self.table:
            self._write_single_row(row)  # flush a row written the ordinary way (headings)
        self.previous_row = row
        ref = str(row + 1)
        parts = [f'<row r="{ref}">']
        add = parts.extend
        for (kind, pre, mid, end), value in zip(columns, values, strict=True):
            if value is None or value == "":
                continue
            if kind == "s":
                text = str(value)
                if "&" in text or "<" in text or ">" in text:
                    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                if text[0] == " " or text[-1] == " ":
                    mid = '" t="inlineStr"><is><t xml:space="preserve">'
                add((pre, ref, mid, text, end))
            elif kind == "d":
                add((pre, ref, mid, str(int(value) - _EXCEL_EPOCH), end))
            else:
                add((pre, ref, mid, str(value), end))
        parts.append("</row>")
        # The headings row spans every column, so only the last row needs recording.
        self._check_dimensions(row, 0)
        self.fh.write("".join(parts))


class AnnexAWriter:
    """One year's Annex A workbook for one LA."""

    def __init__(self, year: Year, la_code: str) -> None:
        self.y = year
        self.path: Path = year.folder / f"annex_a_{la_code}_{year.year}.xlsx"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.six = day(year.year - 1, 10, 1)  # lists 1-9 cover the six months to 31 March
        self.wb = xlsxwriter.Workbook(str(self.path), {"constant_memory": True})
        self.wb.set_properties(
            {"title": f"Annex A {year.year} (synthetic)", "created": datetime(year.year, 4, 1)}
        )
        self.date_fmt = self.wb.add_format({"num_format": "dd/mm/yyyy"})
        bold = self.wb.add_format({"bold": True})
        self.date_xf = self.date_fmt._get_xf_index()
        self.sheets: dict[str, RowSheet] = {}
        self.columns: dict[str, tuple[_Column, ...]] = {}
        self.counts = dict.fromkeys(LISTS, 0)
        for name, columns in LISTS.items():
            ws = self.wb.add_worksheet(name, worksheet_class=RowSheet)
            ws.set_column(0, len(columns) - 1, 20)
            for col, (heading, _kind) in enumerate(columns):
                ws.write_string(0, col, heading, bold)
            self.sheets[name] = ws
            self.columns[name] = ws.columns(tuple(k for _h, k in columns), self.date_xf)
        self._closed = False

    def _write(self, name: str, row: Row) -> None:
        self.counts[name] += 1
        self.sheets[name].append_row(self.counts[name], row, self.columns[name])

    def add(self, child: Child) -> None:
        for name, row in self._rows(child):
            self._write(name, row)

    # rows ---------------------------------------------------------------------------------
    def _rows(self, c: Child) -> Iterator[tuple[str, Row]]:
        y, six = self.y, self.six
        end = y.end
        if c.episodes[0].referral - 400 > end or _last_day(c) < y.start:
            return
        demo: Row = [c.id, GENDER[c.sex], ETHNICITY[c.ethnicity], c.dob, age_on(c.dob, end)]
        dis = YES if c.disabled else NO
        for k in c.contacts:
            if six <= k.day <= end:
                yield (
                    "List 1",
                    [*demo, k.day, SOURCE[codes.cin_code("ReferralSource", k.source, y.year)]],
                )
        for h in c.early_help:
            done = h.start + max(7, (h.end - h.start) // 4)
            if h.start <= end and done >= six:
                yield "List 2", [*demo, h.start, done if done <= end else None, h.organisation]
        for ep in c.episodes:
            if ep.referral <= end and ep.closure >= six:
                yield from self._episode_rows(c, ep, demo, dis)
        for p in c.care:
            if p.start <= end and p.end >= six:
                yield "List 8", self._cla_row(c, p, demo, dis)
        yield from self._leaver_rows(c, demo, dis)
        for p in c.care:
            yield from self._adoption_rows(c, p, demo, dis)

    def _episode_rows(
        self, c: Child, ep: CinEpisode, demo: Row, dis: str
    ) -> Iterator[tuple[str, Row]]:
        y, six, end = self.y, self.six, self.y.end
        work: Row = [ep.team, ep.worker]
        if ep.referral >= six:
            n = sum(1 for e in c.episodes if ep.referral - 365 < e.referral <= ep.referral)
            source = SOURCE[codes.cin_code("ReferralSource", ep.source, y.year)]
            yield "List 3", [*demo, ep.referral, source, YES if ep.nfa else NO, n, *work]
        supported = bool(ep.plans or ep.cpps) or any(
            p.start <= ep.closure for p in c.care if p.start >= ep.referral
        )
        for a in ep.assessments:
            if a.start <= end and a.auth >= six:
                known = a.auth <= end
                outcome = (YES if supported else NO) if known else None
                yield (
                    "List 4",
                    [*demo, dis, a.start, YES, a.auth if known else None, outcome, *work],
                )
        for s in ep.s47s:
            if six <= s.start <= end:
                icpc = s.icpc if s.icpc is not None and s.icpc <= end else None
                to_plan = None if icpc is None else (YES if s.plan else NO)
                n47 = sum(
                    1 for e in c.episodes for t in e.s47s if s.start - 365 < t.start <= s.start
                )
                nicpc = sum(
                    1 for e in c.episodes for t in e.s47s
                    if t.icpc is not None and s.start - 365 < t.icpc <= end
                )  # fmt: skip
                unneeded = YES if s.icpc is None else NO
                yield "List 5", [*demo, dis, s.start, unneeded, icpc, to_plan, n47, nicpc, *work]
        if not ep.nfa:
            closed = ep.closure <= end
            seen = min(ep.closure, end) - int(noise(c, y.year, 21) * 20)
            reason = CLOSURE[codes.cin_code("ReasonForClosure", ep.reason, y.year)]
            yield "List 6", [
                *demo, dis, ep.referral, NEED[ep.need], max(seen, ep.referral),
                ep.closure if closed else None, reason if closed else None,
                CASE_STATUS[_case_status(c, ep, end)], *work,
            ]  # fmt: skip
        for plan in ep.cpps:
            if plan.start <= end and plan.end >= six:
                last = min(plan.end, end)
                visit = max(plan.start, last - int(noise(c, y.year, 22) * 10))
                reviews = [r for r in plan.reviews if r <= end]
                alone = YES if noise(c, y.year, 23) < 0.7 else NO
                yield "List 7", [
                    *demo, dis, plan.start, ABUSE[plan.initial_category],
                    ABUSE[plan.latest_category], visit, alone, reviews[-1] if reviews else None,
                    plan.end if plan.end <= end else None, NO, plan.previous, *work,
                ]  # fmt: skip

    def _cla_row(self, c: Child, p: CarePeriod, demo: Row, dis: str) -> Row:
        y, end = self.y, self.y.end
        eps = [e for e in p.episodes if e.start <= end]
        cur = eps[-1]
        legal_start = cur.start
        for e in reversed(eps):
            if e.ls != cur.ls:
                break
            legal_start = e.start
        placed = next(e.start for e in reversed(eps) if e.rne != "L")
        year_ago = end - 365
        placements = sum(1 for e in eps if e.rne != "L" and e.end > year_ago)
        reviews = [d for d, _code in p.reviews if d <= end]
        last = min(p.end, end)
        visit = max(p.start, last - int(noise(c, y.year, 31) * 42))
        health = max(p.start, last - int(noise(c, y.year, 32) * 300))
        dental = max(p.start, last - int(noise(c, y.year, 33) * 330))
        ceased = p.end <= end
        missing = [m for m in p.missing if year_ago < m[1] <= end]
        n_m = sum(1 for m in missing if m[0] == "M")
        offered = (YES if noise(c, y.year, 34) < 0.8 else NO) if n_m else None
        accepted = (YES if noise(c, y.year, 35) < 0.6 else NO) if offered == YES else None
        home = c.home_post.split(" ")[0].rstrip("0123456789")
        placement_area = cur.pl_post.split(" ")[0].rstrip("0123456789")
        return [
            *demo, YES if p.uasc else NO, dis, p.start, NEED[cur.need], NO, legal_start,
            LEGAL[cur.ls], reviews[-1] if reviews else None, visit, _permanence(p, cur),
            reviews[-1] if reviews else None, health if last - p.start > 20 else None,
            dental if last - p.start > 60 else None, max(placements, 1),
            p.end if ceased else None, CEASED[p.rec] if ceased else None, placed,
            PLACEMENT[cur.place], PROVIDER.get(cur.provider), cur.pl_post, cur.urn,
            "a) In" if placement_area == home else "b) Out", None, n_m, len(missing) - n_m,
            offered, accepted, "Children in Care Team 1", p.social_workers[-1][0],
        ]  # fmt: skip

    def _leaver_rows(self, c: Child, demo: Row, dis: str) -> Iterator[tuple[str, Row]]:
        end = self.y.end
        age = age_on(c.dob, end)
        for p in c.care:
            if not p.care_leaver or p.end > end or not 17 <= age <= 21 or not p.oc3:
                continue
            ages = [a for a in p.oc3 if a <= age] or [min(p.oc3)]
            touch, activ, accom = p.oc3[max(ages)]
            known = touch == "YES"
            yield "List 9", [
                *demo, dis, "Leaving Care Team 1", p.social_workers[-1][0],
                "a) Relevant child" if age < 18 else "b) Former relevant child",
                IN_TOUCH[touch], ACCOMMODATION[accom[0]] if known else None,
                ("a) Suitable" if accom[1] == "1" else "b) Unsuitable") if known else None,
                ACTIVITY[ACTIVITY_ANNEX.get(activ, activ)] if known else None,
            ]  # fmt: skip

    def _adoption_rows(
        self, c: Child, p: CarePeriod, demo: Row, dis: str
    ) -> Iterator[tuple[str, Row]]:
        y, end = self.y, self.y.end
        a = p.adoption
        if a is None or a.decision > end:
            return
        closed = a.order if a.order is not None else a.reversed
        if closed is not None and closed < y.start:
            return

        def known(d: Day | None) -> Day | None:
            return d if d is not None and d <= end else None

        reversed_ = known(a.reversed)
        yield "List 10", [
            c.id, a.family_id, *demo[1:], dis, p.start, a.decision, known(a.placement_order),
            known(a.match), known(a.placed), known(a.order), reversed_,
            REVERSED[a.reversed_reason] if reversed_ else None, a.ffa,
        ]  # fmt: skip
        for ad in a.adopters:
            if ad.enquiry > end:
                continue
            placed = known(a.placed)
            yield "List 11", [
                ad.id, a.family_id, GENDER[ad.sex], ETHNICITY[ad.ethnicity], NO,
                YES if a.ffa is not None else NO, ad.enquiry, known(ad.stage1_start),
                known(ad.stage1_end), known(ad.stage2_start), known(ad.stage2_end),
                known(ad.stage2_start), known(ad.approval), known(a.match), placed,
                1 if placed else None, known(a.order), None, None,
            ]  # fmt: skip

    def close(self) -> list[ManifestFile]:
        if not self._closed:
            self._closed = True
            self.wb.close()
        return [{"path": self.y.relative(self.path), "format": "annex_a", "records": self.counts}]


def _last_day(c: Child) -> Day:
    last = c.episodes[-1].closure
    for p in c.care:
        if p.oc3:
            last = max(last, p.end + 365 * 4)
    for h in c.early_help:
        last = max(last, h.end)
    for k in c.contacts:
        last = max(last, k.day)
    return last


def _case_status(c: Child, ep: CinEpisode, end: Day) -> str:
    if ep.closure <= end:
        return "closed"
    if any(p.start <= end < p.end for p in c.care):
        return "cla"
    if any(p.start <= end < p.end for p in ep.cpps):
        return "cpp"
    if any(a.start <= end < a.auth for a in ep.assessments):
        return "assessment"
    return "cin"


def _permanence(p: CarePeriod, cur: CareEpisode) -> str:
    if p.adoption is not None and p.adoption.reversed is None:
        return "b) Adoption"
    if p.rec in ("E45", "E46", "E47", "E48", "E41"):
        return "c) SGO/CAO"
    if p.rec in ("E4A", "E4B", "E13"):
        return "a) Return to family"
    if cur.place in ("K1", "K2"):
        return "e) Long-term residential placement"
    if cur.place in FOSTER_CODES:
        return "f) Long-term fostering"
    if cur.place in ("H5", "P2"):
        return "d) Supported living in the community"
    return "g) other"
