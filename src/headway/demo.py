"""The demo: a synthetic LA, its returns loaded, reconciled and quality-checked."""

from __future__ import annotations

import shutil
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
