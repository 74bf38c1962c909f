"""What the LA app's change pages need: the version steps, and each diff with its impact."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from headway.packs.model import Pack
from headway.workspace import Workspace

if TYPE_CHECKING:
    from headway.packs.diff import PackDiff
    from headway.standards.diff import StandardDiff
    from headway.standards.impact import Impact


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
