"""Change impact of a standard diff on a synthetic LA's workspace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from headway.ingest import ingest
from headway.quality.dfe import DFE_DDL
from headway.standards.catalogue import Catalogue
from headway.standards.diff import compare, diff
from headway.standards.impact import EFFORT_HOURS, Impact, impact, workspace_impact
from headway.standards.spec import Code, Entry, Facts, Span, Standard, Version
from headway.synth import synthesise
from headway.workspace import Workspace

KEYS = {"kind", "title", "description", "items", "severity", "effort_hours"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("impact")
    returns = root / "returns"
    synthesise(returns, children=300, years=[2024], seed=1, la_code="201")
    ws = Workspace.create(root / "ws", "201")
    files = sorted(p for p in (returns / "2024").rglob("*") if p.is_file())
    ingest(ws, files)
    return ws


@pytest.fixture
def con(workspace: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    with workspace.connect(read_only=True) as connection:
        yield connection


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def _by_kind(result: Impact, kind: str) -> list[dict[str, object]]:
    return [c for c in result.to_json()["consequences"] if c["kind"] == kind]


def test_sex_replacing_gender_changes_the_meaning_of_held_values(
    con: duckdb.DuckDBPyConnection,
) -> None:
    result = impact(diff("cin_census", "2024", "2025"), con)
    held = _count(
        con,
        """SELECT count(*) FROM ssd_person p JOIN hw_loads l ON l.load_id = p.hw_load_id
           WHERE l.source_return = 'cin_census' AND p.pers_sex IN ('1', '2', '0', '9')""",
    )
    assert held > 0
    [replaced] = _by_kind(result, "item_replaced")
    assert replaced["items"] == ["cin_census:N00065", "cin_census:N00783"]
    assert replaced["columns"] == ["ssd_person.pers_sex"]
    assert replaced["rows"] == held
    assert replaced["severity"] == "high"
    assert replaced["effort_hours"] == EFFORT_HOURS["item_replaced"]
    assert replaced["basis"] == "published"
    assert not _by_kind(result, "new_item")  # Sex is the replacement, not a new gap


def test_a_new_block_with_no_data_is_a_gap(con: duckdb.DuckDBPyConnection) -> None:
    result = impact(diff("cin_census", "2026", "2027"), con)
    [block] = _by_kind(result, "new_block")
    assert block["items"][0] == "cin_census:PreProceedingsandFGDM"  # type: ignore[index]
    assert len(block["items"]) == 11  # type: ignore[arg-type]
    assert block["columns"] == ["ssd_pre_proceedings"]
    assert (block["rows"], block["severity"], block["basis"]) == (0, "high", "inferred")
    assert block["effort_hours"] == EFFORT_HOURS["new_block"]
    assert "no data" in str(block["description"])


def test_a_new_block_the_la_already_holds(con: duckdb.DuckDBPyConnection) -> None:
    result = impact(diff("cin_census", "2021", "2022"), con)
    held = _count(con, "SELECT count(*) FROM ssd_cin_plans")
    [block] = _by_kind(result, "new_block")
    assert (block["rows"], block["severity"]) == (held, "medium")
    assert block["effort_hours"] == EFFORT_HOURS["new_held"]
    [codes] = _by_kind(result, "codes_added")
    assert codes["items"] == ["cin_census:N00181"] and "24A" in str(codes["title"])


def test_withdrawn_placement_codes_count_the_values_using_them(
    con: duckdb.DuckDBPyConnection,
) -> None:
    result = impact(diff("ssda903", "2025", "2026"), con)
    using = _count(
        con,
        """SELECT count(*) FROM ssd_cla_episodes e JOIN hw_loads l ON l.load_id = e.hw_load_id
           WHERE l.source_return = 'ssda903' AND e.clae_placement_type IN ('H5', 'P2', 'Z1')""",
    )
    [removed] = _by_kind(result, "codes_removed")
    assert removed["items"] == ["ssda903:Episodes.PLACE"]
    assert removed["rows"] == using
    assert removed["severity"] == ("high" if using else "low")
    assert removed["columns"] == ["ssd_cla_episodes.clae_placement_type"]


def test_a_new_table_and_withdrawn_sex_codes(con: duckdb.DuckDBPyConnection) -> None:
    result = impact(diff("ssda903", "2024", "2027"), con)
    [table] = _by_kind(result, "new_block")
    assert table["items"][0] == "ssda903:DoLo"  # type: ignore[index]
    assert (table["rows"], table["severity"]) == (0, "high")
    header = next(c for c in _by_kind(result, "codes_removed") if "Header" in str(c["items"]))
    held = _count(
        con,
        """SELECT count(*) FROM ssd_person p JOIN hw_loads l ON l.load_id = p.hw_load_id
           WHERE l.source_return = 'ssda903' AND p.pers_sex IN ('1', '2')""",
    )
    assert header["rows"] == held > 0


def test_a_removed_table_has_no_home(con: duckdb.DuckDBPyConnection) -> None:
    result = impact(diff("ssda903", "2024", "2023"), con)
    [removed] = _by_kind(result, "table_removed")
    held = _count(
        con,
        """SELECT count(*) FROM ssd_involvements i JOIN hw_loads l ON l.load_id = i.hw_load_id
           WHERE l.source_return = 'ssda903'""",
    )
    assert (removed["rows"], removed["severity"]) == (held, "high")
    assert removed["columns"] == ["ssd_involvements"]


def test_no_change_means_nothing_to_do(con: duckdb.DuckDBPyConnection) -> None:
    result = impact(diff("cin_census", "2023", "2024"), con)
    assert result.identical and result.consequences == ()
    assert result.to_json()["consequences"] == []
    assert result.summary() == "No change between 2023 and 2024: nothing to do."


def test_dfe_findings_on_changing_items(workspace: Workspace, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(workspace.database.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute(DFE_DDL)
        con.execute(
            """INSERT INTO hw_dfe_findings VALUES ('r1', now(), 2024, 'cin_census', 'cin2023_24',
               '8525', 'msg', 'C1', 'CINdetails', 'ReferralSource, CINreferralDate', 0, NULL, 1)"""
        )
        result = impact(diff("cin_census", "2022", "2023"), con)
    [found] = _by_kind(result, "dfe_findings")
    assert found["rows"] == 1 and found["severity"] == "medium"


def test_every_consequence_is_a_desk_request(con: duckdb.DuckDBPyConnection) -> None:
    for standard, v1, v2 in (
        ("cin_census", "2017", "2027"),
        ("ssda903", "2017", "2027"),
        ("ssda903", "2027", "2017"),
    ):
        result = impact(diff(standard, v1, v2), con)
        requests = json.loads(json.dumps(result.requests()))
        assert requests
        for r in requests:
            assert set(r) >= KEYS
            assert r["severity"] in ("high", "medium", "low")
            assert r["effort_hours"] in EFFORT_HOURS.values()
            assert r["source"] == f"standard diff {standard} {v1} to {v2}"
            assert r["items"] and all(":" in i for i in r["items"])
        severities = [r["severity"] for r in requests]
        assert severities == sorted(severities, key=["high", "medium", "low"].index)
        assert result.effort_hours == sum(r["effort_hours"] for r in requests)
        console = Console(width=120, record=True)
        result.render(console)
        text = console.export_text()
        assert "Consequence" in text and str(requests[0]["title"])[:20] in text


def test_an_empty_workspace(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "empty", "202")
    with ws.connect() as con:
        result = impact(diff("ssda903", "2025", "2026"), con)
    [removed] = _by_kind(result, "codes_removed")
    assert (removed["rows"], removed["severity"]) == (0, "low")
    assert removed["effort_hours"] == EFFORT_HOURS["no_data_affected"]


# --- field changes, on a small made-up standard -----------------------------------------------


def _nfa(required: bool, type_: str) -> Facts:
    return Facts(
        kind="item",
        name="ReferralNFA",
        item_code="N00112",
        type=type_,
        codes=(Code("0"), Code("1")),
        required=required,
        cardinality="1..1" if required else "0..1",
        within=("cin_census:CINdetails",),
        paths=("Message/Children/Child/CINdetails/ReferralNFA",),
    )


def _toy() -> Standard:
    block = Facts(kind="block", name="CINdetails", paths=("Message/Children/Child/CINdetails",))
    return Standard(
        id="cin_census",
        title="Toy CIN",
        description="made up for a test",
        versions=(Version("1", "reference", "test"), Version("2", "reference", "test")),
        entries=(
            Entry("cin_census:CINdetails", "cin_census", (Span("1", "2", block),)),
            Entry(
                "cin_census:N00112",
                "cin_census",
                (
                    Span("1", "1", _nfa(False, "yesnotype")),
                    Span("2", "2", _nfa(True, "xs:boolean")),
                ),
            ),
        ),
    )


def test_field_changes_in_a_diff_and_their_impact(con: duckdb.DuckDBPyConnection) -> None:
    std = _toy()
    d = compare(std, "1", "2")
    [change] = d.items_changed
    assert {f.field for f in change.fields} == {"type", "required", "cardinality"}
    assert d.summary() == "Toy CIN 1 to 2: 1 item changed."
    result = impact(d, con, Catalogue({"cin_census": std}))
    kinds = {c.kind for c in result.consequences}
    assert kinds == {"now_required", "type_changed"}
    blanks = _count(
        con,
        """SELECT count(*) FROM ssd_cin_episodes e JOIN hw_loads l ON l.load_id = e.hw_load_id
           WHERE l.source_return = 'cin_census' AND coalesce(e.cine_referral_nfa, '') = ''""",
    )
    [required] = [c for c in result.consequences if c.kind == "now_required"]
    assert required.rows == blanks
    [typed] = [c for c in result.consequences if c.kind == "type_changed"]
    assert "type: yesnotype -> xs:boolean" in typed.description
    assert typed.rows > 0 and typed.severity == "medium"


def test_workspace_impact_opens_the_workspace_read_only(workspace: Workspace) -> None:
    result = workspace_impact(workspace, diff("cin_census", "2026", "2027"))
    assert [c.kind for c in result.consequences] == ["new_block"]
