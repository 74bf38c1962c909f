"""Hostile or broken files: one clear line, a non-zero exit, and the workspace untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from headway.cli import app
from headway.workspace import Workspace
from tests.conftest import snapshot

GOOD_CHILD = """<Child><ChildIdentifiers><LAchildID>C1</LAchildID>
<PersonBirthDate>2015-01-02</PersonBirthDate><GenderCurrent>1</GenderCurrent></ChildIdentifiers>
<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
<CINdetails><CINreferralDate>2023-05-01</CINreferralDate><ReferralSource>1A</ReferralSource>
<ReferralNFA>false</ReferralNFA></CINdetails></Child>"""

CIN = f"""<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails><Source><LEA>201</LEA></Source>
</Header><Children>{GOOD_CHILD}</Children></Message>
"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Message [
 <!ENTITY a "lol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&c;</LAchildID></ChildIdentifiers>
</Child></Children></Message>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID></ChildIdentifiers>
</Child></Children></Message>
"""

SCHOOL = """<?xml version="1.0"?>
<Message><Header><CollectionDetails><Collection>SCHOOL CENSUS</Collection></CollectionDetails>
</Header><Children><Child><ChildIdentifiers><LAchildID>S1</LAchildID></ChildIdentifiers>
<CINdetails/></Child></Children></Message>
"""

OTHER_XML = """<?xml version="1.0"?><Workforce><Worker><ID>1</ID></Worker></Workforce>"""

HEADER_903 = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n"


def _write(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


CASES: dict[str, tuple[str, str | bytes, str]] = {
    # name: (file name, content, words the message must contain)
    "truncated XML": ("cin.xml", CIN[: len(CIN) // 2], "looks truncated"),
    "DOCTYPE (billion laughs)": ("laughs.xml", LAUGHS, "DOCTYPE"),
    "external entity": ("xxe.xml", EXTERNAL, "DOCTYPE"),
    "another collection": ("school.xml", SCHOOL, "not the CIN census"),
    "XML of no known return": ("other.xml", OTHER_XML, "not a CIN census or SSDA903"),
    "cp1252 behind a UTF-8 BOM": (
        "header.csv",
        b"\xef\xbb\xbf"
        + HEADER_903.encode()
        + "C1,1,01/02/2015,WBRI,A123456789012,,\r\nC2,2,01/02/2015,WBRI,Caf\u00e9,,\r\n".encode(
            "cp1252"
        ),
        "CSV UTF-8",
    ),
    "unrecognised CSV header": ("mystery.csv", "CHILD,FAVOURITE_COLOUR\r\nC1,blue\r\n", "header"),
    "blank file": ("blank.csv", "   \n\n", "blank"),
    "0-byte file": ("zero.xml", b"", "0 bytes"),
}


def _run(ws: Workspace, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["ingest", "-w", str(ws.path), *args])
    return result.exit_code, result.output


def _assert_refused(ws: Workspace, args: list[str], words: str) -> None:
    before = snapshot(ws)
    code, output = _run(ws, *args)
    assert code == 1, output
    message = output.strip()
    assert message.startswith("Error:"), message
    assert len(message.splitlines()) == 1, message
    assert words.lower() in message.lower(), message
    assert snapshot(ws) == before


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_refused_and_nothing_changes(
    case: str, workspace: Workspace, tmp_path: Path
) -> None:
    name, content, words = CASES[case]
    # A good file in the same call must not be half-loaded when the bad one fails.
    good = _write(tmp_path, "good_cin.xml", CIN)
    bad = _write(tmp_path, name, content)
    _assert_refused(workspace, [str(good), str(bad)], words)


def test_file_over_the_size_cap(workspace: Workspace, tmp_path: Path) -> None:
    big = _write(tmp_path, "big.xml", CIN + " " * 2 * 1024 * 1024)
    _assert_refused(workspace, [str(big), "--max-size", "1"], "over Headway's limit")


def test_directory(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    _assert_refused(workspace, [str(folder)], "is a folder")


def test_missing_file(workspace: Workspace, tmp_path: Path) -> None:
    _assert_refused(workspace, [str(tmp_path / "nope.xml")], "does not exist")


def test_return_of_another_la(workspace: Workspace, tmp_path: Path) -> None:
    other = _write(tmp_path, "cin.xml", CIN.replace("<LEA>201</LEA>", "<LEA>202</LEA>"))
    _assert_refused(workspace, [str(other)], "LA 202")


def test_no_workspace(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "-w", str(tmp_path / "none"), "x.xml"])
    assert result.exit_code == 1
    assert "headway init" in result.output


def test_windows_1252_without_marker_is_read(workspace: Workspace, tmp_path: Path) -> None:
    """Older Excel saves CSV as Windows-1252 with no marker: that is read, not refused."""
    path = tmp_path / "ssd_contacts.csv"
    path.write_bytes(
        "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_desc\r\n"
        "K1,C1,2024-01-05,Caf\u00e9 outreach\r\n".encode("cp1252")
    )
    code, output = _run(workspace, str(path), "--year", "2024")
    assert code == 0, output
    with workspace.connect(read_only=True) as con:
        assert con.execute("SELECT cont_contact_source_desc FROM ssd_contacts").fetchall() == [
            ("Caf\u00e9 outreach",)
        ]
