"""What the LA app shows, computed from the workspace and its desk, and kept until they change.

Readiness for every pack takes seconds on a real LA's data, so each view is computed once
and kept until its source changes: the workspace's DuckDB files (any `headway ingest` or
`pack assess`) for readiness and quality, the desk's stamp (any request, match, team or
leave change) for the queue and the plan. The DuckDB file is opened only while computing,
read-only, so the CLI can still load data while the app runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from headway.desk.brief import Brief, make_brief
from headway.desk.model import Match
from headway.desk.plan import Analyst, Plan, make_plan
from headway.desk.planning import PlannedRequest, jobs, planned_requests, team
from headway.desk.priority import Weights, workspace_weights
from headway.desk.store import Desk, desk_url
from headway.packs import library
from headway.packs.model import Pack
from headway.quality.profile import QualityProfile, profile
from headway.readiness import assess_all
from headway.readiness.assessments import met_expectations
from headway.readiness.engine import PackReadiness
from headway.workspace import Workspace

T = TypeVar("T")
PLAN_WEEKS = 26
PLAN_SECONDS = 3.0  # the optimiser's time on a page view; the CLI can take longer
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOADS = {"annex-a.xlsx": XLSX, "readiness.html": "text/html", "readiness.xlsx": XLSX}


@dataclass
class _Kept:
    stamp: object
    value: Any


class WorkspaceViews:
    """One LA workspace as the web app sees it."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.desk = Desk.open(desk_url(ws.path, None))
        self.packs: list[Pack] = library()
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.desk.close()

    def _data_stamp(self) -> object:
        files = [self.ws.database, self.ws.database.with_name(self.ws.database.name + ".wal")]
        return tuple((p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())

    def _keep(self, name: str, stamp: object, compute: Callable[[], T]) -> T:
        with self._lock:  # one computation at a time: readiness is heavy and shares DuckDB
            kept = self._kept.get(name)
            if kept is None or kept.stamp != stamp:
                kept = self._kept[name] = _Kept(stamp, compute())
            return kept.value  # type: ignore[no-any-return]

    # --- the workspace's data --------------------------------------------------------------

    def readiness(self) -> list[PackReadiness]:
        def compute() -> list[PackReadiness]:
            with self.ws.connect(read_only=True) as con:
                return assess_all(con, self.packs, met_expectations(con))

        return self._keep("readiness", self._data_stamp(), compute)

    def pack_readiness(self, pack_id: str) -> PackReadiness | None:
        return next((p for p in self.readiness() if p.pack_id == pack_id), None)

    def quality(self) -> QualityProfile:
        def compute() -> QualityProfile:
            with self.ws.connect(read_only=True) as con:
                return profile(con)

        return self._keep("quality", self._data_stamp(), compute)

    def dfe_findings(self) -> list[tuple[str, str, int]]:
        """(rule, message, findings) from the last DfE rules run, most findings first."""

        def compute() -> list[tuple[str, str, int]]:
            with self.ws.connect(read_only=True) as con:
                exists = con.execute(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_name = 'hw_dfe_findings'"
                ).fetchone()
                if not exists or not exists[0]:
                    return []
                rows = con.execute(
                    "SELECT source_return || ' ' || rule_code, any_value(message), count(*) AS n "
                    "FROM hw_dfe_findings GROUP BY ALL ORDER BY n DESC, 1"
                ).fetchall()
            return [(str(r), str(m or ""), int(n)) for r, m, n in rows]

        return self._keep("dfe", self._data_stamp(), compute)

    # --- the desk --------------------------------------------------------------------------

    def weights(self) -> Weights:
        return workspace_weights(self.ws.path)

    def queue(self) -> tuple[list[PlannedRequest], dict[int, list[Match]]]:
        """Every request with its priority (highest first) and its match suggestions."""

        def compute() -> tuple[list[PlannedRequest], dict[int, list[Match]]]:
            chosen = self.desk.requests()
            planned = planned_requests(self.desk, date.today(), self.weights(), chosen)
            planned.sort(key=lambda p: -p.priority.score)
            return planned, self.desk.matches()

        return self._keep("queue", (self.desk.stamp(), date.today()), compute)

    def team(self) -> list[Analyst]:
        return team(self.desk)

    def plan(self) -> Plan | None:
        """The open requests planned on the team's hours from today; None with no team."""

        def compute() -> Plan | None:
            analysts = self.team()
            if not analysts:
                return None
            planned = planned_requests(self.desk, date.today(), self.weights())
            return make_plan(jobs(planned), analysts, date.today(), PLAN_WEEKS, PLAN_SECONDS)

        return self._keep("plan", (self.desk.stamp(), date.today()), compute)

    def brief(self) -> Brief | None:
        def compute() -> Brief | None:
            analysts = self.team()
            if not analysts:
                return None
            return make_brief(
                self.desk, self.ws, analysts, date.today(), PLAN_WEEKS, self.weights(),
                PLAN_SECONDS,
            )  # fmt: skip

        return self._keep("brief", (self.desk.stamp(), self._data_stamp(), date.today()), compute)

    def download(self, name: str) -> Path:
        """Write one of DOWNLOADS from the workspace into its outputs folder, dated."""
        from headway.outputs.annex_a import default_as_at, write_annex_a
        from headway.readiness.report import write_html, write_xlsx

        path = self.outputs_folder() / f"{Path(name).stem}-{date.today()}{Path(name).suffix}"
        if name == "annex-a.xlsx":
            with self.ws.connect(read_only=True) as con:
                write_annex_a(con, path, default_as_at(con))
        elif name == "readiness.html":
            write_html(self.readiness(), path, self.ws.la_name)
        else:
            write_xlsx(self.readiness(), path)
        return path

    def outputs_folder(self) -> Path:
        self.ws.outputs.mkdir(exist_ok=True)
        return self.ws.outputs
