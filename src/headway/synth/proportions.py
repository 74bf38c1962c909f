"""National figures the synthetic LAs are drawn from: one place, each with its source.

All figures are weights (they need not sum to 1) and are rounded from DfE's published national
statistics for England, as remembered for this synthetic generator; they set realistic shapes,
not exact published values. Sources:

- CIN: DfE, "Characteristics of children in need: 2023-24" (Official Statistics, Oct 2024),
  tables on referrals by source, episodes by primary need, children in need by age, sex and
  ethnicity, factors identified at the end of assessment, child protection plans by
  category of abuse, duration and previous plans.
- CLA: DfE, "Children looked after in England including adoptions: 2023-24" (Nov 2024),
  tables on children looked after at 31 March by age, sex, legal status, placement,
  category of need, UASC, ceased by reason, and adoption timeliness.
- Care leavers: same publication, care leavers aged 19-21 by activity and accommodation.

Children in the synthetic population N are all children referred at some point in the years
covered; the pathway shares below are fractions of N (brief: ~20% s47, ~10% CP plan,
~12% looked after).
"""

from __future__ import annotations

# --- Pathway of a child's main episode of need (fractions of the synthetic population) ------
# cla: becomes looked after. cpp: CP plan, not looked after. s47: s47 enquiry, no plan.
# cin_plan: assessed, supported on a CIN plan. assessed: assessed then closed. nfa: referral NFA.
# Overall: looked after 12%; s47 ~20% (55% of CLA + 16% of others); CP plan ~10%.
PATHWAYS: dict[str, float] = {
    "cla": 0.12,
    "cpp": 0.063,
    "s47": 0.094,
    "cin_plan": 0.28,
    "assessed": 0.36,
    "nfa": 0.083,
}
UASC_SHARE_OF_CLA = 0.07  # CLA 2023-24: UASC were 7-9% of children looked after
RE_REFERRAL_SHARE = 0.22  # CIN 2023-24: 22% of referrals within 12 months of a previous one
DEATH_SHARE = 0.002  # deaths of children in need are rare; a few per thousand episodes

# --- Characteristics of children in need ----------------------------------------------------
# Age (years) at referral. CIN 2023-24: under 1 ~6%, 1-4 ~17%, 5-9 ~25%, 10-15 ~38%, 16-17 ~14%.
CIN_AGE: dict[int, float] = {
    0: 6.0, 1: 4.4, 2: 4.2, 3: 4.2, 4: 4.2, 5: 5.0, 6: 5.0, 7: 5.0, 8: 5.0, 9: 5.0,
    10: 6.0, 11: 6.2, 12: 6.4, 13: 6.6, 14: 6.6, 15: 6.2, 16: 7.4, 17: 6.6,
}  # fmt: skip
# Age at entry to care (CLA starters 2023-24: under 1 ~18%, 1-4 ~14%, 5-9 ~14%, 10-15 ~35%,
# 16+ ~19%).
CLA_ENTRY_AGE: dict[int, float] = {
    0: 18.0, 1: 3.6, 2: 3.5, 3: 3.5, 4: 3.4, 5: 2.9, 6: 2.8, 7: 2.8, 8: 2.8, 9: 2.7,
    10: 4.5, 11: 5.0, 12: 5.8, 13: 6.4, 14: 6.8, 15: 6.5, 16: 10.0, 17: 9.0,
}  # fmt: skip
UASC_AGE: dict[int, float] = {13: 2.0, 14: 8.0, 15: 20.0, 16: 45.0, 17: 25.0}
# Sex: CIN 2023-24 males 53%, females 46%; CLA males 56%; UASC 93% male.
MALE_SHARE_CIN = 0.53
MALE_SHARE_CLA = 0.56
MALE_SHARE_UASC = 0.93
# Ethnicity of children in need (CIN 2023-24: White ~67%, Mixed ~10%, Asian ~7%, Black ~7%,
# other ~3%, not known ~5%).
ETHNICITY: dict[str, float] = {
    "WBRI": 58.0, "WIRI": 0.3, "WIRT": 0.3, "WOTH": 6.2, "WROM": 0.9,
    "MWBC": 3.0, "MWBA": 1.2, "MWAS": 1.6, "MOTH": 4.2,
    "AIND": 1.2, "APKN": 2.6, "ABAN": 1.0, "AOTH": 2.0,
    "BCRB": 1.4, "BAFR": 4.0, "BOTH": 1.6,
    "CHNE": 0.2, "OOTH": 3.0, "REFU": 1.3, "NOBT": 4.0,
}  # fmt: skip
# UASC are mostly from Sudan, Afghanistan, Eritrea, Iran, Vietnam, Albania (CLA 2023-24).
UASC_ETHNICITY: dict[str, float] = {
    "BAFR": 32.0, "AOTH": 28.0, "OOTH": 25.0, "WOTH": 8.0, "BOTH": 5.0, "NOBT": 2.0,
}  # fmt: skip
# CIN 2023-24: ~13% of children in need have a disability recorded. Children whose primary
# need is N2 (child's disability) nearly all do; the base share for the rest makes ~13%.
DISABLED_SHARE = 0.05
DISABILITY_RECORDED_NONE_SHARE = 0.7  # others: NONE recorded (0.7) or no Disabilities block
DISABILITY: dict[str, float] = {
    "LD": 25.0, "AUT": 24.0, "COMM": 14.0, "BEH": 14.0, "MOB": 5.0, "HAND": 2.0, "PC": 4.0,
    "INC": 2.0, "HEAR": 2.0, "VIS": 2.0, "CON": 1.0, "DDA": 5.0,
}  # fmt: skip

# --- Referrals and episodes ----------------------------------------------------------------
# Referral source (CIN 2023-24: police ~29%, schools ~21%, health ~15%, LA services ~15%,
# individuals ~7%, other/legal/housing/anonymous/unknown the rest; 5D early help from 2023).
REFERRAL_SOURCE: dict[str, float] = {
    "1A": 4.8, "1B": 0.6, "1C": 1.1, "1D": 0.6,
    "2A": 20.5, "2B": 1.6,
    "3A": 2.2, "3B": 2.4, "3C": 0.6, "3D": 2.1, "3E": 3.3, "3F": 4.6,
    "4": 2.0,
    "5A": 4.0, "5B": 5.0, "5C": 2.0, "5D": 4.0,
    "6": 29.0, "7": 2.6, "8": 2.8, "9": 1.0, "10": 3.2,
}  # fmt: skip
UASC_REFERRAL_SOURCE: dict[str, float] = {"6": 45.0, "7": 30.0, "5C": 15.0, "8": 10.0}
# Primary need code of episodes (CIN 2023-24: N1 abuse or neglect ~57%).
PRIMARY_NEED: dict[str, float] = {
    "N1": 57.0, "N2": 10.0, "N3": 3.0, "N4": 7.0, "N5": 12.0, "N6": 3.0, "N7": 0.5,
    "N8": 4.0, "N9": 2.0, "N0": 1.5,
}  # fmt: skip
# Category of need of children looked after (CLA 2023-24: N1 ~65%, N8 absent parenting ~12%
# (most UASC), N5 ~12%, N4 ~6%).
CLA_NEED: dict[str, float] = {
    "N1": 65.0, "N2": 3.0, "N3": 3.0, "N4": 6.0, "N5": 12.0, "N6": 1.5, "N7": 0.2, "N8": 9.3,
}  # fmt: skip
# Reason for closure of episodes that end after assessment (CIN 2023-24: RC8 ~40% of all
# closures, RC9 early help ~14% from 2023, RC7 ~35%).
CLOSED_AFTER_ASSESSMENT: dict[str, float] = {"RC8": 62.0, "RC9": 26.0, "RC7": 10.0, "RC5": 2.0}
# After support (a plan), not RC8/RC9: those are for closure after an assessment alone.
CLOSED_AFTER_SUPPORT: dict[str, float] = {"RC7": 90.0, "RC5": 6.0, "RC3": 4.0}
# Days from assessment start to authorisation (CIN 2023-24: median ~26 days; ~83% within the
# 45 working-day limit, i.e. ~63 calendar days).
ASSESSMENT_DAYS: dict[tuple[int, int], float] = {
    (1, 10): 14.0, (11, 20): 16.0, (21, 35): 28.0, (36, 63): 26.0, (64, 100): 12.0,
    (101, 180): 4.0,
}  # fmt: skip
# Factors identified at the end of assessment (CIN 2023-24, % of assessments: domestic
# abuse (parent) ~31%, mental health (parent) ~33%, emotional abuse ~22%, neglect ~18%,
# mental health (child) ~17%, drug misuse (parent) ~17%, ...). Codes valid in the latest
# schema; earlier years map new codes back (codes.py).
ASSESSMENT_FACTORS: dict[str, float] = {
    "1A": 2.0, "1B": 13.0, "1C": 2.0, "2A": 5.0, "2B": 17.0, "2C": 2.0,
    "3A": 15.0, "3B": 31.0, "3C": 2.0, "4A": 17.0, "4B": 33.0, "4C": 2.0,
    "5A": 5.0, "5B": 4.0, "5C": 1.0, "6A": 3.0, "6B": 4.0, "6C": 1.0, "7A": 1.5,
    "8B": 0.1, "8C": 0.1, "8D": 0.1, "8E": 0.2, "8F": 0.1, "9A": 0.5, "10A": 4.0,
    "11A": 3.0, "12A": 0.8, "13A": 2.0, "14A": 6.0, "15A": 7.0, "16A": 18.0, "17A": 22.0,
    "18B": 3.0, "18C": 9.0, "19B": 2.0, "19C": 4.0, "20": 10.0, "21": 4.0, "22A": 0.3,
    "23A": 0.3, "24A": 4.0,
}  # fmt: skip
FACTORS_PER_ASSESSMENT: dict[int, float] = {1: 30.0, 2: 30.0, 3: 22.0, 4: 12.0, 5: 6.0}

# --- Child protection ---------------------------------------------------------------------
# Initial category of abuse (CIN 2023-24: neglect ~49%, emotional ~38%, physical ~4%,
# sexual ~3%, multiple ~6%).
ABUSE_CATEGORY: dict[str, float] = {"NEG": 49.0, "EMO": 38.0, "PHY": 4.0, "SAB": 3.3, "MUL": 5.7}
CATEGORY_UNCHANGED_SHARE = 0.88
# Previous plans (CIN 2023-24: ~24% of plans were second or subsequent).
PREVIOUS_CPP: dict[int, float] = {0: 76.0, 1: 17.0, 2: 5.0, 3: 2.0}
# Plan length in days (CIN 2023-24 plans ending: <3m ~20%, 3-6m ~20%, 6-12m ~36%, 1-2y ~20%,
# 2y+ ~4%).
CPP_DAYS: dict[tuple[int, int], float] = {
    (30, 90): 20.0, (91, 182): 20.0, (183, 365): 36.0, (366, 730): 20.0, (731, 1000): 4.0,
}  # fmt: skip
ICPC_AFTER_S47_NO_PLAN = 0.15  # s47s with an ICPC that did not lead to a plan
PRE_PROCEEDINGS_CPP_SHARE = 0.12  # CP plans escalating to pre-proceedings (PLO)
PRE_PROCEEDINGS_COURT_ROUTE_SHARE = 0.6  # court-route care entries preceded by PLO

# --- Children looked after -----------------------------------------------------------------
# Route into care. Emergency (police protection / EPO), after a CP plan, or voluntary s20.
CARE_ROUTE: dict[str, float] = {"emergency": 0.3, "after_cpp": 0.4, "voluntary": 0.3}
# Placement at start or move, by age band. CLA 2023-24 at 31 March: foster ~68% (kinship
# ~19%), children's homes ~11%, supported accommodation/independent ~8%, placed with
# parents ~6%, placed for adoption ~2%, other residential ~3%. P2 (independent living) is
# not used: it closed on 28 October 2023 (D2I 903 rule 217t); H5 stands for both.
PLACEMENT_BY_AGE: dict[str, dict[str, float]] = {
    "0": {"U6": 48.0, "U3": 18.0, "U5": 6.0, "U2": 1.0, "R3": 8.0, "P1": 6.0, "U1": 3.0},
    "1-9": {
        "U6": 42.0, "U4": 16.0, "U3": 15.0, "U1": 8.0, "P1": 8.0, "K2": 3.0, "U5": 2.0,
        "R1": 0.5, "R2": 0.5, "S1": 1.0, "Z1": 1.0,
    },
    "10-15": {
        "U6": 36.0, "U4": 18.0, "U3": 9.0, "U1": 5.0, "K2": 21.0, "P1": 5.0, "K1": 1.0,
        "R5": 1.0, "S1": 2.0, "Z1": 1.0, "R2": 1.0,
    },
    "16-17": {
        "U6": 24.0, "U4": 10.0, "U3": 6.0, "K2": 17.0, "H5": 35.0, "P1": 3.0,
        "R5": 2.0, "Z1": 2.0,
    },
    "uasc_young": {"U6": 80.0, "U4": 10.0, "K2": 10.0},
    "uasc_16": {"H5": 59.0, "U6": 33.0, "K2": 8.0},
}  # fmt: skip
FOSTER_CODES = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
PLACEMENT_MOVES_PER_YEAR = 0.55  # CLA 2023-24: ~68% had one placement in the year
# Provider by placement (own provision dominant for foster, private for children's homes).
PROVIDER_FOSTER: dict[str, float] = {"PR1": 63.0, "PR4": 32.0, "PR5": 5.0}
PROVIDER_HOME: dict[str, float] = {"PR4": 76.0, "PR1": 19.0, "PR5": 5.0}
PROVIDER_SUPPORTED: dict[str, float] = {"PR4": 60.0, "PR1": 20.0, "PR5": 20.0}
PROVIDER_OTHER: dict[str, float] = {"PR3": 40.0, "PR4": 40.0, "PR5": 20.0}
PROVIDER_ADOPTION: dict[str, float] = {"PR1": 70.0, "PR2": 15.0, "PR5": 15.0}
REASON_PLACE_CHANGE: dict[str, float] = {
    "CARPL": 32.0, "CHILD": 12.0, "LAREQ": 14.0, "STAND": 10.0, "APPRR": 5.0, "CREQB": 6.0,
    "CREQO": 5.0, "CLOSE": 4.0, "ALLEG": 2.0, "PLACE": 4.0, "CUSTOD": 1.0, "OTHER": 5.0,
}  # fmt: skip
# Legal status at entry by route (starters 2023-24: V2 ~45%, C1 ~30%, L1/L2 ~10%...).
# The stock at 31 March then follows from durations: C2 ~half, V2 ~20%, C1 ~13%, E1 ~5%.
LEGAL_AT_ENTRY: dict[str, dict[str, float]] = {
    "emergency": {"L1": 45.0, "L2": 30.0, "V2": 25.0},
    "after_cpp": {"C1": 78.0, "V2": 22.0},
    "voluntary": {"V2": 88.0, "J1": 4.0, "J2": 4.0, "C1": 4.0},
}
# How the period of care ends, by age at entry (CLA 2023-24 ceased: returned home ~30%,
# SGO ~13%, adopted ~9%, independent living/age 18 ~20%, other ~28%).
CARE_PATH_BY_AGE: dict[str, dict[str, float]] = {
    "0": {"adopt": 40.0, "home": 20.0, "sgo": 30.0, "long": 10.0},
    "1-4": {"adopt": 25.0, "home": 30.0, "sgo": 32.0, "long": 13.0},
    "5-9": {"home": 40.0, "sgo": 25.0, "long": 28.0, "other": 7.0},
    "10-15": {"home": 45.0, "long": 32.0, "other": 18.0, "sgo": 5.0},
    "16-17": {"home": 30.0, "age18": 50.0, "other": 20.0},
    "uasc": {"age18": 88.0, "other": 12.0},
}
HOME_DAYS: dict[tuple[int, int], float] = {
    (7, 60): 25.0, (61, 180): 33.0, (181, 365): 25.0, (366, 900): 17.0,
}  # fmt: skip
OTHER_EXIT: dict[str, float] = {
    "E8": 40.0, "E13": 12.0, "E3": 8.0, "E41": 14.0, "E9": 6.0, "E14": 8.0, "E7": 2.0,
    "E16": 2.0, "E4B": 8.0,
}  # fmt: skip
UASC_OTHER_EXIT: dict[str, float] = {"E15": 40.0, "E8": 45.0, "E16": 15.0}
HOME_EXIT: dict[str, float] = {"E4A": 90.0, "E4B": 10.0}
SGO_EXIT: dict[str, float] = {"E45": 45.0, "E46": 20.0, "E47": 25.0, "E48": 10.0}
AGE18_EXIT: dict[str, float] = {"E5": 55.0, "E6": 12.0, "E17": 33.0}
ADOPTION_REVERSED_SHARE = 0.12  # ADM decisions reversed (RD1-RD4)
REVERSED_REASON: dict[str, float] = {"RD1": 35.0, "RD2": 25.0, "RD3": 25.0, "RD4": 15.0}
ADOPTER_SEX: dict[str, float] = {"MF": 76.0, "FF": 7.0, "MM": 6.0, "F1": 10.0, "M1": 1.0}
MISSING_SHARE_11_PLUS = 0.22  # CLA 2023-24: ~11% of all CLA went missing, mostly 11+
DOLO_SHARE_K2_13_PLUS = 0.12  # DoLOs are mostly for older children in children's homes
SW_CHANGE_DAYS = (150, 600)
# Reasons a child's social worker changed (FCONTA, first contact, starts the first episode).
SW_REASON: dict[str, float] = {
    "LEFTRL": 30.0, "MANAGE": 20.0, "ORGRST": 15.0, "TSPROC": 14.0, "ABSENC": 5.0,
    "CHCHAN": 6.0, "OTHERS": 10.0,
}  # fmt: skip

# --- Care leavers (OC3), CLA 2023-24 care leavers 19-21: in touch ~90%; EET ~55% -----------
IN_TOUCH: dict[str, float] = {
    "YES": 88.0, "NO": 5.0, "NREQ": 3.0, "REFU": 2.5, "RHOM": 1.4, "DIED": 0.1,
}  # fmt: skip
ACTIVITY: dict[str, float] = {
    "F1": 7.0, "P1": 1.0, "F2": 22.0, "P2": 3.0, "F4": 14.0, "P4": 6.0, "F5": 2.0, "P5": 1.0,
    "G4": 9.0, "G5": 30.0, "G6": 5.0,
}  # fmt: skip
ACCOMMODATION: dict[str, float] = {
    "U": 30.0, "D": 18.0, "Z": 12.0, "B": 11.0, "E": 5.0, "T": 5.0, "K": 4.0, "C": 3.0,
    "X": 2.0, "S": 1.0, "V": 1.0, "W": 0.5, "R": 2.0, "Y": 4.0, "G": 1.0, "H": 0.5,
}  # fmt: skip
ACCOMMODATION_SUITABLE_SHARE = 0.88

# --- Local front door (contacts, early help) -------------------------------------------------
EXTRA_CONTACTS: dict[int, float] = {0: 50.0, 1: 30.0, 2: 14.0, 3: 6.0}
EARLY_HELP_SHARE = 0.35
EARLY_HELP_REASON: dict[str, float] = {
    "Family support": 22.0, "Parenting": 18.0, "Domestic abuse": 14.0,
    "School attendance": 12.0, "Emotional wellbeing and mental health": 12.0,
    "Child behaviour": 10.0, "Housing and financial difficulties": 7.0,
    "Substance misuse in the family": 5.0,
}  # fmt: skip
EARLY_HELP_END: dict[str, float] = {
    "Outcomes met": 55.0, "Disengaged": 15.0, "Moved out of area": 6.0,
    "Needs met by universal services": 14.0, "Step-up to children's social care": 10.0,
}  # fmt: skip
EARLY_HELP_ORGANISATION: dict[str, float] = {
    "Family Hub North": 25.0, "Family Hub South": 25.0, "Early Help Team": 25.0,
    "School": 15.0, "Health Visiting Service": 10.0,
}  # fmt: skip
