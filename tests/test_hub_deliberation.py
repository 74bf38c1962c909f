"""Deliberation analysis: opinion groups, distinguishing statements, consensus, edge cases."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest
from sklearn.metrics import adjusted_rand_score

from headway.errors import HeadwayError
from headway.hub.deliberation import AGREE, DISAGREE, PASS, Deliberation, Vote, analyse
from headway.hub.deliberation_synth import (
    DEFAULT_BLOCKS,
    DEFAULT_STATEMENTS,
    OpinionBlock,
    SimulatedDeliberation,
    simulate_votes,
)

# Everyone sees every statement and passes rarely: the planted blocks are clear.
CLEAR_BLOCKS = tuple(replace(b, pass_rate=0.05) for b in DEFAULT_BLOCKS)


def _ari(sim: SimulatedDeliberation, result: Deliberation) -> float:
    label = {p: g.id for g in result.groups for p in g.participants}
    people = result.participants_clustered
    return float(adjusted_rand_score([sim.truth[p] for p in people], [label[p] for p in people]))


def _dominant_block(sim: SimulatedDeliberation, result: Deliberation) -> dict[int, str]:
    return {
        g.id: Counter(sim.truth[p] for p in g.participants).most_common(1)[0][0]
        for g in result.groups
    }


@pytest.fixture(scope="module")
def planted() -> tuple[SimulatedDeliberation, Deliberation]:
    sim = simulate_votes(60, groups=CLEAR_BLOCKS, seed=3, seen=1.0, sparse=4)
    return sim, analyse(sim.votes, sim.statements, seed=3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_groups_are_recovered(seed: int) -> None:
    sim = simulate_votes(60, groups=CLEAR_BLOCKS, seed=seed, seen=1.0)
    result = analyse(sim.votes, sim.statements, seed=seed, shuffles=0)
    assert len(result.groups) == 3
    assert _ari(sim, result) >= 0.8


def test_groups_are_reported_beyond_chance(
    planted: tuple[SimulatedDeliberation, Deliberation],
) -> None:
    _, result = planted
    assert result.chance_p_value is not None and result.chance_p_value <= 0.05
    assert not any("shuffled" in note for note in result.notes)
    assert [g.size for g in result.groups] == sorted((g.size for g in result.groups), reverse=True)
    assert [g.label for g in result.groups] == ["A", "B", "C"][: len(result.groups)]


def test_random_votes_are_flagged_as_possibly_chance() -> None:
    sim = simulate_votes(40, groups=(OpinionBlock("no opinion", 1.0),), seed=2)
    result = analyse(sim.votes, sim.statements, seed=2, shuffles=19)
    assert len(result.groups) >= 2  # k-means always splits...
    assert result.chance_p_value is not None and result.chance_p_value > 0.05
    assert any("shuffled at random" in note for note in result.notes)  # ...and we say so


def test_planted_consensus_is_reported(planted: tuple[SimulatedDeliberation, Deliberation]) -> None:
    sim, result = planted
    consensus = {c.statement: c for c in result.consensus}
    assert set(sim.consensus) <= set(consensus)
    for statement in sim.consensus:
        item = consensus[statement]
        assert item.text == DEFAULT_STATEMENTS[statement]
        assert len(item.groups) == len(result.groups)
        assert all(g.p_agree >= 0.6 and g.agree > 0.5 for g in item.groups)
        assert statement not in {d.statement for d in result.divisive}
    scores = [c.score for c in result.consensus]
    assert scores == sorted(scores, reverse=True)


def test_split_statement_is_divisive_and_distinguishes(
    planted: tuple[SimulatedDeliberation, Deliberation],
) -> None:
    sim, result = planted
    split = 4  # "A new family help return is justified": only the "new return" block agrees
    assert split in sim.divisive
    divisive = {d.statement: d for d in result.divisive}
    assert split in divisive
    assert divisive[split].score > 0.6  # agree share in one group minus that in another
    block_of = _dominant_block(sim, result)
    new_return = next(g for g, block in block_of.items() if block == "new return")
    rep = {r.statement: r for r in result.repness[new_return]}
    assert split in rep
    item = rep[split]
    assert item.direction == "agree"
    assert item.share_in > 0.7 > 0.3 > item.share_out
    assert item.repness > 1 and item.p_value < 0.1
    assert item.probability == pytest.approx(
        (item.share_in * item.votes_in + 1) / (item.votes_in + 2)
    )


def test_distinguishing_statements_follow_polis_significance(
    planted: tuple[SimulatedDeliberation, Deliberation],
) -> None:
    _, result = planted
    for items in result.repness.values():
        assert 0 < len(items) <= 5
        for r in items:
            assert r.probability_z > 1.2816 and r.repness_z > 1.2816
            assert r.share_in > r.share_out


def test_participants_with_too_few_votes_are_excluded_and_listed(
    planted: tuple[SimulatedDeliberation, Deliberation],
) -> None:
    sim, result = planted
    assert result.participants_excluded == list(sim.sparse_participants)
    grouped = {p for g in result.groups for p in g.participants}
    assert not grouped & set(sim.sparse_participants)
    assert grouped == set(result.participants_clustered)
    assert any("fewer than 7 statements" in note for note in result.notes)


def test_same_seed_same_result() -> None:
    first = simulate_votes(45, seed=11, sparse=2)
    again = simulate_votes(45, seed=11, sparse=2)
    assert first == again
    a = analyse(first.votes, first.statements, seed=5, shuffles=9)
    b = analyse(again.votes, again.statements, seed=5, shuffles=9)
    assert a.to_json() == b.to_json()


def test_json_is_serialisable_and_says_how(
    planted: tuple[SimulatedDeliberation, Deliberation],
) -> None:
    _, result = planted
    data = json.loads(json.dumps(result.to_json()))
    assert "red-dwarf" in data["method"] and "Small et al. 2021" in data["method"]
    assert set(data["repness"]) == {g.label for g in result.groups}
    assert data["parameters"]["clear_majority"] == 0.6
    assert len(data["positions"]) == len(result.participants_clustered)


def test_too_few_participants_give_one_group_with_a_note() -> None:
    votes = [
        Vote(p, s, AGREE if s % 2 else DISAGREE) for p in ("tok-a", "tok-b") for s in range(1, 9)
    ]
    result = analyse(votes, {s: f"statement {s}" for s in range(1, 9)})
    assert len(result.groups) == 1 and result.groups[0].size == 2
    assert result.repness == {0: []} and result.divisive == []
    assert result.silhouette is None and result.chance_p_value is None
    assert any("Only 2 participants" in note for note in result.notes)
    # Polis's smoothed test calls 2 agrees out of 2 significant; the vote counts show how few.
    consensus = result.consensus
    assert {c.statement for c in consensus} == {1, 3, 5, 7}
    assert all(g.votes == 2 for c in consensus for g in c.groups)


def test_statements_without_votes_are_listed_and_left_out() -> None:
    sim = simulate_votes(30, seed=4)
    statements = {**sim.statements, 99: "Nobody voted on this."}
    result = analyse(sim.votes, statements, seed=4, shuffles=0)
    assert result.statements_without_votes == [99]
    reported = {c.statement for c in result.consensus + result.divisive}
    reported |= {r.statement for items in result.repness.values() for r in items}
    assert 99 not in reported


def test_all_pass_gives_one_group_and_no_consensus() -> None:
    votes = [Vote(f"tok-{p}", s, PASS) for p in range(10) for s in range(1, 9)]
    result = analyse(votes, {s: f"statement {s}" for s in range(1, 9)})
    assert len(result.groups) == 1 and result.groups[0].size == 10
    assert result.consensus == [] and result.divisive == []
    assert any("no differences of opinion" in note for note in result.notes)


def test_no_votes_at_all() -> None:
    result = analyse([], {1: "A statement."})
    assert result.groups == [] and result.consensus == []
    assert result.statements_without_votes == [1]
    assert any("No participant" in note for note in result.notes)


def test_fewer_statements_than_the_vote_minimum() -> None:
    blocks = (
        OpinionBlock("yes", 0.5, {1: 0.9, 2: 0.9, 3: 0.9}),
        OpinionBlock("no", 0.5, {1: 0.1, 2: 0.1, 3: 0.9}),
    )
    statements = {1: "One.", 2: "Two.", 3: "Three."}
    sim = simulate_votes(30, statements=statements, groups=blocks, seed=1, seen=1.0)
    result = analyse(sim.votes, statements, max_groups=2, seed=1, shuffles=0)
    assert result.min_votes_used == 3
    assert len(result.participants_clustered) == 30
    assert 3 in {c.statement for c in result.consensus}


def test_repeated_votes_count_the_last() -> None:
    votes = [Vote(f"tok-{p}", s, AGREE) for p in range(6) for s in range(1, 8)]
    votes.append(Vote("tok-0", 1, DISAGREE))  # tok-0 changes their mind on statement 1
    result = analyse(votes, {s: f"statement {s}" for s in range(1, 8)}, shuffles=0)
    assert any("1 repeated votes" in note for note in result.notes)
    first = next(c for c in result.consensus if c.statement == 1)
    assert first.groups[0].votes == 6
    assert first.groups[0].disagree == pytest.approx(1 / 6)


@pytest.mark.parametrize(
    ("votes", "kwargs", "message"),
    [
        ([Vote("tok-1", 1, 2)], {}, "Votes are 1"),
        ([Vote("tok-1", 7, AGREE)], {}, "not in the deliberation"),
        ([Vote(" ", 1, AGREE)], {}, "no participant id"),
        ([], {"min_votes_per_participant": 0}, "at least 1"),
        ([], {"max_groups": 1}, "at least 2"),
        ([], {"shuffles": -1}, "cannot be negative"),
    ],
)
def test_bad_input_is_refused(votes: list[Vote], kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(HeadwayError, match=message):
        analyse(votes, {1: "A statement."}, **kwargs)


def test_simulation_plants_what_it_says() -> None:
    sim = simulate_votes(40, seed=0, sparse=3)
    blocks = Counter(sim.truth[p] for p in list(sim.truth)[:40])
    assert blocks == {"existing returns": 16, "new return": 14, "pilot first": 10}
    assert sim.consensus == (2, 3)
    assert {1, 4, 7, 8} <= set(sim.divisive)
    voted = Counter(v.participant for v in sim.votes)
    assert all(voted[p] == 3 for p in sim.sparse_participants)
    with pytest.raises(HeadwayError):
        simulate_votes(0)
