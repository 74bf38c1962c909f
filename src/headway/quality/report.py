"""One entry point for data quality: the profile, and the DfE rules when asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from headway.errors import HeadwayError
from headway.quality.dfe import DfeRun, ProgressFn, dfe_python, run_dfe_rules
from headway.quality.profile import QualityProfile, profile, render_profile
from headway.workspace import Workspace

RULES = ("dfe",)


@dataclass(frozen=True)
class QualityReport:
    la_code: str
    profile: QualityProfile
    rules: str | None = None
    dfe_runs: tuple[DfeRun, ...] = ()
    notes: tuple[str, ...] = ()
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def dfe_findings_total(self) -> int:
        return sum(len(r.findings) for r in self.dfe_runs)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.profile.summary().to_json())
        if self.rules == "dfe":
            out["dfe_runs"] = len(self.dfe_runs)
            out["dfe_findings"] = self.dfe_findings_total
        return out

    def to_json(self, with_findings: bool = True) -> dict[str, Any]:
        return {
            "la_code": self.la_code,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "summary": self.summary(),
            "profile": self.profile.to_json(),
            "dfe": {
                "run": self.rules == "dfe",
                "runs": [r.to_json(with_findings) for r in self.dfe_runs],
            },
            "notes": list(self.notes),
        }

    def render(self, console: Console) -> None:
        render_profile(self.profile, console)
        console.print()
        if self.rules != "dfe":
            console.print(
                "DfE validation rules were not run; add [bold]--rules dfe[/bold] to run them."
            )
        for run in self.dfe_runs:
            _render_run(run, console)
        for note in self.notes:
            console.print(f"[yellow]Note:[/yellow] {escape(note)}")


TOP_RULES = 10  # rules shown per run on screen; --json has every finding


def _render_run(run: DfeRun, console: Console) -> None:
    console.print(
        f"[bold]DfE rules: {run.label}[/bold] ({run.validator}, {run.ruleset_note}; "
        f"{run.seconds:.1f} s)",
        highlight=False,
    )
    for note in run.notes:
        console.print(f"  [yellow]Note:[/yellow] {escape(note)}")
    if run.rules_not_run:
        console.print(f"  Rules that could not run on this data: {', '.join(run.rules_not_run)}")
    if not run.findings:
        console.print("  No rule was broken.")
        return
    console.print(
        f"  {len(run.findings):,} findings for {run.children:,} children, "
        f"{len(run.counts())} rules broken"
    )
    grid = RichTable(show_lines=False)
    grid.add_column("Rule")
    grid.add_column("Message", overflow="fold")
    grid.add_column("Findings", justify="right")
    messages = run.messages()
    counts = list(run.counts().items())
    for code, count in counts[:TOP_RULES]:
        grid.add_row(escape(code), escape(messages.get(code, "")), f"{count:,}")
    console.print(grid)
    if len(counts) > TOP_RULES:
        console.print(f"  ... and {len(counts) - TOP_RULES} more rules: see --json for all.")


def run_quality(
    ws: Workspace, rules: str | None, on_progress: ProgressFn | None = None
) -> QualityReport:
    """Profile the workspace's standard model; with rules="dfe" run the DfE rules too.

    The DfE rules run for every collection year loaded, on the latest CIN census file and
    the latest file of each SSDA903 table; their findings replace earlier ones in the
    workspace table hw_dfe_findings.
    """
    if rules is not None and rules not in RULES:
        raise HeadwayError(
            f"There are no rules called '{rules}'.",
            "Use --rules dfe for the DfE validation rules, or leave it out for the profile only.",
        )
    progress = on_progress or (lambda _message: None)
    python = dfe_python() if rules == "dfe" else None  # say now if the environment is missing
    with ws.connect(read_only=rules is None) as con:
        progress("Profiling the standard model")
        result = profile(con)
        runs: list[DfeRun] = []
        notes: list[str] = []
        if rules == "dfe":
            runs, notes = run_dfe_rules(ws, con, progress, python=python)
    return QualityReport(ws.la_code, result, rules, tuple(runs), tuple(notes))
