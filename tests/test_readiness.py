"""Readiness on a real synthetic workspace: each status for the right reason, and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from lxml import html
from python_calamine import CalamineWorkbook

from headway.ingest import ingest
from headway.measures.measure import Measure
from headway.readiness import assess
from headway.readiness.assessments import met_expectations, record
from headway.readiness.engine import AT_RISK, GAP, READY, _judge
from headway.readiness.evidence import ItemEvidence
from headway.readiness.report import write_html, write_xlsx
from headway.synth import synthesise
from headway.workspace import Workspace


@dataclass
class Part:
    id: str
    title: str
    sql: str


@dataclass
class Req:
    id: str
    title: str
    items: list[str]
    measure: str | None = None
    output: str | None = None
    due: date | None = date(2027, 3, 31)
    effort_hours: float = 10
    basis: str = "published"


@dataclass
class Exp:
    id: str
    title: str
    level: str = "required"
    basis: str = "published"


@dataclass
class Pack:
    id: str
    title: str
    version: str
    requirements: list[Req]
    expectations: list[Exp] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    outputs: list[Part] = field(default_factory=list)


REFERRALS = """SELECT l.collection_year AS period, count(*) AS value
FROM ssd_cin_episodes e JOIN hw_loads l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'cin_census' GROUP BY l.collection_year"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("readiness")
    synthesise(tmp / "r", 400, [2024], 2, "201")
    ws = Workspace.create(tmp / "ws", "201")
    ingest(ws, sorted(p for p in (tmp / "r" / "2024").rglob("*") if p.is_file()))
    return ws


def measure(measure_id: str, sql: str) -> Measure:
    return Measure(measure_id, measure_id, "A test measure.", "count", "collection-year", sql)


def pack() -> Pack:
    return Pack(
        "test-pack", "Test programme", "2026-27",
        requirements=[
            Req("referrals", "Referrals per year", ["ssd_cin_episodes.cine_referral_date"],
                measure="referral-count"),
            Req("fgdm", "FGDM offers", ["ssd_pre_proceedings.prep_fgdm_offered"],
                due=date(2027, 6, 30)),
            Req("urn", "Placement URNs", ["ssd_cla_episodes.clae_placement_urn"]),
            Req("contacts", "Contacts (local extract)", ["ssd_contacts.cont_contact_date"]),
            Req("none-yet", "Nothing to count yet", ["ssd_cin_episodes.cine_referral_date"],
                measure="no-rows"),
            Req("broken", "A measure that fails", ["ssd_person.pers_dob"], measure="broken",
                basis="inferred"),
            Req("names", "Children's surnames", ["ssd_person.pers_surname"], due=date(2027, 1, 1)),
        ],
        expectations=[Exp("framework", "Practice framework published"),
                      Exp("co-location", "Co-location", level="recommended", basis="inferred")],
        measures=[measure("referral-count", REFERRALS),
                  measure("broken", "SELECT no_such_column AS value FROM ssd_person"),
                  measure("no-rows", REFERRALS.replace("GROUP BY", "AND 1 = 0 GROUP BY"))],
    )  # fmt: skip


def test_each_status_for_its_reason(ws: Workspace) -> None:
    with ws.connect(read_only=True) as con:
        result = assess(con, pack())
    by_id = {r.id: r for r in result.requirements}
    assert by_id["referrals"].status == READY
    assert by_id["referrals"].run is not None and by_id["referrals"].run.latest_period == 2024
    assert by_id["referrals"].run.latest_value and by_id["referrals"].run.latest_value > 0
    assert by_id["fgdm"].status == GAP  # pre-proceedings are only collected from 2026-27
    assert "no data loaded" in by_id["fgdm"].reasons[0]
    # URNs are rightly blank for placements that have none: an optional item is not a risk
    assert by_id["urn"].status == READY
    assert by_id["urn"].items[0].completeness < 0.95 and not by_id["urn"].items[0].required
    assert by_id["none-yet"].status == AT_RISK and "gives no rows" in by_id["none-yet"].reasons[0]
    assert by_id["broken"].status == GAP and "does not run" in by_id["broken"].reasons[0]
    assert by_id["names"].status == GAP  # no statutory return carries names
    assert [b.id for b in result.blockers] == ["names", "broken", "fgdm"]
    assert by_id["contacts"].status == READY
    assert by_id["contacts"].items[0].sources == ("annex_a", "ssd_extract")
    assert result.score == round(100 * (1 + 1 + 1 + 0.5) / 7, 1)
    assert result.effort_to_close == 10 + 5 + 10 + 10
    assert [e["id"] for e in result.expectations_open] == ["framework", "co-location"]


def test_self_assessment_closes_expectations(ws: Workspace, tmp_path: Path) -> None:
    copy = Workspace.create(tmp_path / "ws", "201")
    with copy.connect() as con:
        record(con, "test-pack", "framework", True, "Published May 2026")
        record(con, "test-pack", "co-location", False)
        met = met_expectations(con)
    assert met == {"test-pack": {"framework"}}


def test_reports_for_leaders_and_analysts(ws: Workspace, tmp_path: Path) -> None:
    with ws.connect(read_only=True) as con:
        result = assess(con, pack())
    page = tmp_path / "readiness.html"
    write_html([result], page, "Synthetic LA")
    doc = html.fromstring(page.read_text("utf-8"))
    assert doc.xpath("//svg/title")  # the chart says what it shows
    rows = doc.xpath("//table[caption='Readiness by programme']/tbody/tr")
    assert len(rows) == 1 and rows[0].xpath("string(td[1])") == str(result.score)
    assert "(inferred)" in page.read_text("utf-8")
    assert not doc.xpath("//script") and not doc.xpath(
        "//link[@rel='stylesheet']"
    )  # self-contained
    book = tmp_path / "readiness.xlsx"
    write_xlsx([result], book)
    wb = CalamineWorkbook.from_path(str(book))
    assert wb.sheet_names == ["Summary", "Requirements", "Items", "Open expectations"]
    reqs = wb.get_sheet_by_name("Requirements").to_python()
    assert reqs[0][:4] == ["Pack", "Requirement", "Title", "Status"]
    assert {r[1]: r[3] for r in reqs[1:]}["fgdm"] == GAP


def test_a_required_item_under_95_percent_complete_is_at_risk() -> None:
    def evidence(filled: int, required: bool) -> ItemEvidence:
        return ItemEvidence("ssd_person.pers_dob", ("cin_census",), required, 2024, 100, filled,
                            0, 0, ("PersonBirthDate",))  # fmt: skip

    req = Req("dob", "Dates of birth", ["ssd_person.pers_dob"])
    assert _judge(req, [evidence(94, True)], None)[0] == AT_RISK
    assert _judge(req, [evidence(95, True)], None)[0] == READY
    assert _judge(req, [evidence(50, False)], None)[0] == READY
    assert _judge(req, [evidence(0, False)], None)[0] == GAP
