"""The DfE rules, run for real by the D2I validators in their own environment (no mocks).

The environment is $HEADWAY_DFE_PYTHON if set, else the repository's .venv-dfe, which
`make test` creates. A missing environment fails these tests: it is not a reason to skip.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from headway.errors import HeadwayError
from headway.quality import run_dfe_rules, run_quality
from headway.quality.dfe import (
    DFE_PYTHON_VAR,
    DFE_TIMEOUT_VAR,
    DfeRunError,
    bench_convert,
    choose_ruleset,
    dfe_python,
    repo_root,
    ruleset_year,
    run_validator,
    timeout_seconds,
)
from headway.workspace import Workspace

CLOSURE_BEFORE_REFERRAL = "8630"  # CIN: closure date before referral date
ASSESSMENT_BEFORE_REFERRAL = "1103"  # CIN: assessment start before referral date
CEASED_BEFORE_STARTED = "356"  # 903: episode ceased before it started


@pytest.fixture
def dfe_env(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The DfE environment's python, which Headway will then find through $HEADWAY_DFE_PYTHON."""
    configured = os.environ.get(DFE_PYTHON_VAR)
    path = Path(configured) if configured else repo_root() / ".venv-dfe" / "bin" / "python"
    if not path.is_file():
        pytest.fail(
            f"The DfE rules environment is missing ({path}). Run `make dfe-env` "
            f"(or set {DFE_PYTHON_VAR} to the python of an environment with the D2I validators)."
        )
    monkeypatch.setenv(DFE_PYTHON_VAR, str(path))
    return path


# --- synthetic files, written by the tests --------------------------------------------------


def upn(la: str, serial: int) -> str:
    """A well-formed UPN: check letter, LA number, then digits (DfE UPN guide)."""
    digits = f"{la}{serial:09d}"
    total = sum(int(d) * weight for d, weight in zip(digits, range(2, 14), strict=True))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + digits


@dataclass
class CinChild:
    child_id: str
    birth: date
    referral: date
    closure: date | None
    assessment_start: date
    assessment_auth: date | None


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def write_cin_xml(path: Path, children: list[CinChild]) -> Path:
    """A CIN census XML for 2023-24 (collection 2024) in the 2024 XSD's element order."""
    message = ET.Element("Message")
    header = _sub(message, "Header")
    details = _sub(header, "CollectionDetails")
    _sub(details, "Collection", "CIN")
    _sub(details, "Year", "2024")
    _sub(details, "ReferenceDate", "2024-03-31")
    source = _sub(header, "Source")
    for tag, value in (
        ("SourceLevel", "L"),
        ("LEA", "201"),
        ("SoftwareCode", "Headway tests"),
        ("Release", "1"),
        ("SerialNo", "001"),
        ("DateTime", "2024-05-01T09:00:00"),
    ):
        _sub(source, tag, value)
    all_children = _sub(message, "Children")
    for n, c in enumerate(children, start=1):
        child = _sub(all_children, "Child")
        ids = _sub(child, "ChildIdentifiers")
        _sub(ids, "LAchildID", c.child_id)
        _sub(ids, "UPN", upn("201", n))
        _sub(ids, "PersonBirthDate", c.birth.isoformat())
        _sub(ids, "GenderCurrent", "1" if n % 2 else "2")
        characteristics = _sub(child, "ChildCharacteristics")
        _sub(characteristics, "Ethnicity", "WBRI")
        _sub(_sub(characteristics, "Disabilities"), "Disability", "NONE")
        cin = _sub(child, "CINdetails")
        _sub(cin, "CINreferralDate", c.referral.isoformat())
        _sub(cin, "ReferralSource", "1A")
        _sub(cin, "PrimaryNeedCode", "N4")
        if c.closure is not None:
            _sub(cin, "CINclosureDate", c.closure.isoformat())
            _sub(cin, "ReasonForClosure", "RC7")
        assessment = _sub(cin, "Assessments")
        _sub(assessment, "AssessmentActualStartDate", c.assessment_start.isoformat())
        if c.assessment_auth is not None:
            _sub(assessment, "AssessmentAuthorisationDate", c.assessment_auth.isoformat())
            factors = _sub(assessment, "FactorsIdentifiedAtAssessment")
            _sub(factors, "AssessmentFactors", "4B")
        _sub(cin, "ReferralNFA", "false")
    ET.ElementTree(message).write(path, encoding="utf-8", xml_declaration=True)
    return path


def clean_children() -> list[CinChild]:
    rows: list[tuple[str, str, str, str | None, str, str]] = [
        ("C001", "2015-02-01", "2023-06-01", "2023-09-01", "2023-06-02", "2023-06-30"),
        ("C002", "2012-08-09", "2023-07-03", "2023-10-02", "2023-07-04", "2023-08-01"),
        ("C003", "2019-03-03", "2023-11-06", None, "2023-11-07", "2023-12-05"),
    ]
    return [
        CinChild(
            child, _d(birth), _d(referral), _d(closure) if closure else None, _d(start), _d(auth)
        )
        for child, birth, referral, closure, start, auth in rows
    ]


def _d(text: str) -> date:
    return date.fromisoformat(text)


def broken_children() -> list[CinChild]:
    children = clean_children()
    # C002: closed before it was referred. C003: assessed before it was referred.
    children[1].closure = date(2023, 6, 20)
    children[1].assessment_start, children[1].assessment_auth = date(2023, 7, 4), date(2023, 7, 10)
    children[1].referral = date(2023, 7, 3)
    children[2].assessment_start = date(2023, 10, 2)
    return children


HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def write_903(folder: Path, broken: bool) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    header = folder / "header.csv"
    header.write_text(
        f"{HEADER}\n"
        f"1001,1,01/05/2012,WBRI,{upn('201', 7)},,\n"
        f"1002,2,12/09/2010,AIND,{upn('201', 8)},0,\n"
    )
    ceased = "10/07/2023" if broken else "20/08/2023"  # the episode started on 15/07/2023
    episodes = folder / "episodes.csv"
    episodes.write_text(
        f"{EPISODES}\n"
        "1001,01/06/2023,S,C2,N1,U1,PR1,,,,,,\n"
        f"1002,15/07/2023,S,C2,N4,U1,PR1,{ceased},E11,,,,\n"
    )  # fmt: skip
    return header, episodes


# --- the validators, run for real ------------------------------------------------------------


@pytest.mark.slow
def test_clean_cin_file_breaks_neither_date_rule(dfe_env: Path, tmp_path: Path) -> None:
    xml = write_cin_xml(tmp_path / "cin.xml", clean_children())
    run = run_validator("cin", 2024, [xml], load_ids={str(xml): 11})
    assert (run.ruleset, run.exact_ruleset) == ("cin2023_24", True)
    assert run.rules_in_ruleset > 50
    assert CLOSURE_BEFORE_REFERRAL not in run.rule_codes
    assert ASSESSMENT_BEFORE_REFERRAL not in run.rule_codes
    assert run.validator.startswith("csc-validator-be-cin ")


@pytest.mark.slow
def test_broken_cin_file_reports_the_dfe_rules(dfe_env: Path, tmp_path: Path) -> None:
    xml = write_cin_xml(tmp_path / "cin.xml", broken_children())
    run = run_validator("cin", 2024, [xml], load_ids={str(xml): 11})
    closure = [f for f in run.findings if f.rule_code == CLOSURE_BEFORE_REFERRAL]
    assert {f.child_id for f in closure} == {"C002"}
    assert {f.table for f in closure} == {"CINdetails"}
    assert {"CINreferralDate", "CINclosureDate"} <= {x for f in closure for x in f.fields}
    assert all(f.load_id == 11 for f in closure)
    assessment = [f for f in run.findings if f.rule_code == ASSESSMENT_BEFORE_REFERRAL]
    assert {f.child_id for f in assessment} == {"C003"}
    assert run.counts()[CLOSURE_BEFORE_REFERRAL] == len(closure)
    assert "Closure" in run.messages()[CLOSURE_BEFORE_REFERRAL]


@pytest.mark.slow
def test_903_episode_ceased_before_it_started(dfe_env: Path, tmp_path: Path) -> None:
    header, episodes = write_903(tmp_path / "broken", broken=True)
    run = run_validator("903", 2024, [header, episodes], load_ids={str(episodes): 21})
    assert (run.ruleset, run.exact_ruleset) == ("lac2023_24", True)
    (finding,) = [f for f in run.findings if f.rule_code == CEASED_BEFORE_STARTED]
    assert (finding.child_id, finding.table, finding.line, finding.load_id) == (
        "1002",
        "Episodes",
        3,
        21,
    )

    header, episodes = write_903(tmp_path / "clean", broken=False)
    clean = run_validator("903", 2024, [header, episodes])
    assert CEASED_BEFORE_STARTED not in clean.rule_codes


@pytest.mark.slow
def test_a_year_without_its_own_ruleset_uses_the_nearest(dfe_env: Path, tmp_path: Path) -> None:
    header, episodes = write_903(tmp_path, broken=True)
    run = run_validator("903", 2031, [header, episodes])
    assert not run.exact_ruleset
    assert ruleset_year(run.ruleset) < 2031
    assert "nearest" in run.ruleset_note


@pytest.mark.slow
def test_validator_failure_reports_its_last_error_line(dfe_env: Path, tmp_path: Path) -> None:
    not_xml = tmp_path / "cin.xml"
    not_xml.write_text("CHILD,SEX\n1,1\n")
    with pytest.raises(DfeRunError) as err:
        run_validator("cin", 2024, [not_xml])
    assert "ParseError" in err.value.message
    assert "CIN census 2024" in err.value.message
    assert err.value.details


@pytest.mark.slow
def test_bench_convert_times_the_cin_reader(dfe_env: Path, tmp_path: Path) -> None:
    xml = write_cin_xml(tmp_path / "cin.xml", clean_children())
    result = bench_convert(xml)
    assert result["children"] == 3
    assert result["seconds"] >= 0


# --- finding the environment and choosing rulesets (no validator run needed) -------------


def test_missing_environment_says_how_to_create_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DFE_PYTHON_VAR, str(tmp_path / "nowhere" / "python"))
    with pytest.raises(HeadwayError) as err:
        dfe_python()
    assert err.value.message == "The DfE rules environment is not installed."
    assert err.value.hint == "Create it with: make dfe-env"


def test_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DFE_TIMEOUT_VAR, "90")
    assert timeout_seconds() == 90.0
    monkeypatch.setenv(DFE_TIMEOUT_VAR, "an hour")
    with pytest.raises(HeadwayError):
        timeout_seconds()
    monkeypatch.delenv(DFE_TIMEOUT_VAR)
    assert timeout_seconds() == 3600.0


@pytest.mark.slow
def test_a_run_that_takes_too_long_is_stopped(
    dfe_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = write_cin_xml(tmp_path / "cin.xml", clean_children())
    monkeypatch.setenv(DFE_TIMEOUT_VAR, "0.05")
    with pytest.raises(DfeRunError) as err:
        bench_convert(xml)
    assert "took longer than" in err.value.message
    assert DFE_TIMEOUT_VAR in err.value.hint


def test_choose_ruleset_takes_the_year_else_the_nearest() -> None:
    cin = ["cin2022_23", "cin2023_24", "cin2024_25", "cin2025_26", "cin2026_27"]
    assert choose_ruleset("cin", 2024, cin).ruleset == "cin2023_24"
    assert choose_ruleset("cin", 2024, cin).exact
    assert choose_ruleset("cin", 2027, cin).ruleset == "cin2026_27"
    later = choose_ruleset("cin", 2030, cin)
    assert (later.ruleset, later.exact) == ("cin2026_27", False)
    assert choose_ruleset("cin", 2019, cin).ruleset == "cin2022_23"
    assert choose_ruleset("cin", 2025, ["cin2022_23", "cin2027_28"]).ruleset == "cin2022_23"
    assert choose_ruleset("cin", 2025, ["cin2023_24", "cin2025_26"]).ruleset == "cin2025_26"


# --- a workspace: latest files per return and year, findings kept ------------------------


def _keep(ws: Workspace, source: Path) -> str:
    """Keep a file in the workspace as the ingest does: sources/<sha256><suffix>."""
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    (ws.path / "sources").mkdir(exist_ok=True)
    shutil.copy(source, ws.path / "sources" / f"{sha}{source.suffix}")
    return sha


def _load(
    con: duckdb.DuckDBPyConnection, load_id: int, dataset: str, year: int, path: Path, sha: str
) -> None:
    source_return = dataset.split(":")[0]
    con.execute(
        "INSERT INTO hw_loads VALUES (?, ?, ?, ?, '201', ?, ?, 1, now(), NULL)",
        [load_id, dataset, source_return, year, str(path), sha],
    )


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "ws", "201")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    old_cin = write_cin_xml(incoming / "cin_old.xml", clean_children())
    cin = write_cin_xml(incoming / "cin_2024.xml", broken_children())
    header, episodes = write_903(incoming / "903", broken=True)
    with ws.connect() as con:
        _load(con, 1, "cin_census", 2024, old_cin, _keep(ws, old_cin))  # superseded by load 2
        _load(con, 2, "cin_census", 2024, cin, _keep(ws, cin))
        _load(con, 3, "ssda903:Header", 2024, header, _keep(ws, header))
        # Not kept in sources/: found where it was loaded from.
        _load(con, 4, "ssda903:Episodes", 2024, episodes, "f" * 64)
    yield ws


def _stored(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    with ws.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_run_quality_runs_the_latest_files_and_keeps_findings(
    dfe_env: Path, loaded: Workspace
) -> None:
    progress: list[str] = []
    report = run_quality(loaded, "dfe", progress.append)
    assert [(r.source_return, r.collection_year) for r in report.dfe_runs] == [
        ("cin_census", 2024),
        ("ssda903", 2024),
    ]
    assert any("CIN census 2024" in p for p in progress)
    rows = _stored(
        loaded,
        "SELECT DISTINCT source_return, rule_code, child_id, load_id FROM hw_dfe_findings "
        f"WHERE rule_code IN ('{CLOSURE_BEFORE_REFERRAL}', '{CEASED_BEFORE_STARTED}') ORDER BY 1",
    )
    assert rows == [
        ("cin_census", CLOSURE_BEFORE_REFERRAL, "C002", 2),
        ("ssda903", CEASED_BEFORE_STARTED, "1002", 4),
    ]
    runs = _stored(loaded, "SELECT source_return, ruleset, load_ids FROM hw_dfe_runs ORDER BY 1")
    assert runs == [("cin_census", "cin2023_24", [2]), ("ssda903", "lac2023_24", [3, 4])]
    total = _stored(loaded, "SELECT count(*) FROM hw_dfe_findings")[0][0]
    assert total == report.dfe_findings_total
    # The workspace LA code is a DfE number: the report says what that means for 903 rules.
    ssda903 = report.dfe_runs[1]
    assert any("ONS code" in n for n in ssda903.notes)

    again = run_quality(loaded, "dfe")  # replaces, never adds to, the earlier findings
    assert _stored(loaded, "SELECT count(*) FROM hw_dfe_findings")[0][0] == total
    assert _stored(loaded, "SELECT count(*) FROM hw_dfe_runs")[0][0] == 2
    assert again.summary()["dfe_findings"] == total
    assert again.to_json()["dfe"]["runs"][0]["counts"][CLOSURE_BEFORE_REFERRAL] >= 1


@pytest.mark.slow
def test_a_loaded_file_that_has_gone_is_reported_not_run(dfe_env: Path, loaded: Workspace) -> None:
    with loaded.connect() as con:
        con.execute(
            "INSERT INTO hw_loads VALUES (9, 'cin_census', 'cin_census', 2023, '201', "
            "'/nowhere/cin_2023.xml', 'abc', 1, now(), NULL)"
        )
    report = run_quality(loaded, "dfe")
    assert (2023, "cin_census") not in {
        (r.collection_year, r.source_return) for r in report.dfe_runs
    }
    assert any("/nowhere/cin_2023.xml" in n and "Load them again" in n for n in report.notes)


@pytest.mark.slow
def test_no_loads_means_no_runs_and_a_note(dfe_env: Path, tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "201")
    report = run_quality(ws, "dfe")
    assert report.dfe_runs == ()
    assert report.notes == ("No CIN census or SSDA903 files are loaded, so no DfE rules were run.",)


@pytest.mark.slow
def test_903_runs_with_last_years_tables_when_loaded(dfe_env: Path, tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", "201")
    earlier = write_903(tmp_path / "2023", broken=False)
    earlier[0].write_text(earlier[0].read_text().replace("AIND", "AOTH"))  # a file of its own
    later = write_903(tmp_path / "2024", broken=True)
    with ws.connect() as con:
        for load_id, (year, path) in enumerate(
            [(2023, earlier[0]), (2023, earlier[1]), (2024, later[0]), (2024, later[1])], start=1
        ):
            _load(con, load_id, f"ssda903:{path.stem.title()}", year, path, _keep(ws, path))
        runs, notes = run_dfe_rules(ws, con)
    assert notes == []
    by_year = {r.collection_year: r for r in runs}
    assert by_year[2023].load_ids == (1, 2)
    assert by_year[2024].load_ids == (1, 2, 3, 4)  # last year's tables were checked with it
    # With last year's tables the validator can run rules it skips without them.
    assert len(by_year[2024].rules_skipped) < len(by_year[2023].rules_skipped)
    assert CEASED_BEFORE_STARTED in by_year[2024].rule_codes
    assert CEASED_BEFORE_STARTED not in by_year[2023].rule_codes
