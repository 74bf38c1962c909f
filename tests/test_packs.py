"""Programme packs: loading from folders and zips, hardening, line-numbered validation, schema."""

from __future__ import annotations

import io
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from headway.errors import HeadwayError
from headway.packs import PackError, PackInvalid, load, validate, validation
from headway.packs.files import MAX_SQL_BYTES
from headway.packs.schema import schema_text
from headway.packs.sqlcheck import check_sql
from tests.conftest import REPO

EXAMPLE = REPO / "tests" / "data" / "packs" / "example-pilot-2025-26"


def copy_example(tmp_path: Path, name: str = "pack") -> Path:
    target = tmp_path / name
    shutil.copytree(EXAMPLE, target)
    return target


def zip_folder(folder: Path, out: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return out


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the only line holding `fragment`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(hits) == 1, f"{fragment!r} is on lines {hits}"
    return hits[0]


# Loading


def test_example_pack_loads_from_folder_with_its_sql() -> None:
    pack = load(EXAMPLE)
    assert pack.id == "example-pilot-2025-26"
    assert pack.programme == "example-pilot"
    assert pack.origin == str(EXAMPLE)
    assert "hw_loads" in pack.measure("referrals").sql
    assert pack.output("cin-list").sql.lstrip().startswith("SELECT")
    assert [r.id for r in pack.requirements] == ["referral-count", "cin-list"]
    assert ("expectations", "shared-records", "Partners can read the case record") in (
        pack.inferred_facts()
    )


def test_example_pack_loads_from_its_pack_yaml_path() -> None:
    assert load(EXAMPLE / "pack.yaml").id == "example-pilot-2025-26"


@pytest.mark.parametrize("prefix", ["", "example-pilot-2025-26/"])
def test_example_pack_loads_from_zip(tmp_path: Path, prefix: str) -> None:
    archive = zip_folder(EXAMPLE, tmp_path / "pack.zip", prefix)
    pack = load(archive)
    assert pack.id == "example-pilot-2025-26"
    assert pack.measure("referrals").sql == (EXAMPLE / "measures/referrals.sql").read_text()
    assert validate(archive) == []


def test_zip_ignores_files_that_are_not_pack_files(tmp_path: Path) -> None:
    archive = zip_folder(EXAMPLE, tmp_path / "pack.zip")
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr("README.txt", "notes")
        z.writestr("measures/notes.md", "notes")
    assert load(archive).id == "example-pilot-2025-26"


def _hostile_zip(tmp_path: Path, member: str | zipfile.ZipInfo, data: bytes = b"x") -> Path:
    archive = zip_folder(EXAMPLE, tmp_path / "hostile.zip")
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(member, data)
    return archive


@pytest.mark.parametrize(
    ("member", "words"),
    [
        ("../evil.sql", "points outside the pack"),
        ("measures/../../evil.sql", "points outside the pack"),
        ("/etc/evil.sql", "absolute"),
        ("measures\\..\\evil.sql", "Windows path"),
    ],
)
def test_zip_with_escaping_paths_is_refused(tmp_path: Path, member: str, words: str) -> None:
    archive = _hostile_zip(tmp_path, member)
    with pytest.raises(HeadwayError) as caught:
        load(archive)
    assert "is refused" in caught.value.message
    assert words in caught.value.message
    assert member in caught.value.message
    [error] = validate(archive)
    assert words in error.message


def test_zip_with_symlink_member_is_refused(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("measures/link.sql")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(HeadwayError, match="symbolic link"):
        load(_hostile_zip(tmp_path, info, b"/etc/passwd"))


def test_zip_with_huge_member_is_refused(tmp_path: Path) -> None:
    huge = b"-- " + b" " * (MAX_SQL_BYTES + 10)  # compresses to almost nothing
    archive = _hostile_zip(tmp_path, "measures/huge.sql", huge)
    assert archive.stat().st_size < 50_000
    with pytest.raises(HeadwayError, match="over the 256 KB a pack file may be"):
        load(archive)


def test_not_a_pack(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(HeadwayError, match="neither a pack folder"):
        load(tmp_path / "notes.txt")
    with pytest.raises(HeadwayError, match=r"has no pack\.yaml"):
        load(tmp_path)
    with pytest.raises(HeadwayError, match="not a shipped pack id"):
        load("no-such-pack")


def test_invalid_pack_raises_with_every_error(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    text = (folder / "pack.yaml").read_text().replace("level: required", "level: must")
    (folder / "pack.yaml").write_text(text)
    with pytest.raises(PackInvalid) as caught:
        load(folder)
    assert len(caught.value.errors) == 1
    assert "headway pack validate" in caught.value.hint
    assert "'must' is not allowed" in caught.value.message


# Validation: each kind of pack.yaml error, with its line

BROKEN = """\
id: Broken_Pack
programme: example-pilot
version: 2025
title: Broken
owner: Example Centre
status: draft
summary: A pack with one of each mistake.
colour: blue
sources:
  - id: guide
    title: Guide
    url: ftp://example.org/guide
    published: 2025-02-30
components:
  - id: front-door
    title: Front door
expectations:
  - id: one-door
    title: One front door
    component: front-dor
    level: must
    basis: published
    source: guide
  - id: one-door  # again
    title: Second with the same id
    level: required
    basis: published
milestones:
  - id: starts
    title: Starts
    date: 2025-09-01 10:00:00
    basis: guessed
    source: guide
requirements:
  - id: counts
    title: Count referrals
    items: [ssd_person.pers_shoe_size, ssd_persons.pers_person_id, cine_referral_id]
    measure: referals
    frequency: yearly
    due: 2026-06-30
    efort_hours: 8
    carried_by: [cin_census]
    basis: published
    source: gide
  - id: both
    title: Both a measure and an output
    items: [ssd_cin_episodes.cine_referral_id]
    measure: referrals
    output: cin-list
    frequency: annual
    effort_hours: 1
    carried_by: [none]
    basis: inferred
measures:
  - id: referrals
    title: Referrals
    definition: Referrals in the year.
    unit: count
    period: collection-year
    file: measures/referals.sql
    items: [ssd_cin_episodes.cine_referral_id]
outputs:
  - id: cin-list
    title: Children in need
    file: outputs/cin_list.sql
"""

# (line fragment, path, message fragment)
BROKEN_EXPECTED = [
    ("id: Broken_Pack", "id", "'Broken_Pack' is not a valid id"),
    ("version: 2025", "version", "2025 should be text (put it in quotes)"),
    ("colour: blue", "", "unknown field 'colour'"),
    ("url: ftp://", "sources[0].url", "is not a web address"),
    ("published: 2025-02-30", "sources[0].published", "'2025-02-30' is not a date"),
    ("component: front-dor", "expectations[0].component",
     "'front-dor' is not a component of this pack (did you mean 'front-door'?)"),
    ("level: must", "expectations[0].level", "'must' is not allowed: use 'required' or"),
    ("one-door  # again", "expectations[1].id", "duplicate id 'one-door' (also expectations[0])"),
    ("one-door  # again", "expectations[1].source", "a published fact must cite a source"),
    ("date: 2025-09-01 10:00:00", "milestones[0].date", "has a time"),
    ("basis: guessed", "milestones[0].basis", "'guessed' is not allowed"),
    ("- id: counts", "requirements[0]", "missing field 'effort_hours'"),
    ("items: [ssd_person.pers_shoe_size", "requirements[0].items[0]",
     "'ssd_person.pers_shoe_size' is not a standard-model column"),
    ("items: [ssd_person.pers_shoe_size", "requirements[0].items[1]",
     "there is no table 'ssd_persons' (did you mean 'ssd_person'?)"),
    ("items: [ssd_person.pers_shoe_size", "requirements[0].items[2]",
     "'cine_referral_id' is not a standard-model column written table.column"),
    ("measure: referals", "requirements[0].measure",
     "'referals' is not a measure of this pack (did you mean 'referrals'?)"),
    ("frequency: yearly", "requirements[0].frequency", "'yearly' is not allowed"),
    ("efort_hours: 8", "requirements[0]", "unknown field 'efort_hours' (did you mean"),
    ("source: gide", "requirements[0].source", "'gide' is not a source of this pack"),
    ("output: cin-list", "requirements[1].output", "give a measure or an output, not both"),
    ("file: measures/referals.sql", "measures[0].file", "measures/referals.sql is not in"),
]  # fmt: skip


def write_pack(folder: Path, yaml_text: str, sql: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(yaml_text, encoding="utf-8")
    for name, text in (sql or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_each_kind_of_yaml_error_is_reported_at_its_line(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "broken", BROKEN, {"outputs/cin_list.sql": "SELECT 1 AS a"})
    errors = validate(folder)
    got = {(e.line, e.path, e.message) for e in errors if e.file == "pack.yaml"}
    for fragment, path, words in BROKEN_EXPECTED:
        line = line_of(BROKEN, fragment)
        assert any(
            g_line == line and g_path == path and words in g_message
            for g_line, g_path, g_message in got
        ), f"expected line {line}: {path}: {words}\n got: {sorted(got, key=str)}"
    assert len(got) == len(BROKEN_EXPECTED), sorted(got, key=str)


def test_error_text_names_file_line_and_path() -> None:
    error = PackError("pack.yaml", 23, 5, "requirements[2].items[0]", "'x.y' is wrong")
    assert str(error) == "pack.yaml line 23: requirements[2].items[0]: 'x.y' is wrong"


def test_requirement_needs_a_measure_or_an_output(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    text = (folder / "pack.yaml").read_text().replace("    output: cin-list\n", "")
    (folder / "pack.yaml").write_text(text)
    [error] = validate(folder)
    assert error.path == "requirements[1]"
    assert error.line == line_of(text, "title: List children in need") - 1
    assert error.message == "needs a measure or an output"


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    text = "id: x\ntitle: [unclosed\nowner: y\n"
    [error] = validate(write_pack(tmp_path / "p", text))
    assert error.file == "pack.yaml"
    assert error.line is not None and error.line >= 2
    assert "is not valid YAML" in error.message


def test_duplicate_keys_and_aliases_are_refused(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    text = (folder / "pack.yaml").read_text()
    text = text.replace("owner: Example Centre\n", "owner: Example Centre\nowner: Someone\n")
    (folder / "pack.yaml").write_text(text)
    [error] = validate(folder)
    assert (error.line, error.message) == (line_of(text, "owner: Someone"), "duplicate key "
                                           "'owner': give each field once")  # fmt: skip

    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    errors = validate(write_pack(tmp_path / "bomb", bomb))
    assert errors and all("alias" in e.message for e in errors)
    assert errors[0].line == 2


def test_empty_pack_yaml(tmp_path: Path) -> None:
    [error] = validate(write_pack(tmp_path / "p", ""))
    assert error.message == "is empty"


def test_validate_of_a_missing_path_is_one_error() -> None:
    [error] = validate("/no/such/pack")
    assert "not a shipped pack id" in error.message


# Validation: the SQL contract, each error with its file and line

MEASURE_SQL_CASES = [
    ("SELECT 2024 AS period, 1 AS value;\n", 1, "has a semicolon"),
    ("DELETE FROM ssd_person", 1, "is a DELETE statement"),
    ("SELECT 2024 AS period,\n  count(*) AS value\nFROM ssd_persons", 3,
     "'ssd_persons', which is not a standard-model table (did you mean 'ssd_person'?)"),
    ("SELECT 2024 AS period, count(*) AS n FROM ssd_person", 1,
     "does not return a 'value' column"),
    ("SELECT 2024 AS period, count(*) AS value, 1 AS extra FROM ssd_person", 1,
     "returns 'extra'"),
    ("SELECT *\nFROM ssd_person", 1, "selects *"),
    ("SELECT 2024 AS period,\n  count(*) FILTER (WHERE pers_sex = 'F') AS value\n"
     "FROM ssd_person", 2, "uses FILTER"),
    ("SELECT 2024 AS period, count(*) AS value\nFROM read_csv('/etc/passwd')", 2,
     "reads READ_CSV('/etc/passwd')"),
    ("SELECT 2024 AS period, count(*) AS value\nFROM main.ssd_person", 2, "names a schema"),
    ("SELECT l.collection_year AS period,\n  count(p.pers_shoe_size) AS value\n"
     "FROM ssd_person p JOIN hw_loads l ON l.load_id = p.hw_load_id\n"
     "GROUP BY l.collection_year", 2, "reads column 'pers_shoe_size'"),
    ("SELECT 2024 AS period,\n  list_sum([1, 2]) AS value", 2, "calls list_sum()"),
    ("SELECT 2024 AS period, count(*) AS value\nFROM ssd_person WHERE (", 2,
     "cannot be parsed"),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "line", "words"), MEASURE_SQL_CASES)
def test_measure_sql_errors_have_file_and_line(sql: str, line: int, words: str) -> None:
    errors = check_sql("measures/m.sql", sql, "measure")
    assert any(e.line == line and words in e.message for e in errors), errors
    assert all(e.file == "measures/m.sql" for e in errors)


def test_valid_measure_sql_with_cte_and_breakdown() -> None:
    sql = """WITH refs AS (
        SELECT e.cine_referral_id, e.cine_cin_primary_need_code, l.collection_year
        FROM ssd_cin_episodes e JOIN hw_loads l ON l.load_id = e.hw_load_id
    )
    SELECT collection_year AS period, cine_cin_primary_need_code AS breakdown,
           CAST(COUNT(*) AS DOUBLE PRECISION) AS value
    FROM refs GROUP BY collection_year, cine_cin_primary_need_code"""
    assert check_sql("measures/m.sql", sql, "measure") == []


def test_output_sql_names_its_columns_but_any_names_will_do() -> None:
    assert check_sql("outputs/o.sql", "SELECT pers_person_id AS id FROM ssd_person", "output") == []
    [error] = check_sql("outputs/o.sql", "SELECT * FROM ssd_person", "output")
    assert "selects *" in error.message


def test_sql_errors_reach_validate_with_the_file_name(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    bad = "SELECT 2024 AS period,\n  count(*) AS value\nFROM ssd_persn"
    (folder / "measures" / "referrals.sql").write_text(bad)
    [error] = validate(folder)
    assert str(error).startswith("measures/referrals.sql line 3: reads 'ssd_persn'")


def test_engine_contract_is_part_of_validate(tmp_path: Path) -> None:
    pytest.importorskip("headway.measures.contract")
    folder = copy_example(tmp_path)
    sql = (
        "SELECT l.collection_year AS period,\n"
        "  AVG(CAST(e.cine_close_date AS DATE) - CAST(e.cine_referral_date AS DATE)) AS value\n"
        "FROM ssd_cin_episodes e JOIN hw_loads l ON l.load_id = e.hw_load_id\n"
        "GROUP BY l.collection_year"
    )
    (folder / "measures" / "referrals.sql").write_text(sql)
    errors = validate(folder)
    assert errors and all(e.file == "measures/referrals.sql" for e in errors)


# The published JSON Schema


def test_schema_file_is_current() -> None:
    committed = (REPO / "docs" / "pack.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: python -m headway.packs.schema > docs/pack.schema.json"


# The worked example in docs/packs.md is a valid pack


def docs_example_files() -> dict[str, str]:
    """The code blocks of docs/packs.md marked <!-- example: NAME -->, by NAME."""
    text = (REPO / "docs" / "packs.md").read_text(encoding="utf-8")
    found = re.findall(r"<!-- example: (\S+) -->\n```\w*\n(.*?)```", text, flags=re.DOTALL)
    return dict(found)


def test_docs_worked_example_is_a_valid_pack(tmp_path: Path) -> None:
    files = docs_example_files()
    assert set(files) == {"pack.yaml", "measures/kinship_placement_share.sql"}
    folder = tmp_path / "kinship-care-pilot-2026-27"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    assert validate(folder) == []
    pack = load(folder)
    assert pack.title == "Kinship Care Data Pilot (2026-27)"
    assert {fact_id for _, fact_id, _ in pack.inferred_facts()} == {
        "kinship-carer-records",
        "first-report",
    }


def test_validation_view_for_the_cli(tmp_path: Path) -> None:
    ok = validation(EXAMPLE)
    assert ok.ok and ok.to_json() == {"pack": str(EXAMPLE), "valid": True, "errors": []}
    folder = copy_example(tmp_path)
    text = (folder / "pack.yaml").read_text().replace("level: required", "level: must")
    (folder / "pack.yaml").write_text(text)
    bad = validation(folder)
    assert not bad.ok
    [error] = bad.to_json()["errors"]
    assert error["line"] == line_of(text, "level: must") and error["file"] == "pack.yaml"
    console = Console(file=io.StringIO(), width=200, color_system=None)
    bad.render(console)
    out = console.file
    assert isinstance(out, io.StringIO)
    assert f"pack.yaml line {error['line']}: expectations[0].level: 'must'" in out.getvalue()


def test_deeply_nested_input_is_an_error_not_a_crash(tmp_path: Path) -> None:
    [error] = validate(write_pack(tmp_path / "p", "a: " + "[" * 5000 + "]" * 5000))
    assert error.message == "is nested too deeply"
    sql = "SELECT " + "(" * 3000 + "1" + ")" * 3000 + " AS value"
    [error] = check_sql("measures/m.sql", sql, "measure")
    assert error.message == "is nested too deeply to read"


def test_sql_file_that_no_measure_names_is_an_error(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    (folder / "measures" / "forgotten.sql").write_text("SELECT 2024 AS period, 1 AS value")
    [error] = validate(folder)
    assert error.file == "measures/forgotten.sql"
    assert "is not the file of any measure or output" in error.message
