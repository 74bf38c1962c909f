"""The change commands through the real CLI: standard and pack diffs with their impact as
desk requests, pack validation errors, exports and the Annex A output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlglot
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from headway.cli import app
from headway.ingest import ingest
from headway.synth import synthesise
from headway.workspace import Workspace

cli = CliRunner()


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("cli")
    synthesise(tmp / "r", 300, [2025], 8, "201")
    ws = Workspace.create(tmp / "ws", "201")
    ingest(ws, sorted(p for p in (tmp / "r" / "2025").rglob("*") if p.is_file()))
    return ws


def test_standard_diff_with_impact_to_desk(ws: Workspace, tmp_path: Path) -> None:
    desk = tmp_path / "requests.json"
    args = ["standard", "diff", "cin_census", "2026", "2027", "-w", str(ws.path)]
    result = cli.invoke(app, [*args, "--to-desk", str(desk), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["diff"]["identical"] is False
    requests = json.loads(desk.read_text("utf-8"))
    assert requests == body["impact"]["consequences"]
    assert any("PreProceedingsandFGDM" in r["title"] for r in requests)
    assert all(
        r["effort_hours"] > 0 and r["severity"] in {"high", "medium", "low"} for r in requests
    )


def test_identical_versions_say_so(ws: Workspace) -> None:
    result = cli.invoke(app, ["standard", "diff", "cin_census", "2023", "2024"])
    assert result.exit_code == 0
    assert "No change between 2023 and 2024" in result.output


def test_pack_diff_impact_to_desk(ws: Workspace, tmp_path: Path) -> None:
    desk = tmp_path / "requests.json"
    result = cli.invoke(
        app,
        ["pack", "diff", "families-first-2025", "families-first-2026-27", "-w", str(ws.path),
         "--to-desk", str(desk)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    requests = json.loads(desk.read_text("utf-8"))
    kinds = {r["kind"] for r in requests}
    assert "new_requirement" in kinds  # the FGDM asks of year 2
    assert all(r["source"].startswith("pack diff families-first-2025") for r in requests)


def test_pack_validate_reports_lines_and_fails(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "pack.yaml").write_text("id: Not An Id\nprogramme: x\n", "utf-8")
    result = cli.invoke(app, ["pack", "validate", str(folder)])
    assert result.exit_code == 1
    assert "line 1" in result.output


def test_measures_export_for_sql_server(tmp_path: Path) -> None:
    out = tmp_path / "tsql"
    args = ["measures", "export", "ofsted-ilacs", "--dialect", "tsql", "--out", str(out)]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.sql"))
    assert files
    for f in files:
        sql = f.read_text("utf-8")
        assert " LIMIT " not in sql
        sqlglot.parse_one(sql, read="tsql")


def test_outputs_annex_a(ws: Workspace, tmp_path: Path) -> None:
    book = tmp_path / "annex_a.xlsx"
    args = ["outputs", "annex-a", "--out", str(book), "-w", str(ws.path), "--as-at", "31/03/2025"]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    names = CalamineWorkbook.from_path(str(book)).sheet_names
    assert [n for n in names if n.startswith("List")][:3] == ["List 1", "List 2", "List 3"]
    bad = cli.invoke(app, ["outputs", "annex-a", "--out", str(book), "-w", str(ws.path),
                           "--as-at", "soon"])  # fmt: skip
    assert bad.exit_code == 1 and "not a date" in bad.output
