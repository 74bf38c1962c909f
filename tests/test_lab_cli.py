"""The lab through the real CLI, on the Centre's SQLite database: register a trial with its
plan, add LAs, allocate (and not silently re-allocate), load outcomes, estimate, report."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from headway.cli import app
from headway.lab.simulate import simulate_sector
from headway.synth.sector import synthetic_sector, write_sector

cli = CliRunner()
QUARTERS = ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1", "2027Q2"]


def lab(centre: Path, *args: str, code: int = 0) -> Any:
    result = cli.invoke(app, ["lab", *args, "--centre", str(centre)])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if "--json" in args and code == 0 else result.output


def test_a_trial_end_to_end(tmp_path: Path) -> None:
    centre = tmp_path / "centre"
    plan = tmp_path / "plan.md"
    plan.write_text("Primary: rule_failure_rate; CS 2021, not-yet-treated; success if < 0.")
    lab(centre, "approach", "add", "Validator clinic", "--cost", "1500")
    lab(
        centre,
        "register",
        "Clinic 2026",
        "--approach",
        "Validator clinic",
        "--plan",
        str(plan),
        "--primary",
        "rule_failure_rate",
        "--from",
        "2026Q1",
        "--to",
        "2027Q2",
        "--lower-is-better",
    )
    sector = synthetic_sector(30, 4)
    lab(centre, "las", "Clinic 2026", str(write_sector(tmp_path / "las.csv", sector)))

    first = lab(centre, "allocate", "Clinic 2026", "--waves", "3", "--seed", "11", "--json")
    assert sorted(set(first["assignments"].values())) == [1, 2, 3]
    assert set(first["starts"].values()) == {"2026Q2", "2026Q4", "2027Q2"}
    again = lab(centre, "allocate", "Clinic 2026", "--waves", "3", "--seed", "12", code=1)
    assert "not changed silently" in again
    lab(
        centre,
        "allocate",
        "Clinic 2026",
        "--waves",
        "3",
        "--seed",
        "11",
        "--reason",
        "check: same seed, same allocation",
    )
    audit = lab(centre, "audit", "Clinic 2026", "--json")
    assert audit[-1]["action"] == "allocated (version 2)"
    assert "moved: none" in audit[-1]["detail"]  # the same seed gives the same allocation

    sim = simulate_sector(
        periods=6, waves=3, true_effect=-2.0, seed=5, assignment=first["assignments"]
    )
    panel = tmp_path / "panel.csv"
    with panel.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["la_code", "period", "rule_failure_rate"])
        w.writerows(
            [la, QUARTERS[p - 1], f"{v:.3f}"]
            for la, p, v in zip(sim["la"], sim["period"], sim["outcome"], strict=True)
        )
    loaded = lab(centre, "outcomes", "Clinic 2026", str(panel), "--json")
    assert (loaded["lines"], loaded["added"], loaded["blank"]) == (180, 180, [])
    assert lab(centre, "outcomes", "Clinic 2026", str(panel), "--json")["unchanged"] == 180

    est = lab(centre, "estimate", "Clinic 2026", "--bootstrap", "0", "--json")
    simple = est["aggregations"]["simple"]["overall"]
    assert simple["lower"] <= -2.0 <= simple["upper"]
    report = tmp_path / "report.html"
    lab(centre, "report", "Clinic 2026", "--html", str(report), "--bootstrap", "99")
    text = report.read_text("utf-8")
    assert "Clinic 2026" in text and "<table" in text and "<svg" in text
    assert "<script" not in text


def test_outcomes_not_in_the_plan_are_refused(tmp_path: Path) -> None:
    centre = tmp_path / "centre"
    plan = tmp_path / "plan.md"
    plan.write_text("Primary: x.")
    lab(centre, "approach", "add", "Guide")
    lab(
        centre,
        "register",
        "T",
        "--approach",
        "Guide",
        "--plan",
        str(plan),
        "--primary",
        "x",
        "--from",
        "2026Q1",
        "--to",
        "2026Q4",
    )
    panel = tmp_path / "panel.csv"
    panel.write_text("la_code,period,y\nSYN001,2026Q1,1\n")
    message = lab(centre, "outcomes", "T", str(panel), code=1)
    assert "outcomes the analysis plan does not name: y" in message
    assert lab(centre, "trials", "--json")[0]["outcomes_loaded"] == 0


def test_power_reproduces_the_published_example() -> None:
    args = [
        "--las",
        "24",
        "--waves",
        "4",
        "--effect",
        "-0.015",
        "--baseline",
        "0.05",
        "--tau",
        "0.01",
        "--per-cell",
        "120",
        "--json",
    ]
    result = cli.invoke(app, ["lab", "power", *args])
    assert result.exit_code == 0, result.output
    assert round(json.loads(result.stdout)["hussey_hughes_power"], 3) == 0.786
