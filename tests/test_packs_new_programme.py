"""A brand new programme, written into a temp folder, works end to end with no Python change:
validate, list, show, and its measure runs on a real workspace of synthetic data."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from headway.cli import app
from headway.ingest import ingest
from headway.packs import list_packs, load, show, validate
from headway.synth import synthesise
from headway.workspace import Workspace

PACK_YAML = """\
id: front-door-review-2026
programme: front-door-review
version: "2026"
title: Front Door Review (test programme)
owner: A test Centre
status: draft
summary: A programme invented inside this test, to prove a new pack needs no code.
sources:
  - id: review-note
    title: Front door review note
    url: https://example.org/front-door-review
    published: 2026-01-15
components:
  - id: front-door
    title: Front door
expectations:
  - id: referral-triage
    title: Referrals triaged within one working day
    component: front-door
    level: required
    basis: published
    source: review-note
milestones:
  - id: review-report
    title: Review reports
    date: 2026-12-31
    basis: inferred
requirements:
  - id: referrals-by-source
    title: Referrals by source, each year
    items: [ssd_cin_episodes.cine_referral_id, ssd_cin_episodes.cine_referral_source_code]
    measure: referrals-by-source
    frequency: annual
    due: 2027-03-31
    effort_hours: 6
    carried_by: [cin_census]
    basis: inferred
measures:
  - id: referrals-by-source
    title: Referrals by referral source
    definition: Distinct CIN census referrals in each collection year, by referral source.
    unit: count
    period: collection-year
    file: measures/referrals_by_source.sql
    items: [ssd_cin_episodes.cine_referral_id, ssd_cin_episodes.cine_referral_source_code]
"""

MEASURE_SQL = """\
SELECT
    l.collection_year AS period,
    COALESCE(e.cine_referral_source_code, 'unknown') AS breakdown,
    CAST(COUNT(DISTINCT e.cine_referral_id) AS DOUBLE PRECISION) AS value
FROM ssd_cin_episodes AS e
JOIN hw_loads AS l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'cin_census'
GROUP BY l.collection_year, COALESCE(e.cine_referral_source_code, 'unknown')
"""


def write_new_programme(packs_dir: Path) -> Path:
    folder = packs_dir / "front-door-review-2026"
    (folder / "measures").mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK_YAML, encoding="utf-8")
    (folder / "measures" / "referrals_by_source.sql").write_text(MEASURE_SQL, encoding="utf-8")
    return folder


def synthetic_workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "ws", "201")
    synthesise(tmp_path / "returns", 300, [2024], 1, "201")
    files = sorted(p for p in (tmp_path / "returns" / "2024").rglob("*") if p.is_file())
    ingest(ws, files)
    return ws


def test_new_programme_in_a_temp_folder_works_end_to_end(tmp_path: Path) -> None:
    packs_dir = tmp_path / "packs"
    folder = write_new_programme(packs_dir)

    assert validate(folder) == []

    listed = {row.id: row for row in list_packs(extra_dirs=[packs_dir]).rows}
    row = listed["front-door-review-2026"]
    assert row.error is None and row.origin == str(folder)
    assert (row.requirements, row.measures, row.inferred) == (1, 1, 2)

    pack = load(folder)
    view = show(pack)
    text = view.to_text(width=240)
    assert "Front Door Review (test programme)" in text
    assert "Review reports (inferred)" in text
    assert "Referrals by source, each year (inferred)" in text
    body = json.loads(json.dumps(view.to_json()))
    assert body["measures"][0]["sql"] == MEASURE_SQL
    assert {f["id"] for f in body["inferred"]} == {"review-report", "referrals-by-source"}

    ws = synthetic_workspace(tmp_path)
    with ws.connect() as con:
        rows = con.execute(pack.measures[0].sql).fetchall()
    assert rows, "the measure returned nothing"
    assert {period for period, _, _ in rows} == {2024}
    assert all(isinstance(value, float) and value > 0 for _, _, value in rows)

    # And through the CLI an analyst uses: the measure runs, readiness judges the pack.
    cli = CliRunner()
    ran = cli.invoke(app, ["measures", "run", str(folder), "-w", str(ws.path), "--json"])
    assert ran.exit_code == 0, ran.output
    html = tmp_path / "readiness.html"
    judged = cli.invoke(
        app, ["readiness", str(folder), "-w", str(ws.path), "--json", "--html", str(html)]
    )
    assert judged.exit_code == 0, judged.output
    (result,) = json.loads(judged.stdout)
    assert result["pack"] == "front-door-review-2026"
    (req,) = result["requirements"]
    assert req["status"] == "ready" and req["run"]["ok"] and req["run"]["latest_period"] == 2024
    assert [e["id"] for e in result["expectations_open"]] == ["referral-triage"]
    assert "Front Door Review (test programme)" in html.read_text("utf-8")


def test_new_programme_zipped_is_listed_from_a_folder_of_packs(tmp_path: Path) -> None:
    folder = write_new_programme(tmp_path / "src")
    packs_dir = tmp_path / "handed-over"
    packs_dir.mkdir()
    with zipfile.ZipFile(packs_dir / "front-door-review.zip", "w") as archive:
        for path in folder.rglob("*"):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    (packs_dir / "notes.txt").write_text("not a pack")

    rows = [r for r in list_packs(extra_dirs=[packs_dir]).rows if r.origin != "library"]
    assert [(r.id, r.error) for r in rows] == [("front-door-review-2026", None)]
    text = show(packs_dir / "front-door-review.zip").to_text()
    assert "front-door-review-2026" in text
