"""A large CIN file read by several processes gives exactly what one process gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from headway.ingest import cin_parallel, cin_xml
from headway.ingest.load import FileLoad
from headway.model.schema import tables
from headway.workspace import Workspace

CHILD = """
    <Child>
      <ChildIdentifiers><LAchildID>C{i}</LAchildID><PersonBirthDate>2012-03-04</PersonBirthDate>
        <GenderCurrent>{sex}</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>2023-05-{day:02d}</CINreferralDate><ReferralSource>1A</ReferralSource>
        <Assessments><AssessmentActualStartDate>2023-06-{day:02d}</AssessmentActualStartDate>
          <FactorsIdentifiedAtAssessment>{factors}</FactorsIdentifiedAtAssessment></Assessments>
        <ReferralNFA>false</ReferralNFA></CINdetails>
    </Child>"""
NO_ID = "<Child><ChildIdentifiers><GenderCurrent>1</GenderCurrent></ChildIdentifiers></Child>"


def cin_file(path: Path, children: int) -> Path:
    body = "".join(
        CHILD.format(
            i=i, sex=1 + i % 2, day=1 + i % 28,
            factors="<AssessmentFactors>2B</AssessmentFactors>" * (1 + i % 3),
        )
        + (NO_ID if i % 97 == 0 else "")
        for i in range(children)
    )  # fmt: skip
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header><CollectionDetails>'
        "<Collection>CIN</Collection><ReferenceDate>2024-03-31</ReferenceDate>"
        f"</CollectionDetails></Header><Children>{body}\n</Children></Message>\n",
        encoding="utf-8",
    )
    return path


def contents(ws: Workspace) -> dict[str, list[tuple[object, ...]]]:
    with ws.connect(read_only=True) as con:
        return {
            name: con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()
            for name in [*tables(), "hw_quarantine", "hw_value_issues"]
        }


def load_with(ws: Workspace, path: Path, parallel: bool) -> dict[str, int]:
    with ws.connect() as con:
        con.begin()
        fl = FileLoad(con, 1, str(path), flush_rows=50)  # small buffers: flushes are exercised
        if parallel:
            parts = cin_parallel.read_in_parallel(path, fl, None, min_bytes=0, workers=3)
            assert parts is not None and parts[0].header is not None
            assert sum(p.children for p in parts) == 1213  # 1,200, plus 13 with no LAchildID
        else:
            cin_xml.read_cin_xml(path, fl)
        fl.finish()
        con.commit()
    return dict(fl.records)


def test_parallel_read_equals_single_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cin_file(tmp_path / "cin.xml", 1200)
    monkeypatch.setattr(cin_xml, "FLUSH_CHECK_EVERY", 7)
    one = Workspace.create(tmp_path / "one", "201")
    many = Workspace.create(tmp_path / "many", "201")
    assert load_with(one, path, parallel=False) == load_with(many, path, parallel=True)
    single, parallel = contents(one), contents(many)
    assert len(single["ssd_assessment_factors"]) == sum(1 + i % 3 for i in range(1200))
    assert single == parallel
    refs = [r[-1] for r in single["hw_quarantine"]]
    assert len(refs) == 13


def test_a_child_tag_in_a_comment_falls_back_to_one_process(tmp_path: Path) -> None:
    """The count of start tags is off by the comment: whatever slices were already inserted
    are taken back, and the whole file is then read by one process, with the right result."""
    path = cin_file(tmp_path / "cin.xml", 50)
    text = path.read_text(encoding="utf-8").replace("<Children>", "<Children><!-- <Child> -->", 1)
    path.write_text(text, encoding="utf-8")
    with Workspace.create(tmp_path / "ws", "201").connect() as con:
        fl = FileLoad(con, 1, str(path))
        assert cin_parallel.read_in_parallel(path, fl, None, min_bytes=0, workers=2) is None
        assert not fl.records and not fl.quarantine_rows
        for name in tables():
            assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone() == (0,), name
        cin_xml.read_cin_xml(path, fl)  # what read_cin_xml does next
        fl.finish()
        assert fl.records["Child"] == 51
