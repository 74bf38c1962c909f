"""The shipped programme packs: well formed, sourced, and every measure and output runs.

Each pack in src/headway/packs/library/ is checked on its own terms (fields, ids, references,
standard-model items, files), its SQL against the measure contract (one portable SELECT over
the standard model and hw_loads, no semicolons, transpilable to T-SQL, PostgreSQL and Spark),
and then run on a synthetic LA ingested into a real workspace. When the pack validator exists
(headway.packs.validate), every pack must also pass it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from psycopg import sql as pgsql

import headway
from headway.ingest import ingest
from headway.measures.engine import MeasureResult, run_measures
from headway.measures.export import export
from headway.measures.postgres import copy_model, pg_type, run_on_postgres
from headway.model.schema import tables
from headway.packs.loader import load as load_pack
from headway.synth import synthesise
from headway.workspace import Workspace
from tests import pg

LIBRARY = Path(headway.__file__).parent / "packs" / "library"
PACK_DIRS = sorted(p.parent for p in LIBRARY.glob("*/pack.yaml"))
PACK_IDS = [p.name for p in PACK_DIRS]
YEARS = [2024, 2025, 2027]

EXPECTED_PACKS = {
    "families-first-2025",
    "families-first-2026-27",
    "best-start-family-hubs",
    "ofsted-ilacs",
    "cin-census-2025-26",
    "cin-census-2026-27",
    "ssda903-2025-26",
    "ssda903-2026-27",
    "send",
    "lgr-day-one",
    "single-unique-identifier",
}
MEASURE_COLUMNS = {"period", "value", "breakdown"}
# Measures over data the synthetic LA does not have (SEN2 / EHC plans, NHS numbers): they must
# run, and may return no rows.
NO_SYNTHETIC_DATA = {
    *(
        f"send/measures/{n}.sql"
        for n in (
            "ehc_requests_received",
            "ehc_plans_within_20_weeks",
            "ehc_assessments_completed",
            "active_plans_reviewed",
            "active_plans_by_need",
            "sen2_identifiers_recorded",
            "plans_ceased",
        )
    ),
    "single-unique-identifier/measures/nhs_number_valid.sql",
    "single-unique-identifier/measures/nhs_number_duplicates.sql",
}


def load(pack_dir: Path) -> dict[str, Any]:
    data = yaml.safe_load((pack_dir / "pack.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{pack_dir.name}/pack.yaml is not a mapping"
    return data


def sql_files(pack_dir: Path) -> Iterator[tuple[str, Path]]:
    pack = load(pack_dir)
    for kind in ("measures", "outputs"):
        for entry in pack.get(kind) or []:
            yield kind, pack_dir / entry["file"]


ALL_SQL = [(d.name, kind, f) for d in PACK_DIRS for kind, f in sql_files(d)]
SQL_IDS = [f"{pack}/{f.relative_to(LIBRARY / pack)}" for pack, _, f in ALL_SQL]


def test_every_pack_the_issue_names_is_shipped() -> None:
    assert set(PACK_IDS) >= EXPECTED_PACKS


def test_pack_ids_are_unique_and_match_their_folders() -> None:
    ids = [load(d)["id"] for d in PACK_DIRS]
    assert len(ids) == len(set(ids))
    assert ids == PACK_IDS


# --- running on a synthetic LA ----------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("library_packs")
    ws = Workspace.create(tmp / "ws", "201")
    synthesise(tmp / "r", 1500, YEARS, 5, "201")
    for y in YEARS:
        ingest(ws, sorted(p for p in (tmp / "r" / str(y)).rglob("*") if p.is_file()))
    return ws


@pytest.mark.parametrize(("pack", "kind", "path"), ALL_SQL, ids=SQL_IDS)
def test_sql_runs_on_a_synthetic_workspace(
    synthetic: Workspace, pack: str, kind: str, path: Path
) -> None:
    with synthetic.connect(read_only=True) as con:
        cur = con.execute(path.read_text(encoding="utf-8"))
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    assert columns and len(columns) == len(set(columns))
    if kind == "measures":
        assert {"period", "value"} <= set(columns) <= MEASURE_COLUMNS
        period, value = columns.index("period"), columns.index("value")
        for row in rows:
            assert isinstance(row[period], int) and row[period] in YEARS, row
            assert row[value] is None or isinstance(row[value], int | float), row


def test_measures_with_synthetic_data_return_rows(synthetic: Workspace) -> None:
    """Measures over data the synthetic LA has must say something; the rest may be empty."""
    empty = set()
    with synthetic.connect(read_only=True) as con:
        for _pack, kind, path in ALL_SQL:
            if kind == "measures" and not con.execute(path.read_text(encoding="utf-8")).fetchall():
                empty.add(str(path.relative_to(LIBRARY)))
    assert empty <= NO_SYNTHETIC_DATA


def test_annex_a_outputs_give_every_list_with_rows(synthetic: Workspace) -> None:
    pack = load(LIBRARY / "ofsted-ilacs")
    ids = {o["id"] for o in pack["outputs"]}
    assert ids == {f"annex-a-list-{n}" for n in range(1, 12)}
    with synthetic.connect(read_only=True) as con:
        for o in pack["outputs"]:
            cur = con.execute((LIBRARY / "ofsted-ilacs" / o["file"]).read_text(encoding="utf-8"))
            names = [d[0] for d in cur.description]
            assert names[0] in {"Child Unique ID", "Individual adopter identifier"}, o["id"]
            assert cur.fetchall(), f"{o['id']} is empty on the synthetic LA"


# --- the same results on PostgreSQL ------------------------------------------------------


def copy_to_postgres(ws: Workspace, conn: pg.Connection, schema: str) -> None:
    """The workspace's model in `schema`, with the empty standard-model tables created too:
    copy_model takes only tables with rows, and a measure over data an LA lacks (EHC plans,
    NHS numbers) must still run there."""
    with ws.connect(read_only=True) as duck:
        copied = copy_model(duck, conn, schema)
    with conn.cursor() as cur:
        for t in tables().values():
            if t.name not in copied:
                columns = pgsql.SQL(", ").join(
                    pgsql.SQL("{} {}").format(pgsql.Identifier(c.name), pgsql.SQL(pg_type(c.type)))
                    for c in t.columns
                )
                cur.execute(
                    pgsql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
                        pgsql.Identifier(schema, t.name), columns
                    )
                )
    conn.commit()


def same(a: MeasureResult, b: MeasureResult) -> bool:
    va, vb = a.values(), b.values()
    return va.keys() == vb.keys() and all(
        (va[k] is None and vb[k] is None)
        or (va[k] is not None and vb[k] is not None and va[k] == pytest.approx(vb[k], rel=1e-9))
        for k in va
    )


@pytest.fixture(scope="module")
def postgres(synthetic: Workspace) -> Iterator[tuple[pg.Connection, str]]:
    conn = pg.connect()
    with pg.fresh_schema(conn, "hw_library") as schema:
        copy_to_postgres(synthetic, conn, schema)
        yield conn, schema
    conn.close()


@pytest.mark.parametrize("pack_dir", PACK_DIRS, ids=PACK_IDS)
def test_measures_and_outputs_give_the_same_results_on_postgres(
    synthetic: Workspace, postgres: tuple[pg.Connection, str], pack_dir: Path
) -> None:
    conn, schema = postgres
    pack = load_pack(pack_dir)
    with synthetic.connect(read_only=True) as duck:
        on_duckdb = {r.id: r for r in run_measures(duck, pack.measures)}
        duck_rows = {o.id: len(duck.execute(o.sql).fetchall()) for o in pack.outputs}
    on_postgres = {r.id: r for r in run_on_postgres(conn, schema, pack.measures)}
    for m in pack.measures:
        a, b = on_duckdb[m.id], on_postgres[m.id]
        assert a.ok and b.ok, f"{m.id}: {a.error or b.error}"
        assert same(a, b), f"{m.id}: DuckDB {a.values()} but PostgreSQL {b.values()}"
    for o in pack.outputs:  # run_on_postgres has set the search path to the schema
        with conn.cursor() as cur:
            cur.execute(export(o.sql, "postgres").encode("utf-8"))
            assert len(cur.fetchall()) == duck_rows[o.id], o.id
        conn.rollback()


# --- measures over data the synthetic LA lacks, on made-up SSD extract rows -----------------

# Made-up records in the SSD extract format (no real child data). 9990000018 is a test-range
# NHS number with a valid Modulus 11 check digit; 9990000019 fails it.
HAND_MADE = {
    "ssd_send": [
        "send_table_id,send_upn,send_uln,send_upn_unknown,send_person_id",
        "S1,A123456789012,,,{child0}",
        "S2,A123456789013,,,{child1}",
        "S3,,1234567890,,{child2}",
        "S4,,,UN2,{child3}",
    ],
    "ssd_ehcp_requests": [
        "ehcr_ehcp_request_id,ehcr_send_table_id,ehcr_ehcp_req_date,ehcr_ehcp_req_outcome_date,ehcr_ehcp_req_outcome",
        "R1,S1,2026-05-01,2026-06-10,A",
        "R2,S2,2026-04-10,2026-05-20,A",
        "R3,S3,2026-06-01,2026-07-01,A",
        "R4,S4,2026-09-01,,",
        "R5,S4,2025-09-01,2025-10-01,N",
    ],
    "ssd_ehcp_assessment": [
        "ehca_ehcp_assessment_id,ehca_ehcp_request_id,ehca_ehcp_assessment_outcome_date,ehca_ehcp_assessment_outcome,ehca_ehcp_assessment_exceptions",
        "A1,R1,2026-08-20,Y,N",
        "A2,R2,2026-09-30,Y,N",
        "A3,R3,2026-10-15,Y,Y",
    ],
    "ssd_ehcp_named_plan": [
        "ehcn_named_plan_id,ehcn_ehcp_asmt_id,ehcn_named_plan_start_date,ehcn_named_plan_ceased_date,ehcn_named_plan_ceased_reason",
        "P1,A1,2026-09-01,,",
        "P2,A2,2026-10-30,,",
        "P3,A3,2026-11-20,,",
        "P4,A2,2020-01-10,2026-12-01,Moved",
    ],
    "ssd_ehcp_active_plans": [
        "ehcp_active_ehcp_id,ehcp_ehcp_request_id,ehcp_active_ehcp_last_review_date",
        "P1,R1,2026-06-01",
        "P2,R2,2025-01-01",
    ],
    "ssd_sen_need": [
        "senn_table_id,senn_active_ehcp_id,senn_active_ehcp_need_type,senn_active_ehcp_need_rank",
        "N1,P1,ASD,1",
        "N2,P2,SEMH,1",
        "N3,P2,SLCN,2",
    ],
    "ssd_linked_identifiers": [
        "link_table_id,link_person_id,link_identifier_type,link_identifier_value,link_valid_from_date,link_valid_to_date",
        "L1,{child0},NHS Number,999 000 0018,,",
        "L2,{child1},NHS Number,9990000019,,",
        "L3,{child2},NHS Number,9990000018,,",
        "L4,{child3},Unique Pupil Number,A123456789012,,",
    ],
}


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, list[str]]:
    """The synthetic LA's 2026-27 returns plus the made-up SSD extracts above, whose children
    are four children in need at 31 March 2027."""
    tmp = tmp_path_factory.mktemp("hand_made")
    synthesise(tmp / "r", 300, [2027], 7, "201")
    ws = Workspace.create(tmp / "ws", "201")
    ingest(ws, sorted(p for p in (tmp / "r" / "2027").rglob("*") if p.is_file()))
    with ws.connect(read_only=True) as con:
        children = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT e.cine_person_id FROM ssd_cin_episodes e "
                "JOIN hw_loads l ON l.load_id = e.hw_load_id WHERE l.source_return = 'cin_census' "
                "AND e.cine_referral_date <= DATE '2027-03-31' AND (e.cine_close_date IS NULL "
                "OR e.cine_close_date > DATE '2027-03-31') ORDER BY 1 LIMIT 4"
            ).fetchall()
        ]
    assert len(children) == 4
    extracts = tmp / "ssd"
    extracts.mkdir()
    for table, lines in HAND_MADE.items():
        text = "\n".join(lines).format(**{f"child{i}": c for i, c in enumerate(children)})
        (extracts / f"{table}.csv").write_text(text + "\n", encoding="utf-8")
    ingest(ws, sorted(extracts.iterdir()), year=2027)
    return ws, children


def test_send_and_nhs_number_measures_on_hand_made_records(
    hand_made: tuple[Workspace, list[str]],
) -> None:
    ws, _ = hand_made
    packs = [load_pack(LIBRARY / "send"), load_pack(LIBRARY / "single-unique-identifier")]
    measures = [m for p in packs for m in p.measures]
    with ws.connect(read_only=True) as con:
        results = {r.id: r for r in run_measures(con, measures)}
        in_need = con.execute(
            (LIBRARY / "cin-census-2025-26" / "measures" / "cin_at_31_march.sql").read_text(
                encoding="utf-8"
            )
        ).fetchall()[0][1]
    values = {k: r.values() for k, r in results.items()}
    assert all(r.ok for r in results.values()), [r.error for r in results.values()]
    assert values["ehc-requests-received"] == {(2027, None): 4}
    assert values["ehc-assessments-completed"] == {(2027, None): 3}
    # P1 in 123 days, P2 in 203 days, P3 left out (exceptions apply)
    assert values["ehc-plans-within-20-weeks"] == {(2027, None): 50.0}
    assert values["plans-ceased"] == {(2027, "Moved"): 1}
    assert values["sen2-identifiers-recorded"] == {(2027, None): 75.0}
    assert values["active-plans-reviewed"] == {(2027, None): 50.0}
    assert values["active-plans-by-need"] == {(2027, "ASD"): 1, (2027, "SEMH"): 1}
    # child0, child1 and child2 hold a plan in force at 31 March 2027 (P1, P2, P3)
    assert values["cin-with-ehcp"][(2027, None)] == pytest.approx(300.0 / in_need)
    assert values["nhs-number-valid"] == {(2027, None): pytest.approx(200.0 / 3)}
    assert values["nhs-number-duplicates"] == {(2027, None): 1}
    coverage = values["nhs-number-coverage"][(2027, None)]
    assert coverage is not None and coverage > 0

    conn = pg.connect()
    try:
        with pg.fresh_schema(conn, "hw_library_hand") as schema:
            copy_to_postgres(ws, conn, schema)
            for r in run_on_postgres(conn, schema, measures):
                assert r.ok, f"{r.id}: {r.error}"
                assert same(results[r.id], r), f"{r.id}: {results[r.id].values()} vs {r.values()}"
    finally:
        conn.close()


# --- versions of one programme differ in ways a diff can show ------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("families-first-2025", "families-first-2026-27"),
        ("cin-census-2025-26", "cin-census-2026-27"),
        ("ssda903-2025-26", "ssda903-2026-27"),
    ],
)
def test_versions_differ_meaningfully(old: str, new: str) -> None:
    a, b = load(LIBRARY / old), load(LIBRARY / new)
    assert a["programme"] == b["programme"] and a["version"] < b["version"]
    ra = {r["id"]: r for r in a["requirements"]}
    rb = {r["id"]: r for r in b["requirements"]}
    assert set(rb) - set(ra), "year 2 adds requirements"
    assert any(rb[i]["due"] > ra[i]["due"] for i in set(ra) & set(rb)), "due dates move"
    items_a = {i for r in ra.values() for i in r["items"]}
    items_b = {i for r in rb.values() for i in r["items"]}
    assert items_b - items_a, "new items"


def test_year_2_makes_fgdm_a_statutory_duty() -> None:
    a, b = load(LIBRARY / "families-first-2025"), load(LIBRARY / "families-first-2026-27")
    ea = {e["id"]: e for e in a["expectations"]}
    eb = {e["id"]: e for e in b["expectations"]}
    assert (ea["fgdm-offer"]["level"], ea["fgdm-offer"]["basis"]) == ("recommended", "inferred")
    assert (eb["fgdm-offer"]["level"], eb["fgdm-offer"]["basis"]) == ("required", "published")


# --- the pack validator, once it exists ----------------------------------------------------
