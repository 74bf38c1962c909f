"""The hub's commands through the real CLI: an LA's dry run shows only aggregate,
disclosure-controlled figures; a real submission to a hub on loopback, its retry, the
deliberation, the asks ledger, the evidence and the position paper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from headway.cli import app
from headway.desk.store import Desk, RequestIn, desk_url
from headway.hub.disclosure import audit, is_aggregate_safe
from headway.hub.serve import serving
from headway.hub.store import Hub, hub_url
from headway.ingest import ingest
from headway.synth import synthesise
from headway.workspace import Workspace

cli = CliRunner()


def run(*args: str, code: int = 0) -> Any:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if "--json" in args and code == 0 else result.output


@pytest.fixture(scope="module")
def la(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("hubcli")
    synthesise(tmp / "r", 300, [2025], 6, "201")
    ws = Workspace.create(tmp / "ws", "201", "Synthetic LA")
    ingest(ws, sorted(p for p in (tmp / "r" / "2025").rglob("*") if p.is_file()))
    with Desk.open(desk_url(ws.path, None)) as desk:
        desk.adopt("families-first-2026-27")
        desk.add([RequestIn(f"Ask {i}", source="inspector") for i in range(12)], "test")
        desk.add([RequestIn(f"DfE {i}", source="national programme") for i in range(7)], "test")
        desk.add([RequestIn("Leader ask", source="service leader")], "test")
    return ws


def test_dry_run_shows_only_aggregates(la: Workspace) -> None:
    import pandas as pd

    sent = run("submit", "--dry-run", "--period", "2026Q3", "-w", str(la.path), "--json")
    assert sent["la_code"] == "201" and sent["period"] == "2026Q3"
    assert is_aggregate_safe(sent) == []
    assert [p["pack"] for p in sent["readiness"]] == ["families-first-2026-27"]
    desk = pd.DataFrame(sent["desk"]["requests"]).T
    assert desk.loc["inspector", "on time"] == 12  # more than 5, and not needed to hide a 1
    assert desk.loc["service leader", "on time"] == "c"  # 1: suppressed
    assert audit(desk) == []  # and nothing suppressed can be worked out from the rest
    assert not (la.outputs / "hub").exists()  # a dry run sends and keeps nothing


def test_submit_deliberate_asks_evidence_and_paper(la: Workspace, tmp_path: Path) -> None:
    centre = tmp_path / "centre"
    with Hub.open(hub_url(None, centre)) as hub:
        submitter = hub.create_token("la submitter", "201")
        analyst = hub.create_token("hub analyst", None)
        with serving(hub) as url:
            first = run(
                "submit",
                "--hub",
                url,
                "--token",
                submitter,
                "--period",
                "2026Q3",
                "-w",
                str(la.path),
                "--json",
            )
            assert (first["version"], first["outcome"]) == (1, "new")
            assert (la.outputs / "hub" / "sent_2026Q3.json").exists()
            again = run(
                "submit",
                "--hub",
                url,
                "--token",
                submitter,
                "--period",
                "2026Q3",
                "-w",
                str(la.path),
                "--json",
            )
            assert again["id"] == first["id"]  # the retry is the same submission
            refused = run(
                "submit", "--hub", url, "--token", "hwt_bad_token", "-w", str(la.path), code=1
            )
            assert "401" in refused

            ff = "families-first-2026-27"
            run("deliberate", "add", ff, "Ask once for FGDM.", "--hub", url, "--token", analyst)
            listed = run(
                "deliberate", "statements", ff, "--hub", url, "--token", submitter, "--json"
            )
            run(
                "deliberate",
                "vote",
                ff,
                str(listed[0]["id"]),
                "agree",
                "--hub",
                url,
                "--token",
                submitter,
            )
            no = run(
                "deliberate",
                "vote",
                ff,
                str(listed[0]["id"]),
                "agree",
                "--hub",
                url,
                "--token",
                analyst,
                code=1,
            )
            assert "403" in no
        c = ["--centre", str(centre)]
        run(
            "hub",
            "asks",
            "add",
            "FGDM in CIN",
            "--ask",
            "Collect it in the CIN census.",
            "--pack",
            ff,
            "--topic",
            ff,
            *c,
        )
        run("hub", "asks", "update", "1", "--status", "raised", *c)
        assert run("hub", "asks", "list", "--json", *c)[0]["status"] == "raised"
        evidence = run("hub", "evidence", ff, "--html", str(tmp_path / "e.html"), "--json", *c)
        assert evidence["submitting_las"] == "c"  # one LA: too few to publish how many
        assert {r["counts"]["gap"] for r in evidence["requirements"]} <= {"c", 0}
        run("deliberate", "paper", ff, "--pack", ff, "--out", str(tmp_path / "p.html"), *c)
        paper = (tmp_path / "p.html").read_text("utf-8")
        assert "Position paper" in paper and "FGDM in CIN" in paper and "<script" not in paper


def test_hub_las_needs_its_columns(tmp_path: Path) -> None:
    bad = tmp_path / "las.csv"
    bad.write_text("code;region\n201;London\n", "utf-8")
    message = run("hub", "las", str(bad), "--centre", str(tmp_path / "c"), code=1)
    assert "needs the columns la_code, name and region" in message
    good = tmp_path / "good.csv"
    good.write_bytes("la_code;name;region\n201;Caf\xe9 LA;London\n".encode("cp1252"))
    run("hub", "las", str(good), "--centre", str(tmp_path / "c"))
    with Hub.open(hub_url(None, tmp_path / "c")) as hub:
        assert hub.regions() == {"201": "London"}
