"""headway.synth: synthetic LAs in the real statutory formats.

Checks the files against the real published specifications in ../shared/reference (CIN
XSDs 2017-2024, a derived XSD for 2025+, the SSDA903 schema files, the Annex A data map),
recounts every manifest count from the files, and checks determinism, consistency across
formats and years, and the national proportions. Skips the reference-based checks when
../shared is absent.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree
from python_calamine import CalamineWorkbook

import headway.synth as synth
from headway.standards.cin_schema import derive_xsd
from headway.synth import synthesise

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference"
needs_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason=f"reference specifications not found at {REFERENCE}"
)
HISTORY = list(range(2017, 2025))
FUTURE = [2025, 2026, 2027]
HEADERS = {  # statutory-data.md, 2026-27 layout
    "Header": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
    "Episodes": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN",
    "Reviews": "CHILD,DOB,REVIEW,REVIEW_CODE",
    "UASC": "CHILD,SEX,DOB,DUC",
    "OC2": "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
    "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED",
    "OC3": "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM",
    "AD1": "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR",
    "PlacedAdoption": "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED",
    "PrevPerm": "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM",
    "Missing": "CHILD,DOB,MISSING,MIS_START,MIS_END",
    "SWEpisodes": "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON",
    "DoLo": "CHILD,DOB,DOLO_START,DOLO_END",
}
CIN_KINDS = (
    "Child", "Disability", "CINdetails", "Assessments", "AssessmentFactors", "CINPlanDates",
    "Section47", "ChildProtectionPlans", "CPPreviewDate", "PreProceedingsandFGDM",
)  # fmt: skip


# --- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("history")
    return out, synthesise(out, 2500, HISTORY, seed=11, la_code="201")


@pytest.fixture(scope="module")
def future(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("future")
    return out, synthesise(out, 2500, FUTURE, seed=12, la_code="330")


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("national")
    synthesise(out, 5000, [2024], seed=13, la_code="926")
    return out / "2024"


# --- readers -------------------------------------------------------------------------------
def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def header_line(path: Path) -> str:
    with path.open(encoding="utf-8") as fh:
        return fh.readline().strip()


def cin_children(path: Path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().findall("Children/Child")


def d(text: str) -> date:
    return date.fromisoformat(text)


def dmy(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


def cin_file(out: Path, year: int, la: str) -> Path:
    return out / str(year) / f"cin_census_{la}_{year}.xml"


# --- CIN census XML ------------------------------------------------------------------------
@needs_reference
@pytest.mark.parametrize("year", HISTORY)
def test_cin_xml_validates_against_the_real_xsd(history: tuple[Path, Any], year: int) -> None:
    out, _ = history
    schema = etree.XMLSchema(etree.parse(str(REFERENCE / "cin_census" / f"CIN_schema_{year}.xsd")))
    doc = etree.parse(str(cin_file(out, year, "201")))
    assert schema.validate(doc), schema.error_log.filter_from_errors()[:5]


@needs_reference
@pytest.mark.parametrize("year", FUTURE)
def test_cin_xml_validates_against_the_derived_xsd(future: tuple[Path, Any], year: int) -> None:
    out, _ = future
    base = (REFERENCE / "cin_census" / "CIN_schema_2024.xsd").read_text("utf-8")
    schema = etree.XMLSchema(etree.fromstring(derive_xsd(base, year)))
    doc = etree.parse(str(cin_file(out, year, "330")))
    assert schema.validate(doc), schema.error_log.filter_from_errors()[:5]


@needs_reference
def test_derive_xsd_applies_the_documented_changes() -> None:
    base = (REFERENCE / "cin_census" / "CIN_schema_2024.xsd").read_text("utf-8")
    xs = "{http://www.w3.org/2001/XMLSchema}"
    with pytest.raises(ValueError):
        derive_xsd(base, 2024)
    for year in FUTURE:
        root = etree.fromstring(derive_xsd(base, year))
        names = {e.get("name") for e in root.iter(f"{xs}element")}
        assert "Sex" in names and "GenderCurrent" not in names
        assert ("PreProceedingsandFGDM" in names) == (year >= 2027)
        sex = root.find(f"{xs}simpleType[@name='sextype']")
        assert sex is not None
        assert [e.get("value") for e in sex.iter(f"{xs}enumeration")] == ["M", "F", "U"]
    details = etree.fromstring(derive_xsd(base, 2027)).find(
        f"{xs}complexType[@name='cindetailstype']"
    )
    assert details is not None
    order = [e.get("name") for e in details.iter(f"{xs}element")]
    assert order[-2:] == ["ChildProtectionPlans", "PreProceedingsandFGDM"]


def test_sex_replaces_gender_from_2025_and_2027_has_pre_proceedings(
    history: tuple[Path, Any], future: tuple[Path, Any]
) -> None:
    old = etree.parse(str(cin_file(history[0], 2024, "201")))
    assert old.find(".//GenderCurrent") is not None and old.find(".//Sex") is None
    for year in FUTURE:
        doc = etree.parse(str(cin_file(future[0], year, "330")))
        assert doc.find(".//GenderCurrent") is None
        assert {e.text for e in doc.iter("Sex")} <= {"M", "F", "U"}
        blocks = doc.findall(".//PreProceedingsandFGDM")
        assert (len(blocks) > 0) == (year >= 2027)
    doc = etree.parse(str(cin_file(future[0], 2027, "330")))
    for block in doc.iter("PreProceedingsandFGDM"):
        assert block.findtext("PPOutcome") in (None, "A", "B", "C")
        assert block.findtext("PPStartDate", "").startswith(("2026", "2027"))


@pytest.mark.parametrize(
    ("year", "present", "absent"),
    [
        (2020, {"18A", "19A"}, {"18B", "18C", "19B", "19C", "24A", "5D", "RC9"}),
        (2021, {"18B", "18C"}, {"18A", "19A", "24A", "5D", "RC9"}),
        (2022, {"24A"}, {"18A", "5D", "RC9"}),
        (2023, {"5D", "RC9", "24A"}, {"18A", "19A"}),
    ],
)
def test_cin_codes_follow_the_year(
    history: tuple[Path, Any], year: int, present: set[str], absent: set[str]
) -> None:
    doc = etree.parse(str(cin_file(history[0], year, "201")))
    used = {
        e.text
        for tag in ("AssessmentFactors", "ReferralSource", "ReasonForClosure")
        for e in doc.iter(tag)
    }
    assert present <= used
    assert not absent & used
    assert (doc.find(".//CINPlanDates") is not None) == (year >= 2022)


# --- SSDA903 ---------------------------------------------------------------------------------
def codes(*values: str) -> list[dict[str, str]]:
    return [{"code": v} for v in values]


def s903_spec(year: int) -> dict[str, dict[str, Any]]:
    """The year's schema file; after 2024 the 2024 file with the changes the D2I 903
    validator's later rulesets make: SEX M/F/U from 2025 (rule 101); from 2026 placement
    codes H5, P2 and Z1 replaced by K3 and Z11-Z14 (rule 146)."""
    path = REFERENCE / "ssda903" / f"SSDA903_schema_{min(year, 2024)}.yml"
    spec: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text("utf-8"))["column_map"]
    if "SocialWorker" in spec:
        spec["SWEpisodes"] = spec.pop("SocialWorker")
    if year >= 2025:
        for table in ("Header", "UASC"):
            spec[table]["SEX"]["category"] = codes("M", "F", "U")
    if year >= 2026:
        place = spec["Episodes"]["PLACE"]
        kept = [c for c in place["category"] if c["code"] not in ("H5", "P2", "Z1")]
        place["category"] = kept + codes("K3", "Z11", "Z12", "Z13", "Z14")
    return spec


def check_value(table: str, column: str, value: str, rule: dict[str, Any]) -> str | None:
    if value == "":
        return None if rule.get("canbeblank") else f"{table}.{column} blank"
    if "date" in rule:
        datetime.strptime(value, rule["date"])
    elif "category" in rule:
        codes = {str(c["code"]) for c in rule["category"]}
        if value not in codes:
            return f"{table}.{column}={value!r} not in the code list"
    elif "numeric" in rule:
        int(value)
    return None


@needs_reference
@pytest.mark.parametrize("year", HISTORY + FUTURE)
def test_903_headers_and_values_satisfy_the_schema(
    history: tuple[Path, Any], future: tuple[Path, Any], year: int
) -> None:
    out = history[0] if year in HISTORY else future[0]
    spec = s903_spec(year)
    folder = out / str(year) / "ssda903"
    expected = [t for t in HEADERS if t != "SWEpisodes" or year >= 2024]
    expected = [t for t in expected if t != "DoLo" or year >= 2027]
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(expected)
    problems: list[str] = []
    for table in expected:
        path = folder / f"{table}.csv"
        assert header_line(path) == HEADERS[table], table
        if table == "DoLo":  # not in the 2017-2024 schema files: dates only
            for r in rows(path):
                dmy(r["DOLO_START"]), r["DOLO_END"] == "" or dmy(r["DOLO_END"])
            continue
        assert set(spec[table]) == set(HEADERS[table].split(",")), table
        for r in rows(path):
            for column, value in r.items():
                problem = check_value(table, column, value, spec[table][column])
                if problem:
                    problems.append(problem)
    assert not problems, Counter(problems).most_common(5)


def test_903_codes_follow_the_year(history: tuple[Path, Any]) -> None:
    out = history[0]

    def used(year: int, table: str, column: str) -> set[str]:
        return {r[column] for r in rows(out / str(year) / "ssda903" / f"{table}.csv")}

    rec_2018 = used(2017, "Episodes", "REC") | used(2018, "Episodes", "REC")
    assert not {"E45", "E46", "E47", "E48"} & rec_2018
    assert not {"E43", "E44"} & used(2019, "Episodes", "REC")
    assert not {"F4", "F5", "P4", "P5"} & used(2021, "OC3", "ACTIV")
    assert not {"F3", "P3"} & used(2022, "OC3", "ACTIV")


# --- Annex A -------------------------------------------------------------------------------
def sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


@needs_reference
def test_annex_a_lists_and_headings_follow_the_data_map(history: tuple[Path, Any]) -> None:
    data_map = yaml.safe_load((REFERENCE / "annex_a" / "data-map.yml").read_text("utf-8"))
    book = sheets(history[0] / "2024" / "annex_a_201_2024.xlsx")
    assert list(book) == [f"List {i}" for i in range(1, 12)]
    for name, columns in data_map["data_config"].items():
        headings = book[name][0]
        missing = [c for c in columns if c not in headings]
        assert not missing, (name, missing)
    list8 = book["List 8"]
    assert len(list8) > 1
    assert isinstance(list8[1][list8[0].index("Date Started to be Looked After")], date)


def test_annex_a_windows(national: Path) -> None:
    book = sheets(national / "annex_a_926_2024.xlsx")
    contacts = book["List 1"]
    col = contacts[0].index("Date of Contact")
    days = [r[col] for r in contacts[1:]]
    assert days and min(days) >= date(2023, 10, 1) and max(days) <= date(2024, 3, 31)
    adoption = book["List 10"]
    assert len(adoption) > 1


# --- manifest --------------------------------------------------------------------------------
def recount(out: Path, entry: dict[str, Any]) -> dict[str, int]:
    path = out / entry["path"]
    if entry["format"] == "cin_census":
        counts = Counter(el.tag for el in etree.parse(str(path)).iter())
        return {k: counts[k] for k in CIN_KINDS}
    if entry["format"] == "annex_a":
        return {name: len(sheet) - 1 for name, sheet in sheets(path).items()}
    (table,) = entry["records"]
    return {table: len(rows(path))}


def test_manifest_counts_equal_the_files(
    history: tuple[Path, Any], future: tuple[Path, Any]
) -> None:
    for out, manifest in (history, future):
        assert json.loads((out / "manifest.json").read_text("utf-8")) == manifest
        assert set(manifest) == {"la_code", "seed", "children", "years"}
        for entries in manifest["years"].values():
            formats = [e["format"] for e in entries]
            assert formats[0] == "cin_census" and formats[-1] == "ssd_extract"
            for entry in entries:
                assert recount(out, entry) == entry["records"], entry["path"]


def test_manifest_layout(history: tuple[Path, Any]) -> None:
    out, manifest = history
    assert manifest["la_code"] == "201" and manifest["seed"] == 11
    assert manifest["children"] == 2500
    assert list(manifest["years"]) == [str(y) for y in HISTORY]
    paths = [e["path"] for e in manifest["years"]["2024"]]
    assert paths[0] == "2024/cin_census_201_2024.xml"
    assert "2024/ssda903/Episodes.csv" in paths and "2024/ssda903/SWEpisodes.csv" in paths
    assert "2023/ssda903/SWEpisodes.csv" not in [e["path"] for e in manifest["years"]["2023"]]
    assert "2024/annex_a_201_2024.xlsx" in paths
    assert paths[-2:] == ["2024/local/ssd_contacts.csv", "2024/local/ssd_early_help_episodes.csv"]
    every = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    listed = {e["path"] for entries in manifest["years"].values() for e in entries}
    assert every == listed | {"manifest.json"}


# --- determinism ---------------------------------------------------------------------------
def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_same_seed_same_bytes_and_other_seeds_differ(tmp_path: Path) -> None:
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        synthesise(tmp_path / name, 300, [2023, 2024], seed=seed, la_code="201")
        runs[name] = files(tmp_path / name)
    assert runs["a"] == runs["b"]
    assert runs["a"].keys() == runs["c"].keys()
    differ = [k for k in runs["a"] if runs["a"][k] != runs["c"][k]]
    assert len(differ) > len(runs["a"]) // 2


def test_second_process_writes_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = synthesise(tmp_path / "serial", 400, [2024], seed=3, la_code="201")
    monkeypatch.setattr(synth, "PARALLEL_MIN_CHILDREN", 1)
    monkeypatch.setattr(synth, "_spare_core", lambda: True)
    parallel = synthesise(tmp_path / "parallel", 400, [2024], seed=3, la_code="201")
    assert serial == parallel
    assert files(tmp_path / "serial") == files(tmp_path / "parallel")


def test_progress_and_arguments(tmp_path: Path) -> None:
    seen: list[int] = []
    synthesise(tmp_path, 2500, [2024], seed=1, la_code="201", on_progress=seen.append)
    assert seen == [1000, 1000, 500]
    with pytest.raises(ValueError, match="3-digit"):
        synthesise(tmp_path, 10, [2024], seed=1, la_code="E09000033")
    with pytest.raises(ValueError):
        synthesise(tmp_path, 10, [2012], seed=1, la_code="201")


# --- consistency ---------------------------------------------------------------------------
def cin_people(path: Path) -> dict[str, dict[str, Any]]:
    people = {}
    for child in cin_children(path):
        ids = child.find("ChildIdentifiers")
        assert ids is not None
        sex = ids.findtext("GenderCurrent") or ids.findtext("Sex")
        people[ids.findtext("LAchildID", "")] = {
            "dob": d(ids.findtext("PersonBirthDate", "")),
            "sex": {"M": "1", "F": "2"}.get(sex or "", sex),
            "ethnicity": child.findtext("ChildCharacteristics/Ethnicity"),
            "death": ids.findtext("PersonDeathDate"),
            "el": child,
        }
    return people


def test_children_are_the_same_across_formats_and_years(history: tuple[Path, Any]) -> None:
    out, _ = history
    seen: dict[str, tuple[date, str, str]] = {}

    def same(cid: str, me: tuple[date, str, str]) -> None:
        assert seen.setdefault(cid, me) == me, cid

    for year in HISTORY:
        folder = out / str(year)
        cin = cin_people(cin_file(out, year, "201"))
        for cid, p in cin.items():
            same(cid, (p["dob"], p["sex"], p["ethnicity"]))
        in_care = {r["CHILD"] for r in rows(folder / "ssda903" / "Episodes.csv")}
        assert in_care, year
        assert in_care <= set(cin), f"{year}: looked-after children missing from the CIN census"
        for r in rows(folder / "ssda903" / "Header.csv"):
            same(r["CHILD"], (dmy(r["DOB"]), r["SEX"], r["ETHNIC"]))
    assert len(seen) == 2500  # every child is in need in some year covered
    for year in HISTORY:
        folder = out / str(year)
        for name, sheet in sheets(folder / f"annex_a_201_{year}.xlsx").items():
            if name == "List 11" or len(sheet) < 2:
                continue
            col_id, col_dob = sheet[0].index("Child Unique ID"), sheet[0].index("Date of Birth")
            for r in sheet[1:]:
                assert seen[r[col_id]][0] == r[col_dob], (name, r[col_id])
        for r in rows(folder / "local" / "ssd_contacts.csv"):
            assert r["cont_person_id"] in seen
        for r in rows(folder / "local" / "ssd_early_help_episodes.csv"):
            assert r["earl_person_id"] in seen
            assert r["earl_episode_start_date"] < (r["earl_episode_end_date"] or "9999")


def test_future_years_keep_children_consistent(future: tuple[Path, Any]) -> None:
    out, _ = future
    for year in FUTURE:
        cin = cin_people(cin_file(out, year, "330"))
        header = {r["CHILD"]: r for r in rows(out / str(year) / "ssda903" / "Header.csv")}
        in_care = {r["CHILD"] for r in rows(out / str(year) / "ssda903" / "Episodes.csv")}
        assert in_care and in_care <= set(cin)
        for cid in in_care:
            sex = {"M": "1", "F": "2"}[header[cid]["SEX"]]
            assert (dmy(header[cid]["DOB"]), sex) == (cin[cid]["dob"], cin[cid]["sex"])


def test_903_episodes_do_not_overlap(history: tuple[Path, Any]) -> None:
    out, _ = history
    for year in HISTORY:
        by_child: dict[str, list[dict[str, str]]] = defaultdict(list)
        for r in rows(out / str(year) / "ssda903" / "Episodes.csv"):
            by_child[r["CHILD"]].append(r)
        for cid, eps in by_child.items():
            eps.sort(key=lambda r: dmy(r["DECOM"]))
            for a, b in itertools.pairwise(eps):
                assert a["DEC"], (cid, year)
                assert dmy(a["DEC"]) <= dmy(b["DECOM"]), (cid, year)
                if a["REC"] == "X1":
                    assert a["DEC"] == b["DECOM"], (cid, year)
                    assert b["RNE"] != "S"
                else:
                    assert b["RNE"] == "S"
            for e in eps:
                assert not e["DEC"] or dmy(e["DEC"]) > dmy(e["DECOM"])


def test_cin_dates_are_plausible(history: tuple[Path, Any]) -> None:
    out, _ = history
    for year in HISTORY:
        for cid, p in cin_people(cin_file(out, year, "201")).items():
            dob, last_closure = p["dob"], date.min
            death = d(p["death"]) if p["death"] else date.max
            for ep in p["el"].findall("CINdetails"):
                referral = d(ep.findtext("CINreferralDate", ""))
                assert dob < referral <= death, cid
                age = (
                    referral.year
                    - dob.year
                    - ((referral.month, referral.day) < (dob.month, dob.day))
                )
                assert 0 <= age <= 17, cid
                assert referral > last_closure, cid  # episodes are sequential
                closure = ep.findtext("CINclosureDate")
                if closure:
                    assert referral <= d(closure) <= death
                    last_closure = d(closure)
                else:
                    last_closure = date.max
                for a in ep.findall("Assessments"):
                    start = d(a.findtext("AssessmentActualStartDate", ""))
                    auth = a.findtext("AssessmentAuthorisationDate")
                    assert referral <= start and (auth is None or start <= d(auth) <= death)
                for plan in ep.findall("ChildProtectionPlans"):
                    start = d(plan.findtext("CPPstartDate", ""))
                    end = plan.findtext("CPPendDate")
                    assert referral <= start and (end is None or start <= d(end) <= death)
                    for r in plan.iter("CPPreviewDate"):
                        assert start < d(r.text or "") <= death


# --- proportions ---------------------------------------------------------------------------
def share(values: list[str], wanted: set[str]) -> float:
    return sum(v in wanted for v in values) / len(values)


def test_proportions_are_roughly_national(national: Path) -> None:
    doc = etree.parse(str(national / "cin_census_926_2024.xml"))
    children = doc.findall("Children/Child")
    n = len(children)
    assert n == 5000
    needs = [e.text or "" for e in doc.iter("PrimaryNeedCode")]
    assert 0.45 <= share(needs, {"N1"}) <= 0.7
    categories = [e.text or "" for e in doc.iter("InitialCategoryOfAbuse")]
    assert 0.38 <= share(categories, {"NEG"}) <= 0.62
    assert 0.26 <= share(categories, {"EMO"}) <= 0.5
    sexes = [e.text or "" for e in doc.iter("GenderCurrent")]
    assert 0.48 <= share(sexes, {"1"}) <= 0.6
    with_s47 = sum(c.find(".//Section47") is not None for c in children) / n
    with_cpp = sum(c.find(".//ChildProtectionPlans") is not None for c in children) / n
    assert 0.12 <= with_s47 <= 0.3
    assert 0.06 <= with_cpp <= 0.16

    episodes = rows(national / "ssda903" / "Episodes.csv")
    looked_after = {r["CHILD"] for r in episodes}
    assert 0.08 <= len(looked_after) / n <= 0.18
    at_end = [r for r in episodes if not r["DEC"]]  # looked after on 31 March
    places = [r["PLACE"] for r in at_end]
    assert 0.55 <= share(places, {"U1", "U2", "U3", "U4", "U5", "U6"}) <= 0.82
    legal = [r["LS"] for r in at_end]
    assert 0.3 <= share(legal, {"C2"}) <= 0.65
    assert 0.08 <= share(legal, {"V2"}) <= 0.35
    uasc = {r["CHILD"] for r in rows(national / "ssda903" / "UASC.csv")}
    assert 0.03 <= len(uasc) / len(looked_after) <= 0.14
