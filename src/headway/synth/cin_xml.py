"""CIN census XML for one collection year, written incrementally with lxml.etree.xmlfile.

Cutting a history into a year follows the census (and the D2I validator's rules): a
CINdetails is returned when the episode was open at any time in the year, with the
assessments, s47 enquiries, CIN plans and CP plans open in the year, the CP reviews dated
in it and the pre-proceedings blocks started in it; dates after 31 March are not yet known,
so a closure, authorisation, plan end or ICPC after the reference date is left out.
Structure differences by year (codes, CINPlanDates from 2022, Sex from 2025,
PreProceedingsandFGDM from 2027) are in codes.py.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from lxml import etree

from headway.synth import codes
from headway.synth.dates import age_on, iso
from headway.synth.history import Child, CinEpisode, CPPlan, PreProceedings
from headway.synth.records import ManifestFile, Year

RECORD_KINDS = (
    "Child",
    "Disability",
    "CINdetails",
    "Assessments",
    "AssessmentFactors",
    "CINPlanDates",
    "Section47",
    "ChildProtectionPlans",
    "CPPreviewDate",
    "PreProceedingsandFGDM",
)
SUB = etree.SubElement
ICPC_TARGET_DAYS = 21  # 15 working days from the strategy discussion


def _e(parent: etree._Element, tag: str, text: str) -> None:
    SUB(parent, tag).text = text


def _year_codes(field: str, year: int) -> dict[str, str]:
    """History code -> the code this year carries, for the codes that changed."""
    return {c: codes.cin_code(field, c, year) for c in codes.CIN_CODE_YEARS[field]}


def _yes(flag: bool) -> str:
    return "true" if flag else "false"


class CinCensusWriter:
    """One year's CIN census file for one LA."""

    def __init__(self, year: Year, la_code: str) -> None:
        self.y = year
        self.la_code = la_code
        self.path: Path = year.folder / f"cin_census_{la_code}_{year.year}.xml"
        self.counts = dict.fromkeys(RECORD_KINDS, 0)
        self.sex_tag = "Sex" if year.year >= codes.CIN_SEX_FROM else "GenderCurrent"
        self.sex_codes = codes.CIN_SEX if year.year >= codes.CIN_SEX_FROM else codes.CIN_GENDER
        self.plan_dates = year.year >= codes.CIN_PLAN_DATES_FROM
        self.pre_proceedings = year.year >= codes.CIN_PRE_PROCEEDINGS_FROM
        self.sources = _year_codes("ReferralSource", year.year)
        self.reasons = _year_codes("ReasonForClosure", year.year)
        self.factors = _year_codes("AssessmentFactors", year.year)
        self._stack = ExitStack()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._xf = self._stack.enter_context(etree.xmlfile(str(self.path), encoding="utf-8"))
        self._xf.write_declaration()
        self._stack.enter_context(self._xf.element("Message"))
        self._xf.write("\n")
        self._xf.write(self._header(), pretty_print=True)
        self._stack.enter_context(self._xf.element("Children"))
        self._xf.write("\n")

    def _header(self) -> etree._Element:
        y = self.y.year
        header = etree.Element("Header")
        details = SUB(header, "CollectionDetails")
        SUB(details, "Collection").text = "CIN"
        SUB(details, "Year").text = str(y)
        SUB(details, "ReferenceDate").text = iso(self.y.end)
        source = SUB(header, "Source")
        SUB(source, "SourceLevel").text = "L"
        SUB(source, "LEA").text = self.la_code
        SUB(source, "SoftwareCode").text = "Headway synthetic data"
        SUB(source, "Release").text = "1"
        SUB(source, "SerialNo").text = "001"
        _e(source, "DateTime", f"{y}-05-01T09:00:00")  # fixed: same seed, same bytes
        return header

    def add(self, child: Child) -> None:
        y = self.y
        episodes = [e for e in child.episodes if e.referral <= y.end and e.closure >= y.start]
        if not episodes:
            return
        el = etree.Element("Child")
        self._identifiers(el, child)
        self._characteristics(el, child)
        for ep in episodes:
            self._details(el, ep)
        self.counts["Child"] += 1
        self._xf.write(el, pretty_print=True)

    def _identifiers(self, parent: etree._Element, child: Child) -> None:
        ids = SUB(parent, "ChildIdentifiers")
        SUB(ids, "LAchildID").text = child.id
        if age_on(child.dob, self.y.end) >= 5:
            SUB(ids, "UPN").text = child.upn
        else:
            _e(ids, "UPNunknown", "UN1")  # not of school age
        SUB(ids, "PersonBirthDate").text = iso(child.dob)
        SUB(ids, self.sex_tag).text = self.sex_codes[child.sex]
        if child.death is not None and child.death <= self.y.end:
            SUB(ids, "PersonDeathDate").text = iso(child.death)

    def _characteristics(self, parent: etree._Element, child: Child) -> None:
        chars = SUB(parent, "ChildCharacteristics")
        SUB(chars, "Ethnicity").text = child.ethnicity
        if child.disabilities:
            block = SUB(chars, "Disabilities")
            for code in child.disabilities:
                SUB(block, "Disability").text = code
            self.counts["Disability"] += len(child.disabilities)

    def _details(self, parent: etree._Element, ep: CinEpisode) -> None:
        y, counts = self.y, self.counts
        el = SUB(parent, "CINdetails")
        SUB(el, "CINreferralDate").text = iso(ep.referral)
        SUB(el, "ReferralSource").text = self.sources.get(ep.source, ep.source)
        SUB(el, "PrimaryNeedCode").text = ep.need
        if ep.closure <= y.end:
            SUB(el, "CINclosureDate").text = iso(ep.closure)
            SUB(el, "ReasonForClosure").text = self.reasons.get(ep.reason, ep.reason)
        # DateOfInitialCPC stays on the Section47 block: the census wants it in one place
        # only (D2I rule 2884), and every conference here follows an s47 enquiry.
        for a in ep.assessments:  # open in the year: authorised in it or still open (8696)
            if a.start > y.end or a.auth < y.start:
                continue
            block = SUB(el, "Assessments")
            SUB(block, "AssessmentActualStartDate").text = iso(a.start)
            counts["Assessments"] += 1
            if a.auth <= y.end:
                SUB(block, "AssessmentAuthorisationDate").text = iso(a.auth)
                factors = dict.fromkeys(self.factors.get(f, f) for f in a.factors)
                found = SUB(block, "FactorsIdentifiedAtAssessment")
                for f in factors:
                    SUB(found, "AssessmentFactors").text = f
                counts["AssessmentFactors"] += len(factors)
        if self.plan_dates:
            for p in ep.plans:
                if p.start > y.end or p.end < y.start:
                    continue
                block = SUB(el, "CINPlanDates")
                SUB(block, "CINPlanStartDate").text = iso(p.start)
                if p.end <= y.end:
                    SUB(block, "CINPlanEndDate").text = iso(p.end)
                counts["CINPlanDates"] += 1
        for s in ep.s47s:  # conference in the year, or none yet (8715)
            if s.start > y.end or (s.icpc or s.start) < y.start:
                continue
            block = SUB(el, "Section47")
            SUB(block, "S47ActualStartDate").text = iso(s.start)
            SUB(block, "InitialCPCtarget").text = iso(s.start + ICPC_TARGET_DAYS)
            if s.icpc is not None and s.icpc <= y.end:
                SUB(block, "DateOfInitialCPC").text = iso(s.icpc)
            SUB(block, "ICPCnotRequired").text = _yes(s.icpc is None)
            counts["Section47"] += 1
        SUB(el, "ReferralNFA").text = _yes(ep.nfa)
        for plan in ep.cpps:
            if plan.start <= y.end and plan.end >= y.start:
                self._plan(el, plan)
        if self.pre_proceedings:
            for pp in ep.pre_proceedings:
                if y.within(pp.start):
                    self._pre_proceedings(el, pp)
        counts["CINdetails"] += 1

    def _plan(self, parent: etree._Element, plan: CPPlan) -> None:
        y = self.y
        el = SUB(parent, "ChildProtectionPlans")
        SUB(el, "CPPstartDate").text = iso(plan.start)
        if plan.end <= y.end:
            SUB(el, "CPPendDate").text = iso(plan.end)
        SUB(el, "InitialCategoryOfAbuse").text = plan.initial_category
        SUB(el, "LatestCategoryOfAbuse").text = plan.latest_category
        # The reference XSDs type this xs:positiveInteger although DfE rule 8730 allows 0
        # (a first plan); to validate, a first plan is written as 1.
        SUB(el, "NumberOfPreviousCPP").text = str(max(1, plan.previous))
        reviews = [r for r in plan.reviews if y.start <= r <= y.end]
        if reviews:
            block = SUB(el, "Reviews")
            for r in reviews:
                SUB(block, "CPPreviewDate").text = iso(r)
            self.counts["CPPreviewDate"] += len(reviews)
        self.counts["ChildProtectionPlans"] += 1

    def _pre_proceedings(self, parent: etree._Element, pp: PreProceedings) -> None:
        end = self.y.end
        el = SUB(parent, "PreProceedingsandFGDM")
        SUB(el, "PPStartDate").text = iso(pp.start)
        if pp.lbp_sent <= end:
            SUB(el, "LBPSentDate").text = iso(pp.lbp_sent)
            SUB(el, "FGDMMeetingOffer").text = "1" if pp.fgdm_offer else "0"
        if pp.fgdm_fac is not None and pp.initial_meeting <= end:
            SUB(el, "FGDMMeetingFac").text = "1" if pp.fgdm_fac else "0"
        if pp.initial_meeting <= end:
            SUB(el, "InitialPPMeetingDate").text = iso(pp.initial_meeting)
            held = (
                pp.review_meetings
                if pp.step_decision <= end
                else min(pp.review_meetings, (end - pp.initial_meeting) // 30)
            )
            SUB(el, "ReviewMeetingsCount").text = str(held)
        if pp.step_decision <= end:
            SUB(el, "StepDecisionDate").text = iso(pp.step_decision)
            SUB(el, "PPOutcome").text = pp.outcome
        if pp.court_app is not None and pp.court_app <= end:
            SUB(el, "CourtAppDate").text = iso(pp.court_app)
        if pp.letter_init is not None and pp.letter_init <= end:
            SUB(el, "LetterInitCPDate").text = iso(pp.letter_init)
        self.counts["PreProceedingsandFGDM"] += 1

    def close(self) -> list[ManifestFile]:
        if not self._closed:
            self._closed = True
            self._stack.close()
        return [
            {"path": self.y.relative(self.path), "format": "cin_census", "records": self.counts}
        ]
