"""The desk's store on SQLite and on a real PostgreSQL: migrations, intake, repeats, team."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from headway.desk.model import Base
from headway.desk.store import Desk, RequestIn
from headway.errors import HeadwayError


def _ask(title: str = "CP plans over 2 years", **kw: object) -> RequestIn:
    values: dict[str, object] = {"source": "inspector", "requester": "HMI Okafor"} | kw
    return RequestIn(title, received=date(2026, 12, 7), **values)  # type: ignore[arg-type]


def test_migrations_make_exactly_the_model(desk: Desk) -> None:
    with desk.engine.connect() as con:
        diffs = compare_metadata(MigrationContext.configure(con), Base.metadata)
        version = con.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert diffs == []
    assert version == "0001"


def test_opening_again_keeps_the_requests(desk_db: str) -> None:
    with Desk.open(desk_db) as d:
        d.add([_ask()], "first")
    with Desk.open(desk_db) as d:
        assert [r.title for r in d.requests()] == ["CP plans over 2 years"]
        assert set(inspect(d.engine).get_table_names()) >= {"desk_requests", "alembic_version"}


def test_the_same_request_again_is_a_repeat_not_a_new_one(desk: Desk) -> None:
    first = desk.add([_ask(), _ask("Care leavers NEET")], "log.xlsx")
    again = desk.add([_ask("  CP plans over 2 YEARS "), _ask("Missing from care")], "log.xlsx")
    assert len(first.added) == 2
    assert again.repeats == [(0, first.added[0])]
    assert len(again.added) == 1
    assert len(desk.requests()) == 3
    assert [(i.rows_read, i.added, i.repeats) for i in desk.intakes()] == [(2, 2, 0), (2, 1, 1)]


def test_a_bad_request_stops_the_whole_intake(desk: Desk) -> None:
    bad = _ask("Due before asked", due=date(2026, 12, 1))
    with pytest.raises(HeadwayError, match=r"due .* before it was received"):
        desk.add([_ask(), bad], "log.csv")
    assert desk.requests() == []
    assert desk.intakes() == []


def test_update_checks_values(desk: Desk) -> None:
    (rid,) = desk.add([_ask()], "x").added
    assert desk.update(rid, status="done", answered_by="Annex A list 8").status == "done"
    with pytest.raises(HeadwayError, match="status 'finished' is not one of"):
        desk.update(rid, status="finished")
    with pytest.raises(HeadwayError, match="no request 999"):
        desk.get(999)


def test_team_and_leave(desk: Desk) -> None:
    desk.set_analyst("Asha", 37)
    desk.set_analyst("Asha", 30)  # changing hours is not a second analyst
    desk.add_leave("Asha", date(2026, 12, 21), date(2027, 1, 1))
    with pytest.raises(HeadwayError, match="No analyst called 'Ben'"):
        desk.add_leave("Ben", date(2026, 12, 21), date(2026, 12, 22))
    with pytest.raises(HeadwayError, match="not a working week"):
        desk.set_analyst("Ben", 0)
    team = desk.team()
    assert [(a.name, a.hours_per_week, len(leave)) for a, leave in team] == [("Asha", 30, 1)]
    desk.remove_analyst("Asha")
    assert desk.team() == []


def test_adopting_twice_is_one_adoption(desk: Desk) -> None:
    assert desk.adopt("families-first-2026-27")
    assert not desk.adopt("families-first-2026-27")
    assert desk.adopted() == ["families-first-2026-27"]


def test_an_unreachable_database_says_so() -> None:
    with pytest.raises(HeadwayError, match="Could not open the desk database"):
        Desk.open("postgresql+psycopg://nobody@127.0.0.1:1/none")
