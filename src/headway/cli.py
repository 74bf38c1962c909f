"""The `headway` command: one Typer app; each area adds its own sub-commands here."""

from __future__ import annotations

import ipaddress
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from headway.cli_common import (
    JsonOpt,
    WorkspaceOpt,
    console,
    fail,
    open_workspace,
    out,
    print_json,
    progress,
    run,
    show_result,
)
from headway.cli_desk import desk_app
from headway.cli_hub import deliberate_app, hub_app, submit
from headway.cli_lab import lab_app
from headway.cli_reorg import reorg_app
from headway.workspace import Workspace, validate_la_code

app = typer.Typer(
    name="headway",
    help="Headway: children's social care data through large-scale change.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
        fail(f"'{text}' is not a range of years.", "Write e.g. 2024-2026 or 2024,2026.")
    if not years or min(years) < 2017 or max(years) > 2030:
        fail(f"'{text}': Headway writes collection years 2017 to 2030.")
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
        fail("Synthetic returns need a 3-digit DfE LA number (the CIN census LEA).")
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
        fail(f"Unknown rule set '{rules}'.", "Use --rules dfe.")
    ws = open_workspace(workspace)
    report = run(lambda: run_quality(ws, rules))
    if as_json:
        print_json(report.to_json())
    else:
        report.render(out)


standard_app = typer.Typer(help="Statutory standards: list, show, diff and its impact.")
app.add_typer(standard_app, name="standard")


@standard_app.command("list")
def standard_list(as_json: JsonOpt = False) -> None:
    """The standards Headway knows and their versions."""
    from headway.standards.browse import list_standards

    result = run(list_standards)
    show_result(result, as_json)


@standard_app.command("show")
def standard_show(
    standard: Annotated[str, typer.Argument(help="cin_census, ssda903, ssd or annex_a.")],
    version: Annotated[str | None, typer.Argument(help="A version (default: latest).")] = None,
    item: Annotated[str | None, typer.Option("--item", help="One item, e.g. N00100.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """A standard's items, or one item in full."""
    from headway.standards.browse import show

    result = run(lambda: show(standard, version, item))
    show_result(result, as_json)


@standard_app.command("diff")
def standard_diff(
    standard: Annotated[str, typer.Argument(help="cin_census, ssda903, ssd or annex_a.")],
    v1: Annotated[str, typer.Argument(help="The earlier version, e.g. 2021.")],
    v2: Annotated[str, typer.Argument(help="The later version, e.g. 2022.")],
    workspace: Annotated[
        Path | None, typer.Option("--workspace", "-w", help="Also say what it means for this LA.")
    ] = None,
    to_desk: Annotated[
        Path | None, typer.Option("--to-desk", help="Write the consequences as desk requests.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two versions, and with a workspace, what it means for the LA."""
    from headway.standards.diff import diff
    from headway.standards.impact import workspace_impact

    result = run(lambda: diff(standard, v1, v2))
    impact = None
    if workspace or to_desk:
        ws = open_workspace(workspace)
        impact = run(lambda: workspace_impact(ws, result))
    if to_desk and impact is not None:
        to_desk.write_text(json.dumps(impact.requests(), indent=2, default=str), "utf-8")
    if as_json:
        print_json({"diff": result.to_json(), "impact": impact.to_json() if impact else None})
        return
    result.render(out)
    if impact is not None:
        impact.render(out)
    if to_desk:
        console.print(f"Wrote {len(impact.requests()) if impact else 0} requests to {to_desk}")


pack_app = typer.Typer(help="Programme packs: list, show, validate, diff, self-assess.")
app.add_typer(pack_app, name="pack")
DirsOpt = Annotated[
    list[Path] | None,
    typer.Option("--dir", help="Also look for packs in this folder (repeatable)."),
]


@pack_app.command("list")
def pack_list(dirs: DirsOpt = None, as_json: JsonOpt = False) -> None:
    """The shipped packs, and any in --dir folders."""
    from headway.packs import list_packs

    result = run(lambda: list_packs(extra_dirs=dirs or []))
    show_result(result, as_json)


@pack_app.command("show")
def pack_show(
    pack: Annotated[str, typer.Argument(help="A shipped pack id, a folder or a zip.")],
    as_json: JsonOpt = False,
) -> None:
    """Everything a pack asks, with its sources; inferred facts are marked."""
    from headway.packs import show

    view = run(lambda: show(pack))
    show_result(view, as_json)


@pack_app.command("validate")
def pack_validate(
    path: Annotated[Path, typer.Argument(help="A pack folder, pack.yaml or zip.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a pack; every problem is reported with its file and line."""
    from headway.packs import validation

    view = run(lambda: validation(path))
    show_result(view, as_json)
    if not view.ok:
        raise typer.Exit(1)


@pack_app.command("diff")
def pack_diff(
    a: Annotated[str, typer.Argument(help="The earlier pack.")],
    b: Annotated[str, typer.Argument(help="The later pack.")],
    workspace: Annotated[
        Path | None, typer.Option("--workspace", "-w", help="Also say what it means for this LA.")
    ] = None,
    to_desk: Annotated[
        Path | None, typer.Option("--to-desk", help="Write the consequences as desk requests.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two packs, and with a workspace, what it means for the LA."""
    from headway.packs import diff, load
    from headway.readiness.assessments import met_expectations
    from headway.readiness.impact import pack_impact

    new = run(lambda: load(b))
    result = run(lambda: diff(load(a), new))
    requests: list[dict[str, Any]] | None = None
    if workspace or to_desk:
        ws = open_workspace(workspace)
        with ws.connect(read_only=True) as con:
            met = met_expectations(con).get(new.id)
            requests = run(lambda: pack_impact(con, result, new, met))
    if to_desk and requests is not None:
        to_desk.write_text(json.dumps(requests, indent=2, default=str), "utf-8")
    if as_json:
        print_json({"diff": result.to_json(), "impact": requests})
        return
    result.render(out)
    for r in requests or []:
        out.print(f"[bold]{escape(r['title'])}[/] ({r['severity']}, {r['effort_hours']:g} h): "
                  f"{escape(r['description'])}")  # fmt: skip
    if to_desk:
        console.print(f"Wrote {len(requests or [])} requests to {to_desk}")


@pack_app.command("assess")
def pack_assess(
    pack: Annotated[str, typer.Argument(help="The pack.")],
    expectation: Annotated[str, typer.Argument(help="One of its expectation ids.")],
    met: Annotated[bool, typer.Option("--met/--not-met", help="Your own judgement.")],
    note: Annotated[str, typer.Option("--note", help="Evidence, e.g. where it is published.")] = "",
    workspace: WorkspaceOpt = None,
) -> None:
    """Record the LA's self-assessment of one expectation (readiness shows what is open)."""
    from headway.packs import load
    from headway.readiness.assessments import record

    ws = open_workspace(workspace)
    loaded = run(lambda: load(pack))
    if expectation not in {e.id for e in loaded.expectations}:
        ids = ", ".join(e.id for e in loaded.expectations)
        fail(f"{loaded.id} has no expectation '{expectation}'.", f"Its expectations: {ids}.")
    with ws.connect() as con:
        record(con, loaded.id, expectation, met, note)
    console.print(f"Recorded: {expectation} {'met' if met else 'not met'} for {loaded.id}")


app.add_typer(desk_app, name="desk")
app.add_typer(lab_app, name="lab")
app.add_typer(reorg_app, name="reorg")
app.add_typer(hub_app, name="hub")
app.add_typer(deliberate_app, name="deliberate")
app.command("submit")(submit)
measures_app = typer.Typer(help="Pack measures: run them on the workspace, export them.")
app.add_typer(measures_app, name="measures")
outputs_app = typer.Typer(help="Outputs built from the standard model.")
app.add_typer(outputs_app, name="outputs")


def _packs(packs: list[str] | None, every: bool) -> list[Any]:
    from headway.packs import library, load

    if every or not packs:
        if not every:
            fail("Name a pack, or use --all for every shipped pack.")
        return run(library)
    return run(lambda: [load(p) for p in packs])


@measures_app.command("run")
def measures_run(
    packs: Annotated[list[str] | None, typer.Argument(help="Pack ids, folders or zips.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every shipped pack.")] = False,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run pack measures on the workspace (DuckDB); exit 1 if any fails."""
    from headway.measures.engine import print_results, run_measures, to_json

    chosen = _packs(packs, every)
    ws = open_workspace(workspace)
    with ws.connect(read_only=True) as con:
        results = run_measures(con, [m for p in chosen for m in p.measures])
    if as_json:
        sys.stdout.write(to_json(results) + "\n")
    else:
        print_results(results, out)
    if any(r.error for r in results):
        raise typer.Exit(1)


@measures_app.command("export")
def measures_export(
    packs: Annotated[list[str] | None, typer.Argument(help="Pack ids, folders or zips.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every shipped pack.")] = False,
    dialect: Annotated[str, typer.Option("--dialect", help="tsql, postgres or spark.")] = "tsql",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the .sql files.")] = Path(
        "measures-sql"
    ),
    schema: Annotated[
        str | None, typer.Option("--schema", help="Qualify tables, e.g. dbo.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write pack measures for SQL Server, PostgreSQL or Spark (sqlglot)."""
    from headway.measures.export import export_pack, print_export

    chosen = _packs(packs, every)
    result = run(
        lambda: export_pack([m for p in chosen for m in p.measures], dialect, out_dir, schema)
    )
    print_json(result.to_dict()) if as_json else print_export(result, out)
    if result.errors:
        raise typer.Exit(1)


@outputs_app.command("annex-a")
def outputs_annex_a(
    out_file: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")],
    as_at: Annotated[
        str | None, typer.Option("--as-at", help="End of the window (default: 31 March).")
    ] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ofsted's Annex A lists 1-11 from the standard model; lists with no data are marked."""
    from headway.ingest.dates import parse_date_text
    from headway.outputs.annex_a import default_as_at, print_report, write_annex_a

    ws = open_workspace(workspace)
    end = parse_date_text(as_at) if as_at else None
    if as_at and end is None:
        fail(f"'{as_at}' is not a date.", "Write it as 31/03/2026 or 2026-03-31.")
    with ws.connect(read_only=True) as con:
        report = run(lambda: write_annex_a(con, out_file, end or default_as_at(con)))
    print_json(report.to_dict()) if as_json else print_report(report, out)


@app.command()
def readiness(
    packs: Annotated[
        list[str] | None, typer.Argument(help="Pack ids, folders or zips (default: all shipped).")
    ] = None,
    workspace: WorkspaceOpt = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the leaders' report.")] = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Write the analyst's workbook.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What each pack needs, what the LA's own data can already give, and what is missing."""
    from headway.packs import library, load
    from headway.readiness import assess_all
    from headway.readiness.assessments import met_expectations
    from headway.readiness.report import render, render_detail, write_html, write_xlsx

    ws = open_workspace(workspace)
    chosen = run(lambda: [load(p) for p in packs] if packs else library())
    with ws.connect(read_only=True) as con:
        results = run(lambda: assess_all(con, chosen, met_expectations(con)))
    if html:
        write_html(results, html, ws.la_name)
    if xlsx:
        write_xlsx(results, xlsx)
    if as_json:
        print_json([r.to_json() for r in results])
        return
    if len(results) == 1:
        render_detail(results[0], out)
    else:
        render(results, out)
    for path in (html, xlsx):
        if path:
            console.print(f"Wrote {path}")


@app.command()
def serve(
    workspace: WorkspaceOpt = None,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. The default, 127.0.0.1, is this machine only: the "
            "pages show child-level data."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the LA app: readiness, data quality, the desk and changes as web pages."""
    import uvicorn

    from headway.web.la import create_la_app
    from headway.web.site import assets_ready

    ws = open_workspace(workspace)
    run(assets_ready)
    if host != "localhost" and not _loopback(host):
        console.print(
            f"[yellow]Warning:[/] listening on {host} lets other machines reach pages with "
            "child-level data. Put it behind your LA's own sign-in and TLS, or use 127.0.0.1."
        )
    console.print(f"Headway for {ws.la_name} on http://{host}:{port}")
    uvicorn.run(create_la_app(ws), host=host, port=port, log_level="warning")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's files.")] = Path(
        "demo"
    ),
    children: Annotated[int, typer.Option("--children", help="Children in the demo LA.")] = 2500,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="End by serving the LA app and the hub on loopback until Ctrl+C.",
        ),
    ] = True,
) -> None:
    """The whole of Headway on synthetic data: an LA, its desk, the lab and a sector."""
    from headway.demo import run_demo, serve_demo

    ws = run(lambda: run_demo(out_dir, children, console, out))
    if serve:
        run(lambda: serve_demo(ws, out_dir / "centre", console))
