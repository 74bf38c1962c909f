"""headway.reorg.merge: predecessors merged into one workspace, children known to more than
one linked and counted once, every source id kept, the review list and the reconciliation;
and the demo's entry point. Real synthetic LAs, no mocks."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from headway.cli import app
from headway.reorg.demo import _two_las
from headway.reorg.link import evaluate
from headway.reorg.merge import CROSSWALK, merge
from headway.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def las(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Workspace], list[Any]]:
    return _two_las(tmp_path_factory.mktemp("las"), 200)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_merge_links_keeps_every_id_and_reconciles(
    las: tuple[list[Workspace], list[Any]], tmp_path: Path
) -> None:
    sources, truth = las
    report = merge(sources, tmp_path / "merged", la_code="E06999903", la_name="Merged")
    assert report.result is not None
    quality = evaluate(report.result, truth)
    assert quality["precision"] >= 0.95 and quality["recall"] >= 0.5, quality
    ws = Workspace.open(tmp_path / "merged")
    assert (ws.la_code, ws.la_name) == ("E06999903", "Merged")
    with ws.connect(read_only=True) as con:
        walk = con.execute(
            f"SELECT source, source_person_id, merged_person_id, linked FROM {CROSSWALK}"
        ).fetchall()
        loads = con.execute("SELECT count(*), count(DISTINCT load_id) FROM hw_loads").fetchone()
    children = {s.la_code: report.sources[s.la_code]["children"] for s in sources}
    assert len(walk) == sum(children.values())  # every source record, linked or not
    for s in sources:
        with s.connect(read_only=True) as con:
            ids = {r[0] for r in con.execute("SELECT pers_person_id FROM ssd_person").fetchall()}
        assert ids <= {pid for src, pid, _, _ in walk if src == s.la_code}
    merged_ids = {m for _, _, m, _ in walk}
    linked = [w for w in walk if w[3]]
    assert len(merged_ids) == len(walk) - len(linked) // 2 == report.merged["children"]
    assert loads is not None and loads[0] == loads[1]  # load ids never collide
    rec = report.reconciliation
    assert not rec.differs, [ln.to_json() for ln in rec.differs][:3]
    line = next(ln for ln in rec.lines if ln.kind == "children")
    assert line.status == "linked" and line.difference == -(len(linked) // 2)
    for ln in rec.lines:
        if ln.kind == "table" and ln.name.startswith("ssd_"):
            assert ln.status == "reconciles" and ln.difference == 0, ln.to_json()
    reports = tmp_path / "merged" / "outputs" / "reorg"
    assert len(rows(reports / "crosswalk.csv")) == len(walk)
    review = rows(reports / "review.csv")
    assert len(review) == report.linkage["review"]
    for r in review:
        assert abs(float(r["match_probability"]) - 0.7) <= 0.2 or r["conflict"] == "true"
    saved = json.loads((reports / "merge_report.json").read_text("utf-8"))
    assert saved["linkage"]["threshold"] == 0.7 and saved["reconciles"] is True


def test_merge_cli_threshold_and_bad_input(
    las: tuple[list[Workspace], list[Any]], tmp_path: Path
) -> None:
    a, b = las[0]
    r = runner.invoke(
        app, ["reorg", "merge", "--workspaces", str(a.path), "--out", str(tmp_path / "one")]
    )
    assert r.exit_code == 1 and "two or more" in r.output and not (tmp_path / "one").exists()
    r = runner.invoke(
        app,
        [
            "reorg",
            "merge",
            "--workspaces",
            str(a.path),
            "--workspaces",
            str(tmp_path / "nowhere"),
            "--out",
            str(tmp_path / "two"),
        ],
    )
    assert r.exit_code == 1 and "no Headway workspace" in r.output
    assert not (tmp_path / "two").exists()
    r = runner.invoke(
        app,
        [
            "reorg",
            "merge",
            "--workspaces",
            str(a.path),
            "--workspaces",
            str(b.path),
            "--out",
            str(tmp_path / "m"),
            "--threshold",
            "0.9",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["linkage"]["threshold"] == 0.9 and got["reconciles"] is True
    assert got["files"]["review"] == "outputs/reorg/review.csv"
