"""The data quality profile: completeness, code-list validity and date logic, per item."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from lxml import etree
from rich.console import Console

from headway.errors import HeadwayError
from headway.model.schema import tables
from headway.quality import profile, render_profile, run_quality
from headway.quality.code_lists import code_lists
from headway.quality.profile import (
    AFTER_DEATH,
    AFTER_YEAR_END,
    BEFORE_BIRTH,
    END_BEFORE_START,
    START_END,
    QualityProfile,
)
from headway.workspace import Workspace

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
CIN_XSD = REFERENCE / "cin_census" / "CIN_schema_2024.xsd"
SSDA903_SCHEMA = REFERENCE / "ssda903" / "SSDA903_schema_2024.yml"


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts of column: value) into a standard-model table."""
    for row in rows:
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        con.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))


def add_load(con: duckdb.DuckDBPyConnection, load_id: int, year: int = 2024) -> None:
    con.execute(
        "INSERT INTO hw_loads VALUES (?, 'cin_census', 'cin_census', ?, '201', 'cin.xml', "
        "'0123abcd', 100, now(), NULL)",
        [load_id, year],
    )


def person(pid: str, **values: Any) -> dict[str, Any]:
    row = {
        "pers_person_id": pid,
        "pers_sex": "1",
        "pers_ethnicity": "WBRI",
        "pers_dob": "2015-01-01",
        "hw_load_id": 1,
        "hw_source_file": "cin.xml",
        "hw_source_ref": f"Child[{pid}]",
    }
    row.update(values)
    return row


def episode(rid: str, pid: str, **values: Any) -> dict[str, Any]:
    row = {
        "cine_referral_id": rid,
        "cine_person_id": pid,
        "cine_referral_date": "2023-06-01",
        "cine_close_date": "2023-09-01",
        "cine_cin_primary_need_code": "N4",
        "cine_referral_source_code": "1A",
        "cine_close_reason": "RC7",
        "hw_load_id": 1,
        "hw_source_file": "cin.xml",
        "hw_source_ref": f"Child[{pid}]/CINdetails[{rid}]",
    }
    row.update(values)
    return row


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path / "ws", "201")


@pytest.fixture
def problems(ws: Workspace) -> Iterator[QualityProfile]:
    """A workspace with one of each known problem, profiled."""
    with ws.connect() as con:
        add_load(con, 1, 2024)
        insert(
            con,
            "ssd_person",
            [
                person("A"),
                person("B", pers_ethnicity="XXXX"),  # not an ethnicity code
                person("C", pers_death_date="2023-06-01"),
                person("D", pers_dob=None),  # a blank required field
            ],
        )
        insert(
            con,
            "ssd_cin_episodes",
            [
                episode("R1", "A", cine_close_date="2023-05-01"),  # closed before referral
                episode("R2", "B"),
                episode("R3", "C", cine_referral_date="2023-07-01", cine_close_date=None),
                episode("R4", "D", cine_close_date="2024-05-01"),  # after 31 March 2024
                # 41 weeks before birth: more than the CIN census allows for unborn children
                episode("R5", "A", cine_referral_date="2014-02-21", cine_close_date="2014-06-01"),
            ],
        )
        insert(
            con,
            "ssd_cla_episodes",
            [
                {
                    "clae_cla_episode_id": "E1",
                    "clae_person_id": "A",
                    "clae_cla_episode_start_date": "2014-12-31",  # the day before birth
                    "clae_legal_status": "C2",
                    "clae_placement_type": "U1",
                    "clae_cla_episode_start_reason": "S",
                    "hw_load_id": 1,
                    "hw_source_ref": "Episodes line 2",
                }
            ],
        )
        yield profile(con)


def test_invalid_code_is_counted_with_an_example(problems: QualityProfile) -> None:
    item = problems.item("ssd_person", "pers_ethnicity")
    assert item.coded
    assert item.invalid == 1
    assert [(v.value, v.count, v.source_ref) for v in item.invalid_values] == [
        ("XXXX", 1, "Child[B]")
    ]
    assert problems.item("ssd_person", "pers_sex").invalid == 0


def test_blank_required_field_lowers_completeness(problems: QualityProfile) -> None:
    item = problems.item("ssd_person", "pers_dob")
    assert (item.rows, item.filled) == (4, 3)
    assert item.completeness == pytest.approx(0.75)
    assert item.item_ref == "PERS005A"


def test_closure_before_referral_is_found(problems: QualityProfile) -> None:
    item = problems.item("ssd_cin_episodes", "cine_close_date")
    assert item.date_failure(END_BEFORE_START) == 1
    (failure,) = [f for f in item.date_failures if f.check == END_BEFORE_START]
    assert failure.against == "cine_referral_date"
    assert failure.example_ref == "Child[A]/CINdetails[R1]"


def test_event_after_death_is_found(problems: QualityProfile) -> None:
    referral = problems.item("ssd_cin_episodes", "cine_referral_date")
    assert referral.date_failure(AFTER_DEATH) == 1
    (failure,) = [f for f in referral.date_failures if f.check == AFTER_DEATH]
    assert failure.example_ref == "Child[C]/CINdetails[R3]"


def test_events_before_birth_allow_for_unborn_children_only_in_cin_work(
    problems: QualityProfile,
) -> None:
    # R5 is 41 weeks before birth: more than the 40 weeks allowed for pre-birth CIN work.
    assert problems.item("ssd_cin_episodes", "cine_referral_date").date_failure(BEFORE_BIRTH) == 1
    assert problems.item("ssd_cin_episodes", "cine_close_date").date_failure(BEFORE_BIRTH) == 0
    # A child cannot be looked after before birth at all.
    start = problems.item("ssd_cla_episodes", "clae_cla_episode_start_date")
    assert start.date_failure(BEFORE_BIRTH) == 1


def test_date_after_the_collection_year_is_found(problems: QualityProfile) -> None:
    item = problems.item("ssd_cin_episodes", "cine_close_date")
    assert item.date_failure(AFTER_YEAR_END) == 1
    assert problems.item("ssd_cin_episodes", "cine_referral_date").date_failure(AFTER_YEAR_END) == 0


def test_summary_counts_every_problem(problems: QualityProfile) -> None:
    summary = problems.summary()
    assert summary.tables_profiled == 3
    assert summary.invalid_values == 1
    # closure before referral, after death, 2 before birth, after the year end
    assert summary.date_logic_failures == 5
    assert summary.items_profiled == len(problems.items)
    below = {(i.table, i.column) for i in problems.items if i.completeness < 0.95}
    assert ("ssd_person", "pers_dob") in below
    assert summary.items_below_95 == len(below)
    assert summary.items_empty <= summary.items_below_95


def test_only_tables_with_rows_and_only_return_columns_are_profiled(
    problems: QualityProfile,
) -> None:
    assert set(problems.table_rows) == {"ssd_person", "ssd_cin_episodes", "ssd_cla_episodes"}
    columns = {i.column for i in problems.items}
    assert "hw_load_id" not in columns and "hw_source_ref" not in columns
    assert "hw_reported_ethnicity" in columns


def test_clean_tables_have_no_problems(ws: Workspace) -> None:
    with ws.connect() as con:
        add_load(con, 1, 2024)
        insert(con, "ssd_person", [person("A"), person("B", pers_sex="2", pers_ethnicity="AIND")])
        insert(con, "ssd_cin_episodes", [episode("R1", "A"), episode("R2", "B")])
        result = profile(con)
    summary = result.summary()
    assert summary.invalid_values == 0
    assert summary.date_logic_failures == 0
    for column in ("pers_person_id", "pers_sex", "pers_ethnicity", "pers_dob"):
        item = result.item("ssd_person", column)
        assert item.completeness == 1.0
        assert not item.has_problems


def test_blank_text_is_empty_not_invalid(ws: Workspace) -> None:
    with ws.connect() as con:
        add_load(con, 1)
        insert(con, "ssd_person", [person("A", pers_ethnicity="  "), person("B")])
        item = profile(con).item("ssd_person", "pers_ethnicity")
    assert (item.filled, item.invalid) == (1, 0)


def test_empty_workspace_profiles_nothing(ws: Workspace) -> None:
    with ws.connect() as con:
        result = profile(con)
    assert result.items == ()
    assert result.summary().items_profiled == 0


def test_profile_json_is_plain_data(problems: QualityProfile) -> None:
    data = json.loads(json.dumps(problems.to_json()))
    assert data["summary"]["invalid_values"] == 1
    ethnicity = next(i for i in data["items"] if i["column"] == "pers_ethnicity")
    assert ethnicity["invalid_values"][0]["value"] == "XXXX"


def test_render_profile_names_the_problems(problems: QualityProfile) -> None:
    console = Console(record=True, width=200)
    render_profile(problems, console)
    text = console.export_text()
    assert "Invalid coded values: 1" in text
    assert "Date logic failures: 5" in text
    assert "'XXXX'" in text
    assert "ends before it starts" in text


def test_run_quality_profiles_without_rules(ws: Workspace) -> None:
    with ws.connect() as con:
        add_load(con, 1)
        insert(con, "ssd_person", [person("A", pers_ethnicity="XXXX")])
    progress: list[str] = []
    report = run_quality(ws, None, progress.append)
    assert report.summary()["invalid_values"] == 1
    assert report.dfe_runs == ()
    assert progress
    data = json.loads(json.dumps(report.to_json()))
    assert data["dfe"]["run"] is False
    console = Console(record=True, width=160)
    report.render(console)
    assert "--rules dfe" in console.export_text()


def test_run_quality_refuses_unknown_rules(ws: Workspace) -> None:
    with pytest.raises(HeadwayError) as err:
        run_quality(ws, "ofsted")
    assert "--rules dfe" in err.value.hint


# --- the code lists and date pairs are about real model columns, with real codes --------


def test_code_lists_name_standard_model_columns() -> None:
    columns = {c.name for t in tables().values() for c in t.columns}
    assert set(code_lists()) <= columns


def test_start_end_pairs_name_columns_of_their_table() -> None:
    model = tables()
    for table, pairs in START_END.items():
        for start, end in pairs:
            assert start in model[table].column_names, (table, start)
            assert end in model[table].column_names, (table, end)


def _reference_codes(source: str) -> list[str]:
    kind, ref = source.split(":", 1)
    if kind == "cin":
        ns = {"xs": "http://www.w3.org/2001/XMLSchema"}
        tree = etree.parse(str(CIN_XSD))
        (simple,) = tree.findall(f".//xs:simpleType[@name='{ref}']", ns)
        return [str(e.get("value")) for e in simple.findall(".//xs:enumeration", ns)]
    assert kind == "903", source
    table, column = ref.split(".")
    spec = yaml.safe_load(SSDA903_SCHEMA.read_text(encoding="utf-8"))["column_map"]
    return [str(c["code"]).strip() for c in spec[table][column]["category"]]


@pytest.mark.skipif(
    not (CIN_XSD.is_file() and SSDA903_SCHEMA.is_file()),
    reason="../shared/reference (CIN XSD 2024, SSDA903 schema 2024) is not present",
)
def test_code_lists_match_the_reference_specs() -> None:
    raw = yaml.safe_load(
        (Path(__file__).parents[1] / "src/headway/quality/code_lists.yaml").read_text("utf-8")
    )
    for column, entry in raw.items():
        expected: list[str] = []
        for source in entry["sources"]:
            expected += [c for c in _reference_codes(source) if c not in expected]
        assert entry["codes"] == expected, column
        for extra in entry.get("also") or []:
            assert extra["source"], f"{column}: every added code list names its source"
    assert "WBRI" in code_lists()["pers_ethnicity"].codes
    assert code_lists()["cine_cin_primary_need_code"].codes[-1] == "N0"


def test_annex_a_labels_are_not_judged_against_return_code_lists(ws: Workspace) -> None:
    """Annex A carries Ofsted's labels ('a) White British'); the CIN census carries codes."""
    with ws.connect() as con:
        add_load(con, 1)
        con.execute(
            "INSERT INTO hw_loads VALUES (2, 'annex_a', 'annex_a', 2024, '201', 'a.xlsx', "
            "'4567ef', 100, now(), NULL)"
        )
        insert(con, "ssd_person", [person("A", pers_ethnicity="White British")])
        insert(con, "ssd_person", [person("B", pers_ethnicity="a) WBRI", hw_load_id=2)])
        item = profile(con).item("ssd_person", "pers_ethnicity")
    assert (item.filled, item.invalid) == (2, 1)
    assert [v.value for v in item.invalid_values] == ["White British"]
