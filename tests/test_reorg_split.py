"""headway.reorg: the successor lookup, the assignment rule, the split and its
reconciliation, and the CLI's answers to bad input. Real files and workspaces, no mocks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headway.cli import app
from headway.errors import HeadwayError
from headway.ingest import ingest
from headway.model.schema import tables
from headway.reorg.assign import assign, person_columns
from headway.reorg.figures import ADDITIVE, FOLLOWS, REFERENCE
from headway.reorg.lookup import clean_postcode, read_lookup
from headway.reorg.plan import load_plan, make_plan, write_plan
from headway.reorg.split import split
from headway.reorg.synth_lookup import write_lookup
from headway.synth import synthesise
from headway.workspace import Workspace

runner = CliRunner()
REF = date(2026, 3, 31)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- the lookup ---------------------------------------------------------------------------
def test_postcodes_sectors_districts_and_wards_are_read() -> None:
    assert clean_postcode(" le1  0ab") == ("postcode", "LE1 0AB")
    assert clean_postcode("LE10AB") == ("postcode", "LE1 0AB")
    assert clean_postcode("LE12 3") == ("sector", "LE12 3")
    assert clean_postcode("le12") == ("district", "LE12")
    assert clean_postcode("E05012345") == ("ward", "E05012345")
    assert clean_postcode("not a postcode") is None and clean_postcode("") is None


def test_ambiguous_and_malformed_rows_are_reported(tmp_path: Path) -> None:
    lk = read_lookup(
        write(
            tmp_path / "l.csv",
            "key,successor\nLE1,E06999901\nLE1,E06999902\n"
            "LE2,E06999902\nLE2,E06999902\nNOT A POSTCODE!,E06999901\nLE3,\n",
        )
    )
    assert lk.layout == "simple" and lk.columns["key"] == "key"
    assert lk.ambiguous == 1 and lk.ambiguous_examples == [
        {"key": "LE1", "successors": ["E06999901", "E06999902"]}
    ]
    assert lk.malformed == 2
    assert [e["line"] for e in lk.malformed_examples] == [6, 7]
    assert lk.resolve("LE1 5AB") == (None, "ambiguous")
    assert lk.resolve("LE2 5AB") == ("E06999902", "district")  # duplicates of one row are fine
    assert lk.resolve("LE9 5AB") == (None, "outside")
    assert lk.resolve("??") == (None, "malformed")


def test_ons_layout_is_read_by_its_column_names(tmp_path: Path) -> None:
    lk = read_lookup(write_lookup(tmp_path / "ons.csv", "201", "ons"))
    assert lk.layout == "ons"
    assert lk.columns == {
        "key": "pcds",
        "code": "lad23cd",
        "name": "lad23nm",
        "terminated": "doterm",
    }
    assert [(s.code, s.name) for s in lk.successors] == [
        ("E06999901", "North Synthshire"),
        ("E06999902", "South Synthshire"),
    ]
    assert lk.keys == {"postcode": 12_800} and lk.terminated == 200
    assert lk.resolve("le3 4ab") == ("E06999901", "postcode")
    assert lk.resolve("LE13 4") == ("E06999902", "sector")  # derived: all its postcodes agree
    assert lk.resolve("LE13") == ("E06999902", "district")


def test_a_ward_lookup_needs_the_postcode_to_ward_file(tmp_path: Path) -> None:
    wards = write(
        tmp_path / "w.csv",
        "WD23CD,WD23NM,LAD23CD,LAD23NM\nE05000001,A,E06999901,North\nE05000002,B,E06999902,South\n",
    )
    with pytest.raises(HeadwayError, match="--wards"):
        read_lookup(wards)
    pcs = write(tmp_path / "pc.csv", "pcds,wd23cd\nLE1 1AA,E05000001\nLE2 1AA,E05000002\n")
    lk = read_lookup(wards, wards=pcs)
    assert lk.resolve("LE1 1AA") == ("E06999901", "postcode")
    assert lk.resolve("LE2 1") == ("E06999902", "sector")


def test_successors_need_codes(tmp_path: Path) -> None:
    path = write(tmp_path / "names.csv", "district,successor\nLE1,North\nLE2,South\n")
    with pytest.raises(HeadwayError, match="--code"):
        read_lookup(path)
    lk = read_lookup(path, {"North": "E06999901", "South": "E06999902"})
    assert lk.resolve("LE2 1AB") == ("E06999902", "district")
    with pytest.raises(HeadwayError, match="no columns"):
        read_lookup(write(tmp_path / "x.csv", "a,b,c\n1,2,3\n"))


# --- the assignment rule ------------------------------------------------------------------
@pytest.fixture()
def handmade(tmp_path: Path) -> Workspace:
    """Children with one case each of the rule (see headway.reorg.assign)."""
    ws = Workspace.create(tmp_path / "ws", "201", "Handmade")
    with ws.connect() as con:
        con.execute("""INSERT INTO ssd_address (addr_table_id, addr_person_id,
            addr_address_start_date, addr_address_end_date, addr_address_postcode) VALUES
            ('a1', 'P1', '2020-01-01', NULL, 'le1 2ab'),
            ('a2', 'P2', '2019-01-01', '2025-06-30', 'LE15 1AB'),
            ('a3', 'P2', '2025-07-01', NULL, 'BD5 1AA'),
            ('a5', 'P5', '2020-01-01', NULL, 'LE7 1AA'),
            ('a6', 'P6', '2018-01-01', '2024-12-31', 'LE2 9ZZ'),
            ('a7', 'P7', '2020-01-01', NULL, 'LE1 nonsense')""")
        con.execute("""INSERT INTO ssd_cla_episodes (clae_cla_episode_id, clae_person_id,
            clae_cla_episode_start_date, clae_home_postcode, clae_placement_postcode) VALUES
            ('e3', 'P3', '2025-05-01', 'LE3 2', 'BD1 1AA')""")
        con.execute(
            "INSERT INTO ssd_contacts (cont_contact_id, cont_person_id) VALUES ('k4', 'P4')"
        )
    return ws


def test_each_rule_and_the_unassigned_list(handmade: Workspace, tmp_path: Path) -> None:
    lk = read_lookup(
        write(
            tmp_path / "l.csv",
            "district,successor_code,successor_name\n"
            "LE1,E06999901,North\nLE2,E06999901,North\nLE3,E06999901,North\n"
            "LE15,E06999902,South\nLE7,E06999901,North\nLE7,E06999902,South\n",
        )
    )
    with handmade.connect(read_only=True) as con:
        got = {a.person_id: a for a in assign(con, lk, REF)}
    assert sorted(got) == ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]  # nobody dropped
    expect = {
        "P1": ("E06999901", "home_at_reference", "LE1 2AB"),
        "P2": ("E06999902", "latest_address", "LE15 1AB"),
        "P3": ("E06999901", "placing_authority", "LE3 2"),
        "P6": ("E06999901", "latest_address", "LE2 9ZZ"),
        "P4": (None, "unassigned", ""),
        "P5": (None, "unassigned", "LE7 1AA"),
        "P7": (None, "unassigned", "LE1 nonsense"),
    }
    assert {p: (a.successor, a.rule, a.postcode) for p, a in got.items()} == expect
    assert "BD5 1AA at 2026-03-31 is not in the lookup" in got["P2"].reason
    assert "placed out of area (BD1 1AA)" in got["P3"].reason
    assert got["P4"].reason == "no address recorded and not looked after"
    assert "ambiguous" in got["P5"].reason and "not a postcode" in got["P7"].reason


def test_every_table_goes_somewhere() -> None:
    people = person_columns()
    for name in tables():
        assert (name in people) + (name in FOLLOWS) + (name in REFERENCE) == 1, name
    for name, (col, parent, parent_col) in FOLLOWS.items():
        assert col in tables()[name].column_names
        assert parent_col in tables()[parent].column_names


# --- the split ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    tmp = tmp_path_factory.mktemp("county")
    manifest = synthesise(tmp / "r", 300, [2026], 8, "201")
    ws = Workspace.create(tmp / "ws", "201", "Synthshire")
    ingest(ws, [tmp / "r" / f["path"] for f in manifest["years"]["2026"]])
    plan = make_plan(read_lookup(write_lookup(tmp / "lookup.csv", "201")), REF, ws)
    return ws, write_plan(plan, tmp / "plan.json")


def test_the_plan_reports_coverage(county: tuple[Workspace, Path]) -> None:
    _ws, plan_path = county
    plan = load_plan(plan_path).to_json()
    cover = plan["workspace"]
    assert plan["reference_date"] == "2026-03-31" and len(plan["lookup"]["sha256"]) == 64
    assert cover["children"] == cover["assigned"] + cover["unassigned"]
    assert cover["coverage"] > 0.9
    assert sum(cover["by_rule"].values()) == cover["children"]
    assert cover["unknown_postcodes"]["count"] > 0  # addresses outside the county's area


def test_split_reconciles_with_the_predecessor(
    county: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, plan_path = county
    report = split(ws, load_plan(plan_path), tmp_path / "out")
    rec = report.reconciliation
    assert not rec.differs, [ln.to_json() for ln in rec.differs][:3]
    for ln in rec.lines:
        if ln.unit in ADDITIVE and ln.status == "reconciles":
            assert ln.whole == sum(v or 0 for v in ln.parts.values()), ln.to_json()
    kinds = {ln.kind for ln in rec.lines}
    assert kinds == {"children", "table", "return", "annex_a", "measure"}
    children = next(ln for ln in rec.lines if ln.kind == "children")
    assert children.parts["unassigned"] == report.summary["unassigned"] > 0
    listed = (tmp_path / "out" / "assignment.csv").read_text("utf-8").splitlines()
    assert len(listed) - 1 == children.whole == report.summary["children"]
    for part in report.parts:  # each successor is a workspace of its own children only
        part_ws = Workspace.open(tmp_path / "out" / part.folder)
        mine = {
            r.split(",")[0]
            for r in (part_ws.outputs / "reorg_assignment.csv").read_text("utf-8").splitlines()[1:]
        }
        with part_ws.connect(read_only=True) as con:
            people = {r[0] for r in con.execute("SELECT pers_person_id FROM ssd_person").fetchall()}
            (start,) = con.execute(
                "SELECT start_value FROM duckdb_sequences() WHERE sequence_name = 'hw_load_seq'"
            ).fetchone() or (0,)
            (top,) = con.execute("SELECT max(load_id) FROM hw_loads").fetchone() or (0,)
        assert people <= mine and start > top
        assert (part_ws.outputs / "annex_a.xlsx").is_file()
    saved = json.loads((tmp_path / "out" / "split_report.json").read_text("utf-8"))
    assert saved["reconciles"] is True


# --- the CLI ------------------------------------------------------------------------------
def test_bad_inputs_fail_with_one_line_and_write_nothing(
    county: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, plan_path = county
    bad = write(tmp_path / "bad.csv", "a,b,c\n1,2,3\n")
    r = runner.invoke(
        app,
        [
            "reorg",
            "plan",
            "--lookup",
            str(bad),
            "-w",
            str(ws.path),
            "--out",
            str(tmp_path / "p.json"),
        ],
    )
    assert r.exit_code == 1 and "Error:" in r.output and not (tmp_path / "p.json").exists()
    one = write(tmp_path / "one.csv", "district,successor_code\nLE1,E06999901\n")
    r = runner.invoke(
        app, ["reorg", "plan", "--lookup", str(one), "--out", str(tmp_path / "p.json")]
    )
    assert r.exit_code == 1 and "one successor" in r.output
    taken = tmp_path / "taken"
    (taken / "keep").mkdir(parents=True)
    r = runner.invoke(
        app, ["reorg", "split", "-w", str(ws.path), "--plan", str(plan_path), "--out", str(taken)]
    )
    assert r.exit_code == 1 and "already exists" in r.output
    assert [p.name for p in taken.iterdir()] == ["keep"]
    # a lookup changed after the plan: refused, and no output folder, not even a partial one
    lookup = tmp_path / "lookup.csv"
    write_lookup(lookup, "201", "simple")
    plan = make_plan(read_lookup(lookup), REF)
    write_plan(plan, tmp_path / "plan.json")
    lookup.write_text(lookup.read_text("utf-8") + "LE99,E06999901,North Synthshire\n", "utf-8")
    r = runner.invoke(
        app,
        [
            "reorg",
            "split",
            "-w",
            str(ws.path),
            "--plan",
            str(tmp_path / "plan.json"),
            "--out",
            str(tmp_path / "new"),
        ],
    )
    assert r.exit_code == 1 and "has changed since the plan" in r.output
    assert not (tmp_path / "new").exists()
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]
    r = runner.invoke(
        app,
        ["reorg", "split", "-w", str(ws.path), "--plan", str(bad), "--out", str(tmp_path / "new")],
    )
    assert r.exit_code == 1 and "not a Headway reorganisation plan" in r.output


def test_plan_json_through_the_cli(county: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = county
    lookup = write_lookup(tmp_path / "simple.csv", "201", "simple")
    r = runner.invoke(
        app,
        [
            "reorg",
            "plan",
            "--lookup",
            str(lookup),
            "-w",
            str(ws.path),
            "--out",
            str(tmp_path / "p.json"),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["lookup"]["layout"] == "simple" and got["lookup"]["keys"] == {"district": 20}
    assert got["workspace"]["coverage"] > 0.9
    assert json.loads((tmp_path / "p.json").read_text("utf-8"))["successors"] == got["successors"]


def test_readiness_works_for_a_shadow_authority(
    county: tuple[Workspace, Path], tmp_path: Path
) -> None:
    """A successor workspace answers the reorganisation pack's day-one requirements from its
    own children's data: the addresses that assigned them are there, so that one is ready."""
    from headway.packs import load
    from headway.readiness import assess

    ws, plan_path = county
    report = split(ws, load_plan(plan_path), tmp_path / "out")
    successor = Workspace.open(tmp_path / "out" / report.parts[0].folder)
    with successor.connect(read_only=True) as con:
        result = assess(con, load("lgr-day-one"))
    status = {r.id: r.status for r in result.requirements}
    assert status["cin-addresses"] == "ready"
    assert set(status.values()) <= {"ready", "at risk", "gap"} and len(status) >= 5
