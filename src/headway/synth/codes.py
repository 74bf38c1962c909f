"""Per-year facts of the statutory formats the synth writes: which codes, elements and tables
each collection year has.

These are kept here as data (not read from ../shared at run time) so the synth works on its
own. They were found by diffing the real files year by year:

- CIN census XSDs 2017..2024 (liia-tools copies): the 2021 file replaces assessment factors
  18A/19A by 18B/18C/19B/19C; the 2022 file adds the CINPlanDates block and factor 24A; the
  2023 file adds referral source 5D and closure reason RC9; 2017-2020 are identical, as are
  2023 and 2024. From 2025 `Sex` (N00783; M, F or U per the D2I CIN validator rules 4180
  and 8750) replaces `GenderCurrent`; from 2027 each CINdetails may carry
  PreProceedingsandFGDM blocks (D2I CIN validator rules 9000Q-9015Q).
- SSDA903 schemas 2017..2024: the 2019 file replaces REC E43/E44 by E45-E48 and adds
  REASON_PLACE_CHANGE CUSTOD; the 2022 file replaces OC3 ACTIV F3/P3 by F4/P4/F5/P5; the
  2024 file adds the social worker table (SWEpisodes). Later years follow the D2I 903
  validator's rulesets: 2025 SEX becomes M/F/U; 2026 placement codes H5, P2 and Z1 give way
  to K3 and Z11-Z14; 2027 adds DoLo.
A history is generated once with the latest codes; writers for earlier years map a code to
the one that year had (`cin_code`, `s903_code`).
"""

# ruff: noqa: RUF001 - code labels are the specifications' own text, en dashes included

from __future__ import annotations

FIRST_YEAR = 2017

# field -> code -> (first year valid or None, last year valid or None, code to use before)
_Bound = tuple[int | None, int | None, str | None]

CIN_CODE_YEARS: dict[str, dict[str, _Bound]] = {
    "AssessmentFactors": {
        "18A": (None, 2020, None),
        "19A": (None, 2020, None),
        "18B": (2021, None, "18A"),
        "18C": (2021, None, "18A"),
        "19B": (2021, None, "19A"),
        "19C": (2021, None, "19A"),
        "24A": (2022, None, "20"),
    },
    "ReferralSource": {"5D": (2023, None, "5B")},
    "ReasonForClosure": {"RC9": (2023, None, "RC8")},
}
CIN_PLAN_DATES_FROM = 2022
CIN_SEX_FROM = 2025
CIN_PRE_PROCEEDINGS_FROM = 2027
# GenderCurrent (to 2024): 1 male, 2 female, 0 not recorded or unborn, 9 indeterminate.
# Sex (from 2025, N00783): M, F, U (U for unborn or not known).
CIN_GENDER = {"1": "1", "2": "2"}
CIN_SEX = {"1": "M", "2": "F"}

S903_CODE_YEARS: dict[str, dict[str, _Bound]] = {
    "REC": {
        "E43": (None, 2018, None),
        "E44": (None, 2018, None),
        "E45": (2019, None, "E43"),
        "E46": (2019, None, "E43"),
        "E47": (2019, None, "E44"),
        "E48": (2019, None, "E44"),
    },
    "REASON_PLACE_CHANGE": {"CUSTOD": (2019, None, "OTHER")},
    "ACTIV": {
        "F3": (None, 2021, None),
        "P3": (None, 2021, None),
        "F4": (2022, None, "F3"),
        "P4": (2022, None, "P3"),
        "F5": (2022, None, "F3"),
        "P5": (2022, None, "P3"),
    },
}

# SSDA903 CSV tables and exact headers (2026-27 layout; earlier years have the same columns
# for the tables they carry).
S903_TABLES: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "OC2": (
        "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
        "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": (
        "CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "PlacedAdoption": (
        "CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED",
    ),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "DoLo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}  # fmt: skip
S903_TABLE_YEARS: dict[str, int] = {"SWEpisodes": 2024, "DoLo": 2027}
# 2024-25 (collection 2025): SEX is M, F or U instead of 1/2 (D2I 903 rule 101, 2024-25).
S903_SEX_FROM = 2025
S903_SEX = {"1": "M", "2": "F"}
# 2025-26 (collection 2026): placement codes H5 (semi-independent) and P2 (independent
# living) give way to K3 (supported accommodation, 16+, Ofsted registered) and Z1 (other)
# to Z11-Z14 (D2I 903 rule 146, 2025-26). Which of Z11-Z14 fits Z1 is not documented in
# the validator: Headway uses Z14. Z11-Z14 take no provider and no URN (rules 213, 222).
S903_PLACE_FROM_2026 = 2026
S903_PLACE_2026 = {"H5": "K3", "P2": "K3", "Z1": "Z14"}
# Placements that take no Ofsted URN before 2026 (D2I 903 rule 222).
S903_NO_URN_TO_2025 = frozenset({"H5", "P1", "P2", "P3", "R1", "R2", "R5", "Z1"})


def _mapped(bounds: dict[str, _Bound], code: str, year: int) -> str:
    bound = bounds.get(code)
    if bound is None:
        return code
    first, _last, before = bound
    if first is not None and year < first:
        return before if before is not None else code
    return code


def cin_code(field: str, code: str, year: int) -> str:
    """The code to write for `field` in collection `year`, for a history code."""
    return _mapped(CIN_CODE_YEARS[field], code, year)


def s903_code(field: str, code: str, year: int) -> str:
    """The SSDA903 code to write for `field` in collection `year`, for a history code."""
    return _mapped(S903_CODE_YEARS[field], code, year)


def s903_tables(year: int) -> list[str]:
    """The SSDA903 tables collection `year` carries, in a fixed order."""
    return [t for t in S903_TABLES if S903_TABLE_YEARS.get(t, FIRST_YEAR) <= year]


# --- Labels (CIN code descriptions, used by the SSD extract and Annex A) --------------------
REFERRAL_SOURCE_LABEL: dict[str, str] = {
    "1A": "INDIVIDUAL – family member, relative or carer",
    "1B": "INDIVIDUAL – acquaintance (including neighbours and child minders)",
    "1C": "INDIVIDUAL – self",
    "1D": "INDIVIDUAL – other (including strangers)",
    "2A": "SCHOOLS",
    "2B": "EDUCATION SERVICES",
    "3A": "HEALTH SERVICES – general practitioner (GP)",
    "3B": "HEALTH SERVICES – health visitor",
    "3C": "HEALTH SERVICES – school nurse",
    "3D": "HEALTH SERVICES – other primary health services",
    "3E": "HEALTH SERVICES – A&E (accident and emergency department)",
    "3F": "HEALTH SERVICES – other (for example hospice)",
    "4": "HOUSING - local authority housing or housing association",
    "5A": "LA SERVICES – social care for example adults social care services",
    "5B": "LA SERVICES – other internal",
    "5C": "LA SERVICES – external, for example, from another local authority",
    "5D": "LA SERVICES – early help",
    "6": "POLICE",
    "7": "OTHER LEGAL AGENCY – including courts, probation, immigration, CAFCASS or prison",
    "8": "OTHER – including children’s centres, independent agency providers or voluntary "
    "organisations",
    "9": "ANONYMOUS",
    "10": "UNKNOWN",
}
