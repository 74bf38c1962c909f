"""The demo: a synthetic LA, its returns loaded, reconciled and quality-checked."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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
    from headway.reorg.demo import run_reorg_demo

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
    with console.status("Running the lab's simulated stepped-wedge trial ..."):
        trial = run_lab_trial(out_dir / "centre")
    trial.render(out)
    with console.status("Simulating the sector: LAs submit to a hub and deliberate ..."):
        sector = run_sector_demo(ws, out_dir / "centre")
    sector.render(out)
    run_reorg_demo(out_dir / "reorg", county=ws.path, console=console, show=out)
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


TRIAL = "Embedded analyst time, 2026-2027"
TRIAL_LAS = 48
TRIAL_WAVES = 4
TRIAL_EFFECT = 3.0  # readiness points the simulated support truly adds
ANALYSIS_PLAN = """Analysis plan (registered before any outcome is seen)

Question: does two days a week of a Centre analyst raise an LA's readiness score?
Design: randomised stepped wedge; 48 LAs in 4 waves, stratified by region, size and Ofsted
judgement; 8 quarters from 2026Q1, every LA a comparison in 2026Q1.
Primary outcome: readiness_score (0-100, the mean over the LA's adopted packs), per quarter.
Estimator: Callaway and Sant'Anna (2021), not-yet-supported LAs as the comparison, no
covariates; simple aggregation is the headline, with group, dynamic and calendar reported.
Inference: multiplier bootstrap, 999 draws, 95% uniform bands; pre-trend test on the four
quarters before the start. Two-way fixed effects reported only as a comparison.
Success: the 95% interval of the simple effect lies above zero.
"""


@dataclass
class TrialSummary:
    effect: float
    lower: float
    upper: float
    report: Path

    def render(self, out: Console) -> None:
        recovered = self.lower <= TRIAL_EFFECT <= self.upper
        out.print(
            f"Lab trial '{TRIAL}': effect {self.effect:.2f} (95% interval {self.lower:.2f} to "
            f"{self.upper:.2f}); the true effect {TRIAL_EFFECT:g} is "
            f"{'inside' if recovered else 'OUTSIDE'} the interval. Report: {self.report}"
        )


def run_lab_trial(folder: Path) -> TrialSummary:
    """The Centre's lab on a simulated sector: register a trial with its plan, allocate 48
    LAs to 4 waves, simulate 8 quarters of outcomes with a known effect, estimate, report."""
    from headway.lab.allocate import allocate
    from headway.lab.model import Participant
    from headway.lab.results import estimate_trial, write_trial_report
    from headway.lab.simulate import simulate_sector
    from headway.lab.store import Lab, Observed, lab_url
    from headway.periods import between
    from headway.synth.sector import synthetic_sector, write_sector

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    sector = synthetic_sector(TRIAL_LAS, DEMO_SEED)
    write_sector(folder / "trial_las.csv", sector)
    quarters = between("2026Q1", "2027Q4")
    with Lab.open(lab_url(None, folder)) as lab:
        lab.add_approach(
            "Embedded analyst time",
            "Two days a week of a Centre analyst in the LA",
            "Readiness for the programmes the LA has adopted",
            18000.0,
        )
        trial = lab.register(
            TRIAL,
            "Embedded analyst time",
            "stepped wedge",
            quarters[0],
            quarters[-1],
            "readiness_score",
            [],
            ANALYSIS_PLAN,
        )
        lab.add_participants(
            trial,
            [
                Participant(la_code=la.code, region=la.region, size=la.size, ofsted=la.ofsted)
                for la in sector
            ],
        )
        allocation = allocate([la.__dict__ for la in sector], TRIAL_WAVES, DEMO_SEED)
        lab.record_allocation(trial, allocation.assignments, TRIAL_WAVES, DEMO_SEED, "")
        panel = simulate_sector(
            periods=len(quarters),
            waves=TRIAL_WAVES,
            true_effect=TRIAL_EFFECT,
            seed=DEMO_SEED,
            assignment=allocation.assignments,
        )
        rows = [
            Observed(str(la), quarters[int(p) - 1], "readiness_score", round(float(v), 2))
            for la, p, v in zip(panel["la"], panel["period"], panel["outcome"], strict=True)
        ]
        _write_panel(folder / "trial_panel.csv", rows)
        lab.load_outcomes(trial, rows, "trial_panel.csv")
        result = estimate_trial(lab, trial).simple.overall
        report = write_trial_report(
            lab, TRIAL, folder / "trial_report.html", known_effect=TRIAL_EFFECT
        )
    return TrialSummary(result.att, result.lower, result.upper, report)


def _write_panel(path: Path, rows: list[Any]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["la_code", "period", "readiness_score"])
        w.writerows([r.la_code, r.period, r.value] for r in rows)


@dataclass
class SectorSummary:
    submitted: int
    voters: int
    consensus: list[str]
    evidence: Path
    paper: Path

    def render(self, out: Console) -> None:
        agreed = "; ".join(c.rstrip(".") for c in self.consensus) or "nothing"
        out.print(
            f"Hub: {self.submitted} LAs submitted (a retry changed nothing), {self.voters} voted. "
            f"Every opinion group agrees: {agreed}."
        )
        out.print(f"Sector evidence: {self.evidence}\nPosition paper: {self.paper}")


def run_sector_demo(ws: Workspace, folder: Path) -> SectorSummary:
    """The demo LA's own submission (built from its workspace and desk) and a simulated
    sector's, through a hub on loopback, with a deliberation, evidence and a paper."""
    from headway.desk.store import Desk, desk_url
    from headway.hub.sector_demo import PERIOD, run_sector
    from headway.hub.submit import build
    from headway.packs import library

    with Desk.open(desk_url(ws.path, None)) as desk:
        own = build(ws, desk, library(), PERIOD)
    result = run_sector(folder, own, DEMO_SEED)
    return SectorSummary(
        result.submitted, result.voters, result.consensus, result.evidence, result.paper
    )


DEMO_PORTS = (8000, 8100)  # the LA app's and the hub's, if free


def serve_demo(ws: Workspace, centre: Path, console: Console) -> None:
    """Serve the LA app and the hub (with the simulated sector) on loopback until Ctrl+C,
    with a token for an LA user and one for a hub analyst to sign in to the hub with."""
    import socket
    import time
    from contextlib import ExitStack

    from headway.hub.store import Hub, hub_url
    from headway.serving import serving_app
    from headway.web.hub_pages import hub_site
    from headway.web.la import create_la_app

    def port(wanted: int) -> int:
        with socket.socket() as s:
            return wanted if s.connect_ex(("127.0.0.1", wanted)) != 0 else 0

    with ExitStack() as stack:
        hub = stack.enter_context(Hub.open(hub_url(None, centre)))
        la_user = hub.create_token("la submitter", ws.la_code, "Demo: LA user")
        analyst = hub.create_token("hub analyst", None, "Demo: hub analyst")
        la_url = stack.enter_context(
            serving_app(create_la_app(ws), port(DEMO_PORTS[0]), "The LA app")
        )
        hub_address = stack.enter_context(
            serving_app(hub_site(hub), port(DEMO_PORTS[1]), "The hub")
        )
        console.print(f"\n[bold]LA app:[/] {la_url}\n[bold]Hub:[/]    {hub_address}")
        console.print("Sign in to the hub with a token:", soft_wrap=True)
        console.print(f"  LA user ({ws.la_code}): {la_user}", soft_wrap=True)
        console.print(f"  hub analyst: {analyst}", soft_wrap=True)
        console.print("Both listen on this machine only. Press Ctrl+C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print("Stopped.")
