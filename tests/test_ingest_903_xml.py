"""SSDA903 XML: the same records and rows as the 903 CSVs, and hostile files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from headway.errors import HeadwayError
from headway.ingest import ingest
from headway.model.schema import table
from headway.workspace import Workspace
from tests.conftest import snapshot

# Three synthetic children: one with every group, one care leaver with dd/mm/YYYY dates and
# a UASC flag of 0 (so no UASC row), and one with no CHILDID (quarantined, as a CSV row
# with no CHILD is). Element names as the D2I validator's XML reader expects them.
XML = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
 <CHILD>
  <CHILDID>C1</CHILDID><SEX>1</SEX><DOB>2012-04-05</DOB><ETHNIC>WBRI</ETHNIC>
  <UPN>A123456789012</UPN><MOTHER/><MC_DOB/>
  <UASC>1</UASC><DUC>2030-04-05</DUC>
  <DATE_INT>2023-07-01</DATE_INT><DATE_MATCH>2023-09-01</DATE_MATCH><FOSTER_CARE>0</FOSTER_CARE>
  <NB_ADOPTR>2</NB_ADOPTR><SEX_ADOPTR>MF</SEX_ADOPTR><LS_ADOPTR>L0</LS_ADOPTR>
  <FAVOURITE_COLOUR>blue</FAVOURITE_COLOUR>
  <EPISODE><DECOM>2023-04-10</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL>
   <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC>2023-08-01</DEC><REC>X1</REC>
   <REASON_PLACE_CHANGE/><HOME_POST>AB1 2CD</HOME_POST><PL_POST>AB3 4EF</PL_POST>
   <URN>SC123456</URN></EPISODE>
  <EPISODE><DECOM>2023-08-01</DECOM><RNE>P</RNE><LS>E1</LS><CIN>N1</CIN><PL>A5</PL>
   <PLACE_PROVIDER>PR1</PLACE_PROVIDER><DEC/><REC/><REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE>
   <HOME_POST>AB1 2CD</HOME_POST><PL_POST>AB5 6GH</PL_POST><URN/></EPISODE>
  <HEADER>
   <AREVIEW><REVIEW>2023-05-01</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
   <AREVIEW><REVIEW>2023-11-01</REVIEW><REVIEW_CODE>PN2</REVIEW_CODE></AREVIEW>
   <AMISSING><MISSING>M</MISSING><MIS_START>2023-06-01</MIS_START><MIS_END>2023-06-02</MIS_END>
   </AMISSING>
   <OC2><SDQ_SCORE>12</SDQ_SCORE><SDQ_REASON/><CONVICTED>0</CONVICTED><HEALTH_CHECK>1</HEALTH_CHECK>
    <IMMUNISATIONS>1</IMMUNISATIONS><TEETH_CHECK>1</TEETH_CHECK><HEALTH_ASSESSMENT>1</HEALTH_ASSESSMENT>
    <SUBSTANCE_MISUSE>0</SUBSTANCE_MISUSE><INTERVENTION_RECEIVED/><INTERVENTION_OFFERED/></OC2>
   <PERMANENCE><PREV_PERM>Z1</PREV_PERM><LA_PERM/><DATE_PERM/></PERMANENCE>
   <AD_PLACED><DATE_PLACED>2023-10-01</DATE_PLACED><DATE_PLACED_CEASED/>
    <REASON_PLACED_CEASED/></AD_PLACED>
  </HEADER>
 </CHILD>
 <CHILD>
  <CHILDID>C2</CHILDID><SEX>2</SEX><DOB>03/02/2005</DOB><ETHNIC>BAFR</ETHNIC><UPN>UN1</UPN>
  <MOTHER>1</MOTHER><MC_DOB>01/12/2023</MC_DOB><UASC>0</UASC>
  <IN_TOUCH>YES</IN_TOUCH><ACTIV>F2</ACTIV><ACCOM>B</ACCOM>
  <EPISODE><DECOM>01/05/2022</DECOM><RNE>S</RNE><LS>V2</LS><CIN>N2</CIN><PL>H5</PL>
   <PLACE_PROVIDER>PR2</PLACE_PROVIDER><DEC>03/02/2023</DEC><REC>E11</REC><REASON_PLACE_CHANGE/>
   <HOME_POST>AB1 2CD</HOME_POST><PL_POST>AB7 8IJ</PL_POST><URN/></EPISODE>
 </CHILD>
 <CHILD>
  <SEX>1</SEX><DOB>2016-01-01</DOB><ETHNIC>WBRI</ETHNIC>
  <EPISODE><DECOM>2023-09-09</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE>
 </CHILD>
</Message>
"""

# The same children as the 903 CSVs (dd/mm/YYYY, exact 2026-27 headers).
CSVS = {
    "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    "C1,1,05/04/2012,WBRI,A123456789012,,\n"
    "C2,2,03/02/2005,BAFR,UN1,1,01/12/2023\n"
    ",1,01/01/2016,WBRI,,,\n",
    "episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n"
    "C1,10/04/2023,S,C2,N1,U1,PR1,01/08/2023,X1,,AB1 2CD,AB3 4EF,SC123456\n"
    "C1,01/08/2023,P,E1,N1,A5,PR1,,,CARPL,AB1 2CD,AB5 6GH,\n"
    "C2,01/05/2022,S,V2,N2,H5,PR2,03/02/2023,E11,,AB1 2CD,AB7 8IJ,\n"
    ",09/09/2023,S,C2,N1,U1,,,,,,,\n",
    "reviews.csv": "CHILD,DOB,REVIEW,REVIEW_CODE\n"
    "C1,05/04/2012,01/05/2023,PN1\nC1,05/04/2012,01/11/2023,PN2\n",
    "uasc.csv": "CHILD,SEX,DOB,DUC\nC1,1,05/04/2012,05/04/2030\n",
    "oc2.csv": "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
    "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n"
    "C1,05/04/2012,12,,0,1,1,1,1,0,,\n",
    "oc3.csv": "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nC2,03/02/2005,YES,F2,B\n",
    "ad1.csv": "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
    "C1,05/04/2012,01/07/2023,01/09/2023,0,2,MF,L0\n",
    "placed.csv": "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n"
    "C1,05/04/2012,01/10/2023,,\n",
    "prevperm.csv": "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\nC1,05/04/2012,Z1,,\n",
    "missing.csv": "CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,05/04/2012,M,01/06/2023,02/06/2023\n",
}

TABLES_903 = [
    "ssd_person", "ssd_cla_episodes", "ssd_cla_reviews", "ssd_immigration_status",
    "hw_cla_outcomes", "ssd_care_leavers", "ssd_permanence", "ssd_cla_previous_permanence",
    "ssd_missing",
]  # fmt: skip
PROVENANCE = {"hw_load_id", "hw_source_file", "hw_source_ref"}


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _contents(ws: Workspace, name: str) -> list[tuple[object, ...]]:
    cols = [c for c in table(name).column_names if c not in PROVENANCE]
    select = ", ".join(f'"{c}"' for c in cols)
    with ws.connect(read_only=True) as con:
        return con.execute(f'SELECT {select} FROM "{name}" ORDER BY ALL').fetchall()


def _counts(ws: Workspace) -> dict[str, tuple[int, int, int]]:
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT table_name, sum(read), sum(stored), sum(quarantined) FROM hw_load_counts "
            "GROUP BY 1"
        ).fetchall()
    return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}


def test_xml_gives_the_same_rows_as_the_csvs(tmp_path: Path) -> None:
    xml_ws = Workspace.create(tmp_path / "xml_ws", "201")
    csv_ws = Workspace.create(tmp_path / "csv_ws", "201")
    report = ingest(xml_ws, [_write(tmp_path, "return903.xml", XML)], year=2024)
    (f,) = report.files
    assert f.dataset == "ssda903_xml" and f.detail == "SSDA903 XML"
    assert f.records == {
        "Header": 3, "Episodes": 4, "UASC": 1, "OC3": 1, "AD1": 1, "Reviews": 2,
        "Missing": 1, "OC2": 1, "PrevPerm": 1, "PlacedAdoption": 1,
    }  # fmt: skip
    ingest(csv_ws, [_write(tmp_path, name, text) for name, text in CSVS.items()], year=2024)
    assert _counts(xml_ws) == _counts(csv_ws)
    assert _counts(xml_ws)["ssd_person"] == (3, 2, 1)
    assert _counts(xml_ws)["ssd_permanence"] == (2, 2, 0)  # AD1 and PlacedAdoption
    for name in TABLES_903:
        assert _contents(xml_ws, name) == _contents(csv_ws, name), name
    assert all(c.read == c.stored + c.quarantined for c in f.tables.values())


def test_xml_provenance_quarantine_and_unknown_fields(workspace: Workspace, tmp_path: Path) -> None:
    ingest(workspace, [_write(tmp_path, "return903.xml", XML)], year=2024)
    with workspace.connect(read_only=True) as con:
        refs = con.execute(
            "SELECT hw_source_ref FROM ssd_cla_episodes ORDER BY hw_source_ref"
        ).fetchall()
        reviews = con.execute("SELECT hw_source_ref FROM ssd_cla_reviews ORDER BY 1").fetchall()
        uasc = con.execute(
            "SELECT immi_person_id, immi_immigration_status_end_date::VARCHAR, hw_source_ref "
            "FROM ssd_immigration_status"
        ).fetchall()
        held = con.execute("SELECT table_name, source_ref FROM hw_quarantine ORDER BY 2").fetchall()
        issues = con.execute(
            "SELECT table_name, column_name, source_ref, original_value FROM hw_value_issues"
        ).fetchall()
    assert refs == [("CHILD[1]/EPISODE[1]",), ("CHILD[1]/EPISODE[2]",), ("CHILD[2]/EPISODE[1]",)]
    assert reviews == [("CHILD[1]/HEADER/AREVIEW[1]",), ("CHILD[1]/HEADER/AREVIEW[2]",)]
    assert uasc == [("C1", "2030-04-05", "CHILD[1]#UASC")]  # C2's <UASC>0</UASC> is not UASC
    assert held == [("ssd_person", "CHILD[3]"), ("ssd_cla_episodes", "CHILD[3]/EPISODE[1]")]
    assert issues == [("ssd_person", "FAVOURITE_COLOUR", "CHILD[1]", "blue")]


def test_other_groups_are_recognised_by_their_fields(workspace: Workspace, tmp_path: Path) -> None:
    """A group element with an unknown name but the fields of one 903 table (here DoLo)."""
    xml = XML.replace(
        "<HEADER>", "<HEADER><DOLO><DOLO_START>2023-05-05</DOLO_START><DOLO_END/></DOLO>", 1
    )
    report = ingest(workspace, [_write(tmp_path, "r.xml", xml)], year=2024)
    assert report.files[0].records["DoLo"] == 1
    with workspace.connect(read_only=True) as con:
        assert con.execute(
            "SELECT dolo_person_id, dolo_start_date::VARCHAR, hw_reported_dob::VARCHAR, "
            "hw_source_ref FROM hw_deprivation_of_liberty"
        ).fetchall() == [("C1", "2023-05-05", "2012-04-05", "CHILD[1]/HEADER/DOLO[1]")]


DOCTYPE = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Message><CHILD><CHILDID>&x;</CHILDID><EPISODE><DECOM>2023-04-10</DECOM></EPISODE></CHILD>
</Message>
"""


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("truncated.xml", XML[: len(XML) // 2], "looks truncated"),
        ("doctype.xml", DOCTYPE, "DOCTYPE"),
        ("empty.xml", "<Message><!-- <CHILDID> --></Message>", "no child records"),
    ],
)
def test_bad_xml_is_refused_and_nothing_changes(
    name: str, text: str, words: str, workspace: Workspace, tmp_path: Path
) -> None:
    ingest(workspace, [_write(tmp_path, "good.xml", XML)], year=2024)
    before = snapshot(workspace)
    good_again = _write(tmp_path, "good2.xml", XML.replace("C2", "C9"))
    with pytest.raises(HeadwayError, match=words):
        ingest(workspace, [good_again, _write(tmp_path, name, text)], year=2024)
    assert snapshot(workspace) == before


def test_xml_and_csv_forms_of_one_year_replace_each_other_safely(
    workspace: Workspace, tmp_path: Path
) -> None:
    csvs = [_write(tmp_path, name, text) for name, text in CSVS.items()]
    ingest(workspace, csvs, year=2024)
    # The XML is the whole return: it replaces every 903 table loaded from CSV.
    report = ingest(workspace, [_write(tmp_path, "return903.xml", XML)], year=2024)
    assert len(report.files[0].replaced_load_ids) == len(CSVS)
    with workspace.connect(read_only=True) as con:
        assert con.execute("SELECT dataset FROM hw_loads").fetchall() == [("ssda903_xml",)]
    # One CSV table alone cannot replace part of an XML return ...
    before = snapshot(workspace)
    reviews = _write(
        tmp_path, "reviews2.csv", CSVS["reviews.csv"] + "C2,03/02/2005,01/01/2024,PN1\n"
    )
    with pytest.raises(HeadwayError, match="replace only part of it"):
        ingest(workspace, [reviews], year=2024)
    assert snapshot(workspace) == before
    # ... but a set with the Header and Episodes tables can.
    core = [p for p in csvs if p.name in ("header.csv", "episodes.csv")]
    report = ingest(workspace, [*core, reviews], year=2024)
    assert sum(len(f.replaced_load_ids) for f in report.files) == 1
