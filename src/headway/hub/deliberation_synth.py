"""Simulated deliberation votes with planted opinion groups, for tests and the demo.

Each simulated participant belongs to one planted opinion block. A block says, for each
statement, how likely its members are to agree; the rest of their non-pass votes are
disagree. Every participant sees each statement with probability `seen`, and passes on a
statement they see with the block's `pass_rate`. `sparse` extra participants cast only a
few votes (fewer than Polis's seven), so the analysis must exclude and list them.

Participant ids are opaque tokens (`tok-0001`), like the LA user token ids the hub stores.
Same arguments, same votes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from headway.errors import HeadwayError
from headway.hub.deliberation import AGREE, DISAGREE, PASS, Vote

DEFAULT_STATEMENTS: dict[int, str] = {
    1: "Collect the FGDM offer date in the CIN census, not in a new return.",
    2: "LAs need at least 12 months' notice of any new data item.",
    3: "The DfE should publish the validation rules with the specification.",
    4: "A new family help return is justified by what it will be used for.",
    5: "Family help data should be collected quarterly, not annually.",
    6: "The single unique identifier should be the NHS number.",
    7: "Early help case management systems can already record family help episodes.",
    8: "The CIN census should be replaced by a child-level quarterly extract.",
    9: "Suppliers should be funded to change case management systems.",
    10: "Annex A is a good enough basis for a national standard.",
    11: "Multi-agency child protection team data belongs in the CIN census.",
    12: "Pilots with a few LAs should come before any national collection.",
}


@dataclass(frozen=True)
class OpinionBlock:
    """A planted opinion group: its share of participants and, per statement, the chance
    its members agree (statements not listed: `default_agree`)."""

    name: str
    weight: float
    agree: Mapping[int, float] = field(default_factory=dict)
    default_agree: float = 0.5
    pass_rate: float = 0.1


# The planted blocks' chance of agreeing with each default statement. Statements 2 and 3 are
# planted consensus (every block agrees); most others split the blocks.
_BLOCK_NAMES = (("existing returns", 0.4), ("new return", 0.35), ("pilot first", 0.25))
_AGREE_CHANCES: dict[int, tuple[float, float, float]] = {
    1: (0.95, 0.05, 0.5),
    2: (0.95, 0.95, 0.95),
    3: (0.95, 0.95, 0.95),
    4: (0.05, 0.95, 0.1),
    5: (0.1, 0.9, 0.9),
    6: (0.9, 0.1, 0.5),
    7: (0.1, 0.9, 0.1),
    8: (0.1, 0.9, 0.1),
    9: (0.9, 0.2, 0.1),
    10: (0.8, 0.2, 0.1),
    11: (0.2, 0.8, 0.1),
    12: (0.2, 0.2, 0.95),
}
DEFAULT_BLOCKS: tuple[OpinionBlock, ...] = tuple(
    OpinionBlock(name, weight, {s: chances[k] for s, chances in _AGREE_CHANCES.items()})
    for k, (name, weight) in enumerate(_BLOCK_NAMES)
)


@dataclass(frozen=True)
class SimulatedDeliberation:
    """The votes and the planted truth: each participant's block, the statements every
    block agrees with (agree chance >= 0.9 in each) and those some block agrees with and
    another disagrees with (agree chance >= 0.8 in one, <= 0.2 in another)."""

    votes: tuple[Vote, ...]
    statements: dict[int, str]
    truth: dict[str, str]
    sparse_participants: tuple[str, ...]
    consensus: tuple[int, ...]
    divisive: tuple[int, ...]


def simulate_votes(
    n_participants: int = 60,
    statements: Mapping[int, str] = DEFAULT_STATEMENTS,
    groups: Sequence[OpinionBlock] = DEFAULT_BLOCKS,
    seed: int = 0,
    *,
    seen: float = 0.9,
    sparse: int = 0,
) -> SimulatedDeliberation:
    """Votes from `n_participants` spread over the planted `groups` by weight, plus
    `sparse` participants (from the first block) who vote on only three statements."""
    _check(n_participants, statements, groups, seen)
    rng = np.random.default_rng(seed)
    ids = list(statements)
    blocks = _assign_blocks(n_participants, groups, rng)
    votes: list[Vote] = []
    truth: dict[str, str] = {}
    for i, block in enumerate(blocks):
        token = f"tok-{i + 1:04d}"
        truth[token] = block.name
        shown = [s for s in ids if rng.random() < seen]
        votes += [Vote(token, s, _draw(block, s, rng)) for s in shown]
    sparse_tokens = tuple(f"tok-{n_participants + j + 1:04d}" for j in range(sparse))
    for token in sparse_tokens:
        truth[token] = groups[0].name
        shown = sorted(rng.choice(ids, size=min(3, len(ids)), replace=False).tolist())
        votes += [Vote(token, int(s), _draw(groups[0], int(s), rng)) for s in shown]
    return SimulatedDeliberation(
        votes=tuple(votes),
        statements=dict(statements),
        truth=truth,
        sparse_participants=sparse_tokens,
        consensus=tuple(s for s in ids if min(_p_agree(b, s) for b in groups) >= 0.9),
        divisive=tuple(
            s
            for s in ids
            if max(_p_agree(b, s) for b in groups) >= 0.8
            and min(_p_agree(b, s) for b in groups) <= 0.2
        ),
    )


def _check(
    n_participants: int, statements: Mapping[int, str], groups: Sequence[OpinionBlock], seen: float
) -> None:
    if n_participants < 1 or not statements or not groups:
        raise HeadwayError(
            "A simulation needs at least one participant, one statement and one block.",
            "Give n_participants >= 1, statements and groups.",
        )
    if not 0 < seen <= 1 or any(b.weight <= 0 for b in groups):
        raise HeadwayError(
            "`seen` must be in (0, 1] and every block's weight positive.",
            "Check the simulation arguments.",
        )


def _assign_blocks(
    n: int, groups: Sequence[OpinionBlock], rng: np.random.Generator
) -> list[OpinionBlock]:
    """Block sizes in proportion to weight (largest remainders), in shuffled order."""
    total = sum(b.weight for b in groups)
    exact = [n * b.weight / total for b in groups]
    sizes = [int(x) for x in exact]
    by_remainder = sorted(range(len(groups)), key=lambda k: sizes[k] - exact[k])
    for k in by_remainder[: n - sum(sizes)]:
        sizes[k] += 1
    order = [b for b, size in zip(groups, sizes, strict=True) for _ in range(size)]
    return [order[k] for k in rng.permutation(n)]


def _p_agree(block: OpinionBlock, statement: int) -> float:
    return block.agree.get(statement, block.default_agree)


def _draw(block: OpinionBlock, statement: int, rng: np.random.Generator) -> int:
    if rng.random() < block.pass_rate:
        return PASS
    return AGREE if rng.random() < _p_agree(block, statement) else DISAGREE
