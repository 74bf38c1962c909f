"""Shared test helpers: the reference files in ../shared, fresh workspaces, snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from headway.model.schema import tables
from headway.workspace import Workspace

pytest_plugins = ["tests.desk_db", "tests.browser"]  # desk databases; real Chromium

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference"


def reference(*parts: str) -> Path:
    """A file in ../shared/reference, or skip: the reference files are not in this repo."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/reference/{'/'.join(parts)} (the shared folder is absent)")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path / "ws", "201", "Test LA")


def snapshot(ws: Workspace) -> dict[str, object]:
    """Everything stored in a workspace, as counts and bookkeeping rows, for before/after."""
    with ws.connect(read_only=True) as con:
        counts = {
            name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            for name in [*tables(), "hw_quarantine", "hw_value_issues", "hw_load_counts"]
        }
        loads = con.execute("SELECT load_id, dataset, sha256 FROM hw_loads ORDER BY 1").fetchall()
    sources = sorted(p.name for p in (ws.path / "sources").glob("*"))
    return {"counts": counts, "loads": loads, "sources": sources}
