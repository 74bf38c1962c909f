"""What the LA app's change and download pages need: version pairs, diffs with impact, files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from headway.packs.model import Pack
from headway.workspace import Workspace

if TYPE_CHECKING:
    from headway.packs.diff import PackDiff
    from headway.standards.diff import StandardDiff
    from headway.standards.impact import Impact
    from headway.web.workspace_views import WorkspaceViews


def pack_pairs(packs: Sequence[Pack]) -> list[tuple[str, str, str]]:
    """(programme title, earlier pack, later pack) for each programme with two versions."""
    by_programme: dict[str, list[Pack]] = defaultdict(list)
    for p in packs:
        by_programme[p.programme].append(p)
    pairs = []
    for versions in by_programme.values():
        ordered = sorted(versions, key=lambda p: p.version)
        pairs += [(b.title, a.id, b.id) for a, b in pairwise(ordered)]
    return sorted(pairs)


def standard_pairs() -> list[tuple[str, str, str, str]]:
    """(title, standard, earlier version, later version) for each step between versions."""
    from headway.standards.browse import list_standards

    pairs = []
    for std in list_standards().standards:
        names = list(std.version_names)
        pairs += [(std.title, std.id, a, b) for a, b in pairwise(names)]
    return pairs


def pack_change(
    ws: Workspace, packs: Sequence[Pack], old: str, new: str
) -> tuple[PackDiff, list[dict[str, Any]]]:
    from headway.packs import diff
    from headway.readiness.assessments import met_expectations
    from headway.readiness.impact import pack_impact

    found = {p.id: p for p in packs}
    if old not in found or new not in found:
        raise HTTPException(404, f"Headway has no packs '{old}' and '{new}' to compare.")
    result = diff(found[old], found[new])
    with ws.connect(read_only=True) as con:
        met = met_expectations(con).get(new)
        return result, pack_impact(con, result, found[new], met)


def standard_change(
    ws: Workspace, standard: str, old: str, new: str
) -> tuple[StandardDiff, Impact]:
    from headway.standards.diff import diff
    from headway.standards.impact import workspace_impact

    if (standard, old, new) not in {(s, a, b) for _, s, a, b in standard_pairs()}:
        raise HTTPException(404, f"Headway has no versions {old} and {new} of '{standard}'.")
    result = diff(standard, old, new)
    return result, workspace_impact(ws, result)


DOWNLOADS = {
    "annex-a.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "readiness.html": "text/html",
    "readiness.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_download(ws: Workspace, views: WorkspaceViews, name: str) -> tuple[Path, str]:
    """Write one of the LA's reports into its outputs folder and return it."""
    from headway.outputs.annex_a import default_as_at, write_annex_a
    from headway.readiness.report import write_html, write_xlsx

    if name not in DOWNLOADS:
        raise HTTPException(404, f"There is no download called '{name}'.")
    folder = views.outputs_folder()
    path = folder / f"{Path(name).stem}-{date.today()}{Path(name).suffix}"
    if name == "annex-a.xlsx":
        with ws.connect(read_only=True) as con:
            write_annex_a(con, path, default_as_at(con))
    elif name == "readiness.html":
        write_html(views.readiness(), path, ws.la_name)
    else:
        write_xlsx(views.readiness(), path)
    return path, DOWNLOADS[name]
