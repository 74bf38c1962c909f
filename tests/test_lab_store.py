"""The lab's register on SQLite and on a real PostgreSQL: pre-registration, allocation
recorded once and audited, outcomes reconciled and corrections audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from headway import periods
from headway.errors import HeadwayError
from headway.lab.model import Base, Participant, Trial
from headway.lab.store import Lab, Observed, lab_url


@pytest.fixture(params=["sqlite", "postgresql"])
def lab(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Lab]:
    url = (
        lab_url(None, tmp_path)
        if request.param == "sqlite"
        else request.getfixturevalue("pg_desk_url")
    )
    with Lab.open(url) as opened:
        yield opened


def _trial(lab: Lab) -> Trial:
    lab.add_approach(
        "Embedded analyst", "Two days a week of a CoE analyst", "DfE rule failures", 9000
    )
    trial = lab.register(
        "Analyst 2026",
        "Embedded analyst",
        "stepped wedge",
        "2026Q1",
        "2027Q4",
        "rule_failure_rate",
        ["late_share"],
        "ATT on rule_failure_rate, CS 2021.",
    )
    lab.add_participants(
        trial,
        [
            Participant(la_code=c, region="London", size="small", ofsted="Good")
            for c in ("201", "202", "203", "204")
        ],
    )
    return trial


def test_migrations_make_exactly_the_model(lab: Lab) -> None:
    with lab.engine.connect() as con:
        diffs = compare_metadata(
            MigrationContext.configure(con, opts={"version_table": "alembic_version_lab"}),
            Base.metadata,
        )
    assert [d for d in diffs if "lab_" in str(d)] == []


def test_quarters() -> None:
    assert periods.between("2026Q3", "2027Q2") == ["2026Q3", "2026Q4", "2027Q1", "2027Q2"]
    assert periods.wave_starts(8, 4) == [2, 4, 6, 8]
    assert periods.wave_starts(8, 7) == [2, 3, 4, 5, 6, 7, 8]
    assert periods.wave_start_quarters(periods.between("2026Q1", "2027Q4"), 3) == [
        "2026Q2",
        "2027Q1",
        "2027Q4",
    ]
    with pytest.raises(HeadwayError, match="not a quarter"):
        periods.parse("2026-Q5")
    with pytest.raises(HeadwayError, match="at most 7 waves"):
        periods.wave_starts(8, 8)


def test_plan_is_fixed_at_registration(lab: Lab) -> None:
    trial = _trial(lab)
    assert len(trial.plan_sha256) == 64
    with pytest.raises(HeadwayError, match="needs its analysis plan"):
        lab.register(
            "No plan", "Embedded analyst", "stepped wedge", "2026Q1", "2026Q4", "x", [], " "
        )
    assert [a.action for a in lab.audit(trial)][:2] == ["registered", "participants added"]


def test_allocation_is_recorded_once_and_changes_are_audited(lab: Lab) -> None:
    trial = _trial(lab)
    lab.record_allocation(trial, {"201": 1, "202": 1, "203": 2, "204": 2}, 2, 7, "")
    with pytest.raises(HeadwayError, match="not changed silently"):
        lab.record_allocation(trial, {"201": 2, "202": 1, "203": 1, "204": 2}, 2, 8, "")
    lab.record_allocation(trial, {"201": 2, "202": 1, "203": 1, "204": 2}, 2, 8, "203 merged")
    latest, members = lab.allocation(trial) or (None, [])
    assert latest is not None and latest.version == 2
    assert {m.la_code: m.first_period for m in members}["201"] == "2027Q4"
    last = lab.audit(trial)[-1]
    assert last.action == "allocated (version 2)"
    assert "moved: 201, 203" in last.detail and "203 merged" in last.detail
    with pytest.raises(HeadwayError, match="already allocated"):
        lab.add_participants(trial, [Participant(la_code="205", region="x", size="y", ofsted="z")])


def test_outcomes_all_or_nothing_and_corrections_audited(lab: Lab) -> None:
    trial = _trial(lab)
    rows = [
        Observed("201", "2026Q1", "rule_failure_rate", 0.2),
        Observed("202", "2026Q1", "rule_failure_rate", 0.3),
    ]
    assert lab.load_outcomes(trial, rows, "panel.csv") == (2, 0, 0)
    bad = [*rows, Observed("999", "2026Q1", "rule_failure_rate", 0.1)]
    with pytest.raises(HeadwayError, match="LA 999 is not in the trial; nothing was loaded"):
        lab.load_outcomes(trial, bad, "bad.csv")
    with pytest.raises(HeadwayError, match="not in the analysis plan"):
        lab.load_outcomes(trial, [Observed("201", "2026Q1", "happiness", 1.0)], "x.csv")
    fixed = [rows[0], Observed("202", "2026Q1", "rule_failure_rate", 0.25)]
    assert lab.load_outcomes(trial, fixed, "panel2.csv") == (0, 1, 1)
    assert lab.outcomes_loaded(trial) == 2
    corrections = [a for a in lab.audit(trial) if a.action == "outcome corrected"]
    assert len(corrections) == 1 and "0.3 -> 0.25" in corrections[0].detail
