"""The history of one synthetic child: every event with its date, in the latest codes.

Dates are day ordinals (dates.py). Writers cut a history into collection years and map codes
back for earlier years; people.py and care.py make histories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from headway.synth.dates import Day

if TYPE_CHECKING:
    from headway.synth.address import Address

POSTCODE_AREAS = ("B", "BD", "CV", "DE", "HU", "LE", "LS", "M", "NE", "NG", "PL", "S", "SO", "ST")


@dataclass(slots=True)
class Assessment:
    start: Day
    auth: Day
    factors: tuple[str, ...]


@dataclass(slots=True)
class CinPlan:
    start: Day
    end: Day


@dataclass(slots=True)
class Section47:
    start: Day
    icpc: Day | None  # the initial child protection conference, when one was held
    plan: bool  # the conference resulted in a child protection plan


@dataclass(slots=True)
class CPPlan:
    start: Day
    end: Day
    initial_category: str
    latest_category: str
    previous: int
    reviews: tuple[Day, ...]


@dataclass(slots=True)
class PreProceedings:
    start: Day
    lbp_sent: Day
    fgdm_offer: bool
    fgdm_fac: bool | None
    initial_meeting: Day
    review_meetings: int
    step_decision: Day
    outcome: str  # A care proceedings issued, B stepped down, C other (codes.py)
    court_app: Day | None
    letter_init: Day | None


@dataclass(slots=True)
class CinEpisode:
    referral: Day
    source: str
    need: str
    nfa: bool
    closure: Day
    reason: str
    team: str
    worker: str
    assessments: list[Assessment] = field(default_factory=list)
    plans: list[CinPlan] = field(default_factory=list)
    s47s: list[Section47] = field(default_factory=list)
    cpps: list[CPPlan] = field(default_factory=list)
    pre_proceedings: list[PreProceedings] = field(default_factory=list)


@dataclass(slots=True)
class CareEpisode:
    start: Day
    end: Day
    rne: str
    ls: str
    need: str
    place: str
    provider: str
    rec: str  # X1 when the child stays looked after
    place_change: str  # reason for the placement change that ended this episode, or ""
    pl_post: str
    urn: str


@dataclass(slots=True)
class Adopter:
    id: str
    sex: str  # 1 male, 2 female
    ethnicity: str
    enquiry: Day
    stage1_start: Day
    stage1_end: Day
    stage2_start: Day
    stage2_end: Day
    approval: Day


@dataclass(slots=True)
class Adoption:
    family_id: str
    decision: Day  # decision that the child should be placed for adoption (ADM)
    placement_order: Day
    match: Day | None
    placed: Day | None
    order: Day | None  # adoption order: the period of care ends
    reversed: Day | None  # decision that the child should no longer be placed
    reversed_reason: str
    ffa: Day | None  # placed in fostering for adoption / concurrent planning
    foster_carer: bool  # adopted by the child's foster carer
    sex_adopters: str
    ls_adopters: str
    adopters: list[Adopter]


@dataclass(slots=True)
class CarePeriod:
    start: Day
    end: Day
    rec: str
    uasc: bool
    at18: bool
    episodes: list[CareEpisode]
    reviews: list[tuple[Day, str]]
    missing: list[tuple[str, Day, Day]]
    social_workers: list[tuple[str, Day, Day, str]]  # id, start, end, reason for change
    dolos: list[tuple[Day, Day]]
    prev_perm: tuple[str, str, Day | None]
    adoption: Adoption | None
    care_leaver: bool
    case_end: Day  # the case (and its social worker) closes: after a return home, later
    oc3: dict[int, tuple[str, str, str]]  # age (17..21) -> IN_TOUCH, ACTIV, ACCOM
    mc_dob: Day | None  # a mother's child's date of birth


@dataclass(slots=True)
class Contact:
    id: str
    day: Day
    source: str
    outcome: str  # referral, existing, nfa, advice (see local.py)


@dataclass(slots=True)
class EarlyHelp:
    id: str
    start: Day
    end: Day
    reason: str
    end_reason: str
    organisation: str
    worker: str


@dataclass(slots=True)
class Child:
    index: int
    id: str
    dob: Day
    sex: str  # 1 male, 2 female
    ethnicity: str
    disabilities: tuple[str, ...]  # () no Disabilities block; ("NONE",) none recorded
    upn: str
    death: Day | None
    home_post: str
    episodes: list[CinEpisode]
    care: list[CarePeriod]
    contacts: list[Contact]
    early_help: list[EarlyHelp]
    addresses: list[Address] = field(default_factory=list)  # home addresses, oldest first

    @property
    def disabled(self) -> bool:
        return bool(self.disabilities) and self.disabilities != ("NONE",)


@dataclass(frozen=True, slots=True)
class Context:
    """What every child of one synthetic LA shares."""

    seed: int
    la_code: str
    years: tuple[int, ...]
    id_width: int

    @property
    def postcode_area(self) -> str:
        return POSTCODE_AREAS[int(self.la_code) % len(POSTCODE_AREAS)]
