"""The demo: a synthetic LA, its returns loaded, reconciled and quality-checked."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from headway.ingest import IngestReport, ingest
from headway.ingest.load import TableCount
from headway.synth import synthesise
from headway.workspace import Workspace

DEMO_LA = "201"
DEMO_YEARS = [2024, 2025, 2026]
DEMO_SEED = 20261125


def _year_files(returns: Path, year: int) -> list[Path]:
    return sorted(p for p in (returns / str(year)).rglob("*") if p.is_file())


def _reconciliation(reports: list[IngestReport]) -> Table:
    totals: dict[str, TableCount] = {}
    for r in reports:
        for name, c in r.table_totals().items():
            t = totals.setdefault(name, TableCount())
            t.read, t.stored, t.quarantined = (
                t.read + c.read,
                t.stored + c.stored,
                t.quarantined + c.quarantined,
            )
    table = Table("Table", "Read", "Stored", "Quarantined", "Reconciles", title="Reconciliation")
    for name, c in sorted(totals.items()):
        ok = c.read == c.stored + c.quarantined
        table.add_row(
            name,
            f"{c.read:,}",
            f"{c.stored:,}",
            f"{c.quarantined:,}",
            "[green]yes[/]" if ok else "[red]NO[/]",
        )
    return table


def run_demo(out_dir: Path, children: int, console: Console, out: Console) -> Workspace:
    """Write a synthetic LA's returns, load each year, print reconciliation and quality."""
    from headway.quality.report import run_quality

    returns = out_dir / "returns"
    ws_dir = out_dir / "workspace"
    for stale in (returns, ws_dir):
        if stale.exists():
            shutil.rmtree(stale)
    with console.status(f"Writing a synthetic LA of {children:,} children ..."):
        synthesise(returns, children, DEMO_YEARS, DEMO_SEED, DEMO_LA)
    ws = Workspace.create(ws_dir, DEMO_LA, "Synthetic LA (demo)")
    reports = []
    for year in DEMO_YEARS:
        with console.status(f"Loading the {year - 1}-{str(year)[2:]} returns ..."):
            reports.append(ingest(ws, _year_files(returns, year)))
    out.print(_reconciliation(reports))
    with console.status("Checking data quality (profile and DfE rules) ..."):
        report = run_quality(ws, "dfe")
    report.render(out)
    _readiness(ws, out)
    with console.status("Filling the desk: packs, a pack diff, an Ofsted inspection ..."):
        desk_summary = fill_desk(ws, out_dir / "requests", date.today())
    desk_summary.render(out)
    out.print(f"\nWorkspace: {ws.path}  (returns in {returns})")
    return ws


def _readiness(ws: Workspace, out: Console) -> None:
    """Readiness for every shipped pack, on screen and as the leaders' and analysts' reports."""
    from headway.packs import library
    from headway.readiness import assess_all
    from headway.readiness.report import render, write_html, write_xlsx

    with ws.connect(read_only=True) as con:
        results = assess_all(con, library())
    render(results, out)
    html, xlsx = ws.outputs / "readiness.html", ws.outputs / "readiness.xlsx"
    write_html(results, html, ws.la_name)
    write_xlsx(results, xlsx)
    out.print(f"Readiness reports: {html} and {xlsx}")


# The demo LA's data team: one analyst most of whose week is desk work, and a part-timer.
# Desk hours: the rest of their week goes on the routine reports and returns.
DEMO_TEAM = (("Asha (analyst)", 25.0), ("Ben (part-time analyst)", 8.0))
DEMO_PACKS = (
    "families-first-2026-27",
    "cin-census-2026-27",
    "ssda903-2026-27",
    "ofsted-ilacs",
    "send",
    "best-start-family-hubs",
)
PLAN_SECONDS = 5.0


@dataclass
class DeskSummary:
    by_source: dict[str, int]
    matched: int
    late: int
    total: int
    weighted_lateness: float
    baselines: dict[str, float]
    briefs: list[Path]
    inspection_start: date

    def render(self, out: Console) -> None:
        table = Table("Source", "Requests", title="The desk")
        for source, n in sorted(self.by_source.items(), key=lambda kv: -kv[1]):
            table.add_row(source, str(n))
        out.print(table)
        out.print(
            f"{self.matched} of {self.total} requests already have a match; the plan "
            f"(Ofsted inspection from {self.inspection_start}) has {self.late} late, weighted "
            f"lateness {self.weighted_lateness:,.0f} against greedy WSJF "
            f"{self.baselines['wsjf']:,.0f} and EDD {self.baselines['edd']:,.0f}."
        )
        out.print("Leader brief: " + " and ".join(str(p) for p in self.briefs))


def fill_desk(ws: Workspace, folder: Path, today: date) -> DeskSummary:
    """The demo LA's desk: its team, the adopted packs' work, a pack diff's consequences and
    an Ofsted inspection's request log from next Monday; matched, planned and briefed."""
    from headway.desk.brief import make_brief
    from headway.desk.intake import diff_requests, read_request_list, sync_packs
    from headway.desk.planning import team
    from headway.desk.priority import Weights
    from headway.desk.store import Desk, desk_url
    from headway.desk.suggest import suggest
    from headway.packs import diff, library, load
    from headway.readiness.impact import pack_impact
    from headway.synth.requests import write_inspection_log, write_leader_asks

    folder.mkdir(parents=True, exist_ok=True)
    monday = today + timedelta(days=7 - today.weekday())
    log = folder / "ofsted_request_log.xlsx"
    write_inspection_log(log, monday, days=10, seed=DEMO_SEED)
    leaders = folder / "leaders_requests.csv"
    write_leader_asks(leaders, today)
    packs = {p.id: p for p in library()}
    with Desk.open(desk_url(ws.path, None)) as desk:
        for name, hours in DEMO_TEAM:
            desk.set_analyst(name, hours)
        desk.add_leave(DEMO_TEAM[0][0], date(today.year, 12, 24), date(today.year + 1, 1, 1))
        for pack_id in DEMO_PACKS:
            desk.adopt(pack_id)
        with ws.connect(read_only=True) as con:
            sync_packs(desk, con, [packs[p] for p in DEMO_PACKS], today)
            new = load("families-first-2026-27")
            changes = pack_impact(con, diff(load("families-first-2025"), new), new)
        to_desk = folder / "families-first-diff.json"
        to_desk.write_text(json.dumps(changes, indent=2, default=str), "utf-8")
        desk.add(diff_requests(to_desk, today), to_desk.name)
        for path, source in ((log, "inspector"), (leaders, "service leader")):
            listed = read_request_list(path, source, today)
            desk.add(listed.requests, path.name, listed.not_read, listed.rows_read)
        requests = desk.requests()
        found = suggest(desk, list(packs.values()), requests)
        brief = make_brief(desk, ws, team(desk), today, 26, Weights(), PLAN_SECONDS)
        briefs = [
            brief.write(ws.outputs / "desk_brief.html"),
            brief.write(ws.outputs / "desk_brief.pdf"),
        ]
    by_source: dict[str, int] = {}
    for r in requests:
        by_source[r.source] = by_source.get(r.source, 0) + 1
    return DeskSummary(
        by_source,
        sum(1 for ms in found.values() if ms),
        len(brief.plan.slips()),
        len(requests),
        brief.plan.weighted_lateness,
        brief.plan.baselines,
        briefs,
        monday,
    )
