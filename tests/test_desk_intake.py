"""Intake: request lists as people keep them, pack requirements and diffs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from headway.desk.intake import diff_requests, pack_requests, read_request_list
from headway.errors import HeadwayError
from headway.packs import library
from headway.readiness import assess
from headway.synth.requests import write_inspection_log
from headway.workspace import Workspace

TODAY = date(2026, 12, 1)


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_headings_are_found_by_alias_and_near_spelling(tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "log.csv",
        "Ref,Date recieved,Requested by,Information requested,Deadline,Priority,Colour\n"
        "1,07/12/2026,HMI Okafor,CP plans 2yrs+,08/12/2026,High,blue\n",
    )
    got = read_request_list(f, "inspector", TODAY)
    assert got.columns == {
        "Ref": "ref",
        "Date recieved": "received",
        "Requested by": "requester",
        "Information requested": "title",
        "Deadline": "due",
        "Priority": "cost_of_delay",
    }
    assert got.ignored == ["Colour"]
    (r,) = got.requests
    assert (r.title, r.received, r.due, r.cost_of_delay) == (
        "CP plans 2yrs+",
        date(2026, 12, 7),
        date(2026, 12, 8),
        "high",
    )
    assert (r.source, r.requester_level, r.inspection, r.notes) == (
        "inspector",
        "inspector",
        True,
        "Ref 1.",
    )


def test_rows_that_cannot_be_read_are_listed_with_their_line(tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "log.csv",
        "Request;Due date;Hours\n"
        "Care leavers NEET;next Tuesday;2\n"
        ";01/12/2026;1\n"
        "\n"
        "Missing from care;02/12/2026;two\n"
        "Caseloads by team;03/12/2026;3\n",
    )
    got = read_request_list(f, "service leader", TODAY)
    assert [r.title for r in got.requests] == ["Caseloads by team"]
    assert got.not_read == [
        ("line 2", "'next Tuesday' in the due date is not a date"),
        ("line 3", "it has no request text"),
        ("line 5", "'two' in effort is not a number"),
    ]
    assert got.rows_read == 4  # blank lines are layout, not requests


def test_windows_1252_list_is_read(tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "log.csv", "Title,Notes\nChildren\u2019s homes \u2013 list,caf\u00e9\n", "cp1252"
    )
    (r,) = read_request_list(f, "other", TODAY).requests
    assert r.title == "Children\u2019s homes \u2013 list"


def test_no_request_column_is_a_clear_error(tmp_path: Path) -> None:
    f = _csv(tmp_path / "log.csv", "Date,Who\n01/12/2026,HMI\n")
    with pytest.raises(HeadwayError, match="could not find which column holds the requests"):
        read_request_list(f, "other", TODAY)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("list.pdf", b"%PDF-1.4", "not a CSV or XLSX"),
        ("broken.xlsx", b"PK\x03\x04 not really", "damaged|could not be read"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(HeadwayError, match=message):
        read_request_list(f, "other", TODAY)


def test_xlsx_log_first_visible_sheet(tmp_path: Path) -> None:
    path = tmp_path / "log.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        hidden = book.add_worksheet("lists")
        hidden.write_row(0, 0, ["Request"])
        hidden.write_row(1, 0, ["should not be read"])
        hidden.hide()
        sheet = book.add_worksheet("Log")
        sheet.write_row(2, 0, ["Query", "Required by"])  # a title block above the table
        sheet.write_row(3, 0, ["UASC list", "2026-12-09"])
        book.worksheets_objs.reverse()  # the hidden sheet first in the workbook order
    got = read_request_list(path, "inspector", TODAY)
    assert [(r.title, r.due) for r in got.requests] == [("UASC list", date(2026, 12, 9))]


def test_synthetic_inspection_log_reads_whole(tmp_path: Path) -> None:
    n = write_inspection_log(tmp_path / "ofsted.xlsx", date(2026, 12, 7), days=10, seed=4)
    got = read_request_list(tmp_path / "ofsted.xlsx", "inspector", TODAY)
    assert len(got.requests) == n and got.not_read == []
    assert all(r.inspection and r.due and r.due > r.received for r in got.requests)


def test_diff_json_becomes_requests(tmp_path: Path) -> None:
    f = tmp_path / "d.json"
    f.write_text(
        json.dumps(
            [
                {
                    "kind": "new_item",
                    "title": "New item: FGDM offer date",
                    "description": "Collect it.",
                    "items": ["N00999"],
                    "severity": "high",
                    "effort_hours": 8,
                    "due": "2027-03-31",
                    "source": "standard diff cin_census 2025-26 to 2026-27",
                }
            ]
        )
    )
    (r,) = diff_requests(f, TODAY)
    assert (r.source, r.cost_of_delay, r.effort_hours, r.due) == (
        "standard diff",
        "high",
        8.0,
        date(2027, 3, 31),
    )
    assert r.key.startswith("diff:standard diff cin census")
    f.write_text('{"not": "a list"}')
    with pytest.raises(HeadwayError, match="not a list of desk requests"):
        diff_requests(f, TODAY)


def test_pack_requirements_not_ready_and_milestones_ahead(workspace: Workspace) -> None:
    pack = next(p for p in library() if p.id == "families-first-2026-27")
    with workspace.connect(read_only=True) as con:
        requests = pack_requests(pack, assess(con, pack), date(2026, 1, 1))
    keys = {r.key for r in requests}
    # An empty workspace has every requirement as a gap.
    assert {f"pack:{pack.id}:requirement:{r.id}" for r in pack.requirements} <= keys
    ahead = [m for m in pack.milestones if m.date >= date(2026, 1, 1)]
    assert {f"pack:{pack.id}:milestone:{m.id}" for m in ahead} <= keys
    assert all(r.effort_hours and r.effort_hours > 0 for r in requests)
