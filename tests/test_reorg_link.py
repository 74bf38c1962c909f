"""Linking children across predecessor LAs: real Splink on DuckDB, on small synthetic LAs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from headway.errors import HeadwayError
from headway.ingest import ingest
from headway.reorg.link import (
    FIELDS,
    Key,
    Linkage,
    LinkSettings,
    conflict_sql,
    evaluate,
    link,
    people_frame,
    splink_settings,
)
from headway.reorg.link_synth import make_pair
from headway.synth import synthesise
from headway.synth.dates import age_on, collection_window
from headway.synth.history import Context
from headway.synth.people import make_child
from headway.workspace import Workspace

N, OVERLAP, SEED = 3000, 0.2, 11
Pair = tuple[pa.Table, pa.Table, list[tuple[Key, Key]]]
UPNS = [make_child(Context(99, "886", (2026,), 7), i).upn for i in range(3)]


def _child(record_id: str, upn: str, forename: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "record_id": record_id, "upn": upn, "nhs_number": None, "forename": forename,
        "surname": "Okonkwo", "dob": date(2015, 6, 1), "sex": "2", "ethnicity": "BAFR",
        "postcode": "HU5 2AB",
    }  # fmt: skip
    return base | fields


# A child known to both LAs with the same details, and twins (same birth date, surname and
# address; their own UPNs and forenames), one known to each LA.
SAME_A = _child("A-SAME", UPNS[0], "Grace", surname="Whitfield", postcode="HU7 4QT")
SAME_B = SAME_A | {"record_id": "B-SAME", "sex": "F"}
TWIN_A = _child("A-TWIN", UPNS[1], "Adaeze")
TWIN_B = _child("B-TWIN", UPNS[2], "Chidinma", sex="F")


def _with(frame: pa.Table, *rows: dict[str, object]) -> pa.Table:
    return pa.concat_tables([frame, pa.Table.from_pylist(list(rows), schema=frame.schema)])


@pytest.fixture(scope="module")
def pair() -> Pair:
    a, b, truth = make_pair(N, N, OVERLAP, SEED)
    return _with(a, SAME_A, TWIN_A), _with(b, SAME_B, TWIN_B), truth


@pytest.fixture(scope="module")
def linkage(pair: Pair) -> Linkage:
    a, b, _ = pair
    return link({"A": a, "B": b})


def _linked(linkage: Linkage) -> set[tuple[str, str]]:
    rows = linkage.pairs.to_pylist()
    return {(r["record_id_l"], r["record_id_r"]) for r in rows}


def test_the_synthetic_pair_has_realistic_truth() -> None:
    a, b, truth = make_pair(500, 400, 0.25, 3)
    assert (a.num_rows, b.num_rows) == (500, 400)
    assert 80 <= len(truth) <= 100  # whole families, about 25% of the smaller LA
    assert a.column_names == list(FIELDS)
    assert make_pair(500, 400, 0.25, 3)[0].equals(a)  # same seed, same frames


def test_precision_and_recall_on_a_synthetic_pair(pair: Pair, linkage: Linkage) -> None:
    scores = evaluate(linkage, pair[2])
    assert scores["precision"] >= 0.98
    assert scores["recall"] >= 0.95


def test_every_record_is_in_one_cluster_and_the_summary_counts_them(linkage: Linkage) -> None:
    clusters = linkage.clusters.to_pylist()
    assert len(clusters) == 2 * (N + 2)
    assert len({(c["source"], c["record_id"]) for c in clusters}) == len(clusters)
    summary = linkage.summary()
    assert summary["records"] == {"A": N + 2, "B": N + 2}
    assert summary["linked_pairs"] == linkage.pairs.num_rows
    assert summary["clusters"] == 2 * (N + 2) - summary["linked_pairs"]
    assert summary["threshold"] == LinkSettings().threshold
    assert summary["comparisons"] > summary["linked_pairs"]
    assert {"upn", "dob", "forename", "surname", "postcode"} <= set(summary["fields"])


def test_a_child_with_the_same_details_in_both_sources_links(linkage: Linkage) -> None:
    assert ("A-SAME", "B-SAME") in _linked(linkage)


def test_twins_known_one_to_each_la_do_not_link_and_go_to_review(linkage: Linkage) -> None:
    assert not {p for p in _linked(linkage) if "A-TWIN" in p or "B-TWIN" in p}
    clusters = {r["record_id"]: r["cluster_id"] for r in linkage.clusters.to_pylist()}
    assert clusters["A-TWIN"] != clusters["B-TWIN"]
    review = {(r["record_id_l"], r["record_id_r"]): r for r in linkage.review.to_pylist()}
    twins = review.get(("A-TWIN", "B-TWIN"))
    if twins is not None:  # scored high: on the review list, as a conflict
        assert twins["conflict"] and not twins["linked"]
        assert (twins["forename_l"], twins["forename_r"]) == ("ADAEZE", "CHIDINMA")


def test_the_review_list_holds_the_pairs_near_the_threshold(linkage: Linkage) -> None:
    settings = LinkSettings()
    review = linkage.review.to_pylist()
    near = [r for r in review if abs(r["match_probability"] - settings.threshold) <= 0.2]
    assert near
    for row in review:
        assert row in near or (row["conflict"] and row["match_probability"] >= 0.7)
        assert row["linked"] == ((row["record_id_l"], row["record_id_r"]) in _linked(linkage))
    assert {"upn_l", "upn_r", "dob_l", "dob_r", "surname_l", "surname_r"} <= set(
        linkage.review.column_names
    )


def test_the_same_frames_give_the_same_linkage(pair: Pair, linkage: Linkage) -> None:
    again = link({"A": pair[0], "B": pair[1]})
    assert again.clusters.equals(linkage.clusters)
    assert again.pairs.equals(linkage.pairs)
    assert again.review.equals(linkage.review)


def test_one_source_or_an_empty_source_is_a_clear_error() -> None:
    a, b, _ = make_pair(50, 50, 0.2, 1)
    with pytest.raises(HeadwayError, match="at least two sources"):
        link({"A": a})
    with pytest.raises(HeadwayError, match="B has no children"):
        link({"A": a, "B": b.slice(0, 0)})
    with pytest.raises(HeadwayError, match="repeated ids"):
        link({"A": a, "B": pa.concat_tables([b, b.slice(0, 1)])})
    ids_only = {s: pa.table({"record_id": [f"{s}1"]}) for s in ("A", "B")}
    with pytest.raises(HeadwayError, match="share no field"):
        link(ids_only)


# --- From a workspace ------------------------------------------------------------------------
def test_people_frame_reads_one_clean_row_per_child(workspace: Workspace) -> None:
    with workspace.connect() as con:
        con.execute(
            "INSERT INTO hw_loads VALUES (1, 'cin_census', 'cin_census', 2025, '201', 'a', 'x', "
            "1, now(), NULL), (2, 'cin_census', 'cin_census', 2026, '201', 'b', 'y', 1, now(), "
            "NULL)"
        )
        con.execute(
            "INSERT INTO ssd_person (pers_person_id, pers_upn, pers_sex, pers_dob, "
            "pers_ethnicity, pers_forename, hw_load_id) VALUES "
            f"('C1', ' {UPNS[0].lower()} ', '1', '2014-03-02', 'wbri', 'Amy-Jo', 1), "
            "('C1', 'UN3', 'F', '2014-03-02', 'REFU', NULL, 2)"
        )
        con.execute(
            "INSERT INTO ssd_address (addr_person_id, addr_address_postcode, "
            "addr_address_start_date) VALUES ('C1', 'hu12 3ab', '2020-01-01'), "
            "('C1', 'HU124XY', '2023-05-01')"
        )
        con.execute(
            "INSERT INTO ssd_cla_episodes (clae_person_id, clae_home_postcode) "
            "VALUES ('C2', 'LE11 1')"
        )
        con.execute(
            "INSERT INTO ssd_contacts (cont_person_id, hw_reported_dob) VALUES ('C2', '2019-09-09')"
        )
    with workspace.connect(read_only=True) as con:
        rows = {r["record_id"]: r for r in people_frame(con, "LA 201").to_pylist()}
    assert set(rows) == {"C1", "C2"}
    one, two = rows["C1"], rows["C2"]
    assert one["source"] == "LA 201"
    assert one["upn"] == UPNS[0]  # the latest valid UPN: UN3 means not known
    assert one["sex"] == "F"  # the latest, as a code: 1/2 and M/F both read
    assert one["ethnicity"] == "WBRI"  # REFU is no answer
    assert one["forename"] == "AMYJO"
    assert one["dob"] == date(2014, 3, 2)
    assert one["postcode"] == "HU12 4XY"  # the latest address
    assert two["postcode"] == "LE11 1"  # a 903 home postcode sector
    assert two["dob"] == date(2019, 9, 9)  # as reported on a contact
    assert two["upn"] is None and two["sex"] is None


def _synthetic_workspace(root: Path, la: str, seed: int, children: int) -> Workspace:
    synthesise(root / f"returns-{la}", children, [2026], seed, la)
    ws = Workspace.create(root / f"ws-{la}", la)
    ingest(ws, sorted(p for p in (root / f"returns-{la}" / "2026").rglob("*") if p.is_file()))
    return ws


def test_people_frame_of_a_synthetic_la_and_children_of_different_las_stay_apart(
    tmp_path: Path,
) -> None:
    frames = {}
    for la, seed in (("886", 3), ("887", 4)):
        ws = _synthetic_workspace(tmp_path, la, seed, 300)
        with ws.connect(read_only=True) as con:
            frames[la] = people_frame(con, la)
    frame = frames["886"].to_pylist()
    assert len(frame) == 300
    end = collection_window(2026)[1]
    for i, row in enumerate(frame):
        child = make_child(Context(3, "886", (2026,), 7), i)
        assert row["record_id"] == child.id
        assert row["dob"] == date.fromordinal(child.dob)
        assert row["sex"] == {"1": "M", "2": "F"}[child.sex]
        assert row["upn"] == (child.upn if age_on(child.dob, end) >= 5 else None)
    linkage = link(frames)
    assert linkage.pairs.num_rows == 0
    assert linkage.summary()["clusters"] == 600
    assert linkage.m_from.startswith("priors")


def test_the_model_translates_to_spark_for_national_scale() -> None:
    fields = ("upn", "nhs_number", "forename", "surname", "dob", "sex", "ethnicity", "postcode")
    spark = splink_settings(fields, 1e-5).create_settings_dict("spark")
    conditions = [
        level["sql_condition"] for c in spark["comparisons"] for level in c["comparison_levels"]
    ]
    assert any(c.startswith("MONTH(`dob_l`) = DAY(`dob_r`)") for c in conditions)
    assert any("jaro_winkler(`surname_l`" in c for c in conditions)
    assert "jaro_winkler(forename_l" in conflict_sql(fields, "spark")
    assert "jaro_winkler_similarity" not in conflict_sql(fields, "spark")


def test_nhs_numbers_are_compared_when_the_sources_carry_them() -> None:
    a, b, truth = make_pair(1500, 1500, 0.2, 5, nhs=0.5)
    linkage = link({"A": a, "B": b})
    assert "nhs_number" in linkage.fields
    scores = evaluate(linkage, truth)
    assert scores["precision"] >= 0.98 and scores["recall"] >= 0.95
