"""Pack diff: each kind of change between two versions of the example pack, and no change."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

from rich.console import Console

from headway.packs import diff, load
from headway.packs.diff import FieldChange, PackDiff
from tests.conftest import REPO

EXAMPLE = REPO / "tests" / "data" / "packs" / "example-pilot-2025-26"

# Text edits that turn the example (2025-26) into its next version.
EDITS = [
    ('version: "2025-26"', 'version: "2026-27"'),
    ("id: example-pilot-2025-26", "id: example-pilot-2026-27"),
    ("status: draft", "status: published"),
    ("published: 2025-04-01", "published: 2026-03-26"),
    ("    description: How contacts become referrals.\n",
     "    description: How contacts become referrals.\n"
     "  - id: early-help\n    title: Early help\n"),
    ("    component: front-door\n    level: required",
     "    component: front-door\n    level: recommended"),
    ("    level: recommended\n    basis: inferred",
     "    level: recommended\n    basis: published\n    source: pilot-guide"),
    ("  - id: first-return\n    title: First return due\n    date: 2026-06-30\n"
     "    basis: inferred\n", ""),
    ("items: [ssd_cin_episodes.cine_referral_id, ssd_cin_episodes.cine_referral_date]",
     "items: [ssd_cin_episodes.cine_referral_id, ssd_cin_episodes.cine_referral_date,"
     " ssd_cin_episodes.cine_referral_source_code]"),
    ("due: 2026-06-30", "due: 2026-09-30"),
    ("effort_hours: 8", "effort_hours: 12"),
    ("    title: Children in need\n", "    title: Children in need, all episodes\n"),
]  # fmt: skip
NEW_SQL_CONDITION = "WHERE l.source_return = 'cin_census' AND e.cine_referral_nfa = 'false'"


def make_version(tmp_path: Path, name: str, edits: list[tuple[str, str]]) -> Path:
    folder = tmp_path / name
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "pack.yaml").read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (folder / "pack.yaml").write_text(text)
    return folder


def next_version(tmp_path: Path) -> Path:
    folder = make_version(tmp_path, "b", EDITS)
    sql = (folder / "measures" / "referrals.sql").read_text()
    sql = sql.replace("WHERE l.source_return = 'cin_census'", NEW_SQL_CONDITION)
    (folder / "measures" / "referrals.sql").write_text(sql)
    return folder


def change(d: PackDiff, section: str, entry_id: str, field: str) -> FieldChange:
    [entry] = [c for c in d.section(section).changed if c.id == entry_id]
    [found] = [c for c in entry.changes if c.field == field]
    return found


def rendered(d: PackDiff) -> str:
    console = Console(file=io.StringIO(), width=160, color_system=None)
    d.render(console)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def test_each_kind_of_change_is_reported(tmp_path: Path) -> None:
    a, b = load(EXAMPLE), load(next_version(tmp_path))
    d = diff(a, b)
    assert not d.no_change and d.same_programme
    assert {c.field: (c.before, c.after) for c in d.pack} == {"status": ("draft", "published")}
    assert d.section("components").added[0].id == "early-help"
    removed = d.section("milestones").removed
    assert [(e.id, e.inferred) for e in removed] == [("first-return", True)]

    assert change(d, "expectations", "single-front-door", "level").describe() == (
        "level: required -> recommended"
    )
    basis = change(d, "expectations", "shared-records", "basis")
    assert (basis.before, basis.after) == ("inferred", "published")
    assert change(d, "expectations", "shared-records", "source").after == "pilot-guide"

    due = change(d, "requirements", "referral-count", "due")
    assert (due.before, due.after) == (date(2026, 6, 30), date(2026, 9, 30))
    assert due.describe() == "due moved 2026-06-30 -> 2026-09-30 (92 days later)"
    items = change(d, "requirements", "referral-count", "items")
    assert items.added == ("ssd_cin_episodes.cine_referral_source_code",) and not items.removed
    assert change(d, "requirements", "referral-count", "effort_hours").describe() == (
        "effort_hours: 8 -> 12"
    )
    assert change(d, "outputs", "cin-list", "title").after == "Children in need, all episodes"
    assert change(d, "sources", "pilot-guide", "published").after == date(2026, 3, 26)

    sql = change(d, "measures", "referrals", "sql")
    assert any("cine_referral_nfa" in line and line.startswith("+") for line in sql.detail)
    assert [c.id for c in d.section("outputs").changed] == ["cin-list"]  # title only, SQL same


def test_diff_json_and_render(tmp_path: Path) -> None:
    d = diff(load(EXAMPLE), load(next_version(tmp_path)))
    body = json.loads(json.dumps(d.to_json()))
    assert body["no_change"] is False
    assert body["a"] == "example-pilot-2025-26 (2025-26)"
    assert body["b"] == "example-pilot-2026-27 (2026-27)"
    requirement = body["sections"]["requirements"]["changed"][0]
    fields = {c["field"]: c for c in requirement["changes"]}
    assert fields["due"]["before"] == "2026-06-30" and fields["due"]["after"] == "2026-09-30"
    assert fields["items"]["added"] == ["ssd_cin_episodes.cine_referral_source_code"]
    assert body["sections"]["measures"]["changed"][0]["changes"][0]["sql_diff"]
    assert body["sections"]["milestones"]["removed"][0]["inferred"] is True

    text = rendered(d)
    assert "due moved 2026-06-30 -> 2026-09-30 (92 days later)" in text
    assert "removed: First return due (inferred)" in text
    assert "basis: inferred -> published" in text
    assert "cine_referral_nfa" in text


def test_identical_packs_say_no_change(tmp_path: Path) -> None:
    copy = make_version(tmp_path, "same", [])
    d = diff(load(EXAMPLE), load(copy))
    assert d.no_change
    assert d.to_json()["no_change"] is True
    assert "No change" in rendered(d)


def test_sql_formatting_alone_is_not_a_change(tmp_path: Path) -> None:
    folder = make_version(tmp_path, "reformatted", [])
    (folder / "measures" / "referrals.sql").write_text(
        "-- reformatted, same query\n"
        "select l.collection_year as period, cast(count(distinct e.cine_referral_id) "
        "as double precision) as value\n"
        "from ssd_cin_episodes as e join hw_loads as l\n  on l.load_id = e.hw_load_id\n"
        "where l.source_return = 'cin_census'   group by l.collection_year\n"
    )
    assert diff(load(EXAMPLE), load(folder)).no_change


def test_reordering_items_is_not_a_change(tmp_path: Path) -> None:
    old = "items: [ssd_cin_episodes.cine_referral_id, ssd_cin_episodes.cine_referral_date]"
    new = "items: [ssd_cin_episodes.cine_referral_date, ssd_cin_episodes.cine_referral_id]"
    assert diff(load(EXAMPLE), load(make_version(tmp_path, "r", [(old, new)]))).no_change


def test_packs_of_different_programmes_are_flagged(tmp_path: Path) -> None:
    other = make_version(tmp_path, "o", [("programme: example-pilot", "programme: other")])
    d = diff(load(EXAMPLE), load(other))
    assert not d.same_programme
    assert "different programmes" in rendered(d)
