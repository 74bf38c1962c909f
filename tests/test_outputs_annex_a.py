"""The Annex A lists 1-11 written from the standard model, read back with python-calamine."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from headway.ingest import ingest
from headway.outputs import write_annex_a
from headway.outputs.annex_a import (
    NO_DATA,
    NO_RECORDS,
    WRITTEN,
    AnnexAReport,
    collection_year,
    window_start,
)
from headway.outputs.annex_a_lists import LISTS, ListSpec
from headway.synth.annex_a import LISTS as SYNTH_LISTS
from headway.workspace import Workspace
from tests.pg import synthetic_workspace

AS_AT = date(2025, 3, 31)
Rows = list[list[Any]]


def read(path: Path) -> dict[str, Rows]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    finally:
        book.close()


def table(rows: Rows) -> tuple[list[str], Rows]:
    """A list sheet's header and data rows, whether or not a note row comes first."""
    at = 1 if rows and len([c for c in rows[0] if c != ""]) == 1 else 0
    return [str(c) for c in rows[at]], rows[at + 1 :]


def day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("annex-full")


@pytest.fixture(scope="module")
def full_ws(full: Path) -> Workspace:
    return synthetic_workspace(full)


@pytest.fixture(scope="module")
def written(full_ws: Workspace, full: Path) -> tuple[AnnexAReport, dict[str, Rows]]:
    out = full / "annex_a.xlsx"
    with full_ws.connect(read_only=True) as con:
        report = write_annex_a(con, out, AS_AT)
    return report, read(out)


def test_sheets_and_headings_are_ofsteds(written: tuple[AnnexAReport, dict[str, Rows]]) -> None:
    report, sheets = written
    assert list(sheets) == ["Summary", *(f"List {n}" for n in range(1, 12))]
    for spec in LISTS:
        header, _ = table(sheets[spec.sheet])
        assert header == spec.headings
        # the order the pooling tools' data map uses, as the synthetic Annex A writes it
        assert header == [h for h, _kind in SYNTH_LISTS[spec.sheet]]
    assert [r.status for r in report.lists] == [WRITTEN] * 11


def _in_window(spec: ListSpec, row: list[Any]) -> bool:
    first = window_start(AS_AT, spec.months)
    by_column = {c.column: row[i] for i, c in enumerate(spec.columns) if c.column}
    if spec.window.start is not None:
        start = day(by_column[spec.window.start])
        if start is None or start > AS_AT or (spec.window.event and start < first):
            return False
    for end in spec.window.ends:
        ended = day(by_column[end])
        if ended is not None and ended < first:
            return False
    return True


def test_rows_fall_in_the_window_and_nothing_is_after_the_as_at_date(
    written: tuple[AnnexAReport, dict[str, Rows]],
) -> None:
    _, sheets = written
    for spec in LISTS:
        _, rows = table(sheets[spec.sheet])
        assert rows, spec.sheet
        for row in rows:
            assert _in_window(spec, row), (spec.sheet, row)
            dates = [d for d in map(day, row) if d is not None]
            assert all(d <= AS_AT for d in dates), (spec.sheet, row)


def _keys(spec: ListSpec, header: list[str], rows: Rows) -> list[tuple[object, object]]:
    key_heading = next((c.heading for c in spec.columns if c.column == spec.key), None)
    at = header.index(key_heading) if key_heading else None
    return [(row[0], row[at] if at is not None else None) for row in rows]


def test_each_record_is_one_row_and_matches_the_synthetic_las_own_annex_a(
    written: tuple[AnnexAReport, dict[str, Rows]], full: Path
) -> None:
    _, sheets = written
    theirs = read(full / "r" / "2025" / "annex_a_201_2025.xlsx")
    for spec in LISTS:
        header, rows = table(sheets[spec.sheet])
        keys = _keys(spec, header, rows)
        assert len(keys) == len(set(keys)), f"{spec.sheet} repeats a record"
        if spec.number == 2:
            continue  # the local extract's episode end is not Annex A's assessment completion
        their_header, their_rows = table(theirs[spec.sheet])
        assert set(keys) == set(_keys(spec, their_header, their_rows)), spec.sheet


def test_codes_are_written_as_annex_a_labels(
    written: tuple[AnnexAReport, dict[str, Rows]],
) -> None:
    _, sheets = written
    header, rows = table(sheets["List 3"])
    genders = {row[header.index("Gender")] for row in rows}
    assert genders <= {"a) Male", "b) Female", "c) Not stated/recorded"}
    sources = {row[header.index("Referral Source")] for row in rows}
    assert all(str(s)[1:3] == ") " or str(s)[2:4] == ") " for s in sources), sources
    assert {row[header.index("Referral NFA?")] for row in rows} <= {"a) Yes", "b) No"}
    header, rows = table(sheets["List 8"])
    assert all(row[header.index("Age of Child (Years)")] != "" for row in rows)


def test_the_summary_names_every_list_its_rows_and_sources(
    written: tuple[AnnexAReport, dict[str, Rows]],
) -> None:
    report, sheets = written
    summary = sheets["Summary"]
    heads = summary[3]
    assert heads[:6] == ["List", "Title", "Window from", "Window to", "Rows", "Status"]
    lines = {row[0]: row for row in summary[4:15]}
    for rep in report.lists:
        line = lines[rep.sheet]
        _, rows = table(sheets[rep.sheet])
        assert line[4] == rep.rows == len(rows)
        assert line[5] == WRITTEN
        assert day(line[2]) == window_start(AS_AT, 12 if rep.number >= 10 else 6)
        assert day(line[3]) == AS_AT
    assert "CIN census 2025" in lines["List 3"][6] and "Annex A 2025" in lines["List 3"][6]
    assert "SSDA903 Episodes" in lines["List 8"][6]


def test_the_workbook_loads_back_into_headway(
    written: tuple[AnnexAReport, dict[str, Rows]], full: Path, tmp_path: Path
) -> None:
    report, _ = written
    ws = Workspace.create(tmp_path / "again", "201")
    result = ingest(ws, [full / "annex_a.xlsx"], year=2025)
    (loaded,) = result.files
    assert loaded.records == {r.sheet: r.rows for r in report.lists}


# --- Lists with no data, or nothing in the window -------------------------------------------


def test_lists_the_la_has_not_loaded_are_present_and_marked(tmp_path: Path) -> None:
    ws = synthetic_workspace(tmp_path, 300, (2025,), formats=("cin_census", "ssda903_csv"))
    with ws.connect(read_only=True) as con:
        report = write_annex_a(con, tmp_path / "out.xlsx", AS_AT)
    sheets = read(tmp_path / "out.xlsx")
    status = {r.number: r.status for r in report.lists}
    assert {n for n, s in status.items() if s == NO_DATA} == {1, 2, 11}
    assert status[9] in (WRITTEN, NO_RECORDS)  # the 903 OC3 file is loaded, rows or none
    first = sheets["List 1"][0]
    assert str(first[0]).startswith("No data loaded for this list: load the local contacts")
    assert [str(c) for c in sheets["List 1"][1]] == LISTS[0].headings
    assert len(sheets["List 1"]) == 2
    assert "Annex A workbook with list 11" in str(sheets["List 11"][0][0])
    summary = {row[0]: row for row in sheets["Summary"][4:15]}
    assert summary["List 1"][5] == NO_DATA and summary["List 1"][4] == 0
    assert "load the local contacts extract" in summary["List 1"][7]
    assert status[3] == WRITTEN and status[8] == WRITTEN


def test_a_loaded_list_with_nothing_in_the_window_says_so(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "201")
    with ws.connect() as con:
        _load(con, 1, "ssd:ssd_contacts", "ssd_extract", 2025)
        con.execute(
            "INSERT INTO ssd_contacts (cont_person_id, cont_contact_date, hw_load_id, "
            "hw_source_ref) VALUES ('C1', DATE '2024-05-01', 1, 'line 2')"
        )
        report = write_annex_a(con, tmp_path / "out.xlsx", AS_AT)
    assert report.lists[0].status == NO_RECORDS
    note = str(read(tmp_path / "out.xlsx")["List 1"][0][0])
    assert note.startswith("No records in the window 01/10/2024 to 31/03/2025")


# --- Merging the returns, precisely -----------------------------------------------------------


def _load(con: Any, load_id: int, dataset: str, source: str, year: int) -> None:
    con.execute(
        "INSERT INTO hw_loads VALUES (?, ?, ?, ?, '201', 'f', ?, 1, TIMESTAMP '2025-05-01', NULL)",
        [load_id, dataset, source, year, f"sha{load_id}"],
    )


def _episode(con: Any, load_id: int, ref: str, **values: object) -> None:
    columns = ["hw_load_id", "hw_source_ref", *values]
    marks = ", ".join("?" for _ in columns)
    con.execute(
        f"INSERT INTO ssd_cin_episodes ({', '.join(columns)}) VALUES ({marks})",
        [load_id, ref, *values.values()],
    )


@pytest.fixture
def merged(tmp_path: Path) -> dict[str, Rows]:
    ws = Workspace.create(tmp_path / "ws", "201")
    with ws.connect() as con:
        _load(con, 1, "cin_census", "cin_census", 2024)
        _load(con, 2, "cin_census", "cin_census", 2025)
        _load(con, 3, "annex_a", "annex_a", 2025)
        con.execute(
            "INSERT INTO ssd_person (pers_person_id, pers_sex, pers_ethnicity, pers_dob, "
            "hw_load_id) VALUES ('C1', '1', 'WBRI', DATE '2015-01-31', 2)"
        )
        # C1: the same referral in the census and in Annex A list 3
        _episode(con, 2, "c1", cine_person_id="C1", cine_referral_date=date(2024, 11, 1),
                 cine_referral_source_code="1A", cine_referral_nfa="false")  # fmt: skip
        _episode(con, 3, "List 3!row 2", cine_person_id="C1",
                 cine_referral_date=date(2024, 11, 1), cine_referral_source_code="q) 6: Police",
                 cine_referral_team="=HYPERLINK(\"http://x\")", cine_referral_worker_id="SW1",
                 cine_annex_a_list="List 3", hw_reported_sex="b) Female")  # fmt: skip
        # C2: open in the 2024 census, closed before the window in the 2025 census
        for load_id, closed in ((1, None), (2, date(2024, 6, 30))):
            _episode(con, load_id, "c2", cine_person_id="C2", cine_referral_date=date(2023, 6, 1),
                     cine_close_date=closed, cine_close_reason="RC7" if closed else None,
                     cine_referral_nfa="false")  # fmt: skip
        # C3: open in both; closed after an earlier as-at date
        _episode(con, 1, "c3", cine_person_id="C3", cine_referral_date=date(2023, 9, 1),
                 cine_referral_nfa="false")  # fmt: skip
        _episode(con, 2, "c3", cine_person_id="C3", cine_referral_date=date(2023, 9, 1),
                 cine_close_date=date(2025, 3, 1), cine_close_reason="RC8",
                 cine_referral_nfa="false")  # fmt: skip
        # Formula-like text in IDs and values
        _episode(con, 3, "List 6!row 2", cine_person_id="-2+3", cine_annex_a_list="List 6",
                 cine_referral_date=date(2024, 12, 1), cine_case_status="@SUM(A1)",
                 cine_referral_team="+44 team", cine_referral_worker_id="\tcmd")  # fmt: skip
        write_annex_a(con, tmp_path / "as_at.xlsx", AS_AT)
        write_annex_a(con, tmp_path / "earlier.xlsx", date(2025, 1, 31))
    return {"as_at": read(tmp_path / "as_at.xlsx"), "earlier": read(tmp_path / "earlier.xlsx")}


def _row(rows: Rows, child: str) -> dict[str, object]:
    header, data = table(rows)
    found = [dict(zip(header, row, strict=True)) for row in data if row[0] == child]
    assert len(found) == 1, (child, found)
    return found[0]


def test_census_values_win_and_annex_a_fills_what_the_census_lacks(
    merged: dict[str, Rows],
) -> None:
    c1 = _row(merged["as_at"]["List 3"], "C1")
    assert c1["Referral Source"] == "a) 1A: Individual"  # the census, not Annex A's "Police"
    assert c1["Allocated Worker"] == "SW1"  # only Annex A carries it
    assert c1["Gender"] == "a) Male"  # the census child record, as its Annex A label
    assert c1["Ethnicity"] == "a) WBRI"
    assert day(c1["Date of Birth"]) == date(2015, 1, 31)
    assert c1["Age of Child (Years)"] == 10
    assert c1["Referral NFA?"] == "b) No"


def test_the_latest_year_says_whether_a_record_is_still_open(merged: dict[str, Rows]) -> None:
    _, rows = table(merged["as_at"]["List 6"])
    children = {row[0] for row in rows}
    assert "C2" not in children  # closed in the 2025 census, before the window
    c3 = _row(merged["as_at"]["List 6"], "C3")
    assert day(c3["CIN Closure Date"]) == date(2025, 3, 1)
    assert c3["Reason for Closure"] == "RC8 - Case closed after assessment, no further action"


def test_what_had_not_happened_by_the_as_at_date_is_blank(merged: dict[str, Rows]) -> None:
    c3 = _row(merged["earlier"]["List 6"], "C3")
    assert c3["CIN Closure Date"] == "" and c3["Reason for Closure"] == ""


def test_formula_like_text_is_neutralised(merged: dict[str, Rows]) -> None:
    c1 = _row(merged["as_at"]["List 3"], "C1")
    assert c1["Allocated Team"] == '\'=HYPERLINK("http://x")'
    odd = _row(merged["as_at"]["List 6"], "'-2+3")
    assert odd["Case status"] == "'@SUM(A1)"
    assert odd["Allocated Team"] == "'+44 team"
    assert odd["Allocated Worker"] == "'\tcmd"


@pytest.mark.parametrize(
    ("as_at", "months", "first"),
    [
        (date(2025, 3, 31), 6, date(2024, 10, 1)),
        (date(2025, 3, 31), 12, date(2024, 4, 1)),
        (date(2024, 8, 31), 6, date(2024, 3, 1)),
        (date(2024, 2, 29), 12, date(2023, 3, 1)),
        (date(2025, 1, 15), 6, date(2024, 7, 16)),
    ],
)
def test_windows(as_at: date, months: int, first: date) -> None:
    assert window_start(as_at, months) == first


def test_collection_years() -> None:
    assert collection_year(date(2025, 3, 31)) == 2025
    assert collection_year(date(2025, 4, 1)) == 2026


def test_903_xml_rows_are_read_as_their_903_table(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "201")
    with ws.connect() as con:
        _load(con, 1, "ssda903_xml", "ssda903", 2025)
        con.execute(
            "INSERT INTO ssd_care_leavers (clea_person_id, clea_care_leaver_in_touch, "
            "clea_care_leaver_accommodation, clea_care_leaver_activity, hw_load_id, "
            "hw_source_ref) VALUES ('C1', 'YES', 'B1', 'F4', 1, 'CHILD[1]#OC3')"
        )
        # the 903's PlacedAdoption DATE_PLACED is the date of the decision to place
        con.execute(
            "INSERT INTO ssd_permanence (perm_person_id, perm_placed_for_adoption_date, "
            "hw_load_id, hw_source_ref) VALUES "
            "('C2', DATE '2024-09-01', 1, 'CHILD[2]/HEADER/AD_PLACED[1]')"
        )
        write_annex_a(con, tmp_path / "out.xlsx", AS_AT)
    sheets = read(tmp_path / "out.xlsx")
    leaver = _row(sheets["List 9"], "C1")
    assert leaver["LA in Touch"] == "a) Yes"
    assert leaver["Type of accommodation"] == "B: Parents/relatives"
    assert leaver["Suitability of Accomodation"] == "a) Suitable"
    assert leaver["Activity Status"] == "F3: Full time in training or employment"
    adoption = _row(sheets["List 10"], "C2")
    assert day(adoption["Date of Decision that Child Should be Placed for Adoption"]) == date(
        2024, 9, 1
    )
    assert adoption["Date Placed for Adoption"] == ""
