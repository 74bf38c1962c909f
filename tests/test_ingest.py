"""Ingest behaviour on hand-made files: mapping, provenance, idempotence, replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from headway.errors import HeadwayError
from headway.ingest import ingest
from headway.workspace import Workspace
from tests.conftest import snapshot


def cin_xml(year: int, children: str, sex_tag: str = "GenderCurrent", lea: str = "201") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>
<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source></Header>
<Children>{children.replace("GenderCurrent", sex_tag)}</Children></Message>
"""


CHILD_1 = """<Child><ChildIdentifiers><LAchildID>C1</LAchildID><UPN>A123456789012</UPN>
<PersonBirthDate>2015-01-02</PersonBirthDate><GenderCurrent>1</GenderCurrent></ChildIdentifiers>
<ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities><Disability>MOB</Disability>
<Disability>HEAR</Disability></Disabilities></ChildCharacteristics>
<CINdetails><CINreferralDate>2023-05-01</CINreferralDate><ReferralSource>1A</ReferralSource>
<PrimaryNeedCode>N1</PrimaryNeedCode>
<Assessments><AssessmentActualStartDate>02/05/2023</AssessmentActualStartDate>
<AssessmentAuthorisationDate>2023-13-01</AssessmentAuthorisationDate>
<FactorsIdentifiedAtAssessment><AssessmentFactors>2B</AssessmentFactors>
<AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>
<Section47><S47ActualStartDate>2023-05-20</S47ActualStartDate><ICPCnotRequired>false</ICPCnotRequired>
<DateOfInitialCPC>2023-06-01</DateOfInitialCPC></Section47>
<ReferralNFA>false</ReferralNFA><FavouriteColour>blue</FavouriteColour>
<ChildProtectionPlans><CPPstartDate>2023-06-01</CPPstartDate>
<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
<NumberOfPreviousCPP>1</NumberOfPreviousCPP><Reviews><CPPreviewDate>2023-09-01</CPPreviewDate>
<CPPreviewDate>2024-01-10</CPPreviewDate></Reviews></ChildProtectionPlans></CINdetails>
<CINdetails><CINreferralDate>2024-02-01</CINreferralDate><ReferralSource>5D</ReferralSource>
<ReferralNFA>true</ReferralNFA></CINdetails></Child>"""

CHILD_NO_ID = """<Child><ChildIdentifiers><GenderCurrent>2</GenderCurrent></ChildIdentifiers>
<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
<CINdetails><CINreferralDate>2023-07-01</CINreferralDate><ReferralSource>1A</ReferralSource>
<ReferralNFA>true</ReferralNFA></CINdetails></Child>"""


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    with ws.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


def test_cin_child_lands_in_ssd_tables_with_provenance(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write(tmp_path, "anything.txt", cin_xml(2024, CHILD_1 + CHILD_NO_ID))
    report = ingest(workspace, [path])
    (f,) = report.files
    assert f.collection_year == 2024 and f.status == "loaded"
    assert f.records == {
        "Child": 2,
        "Disability": 2,
        "CINdetails": 3,
        "Assessments": 1,
        "AssessmentFactors": 2,
        "Section47": 1,
        "ChildProtectionPlans": 1,
        "CPPreviewDate": 2,
    }
    counts = {k: (c.read, c.stored, c.quarantined) for k, c in f.tables.items()}
    assert counts["ssd_person"] == (2, 1, 1)
    assert counts["ssd_cin_episodes"] == (3, 2, 1)
    assert counts["ssd_cp_reviews"] == (2, 2, 0)
    assert rows(
        workspace,
        "SELECT pers_person_id, pers_upn, pers_sex, pers_ethnicity, "
        "pers_dob::VARCHAR FROM ssd_person",
    ) == [("C1", "A123456789012", "1", "WBRI", "2015-01-02")]
    assert rows(
        workspace,
        "SELECT cina_assessment_id, cina_referral_id, "
        "cina_assessment_start_date::VARCHAR, hw_source_ref FROM ssd_cin_assessments",
    ) == [("C1/CIN1/A1", "C1/CIN1", "2023-05-02", "Child[1]/CINdetails[1]/Assessments[1]")]
    assert rows(
        workspace,
        "SELECT cppr_cp_plan_id, cppr_cp_review_date::VARCHAR FROM ssd_cp_reviews ORDER BY 2",
    ) == [("C1/CIN1/CPP1", "2023-09-01"), ("C1/CIN1/CPP1", "2024-01-10")]
    assert rows(workspace, "SELECT DISTINCT hw_source_file FROM ssd_person") == [(str(path),)]
    # The unreadable date and the unknown element are kept as sent, not lost.
    issues = rows(
        workspace, "SELECT column_name, original_value, source_ref FROM hw_value_issues ORDER BY 1"
    )
    assert (
        "cina_assessment_auth_date",
        "2023-13-01",
        "Child[1]/CINdetails[1]/Assessments[1]",
    ) in issues
    assert ("FavouriteColour", "blue", "Child[1]/CINdetails[1]") in issues
    quarantined = rows(workspace, "SELECT table_name, source_ref FROM hw_quarantine ORDER BY 2")
    assert quarantined == [
        ("ssd_person", "Child[2]"),
        ("ssd_cin_episodes", "Child[2]/CINdetails[1]"),
    ]


def test_sex_replaces_gender_current_from_2025(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "cin2025.xml", cin_xml(2025, CHILD_1, sex_tag="Sex"))
    report = ingest(workspace, [path])
    assert "Sex" in report.files[0].detail
    assert rows(workspace, "SELECT pers_sex FROM ssd_person") == [("1",)]


def test_same_file_twice_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "cin.xml", cin_xml(2024, CHILD_1))
    ingest(workspace, [path])
    before = snapshot(workspace)
    again = ingest(workspace, [path])
    assert again.files[0].status == "unchanged"
    assert snapshot(workspace) == before


def test_newer_file_for_the_same_year_replaces_the_older(
    workspace: Workspace, tmp_path: Path
) -> None:
    ingest(workspace, [write(tmp_path, "v1.xml", cin_xml(2024, CHILD_1 + CHILD_NO_ID))])
    fixed = CHILD_NO_ID.replace("<ChildIdentifiers>", "<ChildIdentifiers><LAchildID>C2</LAchildID>")
    report = ingest(workspace, [write(tmp_path, "v2.xml", cin_xml(2024, CHILD_1 + fixed))])
    assert report.files[0].replaced_load_ids == [1]
    assert rows(workspace, "SELECT count(*) FROM hw_loads") == [(1,)]
    assert rows(workspace, "SELECT pers_person_id FROM ssd_person ORDER BY 1") == [("C1",), ("C2",)]
    assert rows(workspace, "SELECT count(*) FROM hw_quarantine") == [(0,)]
    # Another year is added beside it, not in its place.
    ingest(workspace, [write(tmp_path, "y2023.xml", cin_xml(2023, CHILD_1))])
    assert rows(workspace, "SELECT collection_year FROM hw_loads ORDER BY 1") == [(2023,), (2024,)]


EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def test_903_recognised_by_header_and_year_from_its_events(
    workspace: Workspace, tmp_path: Path
) -> None:
    # Columns in another order and case, a blank line, a short row, a row with no CHILD.
    header = "urn,Child," + ",".join(EPISODES.split(",")[1:-1])
    text = (
        f"{header}\r\n"
        "SC1,C1,01/06/2023,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF\r\n"
        ",,,,,,,,,,,,\r\n"
        "SC2,C3,15/09/2023,S,V2,N2,U1,PR1,02/02/2024,E11,,AB1 2CD\r\n"
        ",,01/10/2023,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF\r\n"
    )
    report = ingest(workspace, [write(tmp_path, "export_from_cms.csv", text)])
    (f,) = report.files
    assert f.dataset == "ssda903:Episodes" and f.collection_year == 2024
    assert f.blank_rows == 1
    assert (f.tables["ssd_cla_episodes"].read, f.tables["ssd_cla_episodes"].stored) == (3, 1)
    assert rows(
        workspace,
        "SELECT clae_person_id, clae_placement_urn, "
        "clae_cla_episode_start_date::VARCHAR FROM ssd_cla_episodes",
    ) == [("C1", "SC1", "2023-06-01")]
    reasons = [
        r for (r,) in rows(workspace, "SELECT reason FROM hw_quarantine ORDER BY source_ref")
    ]
    assert reasons == [
        "the row has 12 fields but the header has 13",
        "the row has no child identifier",
    ]


def test_year_of_a_903_table_without_dates_comes_from_the_cin_loaded_with_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    header = write(
        tmp_path, "h.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,02/01/2015,WBRI,UN1,,\n"
    )
    report = ingest(workspace, [header, write(tmp_path, "c.xml", cin_xml(2024, CHILD_1))])
    assert [f.collection_year for f in report.files] == [2024, 2024]
    with pytest.raises(HeadwayError, match="--year"):
        ingest(
            workspace,
            [
                write(
                    tmp_path, "h2.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC9,1,,WBRI,UN1,,\n"
                )
            ],
        )


def test_ssd_extract_parquet(workspace: Workspace, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "ssd_early_help_episodes.parquet"
    pq.write_table(
        pa.table(
            {
                "earl_episode_id": ["E1", "E2"],
                "earl_person_id": ["C1", "C2"],
                "earl_episode_start_date": ["2024-01-03", "not known"],
            }
        ),
        path,
    )
    report = ingest(workspace, [path], year=2024)
    assert report.files[0].dataset == "ssd:ssd_early_help_episodes"
    assert rows(
        workspace,
        "SELECT earl_person_id, earl_episode_start_date::VARCHAR FROM "
        "ssd_early_help_episodes ORDER BY 1",
    ) == [("C1", "2024-01-03"), ("C2", None)]
    assert rows(workspace, "SELECT original_value FROM hw_value_issues") == [("not known",)]


def test_903_header_takes_the_year_of_the_episodes_loaded_with_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    header = write(
        tmp_path, "h.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,02/01/2015,WBRI,UN1,,\n"
    )
    episodes = write(
        tmp_path, "e.csv", f"{EPISODES}\nC1,01/06/2022,S,C2,N1,U1,PR1,,,,AB1 2CD,AB3 4EF,SC1\n"
    )
    report = ingest(workspace, [header, episodes])
    assert [f.collection_year for f in report.files] == [2023, 2023]
