"""Annex A workbooks: every list lands in its table, local variations load, and the
things a values-only reader would get wrong are refused with the workspace untouched.

Workbooks are built here with XlsxWriter (real xlsx files); the children are synthetic.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from typer.testing import CliRunner

from headway import cli
from headway.errors import HeadwayError
from headway.ingest import ingest
from headway.ingest.annex_a import UNKNOWN_COLUMN
from headway.workspace import Workspace
from tests.conftest import snapshot

COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
DISABILITY = "Does the Child have a Disability"
TEAM = ["Allocated Team", "Allocated Worker"]
# The published Annex A headings, list by list.
HEADINGS: dict[int, list[str]] = {
    1: [*COMMON, "Date of Contact", "Contact Source"],
    2: [*COMMON, "Assessment start date", "Assessment completion date",
        "Organisation completing assessment"],
    3: [*COMMON, "Date of referral", "Referral Source", "Referral NFA?",
        "Number of Referrals in Last 12 Months", *TEAM],
    4: [*COMMON, DISABILITY, "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?", *TEAM],
    5: [*COMMON, DISABILITY, "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months", *TEAM],
    6: [*COMMON, DISABILITY, "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen",
        "CIN Closure Date", "Reason for Closure", "Case Status", *TEAM],
    7: [*COMMON, DISABILITY, "Child Protection Plan Start Date", "Initial Category of Abuse",
        "Latest Category of Abuse", "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
        "Date of latest review conference", "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
        "Months (Y/N)", "Number of Previous Child Protection Plans", *TEAM],
    8: [*COMMON, "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        DISABILITY, "Date Started to be Looked After", "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last "
        "12 months (Y/N)", "Start date of current legal status", "Child's Legal Status",
        "Date of Latest Statutory Review", "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment",
        "Date of Last Dental Check", "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement", "Placement Type", "Placement Provider",
        "Placement postcode", "URN of Placement", "Placement Location", "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 "
        "months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 "
        "months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        *TEAM],
    9: [*COMMON, DISABILITY, *TEAM, "Eligibility Category", "LA in Touch",
        "Type of Accommodation", "Suitability of Accommodation", "Activity Status"],
    10: ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth",
         "Age of Child (Years)", DISABILITY, "Date the Child Entered Care",
         "Date of Decision that Child Should be Placed for Adoption", "Date of Placement Order",
         "Date of Matching Child and Prospective Adopters", "Date Placed for Adoption",
         "Date of Adoption Order",
         "Date of Decision that Child Should No Longer be Placed for Adoption",
         "Reason Why Child No Longer Placed for Adoption",
         "Date the child was placed for fostering in FFA or concurrent planning placement"],
    11: ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity",
         "Disability", "Is the (prospective) adopter fostering for adoption?",
         "Date enquiry received", "Date Stage 1 started", "Date Stage 1 ended",
         "Date Stage 2 started", "Date Stage 2 ended", "Date application submitted",
         "Date application approved", "Date adopter matched with child(ren)",
         "Date child/children placed with adopter(s)", "No. of children placed",
         "Date of Adoption Order", "Date of leaving adoption process",
         "Reason for leaving adoption process"],
}  # fmt: skip
TABLES = {1: "ssd_contacts", 2: "ssd_early_help_episodes", 3: "ssd_cin_episodes",
          4: "ssd_cin_assessments", 5: "ssd_s47_enquiry", 6: "ssd_cin_episodes",
          7: "ssd_cp_plans", 8: "ssd_cla_episodes", 9: "ssd_care_leavers",
          10: "ssd_permanence", 11: "hw_adopters"}  # fmt: skip


def value(heading: str, n: int) -> Any:
    """A plausible synthetic value for a heading, for the n-th row."""
    h = heading.lower()
    if h in ("child unique id", "child id", "childuniqueid"):
        return f"C{n:04d}"
    if "adopter identifier" in h:
        return f"A{n:03d}"
    if "family identifier" in h:
        return f"F{n:03d}"
    if h in ("date of birth", "dob"):
        return datetime(2012, 1 + n % 12, 1 + n % 28)
    if "date" in h or h.startswith("start date"):
        return datetime(2023, 10 + n % 3, 1 + n % 28)
    if h.startswith(("number", "no.", "age")):
        return n % 5 + 1
    if h == "gender":
        return "b) Female" if n % 2 else "a) Male"
    return f"code{n % 3}"


class Book:
    """An XlsxWriter workbook with helpers for the shapes Annex A returns come in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wb = xlsxwriter.Workbook(str(path))
        self.date = self.wb.add_format({"num_format": "dd/mm/yyyy"})

    def sheet(
        self,
        name: str,
        headings: list[str],
        rows: int = 3,
        title: bool = False,
        first_id: int = 1,
    ) -> Any:
        ws = self.wb.add_worksheet(name)
        r = 0
        if title:
            ws.merge_range(0, 0, 0, 3, f"Annex A {name}, as at 31/03/2024")
            r = 2  # the title, then a blank row, then the header
        ws.write_row(r, 0, headings)
        for i in range(rows):
            for c, h in enumerate(headings):
                v = value(h, first_id + i)
                if isinstance(v, datetime):
                    ws.write_datetime(r + 1 + i, c, v, self.date)
                else:
                    ws.write(r + 1 + i, c, v)
        return ws

    def save(self) -> Path:
        self.wb.close()
        return self.path


def full_book(path: Path, rows: int = 3) -> Path:
    book = Book(path)
    for n, headings in HEADINGS.items():
        book.sheet(f"List {n}", headings, rows=rows)
    return book.save()


def query(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    with ws.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_list_lands_in_its_table(workspace: Workspace, tmp_path: Path) -> None:
    book = Book(tmp_path / "annex_a.xlsx")
    for n, headings in HEADINGS.items():
        ws = book.sheet(f"List {n}", headings, rows=3)
        if n == 3:  # a row with no child ID, and a blank row
            ws.write_row(4, 1, ["a) Male", "WBRI"])
        if n == 11:  # an adopter known only by family, and a row with neither ID
            ws.write_row(4, 1, ["F900", "a) Male"])
            ws.write_row(5, 2, ["b) Female"])
    path = book.save()
    report = ingest(workspace, [path])
    (f,) = report.files
    assert f.dataset == "annex_a" and f.collection_year == 2024
    assert f.detail.startswith("Annex A lists 1-11")
    assert f.records == {f"List {n}": 3 for n in range(1, 12)} | {"List 3": 4, "List 11": 5}
    counts = {k: (c.read, c.stored, c.quarantined) for k, c in f.tables.items()}
    assert counts == {
        "ssd_contacts": (3, 3, 0), "ssd_early_help_episodes": (3, 3, 0),
        "ssd_cin_episodes": (7, 6, 1), "ssd_cin_assessments": (3, 3, 0),
        "ssd_s47_enquiry": (3, 3, 0), "ssd_cp_plans": (3, 3, 0), "ssd_cla_episodes": (3, 3, 0),
        "ssd_care_leavers": (3, 3, 0), "ssd_permanence": (3, 3, 0), "hw_adopters": (5, 4, 1),
    }  # fmt: skip
    for n, name in TABLES.items():
        assert query(workspace, f"SELECT count(*) FROM {name} WHERE hw_source_ref "
                     f"LIKE 'List {n}!row %'") == [(4 if n == 11 else 3,)], n  # fmt: skip
    assert query(workspace, "SELECT cine_annex_a_list, count(*) FROM ssd_cin_episodes "
                 "GROUP BY 1 ORDER BY 1") == [("List 3", 3), ("List 6", 3)]  # fmt: skip
    assert query(workspace, "SELECT cont_person_id, cont_contact_date::VARCHAR, hw_reported_sex,"
                 " hw_reported_dob::VARCHAR, hw_reported_age, hw_source_ref FROM ssd_contacts "
                 "ORDER BY 1 LIMIT 1") == [
        ("C0001", "2023-11-02", "b) Female", "2012-02-02", 2, "List 1!row 2")
    ]  # fmt: skip
    assert query(workspace, "SELECT adop_adopter_id, adop_family_id FROM hw_adopters "
                 "WHERE adop_adopter_id IS NULL") == [(None, "F900")]  # fmt: skip
    assert query(workspace, "SELECT table_name, source_ref, reason FROM hw_quarantine "
                 "ORDER BY 2") == [
        ("hw_adopters", "List 11!row 6",
         "the row has no Individual adopter identifier or Family identifier"),
        ("ssd_cin_episodes", "List 3!row 5", "the row has no Child Unique ID"),
    ]  # fmt: skip
    # Every Annex A column of every list landed in a column: no value kept aside.
    assert query(workspace, "SELECT count(*) FROM hw_value_issues") == [(0,)]
    assert query(workspace, "SELECT clae_placements_last_12m, clae_entered_care_date::VARCHAR "
                 "FROM ssd_cla_episodes ORDER BY 1 LIMIT 1") == [(2, "2023-11-02")]  # fmt: skip
    assert all(c.read == c.stored + c.quarantined for c in f.tables.values())


def test_local_variations_load(workspace: Workspace, tmp_path: Path) -> None:
    book = Book(tmp_path / "variants.xlsx")
    cover = book.wb.add_worksheet("Cover")
    cover.write(0, 0, "Annex A return for inspection")
    cover.write_formula(1, 0, '="Prepared "&"today"')  # formulas outside the lists are fine
    # Title rows above the header (merged), other sheet names, other spellings.
    contacts = book.sheet("List 1 - Contacts", ["Child ID", "Sex", "Ethnicity", "DOB", "Age",
                          "date of CONTACT", "Contact source:"], title=True)  # fmt: skip
    contacts.write_formula("F1", '="as at "&"31/03/2024"')  # a formula in the title is fine
    book.sheet("L3 Referrals", ["ChildUniqueID", "Gender", "Ethnicity", "Date of Birth",
               "Referral Date", "Referral Source", "Referral NFA"])  # fmt: skip
    book.sheet("Children in need", ["Child Unique ID", "Gender", "CIN start date",
               "Primary need", "Case status"], rows=2)  # fmt: skip
    book.sheet("List7", ["CHILD UNIQUE ID", "CP Plan Start Date", "Initial Category of Abuse",
               "Notes"])  # fmt: skip
    book.sheet("Sheet9", ["Child Unique ID", "Eligibility Category", "LA in touch",
               "Activity status"])  # fmt: skip
    lookups = book.wb.add_worksheet("Lookups")
    lookups.write_column(0, 0, ["Gender", "a) Male", "b) Female"])
    lookups.hide()  # a hidden sheet that is not a list is left alone
    path = book.save()
    (f,) = ingest(workspace, [path]).files
    assert f.detail.startswith(
        "Annex A lists 1, 3, 6-7, 9; sheets not read: Cover, Lookups (hidden)"
    )
    assert "columns missing: List 3 (Age of Child (Years), Number of Referrals" in f.detail
    assert "List 1 (" not in f.detail  # every list 1 column is there, in other words
    assert f.records == {"List 1": 3, "List 3": 3, "List 6": 2, "List 7": 3, "List 9": 3}
    assert query(workspace, "SELECT cont_person_id, hw_reported_sex, hw_reported_dob::VARCHAR, "
                 "hw_reported_age, cont_contact_date::VARCHAR, hw_source_ref FROM ssd_contacts "
                 "ORDER BY 1 LIMIT 1") == [
        ("C0001", "code1", "2012-02-02", 2, "2023-11-02", "List 1 - Contacts!row 4")
    ]  # fmt: skip
    assert query(workspace, "SELECT cine_annex_a_list, cine_referral_date::VARCHAR, "
                 "cine_case_status FROM ssd_cin_episodes ORDER BY hw_source_ref LIMIT 1") == [
        ("List 6", "2023-11-02", "code1")
    ]  # fmt: skip
    # The extra "Notes" column is kept cell by cell, not loaded and not lost.
    assert query(workspace, "SELECT table_name, column_name, source_ref, original_value, issue "
                 "FROM hw_value_issues ORDER BY 3") == [
        ("ssd_cp_plans", "Notes", f"List7!row {r}", f"code{(r - 1) % 3}", UNKNOWN_COLUMN)
        for r in (2, 3, 4)
    ]  # fmt: skip


def _formula(book: Book) -> None:
    ws = book.sheet("List 3", HEADINGS[3])
    ws.write_formula("B3", '="a) "&"Male"', None, "a) Male")


def _merged(book: Book) -> None:
    ws = book.sheet("List 3", HEADINGS[3], title=True)
    ws.merge_range("A5:B5", "C0009")


def _hidden(book: Book) -> None:
    book.sheet("List 1", HEADINGS[1])
    book.sheet("Old referrals", HEADINGS[3]).hide()


def _second_header(book: Book) -> None:
    ws = book.sheet("List 3", HEADINGS[3], rows=5)
    ws.write_row(6, 0, ["Child ID", *HEADINGS[6][1:]])  # list 6 pasted under list 3


def _nothing(book: Book) -> None:
    book.wb.add_worksheet("Cover").write(0, 0, "Annex A")
    book.sheet("Data", ["ID", "Colour"])


def _hidden_by_name(book: Book) -> None:
    book.sheet("List 1", HEADINGS[1])
    hidden = book.wb.add_worksheet("List 2")
    hidden.write(0, 0, "old copy")
    hidden.hide()


def _two_sheets(book: Book) -> None:
    book.sheet("List 3", HEADINGS[3])
    book.sheet("Referrals (2)", HEADINGS[3])


def _no_header(book: Book) -> None:
    book.sheet("List 4", ["Reference", "Assessment"])


def _two_id_columns(book: Book) -> None:
    book.sheet("List 1", [*HEADINGS[1], "Child ID"])


BAD: dict[str, tuple[Callable[[Book], None], list[str]]] = {
    "formula in a data cell": (_formula, ["'List 3'", "formula in cell B3", "paste", "values"]),
    "merged cells in the table": (_merged, ["'List 3'", "merged cells A5:B5", "unmerge"]),
    "hidden sheet that looks like a list": (
        _hidden,
        ["'Old referrals'", "hidden", "list 3", "unhide"],
    ),
    "hidden sheet named as a list": (_hidden_by_name, ["'List 2'", "hidden", "list 2"]),
    "second header row in the data": (_second_header, ["'List 3'", "row 7", "repeats the header"]),
    "no list at all": (_nothing, ["none of its sheets", "'Cover', 'Data'"]),
    "two sheets for one list": (_two_sheets, ["'List 3' and 'Referrals (2)'", "list 3"]),
    "list sheet without its header": (_no_header, ["'List 4'", "no header row", "list 4"]),
    "two columns for one field": (_two_id_columns, ["two columns for 'Child Unique ID'", "H"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_workbook_is_refused_and_nothing_changes(
    case: str, workspace: Workspace, tmp_path: Path
) -> None:
    ingest(workspace, [full_book(tmp_path / "earlier.xlsx")])
    before = snapshot(workspace)
    build, words = BAD[case]
    book = Book(tmp_path / "bad.xlsx")
    build(book)
    bad = book.save()
    # A good file in the same call must not be half-loaded when the bad one fails.
    good = _write_903(tmp_path)
    with pytest.raises(HeadwayError) as err:
        ingest(workspace, [good, bad])
    message = str(err.value)
    for w in words:
        assert w.lower() in message.lower(), message
    assert snapshot(workspace) == before


def _write_903(tmp_path: Path) -> Path:
    path = tmp_path / "episodes.csv"
    path.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\nC1,01/06/2023,S,C2,N1,U1,PR1,,,,,,\n",
        encoding="utf-8",
    )
    return path


def test_zip_bomb_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    path = full_book(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (40 * 1024**2))
    assert path.stat().st_size < 1024**2
    before = snapshot(workspace)
    with pytest.raises(HeadwayError, match="zip bomb"):
        ingest(workspace, [path])
    assert snapshot(workspace) == before


def test_part_that_lies_about_its_size_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    path = full_book(tmp_path / "forged.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    # Declare 10 bytes in the central directory entry (uncompressed size at offset 24).
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(info.filename)] != info.filename.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    before = snapshot(workspace)
    with pytest.raises(HeadwayError, match="damaged"):
        ingest(workspace, [path])
    assert snapshot(workspace) == before


def test_cli_refuses_a_bad_workbook_in_one_line(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Book(tmp_path / "formula.xlsx")
    _formula(book)
    path = book.save()
    monkeypatch.setattr(cli.console, "width", 1000)  # no wrapping: one line means one line
    before = snapshot(workspace)
    result = CliRunner().invoke(cli.app, ["ingest", "-w", str(workspace.path), str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: formula.xlsx: sheet 'List 3' has a formula in cell B3.")
    assert snapshot(workspace) == before


@pytest.mark.slow
def test_ten_thousand_children_load_in_seconds(workspace: Workspace, tmp_path: Path) -> None:
    """An LA of 10,000 children: tens of thousands of rows across the lists."""
    import time

    book = Book(tmp_path / "big.xlsx")
    sizes = {1: 20000, 2: 4000, 3: 8000, 4: 8000, 5: 2000, 6: 4000, 7: 800, 8: 900, 9: 600,
             10: 100, 11: 60}  # fmt: skip
    for n, rows in sizes.items():
        book.sheet(f"List {n}", HEADINGS[n], rows=rows)
    path = book.save()
    start = time.perf_counter()
    (f,) = ingest(workspace, [path]).files
    elapsed = time.perf_counter() - start
    assert sum(f.records.values()) == sum(sizes.values())
    assert all(c.read == c.stored for c in f.tables.values())
    assert elapsed < 30, f"{elapsed:.1f} s"  # a generous bound; measured figures in the report
