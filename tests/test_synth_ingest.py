"""Synth then ingest: every record the synthetic LA wrote is stored, table by table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headway.ingest import ingest
from headway.synth import synthesise
from headway.workspace import Workspace

YEARS = [2024, 2025, 2027]


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("returns")
    synthesise(out, 600, YEARS, 11, "201")
    return out


@pytest.mark.parametrize("year", YEARS)
def test_ingest_stores_exactly_what_synth_wrote(returns: Path, year: int, tmp_path: Path) -> None:
    manifest = json.loads((returns / "manifest.json").read_text(encoding="utf-8"))
    written = {
        f["path"]: {k: n for k, n in f["records"].items() if n}
        for f in manifest["years"][str(year)]
    }
    ws = Workspace.create(tmp_path / "ws", "201")
    files = [returns / path for path in written]
    report = ingest(ws, files)

    read = {str(Path(f.path).relative_to(returns)): f.records for f in report.files}
    assert read == written
    for f in report.files:
        assert f.collection_year == year, f.path
        assert f.value_issues == 0, f.path
        for name, c in f.tables.items():
            assert c.quarantined == 0 and c.read == c.stored, (f.path, name)
    with ws.connect(read_only=True) as con:
        for name, c in report.table_totals().items():
            (n,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchone() or (0,)
            assert n == c.stored, name


def test_the_same_children_across_returns(returns: Path, tmp_path: Path) -> None:
    """A child in care in the 903 is a child in need in the CIN census of the same year."""
    ws = Workspace.create(tmp_path / "ws", "201")
    ingest(ws, sorted(p for p in (returns / "2024").rglob("*") if p.is_file()))
    with ws.connect(read_only=True) as con:
        orphans = con.execute(
            """SELECT count(*) FROM ssd_cla_episodes e WHERE NOT EXISTS (
                 SELECT 1 FROM ssd_person p JOIN hw_loads l ON p.hw_load_id = l.load_id
                 WHERE l.dataset = 'cin_census' AND p.pers_person_id = e.clae_person_id)"""
        ).fetchone()
        assert orphans == (0,)
        mismatched = con.execute(
            """SELECT count(*) FROM ssd_person c JOIN ssd_person h
                 ON c.pers_person_id = h.pers_person_id AND c.hw_load_id <> h.hw_load_id
               WHERE c.pers_dob <> h.pers_dob"""
        ).fetchone()
        assert mismatched == (0,)
