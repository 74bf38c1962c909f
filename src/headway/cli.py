"""The `headway` command: one Typer app; each area adds its own sub-commands here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from headway.errors import HeadwayError
from headway.workspace import Workspace, default_workspace_dir, validate_la_code

app = typer.Typer(
    name="headway",
    help="Headway: children's social care data through large-scale change.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()

T = TypeVar("T")

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="The LA workspace folder (default: $HEADWAY_WORKSPACE, else ./headway-workspace).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _fail(message: str, hint: str = "") -> None:
    text = escape(message + (f" {hint}" if hint else ""))
    line = f"[bold red]Error:[/] {text}"
    console.print(line, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def run(action: Callable[[], T]) -> T:
    """Run an action; a HeadwayError becomes one line for the analyst and exit code 1."""
    try:
        return action()
    except HeadwayError as exc:
        _fail(exc.message, exc.hint)
    except KeyboardInterrupt:
        _fail("Stopped. Nothing was changed by the interrupted step.")
    raise AssertionError("unreachable")


def open_workspace(path: Path | None) -> Workspace:
    return run(lambda: Workspace.open(path or default_workspace_dir()))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


@contextmanager
def progress(
    label: str, total: int, quiet: bool, in_bytes: bool = False
) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr; yields the function that advances it."""
    counter = DownloadColumn() if in_bytes else MofNCompleteColumn()
    with Progress(
        TextColumn(label), BarColumn(), counter, TimeRemainingColumn(),
        console=console, disable=quiet, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
    la: Annotated[str, typer.Option("--la", help="DfE LA number (e.g. 201) or ONS code.")],
    name: Annotated[str | None, typer.Option("--name", help="The LA's name.")] = None,
) -> None:
    """Create an LA workspace: config and the DuckDB file of the standard model."""
    ws = run(lambda: Workspace.create(directory, la, name))
    console.print(f"Created workspace for {ws.la_name} ({ws.la_code}) at {ws.path}")


def _years(text: str) -> list[int]:
    try:
        if "-" in text:
            first, last = (int(x) for x in text.split("-", 1))
            years = list(range(first, last + 1))
        else:
            years = [int(y) for y in text.split(",")]
    except ValueError:
        _fail(f"'{text}' is not a range of years.", "Write e.g. 2024-2026 or 2024,2026.")
    if not years or min(years) < 2017 or max(years) > 2030:
        _fail(f"'{text}': Headway writes collection years 2017 to 2030.")
    return years


@app.command()
def synth(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the synthetic returns into.")],
    children: Annotated[int, typer.Option("--children", min=1, help="Children in the LA.")],
    years: Annotated[str, typer.Option("--years", help="Collection years, e.g. 2024-2026.")] = (
        "2024-2026"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same files.")] = 1,
    la: Annotated[str, typer.Option("--la", help="DfE LA number.")] = "201",
    as_json: JsonOpt = False,
) -> None:
    """Write a synthetic LA's returns in the real formats (CIN XML, 903 CSV, Annex A, local)."""
    from headway.synth import synthesise

    code = run(lambda: validate_la_code(la))
    if not code.isdigit():
        _fail("Synthetic returns need a 3-digit DfE LA number (the CIN census LEA).")
    year_list = _years(years)
    with progress("Writing synthetic children", children, as_json) as advance:
        manifest = run(lambda: synthesise(outdir, children, year_list, seed, code, advance))
    if as_json:
        print_json(manifest)
        return
    t = Table("Year", "File", "Records", title=f"Synthetic LA {code}: {children:,} children")
    for year, files in manifest["years"].items():
        for f in files:
            t.add_row(str(year), f["path"], f"{sum(f['records'].values()):,}")
    out.print(t)


@app.command()
def ingest(
    files: Annotated[
        list[Path], typer.Argument(help="Return files: CIN XML, 903 CSV/XML, Annex A, SSD.")
    ],
    workspace: WorkspaceOpt = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Collection year, where a file does not say.")
    ] = None,
    max_size: Annotated[int, typer.Option("--max-size", help="Largest file to accept, in MB.")] = (
        4096
    ),
    as_json: JsonOpt = False,
) -> None:
    """Load statutory files into the workspace's standard model, all or nothing."""
    from headway.ingest import ingest as run_ingest

    ws = open_workspace(workspace)
    total = sum(f.stat().st_size for f in files if f.is_file())
    with progress("Loading", total, as_json, in_bytes=True) as advance:
        report = run(lambda: run_ingest(ws, files, year, max_size * 1024 * 1024, advance))
    if as_json:
        print_json(report.to_json())
        return
    render_ingest(report)


def render_ingest(report: Any) -> None:
    files = Table("File", "Return", "Year", "Status", "Records", "Value issues", title="Files")
    for f in report.files:
        files.add_row(
            Path(f.path).name,
            f.dataset,
            str(f.collection_year or ""),
            f.status,
            f"{sum(f.records.values()):,}",
            f"{f.value_issues:,}",
        )
    out.print(files)
    tables = Table("Table", "Read", "Stored", "Quarantined", "Reconciles", title="Reconciliation")
    for name, c in report.table_totals().items():
        ok = c.read == c.stored + c.quarantined
        tables.add_row(
            name,
            f"{c.read:,}",
            f"{c.stored:,}",
            f"{c.quarantined:,}",
            "[green]yes[/]" if ok else "[red]NO[/]",
        )
    out.print(tables)


@app.command()
def quality(
    workspace: WorkspaceOpt = None,
    rules: Annotated[
        str | None, typer.Option("--rules", help="Also run the DfE rules: --rules dfe.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Profile every standard item; with --rules dfe, run the DfE validation rules too."""
    from headway.quality.report import run_quality

    if rules not in (None, "dfe"):
        _fail(f"Unknown rule set '{rules}'.", "Use --rules dfe.")
    ws = open_workspace(workspace)
    report = run(lambda: run_quality(ws, rules))
    if as_json:
        print_json(report.to_json())
    else:
        report.render(out)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files.")] = Path(
        "demo"
    ),
    children: Annotated[int, typer.Option("--children", help="Children in the demo LA.")] = 2500,
) -> None:
    """Make a synthetic LA, load it, and show the reconciliation and quality summary."""
    from headway.demo import run_demo

    run(lambda: run_demo(out_dir, children, console, out))


def main() -> None:  # pragma: no cover - the console script calls app directly
    app()
