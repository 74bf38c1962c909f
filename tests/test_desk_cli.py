"""The desk through the real CLI: an analyst's whole journey on SQLite, the same desk on
PostgreSQL by URL, and bad input that changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from weasyprint import HTML

from headway.cli import app
from headway.desk.store import Desk, desk_url
from headway.ingest import ingest
from headway.synth import synthesise
from headway.synth.requests import write_inspection_log
from headway.workspace import Workspace

cli = CliRunner()
START = date(2026, 12, 7)


def call(*args: str) -> Any:
    result = cli.invoke(app, ["desk", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.output


@pytest.fixture(scope="module")
def la(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("desk")
    synthesise(tmp / "r", 300, [2025], 5, "201")
    ws = Workspace.create(tmp / "ws", "201", "Synthetic LA")
    ingest(ws, sorted(p for p in (tmp / "r" / "2025").rglob("*") if p.is_file()))
    return ws


@pytest.fixture
def ws(la: Workspace, tmp_path: Path) -> Workspace:
    """The synthetic LA with an empty desk of its own for each test."""
    (la.path / "desk.sqlite").unlink(missing_ok=True)
    return la


def test_analyst_journey(ws: Workspace, tmp_path: Path) -> None:
    w = ["-w", str(ws.path)]
    call("team", "add", "Asha", "--hours", "30", *w)
    call("team", "leave", "Asha", "--from", "2026-12-21", "--to", "2027-01-01", *w)
    adopted = call("adopt", "families-first-2026-27", "ofsted-ilacs", *w, "--json")
    assert adopted["added"] > 0 and adopted["not_read"] == []
    log = tmp_path / "ofsted.xlsx"
    n = write_inspection_log(log, START, days=10, seed=2)
    first = call("import", str(log), "--source", "inspector", *w, "--json")
    assert (first["rows_read"], first["added"]) == (n, n)
    again = call("import", str(log), "--source", "inspector", *w, "--json")
    assert (again["added"], len(again["repeats"])) == (0, n)

    listed = call("list", *w, "--json")
    assert len(listed) == adopted["added"] + n
    answered = [r for r in listed if r["hours_basis"].startswith("answered")]
    assert answered, "some inspector asks are answered by outputs the LA already has"
    for r in answered:
        best = r["matches"][0]
        assert r["source"] == "inspector" and r["planned_hours"] == 0.5
        assert best["kind"] in ("output", "measure") and best["score"] >= 0.4
    assert listed == sorted(listed, key=lambda r: -r["priority"]["score"])
    factors = {f["factor"] for f in listed[0]["priority"]["factors"]}
    assert factors == {"statutory", "inspection", "urgency", "cost of delay",
                       "children affected", "requester level"}  # fmt: skip

    plan = call("plan", "--start", str(START), "--time-limit", "1", *w, "--json")
    assert plan["weighted_lateness"] <= min(plan["baselines"].values())
    assert len(plan["scheduled"]) == len(listed)
    more = call("whatif", "--add-analyst", "Agency:37", "--start", str(START),
                "--time-limit", "1", *w, "--json")  # fmt: skip
    assert more["after"]["weighted_lateness"] <= more["before"]["weighted_lateness"]

    day_by_day = call("inspection", "--start", str(START), "--days", "10", *w, "--json")
    assert day_by_day["requests"] == n
    assert sum(d["asked"] for d in day_by_day["days"]) == n
    assert day_by_day["answerable_from_existing_outputs"] >= 1

    for name in ("brief.html", "brief.pdf"):
        result = cli.invoke(app, ["desk", "brief", "--out", str(tmp_path / name),
                                  "--start", str(START), "--time-limit", "1", *w])  # fmt: skip
        assert result.exit_code == 0, result.output
    html = (tmp_path / "brief.html").read_text("utf-8")
    assert "Decisions for you" in html and "Families First" in html
    assert "<script" not in html and "http" not in html.split("</style>")[0]
    assert (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")
    assert len(HTML(string=html).render().pages) == 1


def test_the_same_desk_on_postgresql(ws: Workspace, tmp_path: Path, pg_desk_url: str) -> None:
    db = ["--db", pg_desk_url.replace("postgresql+psycopg://", "postgresql://"), "-w", str(ws.path)]
    call("team", "add", "Asha", "--hours", "30", *db)
    log = tmp_path / "ofsted.xlsx"
    n = write_inspection_log(log, START, days=5, seed=3)
    assert call("import", str(log), "--source", "inspector", *db, "--json")["added"] == n
    plan = call("plan", "--start", str(START), "--time-limit", "1", *db, "--json")
    assert len(plan["scheduled"]) == n
    assert not (ws.path / "desk.sqlite").exists()  # the desk lives in PostgreSQL only
    with Desk.open(pg_desk_url) as d:
        assert {r.status for r in d.requests()} <= {"matched", "planned", "new"}


def test_bad_list_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "log.csv"
    bad.write_text("Date,Who\n01/12/2026,HMI\n", "utf-8")
    result = cli.invoke(app, ["desk", "import", str(bad), "-w", str(ws.path)])
    assert result.exit_code == 1
    assert "could not find which column holds the requests" in result.output
    assert len(result.output.strip().splitlines()) <= 3
    with Desk.open(desk_url(ws.path, None)) as d:
        assert d.requests() == [] and d.intakes() == []


def test_plan_without_a_team_says_what_to_do(ws: Workspace) -> None:
    result = cli.invoke(app, ["desk", "plan", "-w", str(ws.path)])
    assert result.exit_code == 1
    assert "headway desk team add" in result.output


def test_bad_db_url_is_refused(ws: Workspace) -> None:
    result = cli.invoke(app, ["desk", "list", "--db", "mysql://x", "-w", str(ws.path)])
    assert result.exit_code == 1
    assert "not a desk database URL" in result.output
