"""`headway reorg`: plan, split and merge an LA's children's data for local government
reorganisation (docs/reorg.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from headway.cli_common import (
    JsonOpt,
    WorkspaceOpt,
    console,
    fail,
    open_workspace,
    out,
    print_json,
    run,
)
from headway.ingest.dates import parse_date_text

if TYPE_CHECKING:
    from headway.reorg.merge import MergeReport
    from headway.reorg.split import SplitReport

reorg_app = typer.Typer(
    help="Reorganisation: split an LA's data between successors, or merge predecessors."
)


def _codes(pairs: list[str] | None) -> dict[str, str]:
    codes: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, code = pair.rpartition("=")
        if not sep or not name.strip() or not code.strip():
            fail(f"'{pair}' is not NAME=CODE.", "Write e.g. --code 'East Surrey=E06000901'.")
        codes[name.strip()] = code.strip()
    return codes


@reorg_app.command("plan")
def plan(
    lookup: Annotated[
        Path,
        typer.Option("--lookup", help="Postcode, sector, district or ward to successor (CSV)."),
    ],
    workspace: WorkspaceOpt = None,
    out_file: Annotated[Path, typer.Option("--out", help="The plan file to write (JSON).")] = Path(
        "reorg-plan.json"
    ),
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference-date",
            help="Assign children by their home on this day "
            "(default: 31 March of the latest year loaded, else today).",
        ),
    ] = None,
    code: Annotated[
        list[str] | None,
        typer.Option(
            "--code",
            help="A successor's LA code when the lookup names it only: 'NAME=CODE' (repeatable).",
        ),
    ] = None,
    wards: Annotated[
        Path | None,
        typer.Option("--wards", help="The ONS postcode to ward lookup, for a ward lookup."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Read and check a successor lookup; with a workspace, how many children it covers."""
    from headway.outputs.annex_a import default_as_at
    from headway.reorg.lookup import read_lookup
    from headway.reorg.plan import make_plan, write_plan
    from headway.workspace import Workspace, default_workspace_dir

    day: date | None = None
    if reference:
        day = parse_date_text(reference)
        if day is None:
            fail(f"'{reference}' is not a date.", "Write it as 31/03/2027 or 2027-03-31.")
    given = workspace or (
        default_workspace_dir() if (default_workspace_dir() / "workspace.toml").is_file() else None
    )
    ws: Workspace | None = open_workspace(given) if given else None
    if day is None:
        if ws is not None:
            with ws.connect(read_only=True) as con:
                day = default_as_at(con)
        else:
            day = date.today()
    codes = _codes(code)
    loaded = run(lambda: read_lookup(lookup, codes, wards))
    made = run(lambda: make_plan(loaded, day, ws))
    write_plan(made, out_file)
    if as_json:
        print_json(made.to_json() | {"plan_file": str(out_file)})
        return
    made.render(out)


@reorg_app.command("split")
def split(
    plan_file: Annotated[Path, typer.Option("--plan", help="The plan (headway reorg plan).")],
    out_dir: Annotated[Path, typer.Option("--out", help="A new folder for the successors.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One workspace per successor, every figure recomputed and reconciled; all or nothing."""
    from headway.reorg.plan import load_plan
    from headway.reorg.split import split as run_split

    ws = open_workspace(workspace)
    loaded = run(lambda: load_plan(plan_file))
    with console.status("Splitting ...") as status:
        report = run(lambda: run_split(ws, loaded, out_dir, lambda t: status.update(f"{t} ...")))
    _show(report, as_json)


@reorg_app.command("merge")
def merge(
    workspaces: Annotated[
        list[Path], typer.Option("--workspaces", help="The predecessors' workspaces (two or more).")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="A new folder for the merged workspace.")],
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", min=0.0, max=1.0, help="Link a pair at or above this match probability."
        ),
    ] = 0.7,
    review_margin: Annotated[
        float,
        typer.Option(
            "--review-margin",
            min=0.0,
            max=1.0,
            help="Pairs this close to the threshold go to clerical review.",
        ),
    ] = 0.2,
    la: Annotated[
        str | None, typer.Option("--la", help="The merged authority's code (default: the first's).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The merged authority's name.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """One workspace from several predecessors, children linked with Splink and counted once."""
    from headway.reorg.link import LinkSettings
    from headway.reorg.merge import merge as run_merge
    from headway.workspace import validate_la_code

    if la is not None:
        run(lambda: validate_la_code(la))
    opened = [open_workspace(w) for w in workspaces]
    settings = LinkSettings(threshold=threshold, review_margin=review_margin)
    with console.status("Merging ...") as status:
        report = run(
            lambda: run_merge(
                opened, out_dir, la, name, settings, lambda t: status.update(f"{t} ...")
            )
        )
    _show(report, as_json)


def _show(report: SplitReport | MergeReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_json())
        return
    report.render(out)
    if report.reconciliation.differs:
        console.print(
            f"[yellow]{len(report.reconciliation.differs)} figures do not add up[/]: "
            "see the explanations in reconciliation.csv."
        )
