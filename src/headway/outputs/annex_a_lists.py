"""The Ofsted ILACS Annex A lists 1-11: columns in Ofsted's order, where each comes from in
the standard model, which records belong to a list, and what to load when a list is empty.

Headings and their order are those of the liia-tools Annex A data map (the pooling tools'
reference, ../shared/reference/annex_a/data-map.yml), typos included ("Eligibity
Category"), as Headway's synthetic Annex A writes them; every heading is one that Headway's
own Annex A reader recognises (mappings.yaml `annex_a`), so an exported workbook loads back.
The model column behind each heading is the one mappings.yaml maps that heading to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["s", "d", "n"]  # text, date, number

# Headings that are not a column of the list's table: the child's identity and demographics.
CHILD_ID, GENDER, ETHNICITY, DOB, AGE = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
)


@dataclass(frozen=True)
class Col:
    heading: str
    column: str | None  # the list table's column; None for the child's demographics
    kind: Kind = "s"
    labels: str | None = None  # a code list in annex_a_labels.yaml


@dataclass(frozen=True)
class Window:
    """Which merged records fall in a list: `start` on or before the as-at date and, for an
    event list, on or after the window's first day; each of `ends` empty or on or after the
    window's first day. start None: the records of the latest year loaded (care leavers)."""

    start: str | None
    ends: tuple[str, ...] = ()
    event: bool = False


@dataclass(frozen=True)
class ListSpec:
    number: int
    title: str
    table: str
    person: str  # the column identifying the child (list 11: the adopter)
    key: str | None  # with the person, identifies one record (a referral, a plan ...)
    columns: tuple[Col, ...]
    window: Window
    hint: str  # what to load when the list has no data
    months: int = 6
    # SQL condition on candidate rows (alias t for the table, hw_src for the source)
    where: str = "TRUE"
    # End dates after the as-at date are not yet known then: blanked, with these columns.
    ends: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Per source, column -> SQL expression over t replacing the stored value (see cand SQL).
    replace: dict[str, dict[str, str]] = field(default_factory=dict)
    # Columns a source fills beyond its mapping (after `replace`).
    extra_carried: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source_sql: str | None = None  # a custom candidate query (list 8: 903 periods of care)
    group_key: str | None = None  # SQL for the person part of the key, if not `person`

    @property
    def sheet(self) -> str:
        return f"List {self.number}"

    @property
    def headings(self) -> list[str]:
        return [c.heading for c in self.columns]


def _demo(person: str) -> tuple[Col, ...]:
    return (
        Col(CHILD_ID, person),
        Col(GENDER, None, labels="gender"),
        Col(ETHNICITY, None, labels="ethnicity"),
        Col(DOB, None, "d"),
        Col(AGE, None, "n"),
    )


def _dis(column: str) -> Col:
    return Col("Does the Child have a Disability", column, labels="yes_no")


def _work(team: str, worker: str) -> tuple[Col, ...]:
    return (Col("Allocated Team", team), Col("Allocated Worker", worker))


_CIN = "the CIN census"
_EPISODES_AWAY = (
    "Number of Episodes the Child has been '{}' from their Placement in the last 12 months"
)
_NFA = "('true', '1', 'y', 'yes', 'a) yes')"

# List 8 from the SSDA903: one row per period of care. Each year's return holds only the
# episodes open in that year, so the episodes of all years are put on one timeline per child
# first (each episode from the latest year that has it); a period runs from an episode
# starting with RNE 'S' up to the next one. A period that began before the earliest return
# loaded has no 'S' episode: it starts at the child's latest Annex A "Date Started to be
# Looked After" on or before its first episode, else at that episode. The period's row
# carries its latest episode's values, the period's start as the date started to be looked
# after and the latest placement's start. Annex A rows as they are. Both shaped as the table
# plus hw_year, hw_src, hw_pref ({hw_src} is filled in by headway.outputs.annex_a).
_CLA_SOURCE = """
versions AS (
  SELECT t.*, l.collection_year AS hw_year, {hw_src} AS hw_src, 0 AS hw_pref,
    row_number() OVER (
      PARTITION BY t.clae_person_id, t.clae_cla_episode_start_date
      ORDER BY l.collection_year DESC, t.hw_source_ref
    ) AS hw_v
  FROM ssd_cla_episodes AS t JOIN hw_loads AS l ON l.load_id = t.hw_load_id
  WHERE l.source_return = 'ssda903' AND l.collection_year <= $year
    AND t.clae_cla_episode_start_date IS NOT NULL
), annex_starts AS (
  SELECT DISTINCT t.clae_person_id AS hw_pid, t.clae_entered_care_date AS hw_start
  FROM ssd_cla_episodes AS t JOIN hw_loads AS l ON l.load_id = t.hw_load_id
  WHERE l.source_return = 'annex_a' AND l.collection_year <= $year
    AND t.clae_entered_care_date IS NOT NULL
), marked AS (
  SELECT * EXCLUDE (hw_v),
    max(CASE WHEN clae_cla_episode_start_reason = 'S' THEN clae_cla_episode_start_date END)
      OVER (PARTITION BY clae_person_id ORDER BY clae_cla_episode_start_date
            ROWS UNBOUNDED PRECEDING) AS hw_s_start,
    min(clae_cla_episode_start_date) OVER (PARTITION BY clae_person_id) AS hw_first
  FROM versions WHERE hw_v = 1
), timeline AS (
  SELECT m.* EXCLUDE (hw_s_start, hw_first),
    coalesce(
      m.hw_s_start,
      (SELECT max(a.hw_start) FROM annex_starts AS a
       WHERE a.hw_pid = m.clae_person_id AND a.hw_start <= m.hw_first),
      m.hw_first
    ) AS hw_period_start
  FROM marked AS m
), periods AS (
  SELECT *,
    row_number() OVER (PARTITION BY clae_person_id, hw_period_start
                       ORDER BY clae_cla_episode_start_date DESC) AS hw_n,
    max(CASE WHEN coalesce(clae_cla_episode_start_reason, '') <> 'L'
             THEN clae_cla_episode_start_date END)
      OVER (PARTITION BY clae_person_id, hw_period_start) AS hw_placed
  FROM timeline
), cand AS (
  SELECT * EXCLUDE (hw_n, hw_period_start, hw_placed)
    REPLACE (hw_period_start AS clae_entered_care_date, hw_placed AS clae_placement_start_date)
  FROM periods WHERE hw_n = 1
  UNION ALL BY NAME
  SELECT t.*, l.collection_year AS hw_year, l.source_return AS hw_src,
    CASE WHEN l.source_return = 'annex_a' THEN 1 ELSE 0 END AS hw_pref
  FROM ssd_cla_episodes AS t JOIN hw_loads AS l ON l.load_id = t.hw_load_id
  WHERE l.source_return IN ('annex_a', 'ssd_extract') AND l.collection_year <= $year
)"""

LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        1,
        "Contacts",
        "ssd_contacts",
        "cont_person_id",
        "cont_contact_date",
        (
            *_demo("cont_person_id"),
            Col("Date of Contact", "cont_contact_date", "d"),
            Col("Contact Source", "cont_contact_source_code", labels="source"),
        ),
        Window("cont_contact_date", event=True),
        "load the local contacts extract (the SSD's ssd_contacts) or an Annex A workbook "
        "with list 1",
    ),
    ListSpec(
        2,
        "Early help",
        "ssd_early_help_episodes",
        "earl_person_id",
        "earl_episode_start_date",
        (
            *_demo("earl_person_id"),
            Col("Assessment start date", "earl_episode_start_date", "d"),
            Col("Assessment completion date", "earl_episode_end_date", "d"),
            Col("Organisation completing assessment", "earl_episode_organisation"),
        ),
        Window("earl_episode_start_date", ("earl_episode_end_date",)),
        "load the local early help extract (the SSD's ssd_early_help_episodes) or an Annex A "
        "workbook with list 2",
        ends={"earl_episode_end_date": ()},
    ),
    ListSpec(
        3,
        "Referrals",
        "ssd_cin_episodes",
        "cine_person_id",
        "cine_referral_date",
        (
            *_demo("cine_person_id"),
            Col("Date of referral", "cine_referral_date", "d"),
            Col("Referral Source", "cine_referral_source_code", labels="source"),
            Col("Referral NFA?", "cine_referral_nfa", labels="yes_no"),
            Col("Number of Referrals in Last 12 Months", "cine_referrals_last_12m", "n"),
            *_work("cine_referral_team", "cine_referral_worker_id"),
        ),
        Window("cine_referral_date", event=True),
        f"load {_CIN} or an Annex A workbook with list 3",
        where="hw_src IN ('cin_census', 'ssd_extract') OR t.cine_annex_a_list = 'List 3'",
    ),
    ListSpec(
        4,
        "Assessments",
        "ssd_cin_assessments",
        "cina_person_id",
        "cina_assessment_start_date",
        (
            *_demo("cina_person_id"),
            _dis("cina_child_disability"),
            Col("Continuous Assessment Start Date", "cina_assessment_start_date", "d"),
            Col(
                "Child Seen During Continuous Assessment",
                "cina_assessment_child_seen",
                labels="yes_no",
            ),
            Col("Continuous Assessment Date of Authorisation", "cina_assessment_auth_date", "d"),
            Col(
                "Was the child assessed as requiring LA children's social care support",
                "cina_requires_csc_support",
                labels="yes_no",
            ),
            *_work("cina_assessment_team", "cina_assessment_worker_id"),
        ),
        Window("cina_assessment_start_date", ("cina_assessment_auth_date",)),
        f"load {_CIN} or an Annex A workbook with list 4",
        ends={"cina_assessment_auth_date": ("cina_requires_csc_support",)},
    ),
    ListSpec(
        5,
        "Section 47 enquiries and ICPCs",
        "ssd_s47_enquiry",
        "s47e_person_id",
        "s47e_s47_start_date",
        (
            *_demo("s47e_person_id"),
            _dis("s47e_child_disability"),
            Col(
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "s47e_s47_start_date",
                "d",
            ),
            Col(
                "Was an Initial Child Protection Conference deemed unnecessary?",
                "s47e_icpc_not_required",
                labels="yes_no",
            ),
            Col("Date of Initial Child Protection Conference", "s47e_icpc_date", "d"),
            Col(
                "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                "s47e_icpc_resulted_in_cp_plan",
                labels="yes_no",
            ),
            Col("Number of Section 47 Enquiries in the last 12 months", "s47e_s47s_last_12m", "n"),
            Col("Number of ICPCs in the last 12 months", "s47e_icpcs_last_12m", "n"),
            *_work("s47e_s47_completed_by_team", "s47e_s47_completed_by_worker_id"),
        ),
        Window("s47e_s47_start_date", event=True),
        f"load {_CIN} or an Annex A workbook with list 5",
        ends={"s47e_icpc_date": ("s47e_icpc_resulted_in_cp_plan",)},
    ),
    ListSpec(
        6,
        "Children in need",
        "ssd_cin_episodes",
        "cine_person_id",
        "cine_referral_date",
        (
            *_demo("cine_person_id"),
            _dis("cine_child_disability"),
            Col("CIN Start Date", "cine_referral_date", "d"),
            Col("Primary Need Code", "cine_cin_primary_need_code", labels="need"),
            Col("Date Child Was Last Seen", "cine_date_last_seen", "d"),
            Col("CIN Closure Date", "cine_close_date", "d"),
            Col("Reason for Closure", "cine_close_reason", labels="closure"),
            Col("Case status", "cine_case_status"),
            *_work("cine_referral_team", "cine_referral_worker_id"),
        ),
        Window("cine_referral_date", ("cine_close_date",)),
        f"load {_CIN} or an Annex A workbook with list 6",
        where=(
            f"(hw_src IN ('cin_census', 'ssd_extract') AND lower(coalesce(t.cine_referral_nfa, "
            f"'')) NOT IN {_NFA}) OR t.cine_annex_a_list = 'List 6'"
        ),
        ends={"cine_close_date": ("cine_close_reason",)},
    ),
    ListSpec(
        7,
        "Child protection",
        "ssd_cp_plans",
        "cppl_person_id",
        "cppl_cp_plan_start_date",
        (
            *_demo("cppl_person_id"),
            _dis("cppl_child_disability"),
            Col("Child Protection Plan Start Date", "cppl_cp_plan_start_date", "d"),
            Col("Initial Category of Abuse", "cppl_cp_plan_initial_category", labels="abuse"),
            Col("Latest Category of Abuse", "cppl_cp_plan_latest_category", labels="abuse"),
            Col("Date of the Last Statutory Visit", "cppl_last_statutory_visit_date", "d"),
            Col("Was the Child Seen Alone?", "cppl_last_visit_seen_alone", labels="yes_no"),
            Col("Date of latest review conference", "cppl_latest_review_date", "d"),
            Col("Child Protection Plan End Date", "cppl_cp_plan_end_date", "d"),
            Col(
                "Subject to Emergency Protection Order or Protected Under Police Powers in "
                "Last Six Months (Y/N)",
                "cppl_epo_or_police_protection_6m",
                labels="yes_no",
            ),
            Col("Number of Previous Child Protection Plans", "cppl_number_of_previous_cpp", "n"),
            *_work("cppl_allocated_team", "cppl_allocated_worker"),
        ),
        Window("cppl_cp_plan_start_date", ("cppl_cp_plan_end_date",)),
        f"load {_CIN} or an Annex A workbook with list 7",
        ends={"cppl_cp_plan_end_date": ()},
    ),
    ListSpec(
        8,
        "Children in care",
        "ssd_cla_episodes",
        "clae_person_id",
        "clae_entered_care_date",
        (
            *_demo("clae_person_id"),
            Col(
                "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
                "clae_uasc_last_12m",
                labels="yes_no",
            ),
            _dis("clae_child_disability"),
            Col("Date Started to be Looked After", "clae_entered_care_date", "d"),
            Col("Child's Category of Need", "clae_cla_primary_need_code", labels="need"),
            Col(
                "Is this a second or subsequent period of being a Looked After Child within "
                "the last 12 months (Y/N)",
                "clae_subsequent_period_12m",
                labels="yes_no",
            ),
            Col("Start date of current legal status", "clae_legal_status_start_date", "d"),
            Col("Child's Legal Status", "clae_legal_status", labels="legal_status"),
            Col("Date of Latest Statutory Review", "clae_latest_review_date", "d"),
            Col("Date of Last Social Work Visit", "clae_last_sw_visit_date", "d"),
            Col("What is the permanence plan for this child?", "clae_permanence_plan"),
            Col(
                "Date of Last IRO Visit / Contact to the Child",
                "clae_cla_last_iro_contact_date",
                "d",
            ),
            Col("Date of Last Health Assessment", "clae_last_health_assessment_date", "d"),
            Col("Date of Last Dental Check", "clae_last_dental_check_date", "d"),
            Col("Number of Placements in the Last 12 months", "clae_placements_last_12m", "n"),
            Col("Date Ceased to be Looked After", "clae_cla_episode_ceased_date", "d"),
            Col(
                "Reason Ceased to be Looked After",
                "clae_cla_episode_ceased_reason",
                labels="ceased",
            ),
            Col("Start Date of Most Recent Placement", "clae_placement_start_date", "d"),
            Col("Placement Type", "clae_placement_type", labels="placement"),
            Col("Placement Provider", "clae_placement_provider", labels="provider"),
            Col("Placement postcode", "clae_placement_postcode"),
            Col("URN of Placement", "clae_placement_urn"),
            Col("Placement Location", "clae_placement_location"),
            Col("LA of Placement", "clae_placement_la"),
            Col(_EPISODES_AWAY.format("Missing"), "clae_missing_episodes_12m", "n"),
            Col(_EPISODES_AWAY.format("Absent"), "clae_absent_episodes_12m", "n"),
            Col(
                "Was the child offered a Return Interview after their last missing episode (Y/N)?",
                "clae_rhi_offered",
                labels="yes_no",
            ),
            Col(
                "Did the child accept a Return Interview after their last missing episode (Y/N)?",
                "clae_rhi_accepted",
                labels="yes_no",
            ),
            *_work("clae_allocated_team", "clae_allocated_worker"),
        ),
        Window("clae_entered_care_date", ("clae_cla_episode_ceased_date",)),
        "load the SSDA903 return (Episodes) or an Annex A workbook with list 8",
        ends={"clae_cla_episode_ceased_date": ("clae_cla_episode_ceased_reason",)},
        extra_carried={
            "ssda903:Episodes": ("clae_entered_care_date", "clae_placement_start_date"),
        },
        source_sql=_CLA_SOURCE,
    ),
    ListSpec(
        9,
        "Care leavers",
        "ssd_care_leavers",
        "clea_person_id",
        None,
        (
            *_demo("clea_person_id"),
            _dis("clea_child_disability"),
            *_work("clea_care_leaver_allocated_team", "clea_care_leaver_worker_id"),
            Col("Eligibity Category", "clea_care_leaver_eligibility"),
            Col("LA in Touch", "clea_care_leaver_in_touch", labels="in_touch"),
            Col("Type of accommodation", "clea_care_leaver_accommodation", labels="accommodation"),
            Col("Suitability of Accomodation", "clea_care_leaver_accom_suitable"),
            Col("Activity Status", "clea_care_leaver_activity", labels="activity"),
        ),
        Window(None),
        "load the SSDA903 return (OC3) or an Annex A workbook with list 9",
        # The 903 codes accommodation and its suitability together: B1 = B, suitable.
        replace={
            "ssda903:OC3": {
                "clea_care_leaver_accommodation": (
                    "CASE WHEN length(t.clea_care_leaver_accommodation) = 2 "
                    "THEN left(t.clea_care_leaver_accommodation, 1) "
                    "ELSE t.clea_care_leaver_accommodation END"
                ),
                "clea_care_leaver_accom_suitable": (
                    "CASE right(t.clea_care_leaver_accommodation, 1) "
                    "WHEN '1' THEN 'a) Suitable' WHEN '2' THEN 'b) Unsuitable' END"
                ),
            }
        },
        extra_carried={"ssda903:OC3": ("clea_care_leaver_accom_suitable",)},
    ),
    ListSpec(
        10,
        "Adoption",
        "ssd_permanence",
        "perm_person_id",
        "perm_adm_decision_date",
        (
            Col(CHILD_ID, "perm_person_id"),
            Col("Family identifier", "perm_family_id"),
            *_demo("perm_person_id")[1:],
            _dis("perm_child_disability"),
            Col("Date the Child Entered Care", "perm_entered_care_date", "d"),
            Col(
                "Date of Decision that Child Should be Placed for Adoption",
                "perm_adm_decision_date",
                "d",
            ),
            Col("Date of Placement Order", "perm_placement_order_date", "d"),
            Col("Date of Matching Child and Prospective Adopters", "perm_matched_date", "d"),
            Col("Date Placed for Adoption", "perm_placed_for_adoption_date", "d"),
            Col("Date of Adoption Order", "perm_permanence_order_date", "d"),
            Col(
                "Date of Decision that Child Should No Longer be Placed for Adoption",
                "perm_decision_reversed_date",
                "d",
            ),
            Col(
                "Reason Why Child No Longer Placed for Adoption",
                "perm_decision_reversed_reason",
                labels="adoption_reversed",
            ),
            Col(
                "Date the child was placed for fostering in FFA or concurrent planning placement",
                "perm_placed_ffa_cp_date",
                "d",
            ),
        ),
        Window(
            "perm_adm_decision_date", ("perm_permanence_order_date", "perm_decision_reversed_date")
        ),
        "load the SSDA903 return (AD1, PlacedAdoption) or an Annex A workbook with list 10",
        months=12,
        ends={
            "perm_permanence_order_date": (),
            "perm_decision_reversed_date": ("perm_decision_reversed_reason",),
        },
        # The 903's PlacedAdoption DATE_PLACED is the date of the decision that the child
        # should be placed for adoption (the 903 guidance), though the model stores it as
        # perm_placed_for_adoption_date.
        replace={
            "ssda903:PlacedAdoption": {
                "perm_adm_decision_date": "t.perm_placed_for_adoption_date",
                "perm_placed_for_adoption_date": "NULL",
            }
        },
        extra_carried={"ssda903:PlacedAdoption": ("perm_adm_decision_date",)},
    ),
    ListSpec(
        11,
        "Adopters",
        "hw_adopters",
        "adop_adopter_id",
        None,
        (
            Col("Individual adopter identifier", "adop_adopter_id"),
            Col("Family identifier", "adop_family_id"),
            Col("Gender", "adop_gender", labels="gender"),
            Col("Ethnicity", "adop_ethnicity", labels="ethnicity"),
            Col("Disability", "adop_disability", labels="yes_no"),
            Col(
                "Is the (prospective) adopter fostering for adoption?",
                "adop_fostering_for_adoption",
                labels="yes_no",
            ),
            Col("Date enquiry received", "adop_enquiry_date", "d"),
            Col("Date Stage 1 started", "adop_stage1_start_date", "d"),
            Col("Date Stage 1 ended", "adop_stage1_end_date", "d"),
            Col("Date Stage 2 started", "adop_stage2_start_date", "d"),
            Col("Date Stage 2 ended", "adop_stage2_end_date", "d"),
            Col("Date application submitted", "adop_application_date", "d"),
            Col("Date application approved", "adop_approval_date", "d"),
            Col("Date adopter matched with child(ren)", "adop_matched_date", "d"),
            Col("Date child/children placed with adopter(s)", "adop_placed_date", "d"),
            Col("No. of children placed", "adop_children_placed", "n"),
            Col("Date of Adoption Order", "adop_adoption_order_date", "d"),
            Col("Date of leaving adoption process", "adop_left_process_date", "d"),
            Col("Reason for leaving adoption process", "adop_left_process_reason"),
        ),
        Window("adop_enquiry_date", ("adop_adoption_order_date", "adop_left_process_date")),
        "load an Annex A workbook with list 11 (adopters are in no statutory return)",
        months=12,
        ends={
            "adop_adoption_order_date": (),
            "adop_left_process_date": ("adop_left_process_reason",),
        },
        group_key="coalesce(adop_adopter_id, 'family ' || adop_family_id)",
    ),
)
