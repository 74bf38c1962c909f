"""Suggest, for each request on the desk, what may already answer it, and store that.

Candidates are the LA's outputs and the measures and requirements of the packs
(headway.desk.matching.library_candidates) and every other request on the desk, so a
request asked twice is found as a duplicate of the first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from headway.desk.matching import Matcher, library_candidates, request_candidate
from headway.desk.model import Match, Request
from headway.desk.store import Desk
from headway.packs.model import Pack

SUGGESTIONS = 3


def matcher_for(desk: Desk, packs: Sequence[Pack]) -> Matcher:
    past = [request_candidate(r.id, r.title, r.description, r.requester) for r in desk.requests()]
    return Matcher([*library_candidates(packs), *past])


def _own_candidate(r: Request) -> str:
    """The candidate a pack's own requirement request must not be matched to: itself."""
    parts = r.key.split(":")
    if len(parts) == 4 and parts[0] == "pack" and parts[2] == "requirement":
        return f"requirement:{parts[1]}/{parts[3]}"
    return ""


def suggest(
    desk: Desk,
    packs: Sequence[Pack],
    requests: Sequence[Request],
    advance: Callable[[int], None] = lambda _: None,
) -> dict[int, list[Match]]:
    """Match each request; store and return the suggestions, best first."""
    matcher = matcher_for(desk, packs)
    found: dict[int, list[Match]] = {}
    for r in requests:
        own = _own_candidate(r)
        results = [
            m
            for m in matcher.match(
                f"{r.title}\n{r.description}", SUGGESTIONS + 1, r.requester, f"request:{r.id}"
            )
            if m.candidate.id != own
        ][:SUGGESTIONS]
        found[r.id] = [
            Match(
                request_id=r.id,
                rank=rank,
                candidate=m.candidate.id,
                kind=m.candidate.kind,
                title=m.candidate.title[:300],
                score=round(m.score, 3),
                reason=m.reason,
            )
            for rank, m in enumerate(results, start=1)
        ]
        advance(1)
    desk.set_matches(found)
    return found
