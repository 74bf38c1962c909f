"""A synthetic Ofsted inspection request log: the burst of asks an ILACS week brings.

Written as inspectors' logs are kept: one row per ask, in the inspectors' own shorthand,
with the date asked and the time it is needed by. Each ask is drawn from the kinds of
request inspections make (Annex A lists, cohort lists, timeliness, audits, performance
reports), in one of several phrasings, so the desk's matching meets the variety it will
meet in life. Names are invented; nothing here describes a real inspection.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

INSPECTORS = ("R. Okafor (lead HMI)", "S. Lindqvist (HMI)", "D. Barker (HMI)", "M. Iqbal (SCIP)")

# (phrasings, hours if nothing existing answers it)
ASKS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("Annex A - all lists please, as at the notification date",
      "Can we have the full Annex A (lists 1-11) asap"), 6.0),
    (("List of children on CP plans for 2 years or more, with plan start date and worker",
      "CP plans 2yrs+ - names, start dates, SW"), 2.0),
    (("All children who became subject to a second or subsequent CP plan in the last 12 months",
      "Repeat CP plans in last year pls"), 2.0),
    (("S47 enquiries in last 6 months that did not progress to ICPC",
      "Section 47s NFA'd before conference - last 6 months"), 2.5),
    (("Timeliness of ICPCs within 15 working days of the strategy discussion, last 12 months",
      "% ICPCs in timescale - monthly for last year"), 2.0),
    (("Children missing from care in the last 3 months, and were return interviews offered",
      "Missing episodes for CLA + RHI offered/accepted (3 months)"), 3.0),
    (("Care leavers aged 19-21 not in education, employment or training",
      "NEET care leavers 19-21 - list with PA"), 2.0),
    (("Care leavers we are not in touch with",
      "List of care leavers LA not in touch with, with last contact date"), 1.5),
    (("Children in care placed more than 20 miles from home",
      "CLA placed 20+ miles away - by placement type"), 2.0),
    (("Children looked after with 3 or more placements in the last 12 months",
      "Placement stability - 3+ moves in year, list please"), 2.0),
    (("Unaccompanied asylum seeking children in care, by age and placement",
      "UASC list - age, placement type, date came into care"), 1.5),
    (("Children in unregistered placements",
      "Any children in unregistered children's homes? list + duration"), 2.5),
    (("Assessments completed in the last 6 months over 45 working days",
      "Late C&F assessments (>45 days) since April"), 2.0),
    (("Re-referrals within 12 months for the last quarter",
      "Rereferral rate and list of re-referred children, last quarter"), 2.0),
    (("Contacts at the front door in the last week that led to a referral",
      "MASH contacts last 7 days and outcomes"), 1.5),
    (("Early help episodes closed in the last 3 months that were stepped up to social care",
      "EH step-ups to CSC - last 3 months"), 3.0),
    (("Children subject to pre-proceedings (PLO) and how long they have been in it",
      "PLO cases - list with start date of pre-proceedings"), 3.0),
    (("Family group decision making: children offered an FGC before proceedings",
      "FGDM offered pre-proceedings - numbers and list"), 4.0),
    (("Caseloads by social worker and team",
      "SW caseloads - all teams, current"), 2.0),
    (("Children in need not visited in the last 20 working days",
      "CIN visits overdue (20 days+) list"), 2.5),
    (("Children adopted in the last 12 months and timescales from entering care",
      "Adoption timeliness A1/A2 - last year's adoptions"), 2.0),
    (("Children with a placement order not yet placed for adoption",
      "Placement orders not yet matched - list"), 1.5),
    (("IRO reviews out of timescale for children in care",
      "CLA reviews overdue - list with IRO"), 2.0),
    (("Children in care with an up to date health assessment and dental check",
      "Health assessments + dental for CLA - % in date"), 2.5),
    (("Young people aged 16-17 in unregulated supported accommodation",
      "16/17 yr olds in supported accom - list, provider"), 2.0),
    (("Audit sample: 10 children's case numbers seen by the principal social worker",
      "Case audit tracker for last 6 months with grades"), 4.0),
    (("Children subject to a deprivation of liberty order",
      "DoLS / DoL orders for children in care - list"), 3.0),
    (("Performance scorecard the DCS sees each month",
      "Latest monthly performance report to DMT"), 1.0),
)  # fmt: skip


# (request, requested by, their role, hours, weeks until due or None, cost of delay)
LEADER_ASKS: tuple[tuple[str, str, str, float, int | None, str], ...] = (
    ("Rebuild the monthly performance scorecard for the new Family Help teams",
     "P. Adeyemi", "Head of Service, Family Help", 40.0, 8, "high"),
    ("Sufficiency: projected numbers of children in care by placement type for 3 years",
     "L. Hartley", "Director of Children's Services", 32.0, 10, "high"),
    ("Lead member briefing: why are re-referrals rising?",
     "L. Hartley", "Director of Children's Services", 10.0, 2, "medium"),
    ("Multi-agency child protection team: baseline of s47s by agency of referral",
     "K. Novak", "Head of Service, Safeguarding", 16.0, 6, "medium"),
    ("Caseload dashboard per worker for team managers, refreshed weekly",
     "J. Ahmed", "Service Manager, Assessment", 24.0, 12, "medium"),
    ("Family Hubs: quarterly MI return to DfE (reach and registrations)",
     "DfE Family Hubs team", "National programme lead", 12.0, 5, "high"),
    ("Regional benchmarking collection (quarterly), children in need and CP sections",
     "Regional data group", "Regional lead", 8.0, 4, "medium"),
    ("Audit of missing episodes vs return home interviews for the MACE panel",
     "T. Grant", "Service Manager, Exploitation", 14.0, 3, "medium"),
    ("Care leavers: accommodation suitability report for Corporate Parenting Board",
     "M. Osei", "Head of Service, Children in Care", 12.0, 7, "medium"),
    ("Power BI: move the adoption scorecard off the old server",
     "IT business partner", "Manager", 30.0, None, "low"),
    ("Data protection: DPIA input for sharing data with the ICB",
     "Information governance", "Manager", 6.0, 9, "low"),
    ("Budget: cost of external residential placements by month",
     "Finance business partner", "Head of Service, Finance", 16.0, 6, "medium"),
    ("SEND: EHC plan timeliness for the SEND improvement board",
     "A. Costa", "Assistant Director, SEND", 18.0, 5, "high"),
    ("Tidy the data quality exception reports for front door teams",
     "J. Ahmed", "Service Manager, Assessment", 20.0, None, "low"),
)  # fmt: skip


def write_leader_asks(path: Path, today: date) -> int:
    """Write leaders' and programmes' asks as a CSV request list; returns how many."""
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Request", "Requested by", "Role", "Date received", "Deadline",
                      "Estimate (hours)", "Priority", "Source"])  # fmt: skip
        for title, who, role, hours, weeks, cost in LEADER_ASKS:
            due = today + timedelta(weeks=weeks) if weeks else None
            source = (
                "national programme"
                if "programme" in role or "Regional" in role
                else ("service leader")
            )
            out.writerow([title, who, role, today.isoformat(), due.isoformat() if due else "",
                          hours, cost, source])  # fmt: skip
    return len(LEADER_ASKS)


def inspection_requests(start: date, days: int, seed: int) -> list[dict[str, object]]:
    """A burst of inspector requests over `days` working days from `start`."""
    rng = random.Random(seed)
    asks = list(ASKS)
    rng.shuffle(asks)
    working = [start + timedelta(days=d) for d in range(days * 2)]
    working = [d for d in working if d.weekday() < 5][:days]
    out = []
    for i, (phrasings, hours) in enumerate(asks):
        asked = working[min(len(working) - 1, int(rng.triangular(0, len(working), 0)))]
        due = asked + timedelta(days=1 if asked.weekday() < 4 else 3)
        out.append(
            {
                "Ref": f"IR{i + 1:02d}",
                "Date requested": asked,
                "Inspector": rng.choice(INSPECTORS),
                "Information requested": rng.choice(phrasings),
                "Required by": due,
                "Estimate (hours)": hours,
            }
        )
    return sorted(out, key=lambda r: (r["Date requested"], r["Ref"]))


def write_inspection_log(path: Path, start: date, days: int = 10, seed: int = 1) -> int:
    """Write the log as an inspector's XLSX; returns the number of requests."""
    rows = inspection_requests(start, days, seed)
    headings = list(rows[0])
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False}) as book:
        sheet = book.add_worksheet("Requests")
        dates = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.write_row(0, 0, headings)
        for r, row in enumerate(rows, start=1):
            for c, name in enumerate(headings):
                value = row[name]
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
    return len(rows)
