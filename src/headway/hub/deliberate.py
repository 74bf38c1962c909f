"""A hub deliberation's analysis, from the statements and votes stored for its topic."""

from __future__ import annotations

from headway.hub import deliberation
from headway.hub.store import Hub


def analyse_topic(hub: Hub, topic: str, seed: int = 0) -> deliberation.Deliberation:
    statements = {s.id: s.text for s in hub.statements(topic)}
    votes = [deliberation.Vote(v.participant, v.statement_id, v.value) for v in hub.votes(topic)]
    return deliberation.analyse(votes, statements, seed=seed)
