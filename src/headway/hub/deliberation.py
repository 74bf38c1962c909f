"""Opinion groups, distinguishing statements and consensus from agree/disagree/pass votes.

The hub runs Polis-style deliberations on proposed national changes: short statements, and
LA users voting agree (1), disagree (-1) or pass (0) on each. `analyse` follows the method
Polis publishes (Small et al. 2021, "Polis: Scaling deliberation by mapping high
dimensional opinion spaces"), step by step:

1. **Vote matrix.** One row per participant, one column per statement that has any vote;
   a statement a participant did not vote on is missing, not a pass. A repeated vote on
   the same statement replaces the earlier one (the last in the sequence counts).
2. **Who is grouped.** Participants with fewer than `min_votes_per_participant` votes (7,
   as Polis; or every voted statement, when there are fewer than that) are excluded from
   the groups and listed: too few votes to place them.
3. **Map (PCA to two dimensions).** As Polis: a missing vote is replaced by the
   statement's mean vote (column mean imputation), principal component analysis reduces the
   matrix to two dimensions, and each participant's position is scaled by
   sqrt(statements / statements they voted on), so people who voted on few statements are
   not pulled to the centre by the imputed means. Every participant shapes the map; only
   those in step 2 are grouped. This step is red-dwarf's `run_reducer` (the maintained
   Python reproduction of the Polis pipeline, see the pin in pyproject.toml).
4. **Groups (k-means, k by silhouette).** k-means on the map for every k from 2 to
   `max_groups`; the k with the highest mean silhouette wins (ties to the smaller k).
   Polis runs k-means once from its previous centres, because a live conversation is
   re-clustered as votes arrive; a hub analysis is one-off, so scikit-learn's k-means++
   with 10 seeded starts is used instead (red-dwarf's single start from the first distinct
   points fell into poor local optima on planted test data). Groups are numbered by size,
   largest first, and labelled A, B, C.
   **4b. Are the groups more than chance? (Headway's addition.)** k-means always finds
   groups, even in random votes: on votes with no opinion structure at all this pipeline
   still finds 3 to 5 groups with a silhouette near 0.4, and "divisive" statements to match.
   So each statement's votes are shuffled among the grouped participants (keeping how each
   statement was voted, breaking any pattern across statements), the map and grouping are
   redone, and the p-value is the share of `shuffles` such draws (counting the real votes as
   one) whose best silhouette is at least the real one. Above 0.05 the result carries a
   note that the groups may be chance. `shuffles=0` skips the test.
5. **Statistics per group and statement (Polis's formulas, through red-dwarf).** With `n`
   votes in the group (passes count as votes), `a` agrees and `d` disagrees: the agree
   probability is (a + 1) / (n + 2), a pseudo-count of one each way, so a group of two
   that both agree is not "100%"; the representativeness of agreeing is that probability
   divided by the same probability among everyone outside the group; a one-proportion
   test says whether the group agrees more often than not, and a two-proportion test
   whether it agrees more than the rest (both z-scores with the same smoothing). The same
   for disagreeing.
6. **Distinguishing statements (repness).** As Polis: a statement distinguishes a group
   when both tests are significant at 90% confidence, one-sided (z > 1.2816), for agree
   or for disagree, ranked by Polis's metric representativeness x its z x probability x
   its z, at most five per group. Polis also pads each group's list with the statement it
   most agrees with even when nothing is significant; that statement need not distinguish
   the group, so it is left out here. The p-value shown is the larger of the two tests'.
7. **Consensus.** A statement is consensus when every group clearly agrees with it: in each
   group the agree probability is at least 0.6 and the one-proportion test is significant
   at 90%. They are ranked by Polis's group-informed consensus, the product over groups of
   the agree probabilities.
8. **Divisive.** A statement splits the groups when one group clearly agrees (as in 7) and
   another clearly disagrees (the same test on disagreeing); ranked by the gap between the
   highest and lowest share of a group agreeing.

Edge cases: with fewer than three grouped participants, a single statement voted on, or no
differences of opinion at all (for example, everyone passed), there is one group and a
note says why. Statements nobody voted on are listed and left out of everything. No test
here corrects for testing many statements at once (Polis does not either): with many
statements, expect the odd chance "distinguishing" statement at 90%.

Deterministic given `seed`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from headway.errors import HeadwayError

with warnings.catch_warnings():
    # red-dwarf 0.4.0 imports pydantic models Headway does not use, which warn on import.
    warnings.filterwarnings("ignore", message="The 'exclude' attribute")
    from reddwarf.utils.reducer.base import run_reducer  # type: ignore[import-untyped]
    from reddwarf.utils.stats import (  # type: ignore[import-untyped]
        calculate_comment_statistics_dataframes,
    )

AGREE, DISAGREE, PASS = 1, -1, 0
CONFIDENCE = 0.90
Z_CRITICAL = NormalDist().inv_cdf(CONFIDENCE)
CLEAR_MAJORITY = 0.6
MAX_REPNESS_PER_GROUP = 5
KMEANS_STARTS = 10
CHANCE_ALPHA = 0.05
MIN_TO_GROUP = 3

Direction = Literal["agree", "disagree"]
DIRECTIONS: tuple[Direction, ...] = ("agree", "disagree")


@dataclass(frozen=True)
class Vote:
    """One vote. `participant` is an opaque id (an LA user token id), never a person's or a
    child's name; `value` is AGREE (1), DISAGREE (-1) or PASS (0)."""

    participant: str
    statement: int
    value: int


@dataclass(frozen=True)
class Group:
    """An opinion group: `id` from 0, largest group first."""

    id: int
    participants: tuple[str, ...]
    size: int

    @property
    def label(self) -> str:
        return _label(self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "size": self.size,
            "participants": list(self.participants),
        }


@dataclass(frozen=True)
class GroupView:
    """How one group voted on one statement. Shares are of the group's votes on it (passes
    included); `p_agree` is Polis's smoothed agree probability (agrees + 1) / (votes + 2)."""

    group: int
    votes: int
    agree: float
    disagree: float
    passed: float
    p_agree: float

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "label": _label(self.group),
            "votes": self.votes,
            "agree": _r(self.agree),
            "disagree": _r(self.disagree),
            "pass": _r(self.passed),
            "p_agree": _r(self.p_agree),
        }


@dataclass(frozen=True)
class RepStatement:
    """A statement that distinguishes `group`: its members `direction` (agree or disagree)
    with it more than the rest. `share_in` / `share_out`: share of votes that way inside and
    outside the group; `probability` and `repness` are Polis's smoothed probability and
    representativeness (the ratio in to out), with their z-scores; `p_value` is the larger
    of the two one-sided p-values."""

    group: int
    statement: int
    text: str
    direction: Direction
    votes_in: int
    share_in: float
    share_out: float
    probability: float
    probability_z: float
    repness: float
    repness_z: float
    p_value: float

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "label": _label(self.group),
            "statement": self.statement,
            "text": self.text,
            "direction": self.direction,
            "votes_in": self.votes_in,
            "share_in": _r(self.share_in),
            "share_out": _r(self.share_out),
            "probability": _r(self.probability),
            "probability_z": _r(self.probability_z),
            "repness": _r(self.repness),
            "repness_z": _r(self.repness_z),
            "p_value": _r(self.p_value),
        }


@dataclass(frozen=True)
class StatementAcrossGroups:
    """A consensus or divisive statement with every group's view of it. `score`: for
    consensus, Polis's group-informed consensus (the product of the groups' agree
    probabilities); for divisive, the gap between the highest and lowest agree share."""

    statement: int
    text: str
    groups: tuple[GroupView, ...]
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "text": self.text,
            "score": _r(self.score),
            "groups": [g.to_json() for g in self.groups],
        }


@dataclass(frozen=True)
class Deliberation:
    """The analysis of one deliberation; see the module docstring for the method."""

    groups: list[Group]
    repness: dict[int, list[RepStatement]]
    consensus: list[StatementAcrossGroups]
    divisive: list[StatementAcrossGroups]
    participants_clustered: list[str]
    participants_excluded: list[str]
    statements_without_votes: list[int]
    min_votes_used: int
    silhouette: float | None
    chance_p_value: float | None
    explained_variance: tuple[float, ...]
    positions: dict[str, tuple[float, float]]
    notes: list[str]
    method: str
    parameters: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "parameters": self.parameters,
            "notes": self.notes,
            "groups": [g.to_json() for g in self.groups],
            "silhouette": None if self.silhouette is None else _r(self.silhouette),
            "chance_p_value": None if self.chance_p_value is None else _r(self.chance_p_value),
            "explained_variance": [_r(v) for v in self.explained_variance],
            "participants_clustered": self.participants_clustered,
            "participants_excluded": self.participants_excluded,
            "min_votes_used": self.min_votes_used,
            "statements_without_votes": self.statements_without_votes,
            "repness": {
                _label(g): [s.to_json() for s in items] for g, items in self.repness.items()
            },
            "consensus": [s.to_json() for s in self.consensus],
            "divisive": [s.to_json() for s in self.divisive],
            "positions": {p: [_r(x), _r(y)] for p, (x, y) in self.positions.items()},
        }


@dataclass(frozen=True)
class _Map:
    labels: np.ndarray
    silhouette: float | None
    chance_p_value: float | None
    explained_variance: tuple[float, ...]
    positions: dict[str, tuple[float, float]]
    note: str | None


def analyse(
    votes: Sequence[Vote],
    statements: Mapping[int, str],
    *,
    min_votes_per_participant: int = 7,
    max_groups: int = 5,
    seed: int = 0,
    shuffles: int = 39,
) -> Deliberation:
    """Opinion groups, their distinguishing statements, consensus and divisive statements."""
    _check_arguments(votes, statements, min_votes_per_participant, max_groups, shuffles)
    matrix, repeats = _vote_matrix(votes)
    min_votes = min(min_votes_per_participant, max(matrix.shape[1], 1))
    counts = matrix.count(axis="columns")
    clustered = [str(p) for p in matrix.index[counts >= min_votes]]
    excluded = [str(p) for p in matrix.index[counts < min_votes]]
    notes = _input_notes(repeats, excluded, min_votes)
    # One thread: on problems this small, k-means threads only wait on each other.
    with threadpool_limits(limits=1):
        found = _find_groups(matrix, clustered, max_groups, seed, shuffles)
    if found.note:
        notes.append(found.note)
    groups, labels = _groups(clustered, found.labels)
    cells = _statistics(matrix.loc[clustered], labels)
    return Deliberation(
        groups=groups,
        repness={
            g.id: _repness(cells, g.id, statements) if len(groups) > 1 else [] for g in groups
        },
        consensus=_consensus(cells, statements),
        divisive=_divisive(cells, statements) if len(groups) > 1 else [],
        participants_clustered=clustered,
        participants_excluded=excluded,
        statements_without_votes=sorted(set(statements) - {int(s) for s in matrix.columns}),
        min_votes_used=min_votes,
        silhouette=found.silhouette,
        chance_p_value=found.chance_p_value,
        explained_variance=found.explained_variance,
        positions=found.positions,
        notes=notes,
        method=_method_text(len(groups), found.silhouette),
        parameters={
            "min_votes_per_participant": min_votes_per_participant,
            "max_groups": max_groups,
            "seed": seed,
            "shuffles": shuffles,
            "confidence": CONFIDENCE,
            "clear_majority": CLEAR_MAJORITY,
            "max_repness_per_group": MAX_REPNESS_PER_GROUP,
        },
    )


def _check_arguments(
    votes: Sequence[Vote],
    statements: Mapping[int, str],
    min_votes: int,
    max_groups: int,
    shuffles: int,
) -> None:
    if shuffles < 0:
        raise HeadwayError(
            f"shuffles is {shuffles}; it cannot be negative.", "Use 39, or 0 to skip."
        )
    if min_votes < 1:
        raise HeadwayError(
            f"min_votes_per_participant is {min_votes}; it must be at least 1.",
            "Polis uses 7.",
        )
    if max_groups < 2:
        raise HeadwayError(f"max_groups is {max_groups}; it must be at least 2.", "Polis uses 5.")
    for vote in votes:
        if vote.value not in (AGREE, DISAGREE, PASS):
            raise HeadwayError(
                f"A vote by {vote.participant!r} on statement {vote.statement} is {vote.value!r}.",
                "Votes are 1 (agree), -1 (disagree) or 0 (pass).",
            )
        if vote.statement not in statements:
            raise HeadwayError(
                f"A vote is on statement {vote.statement}, which is not in the deliberation.",
                "Give every statement voted on, with its text.",
            )
        if not vote.participant.strip():
            raise HeadwayError(
                f"A vote on statement {vote.statement} has no participant id.",
                "Every vote needs the voter's token id.",
            )


def _vote_matrix(votes: Sequence[Vote]) -> tuple[pd.DataFrame, int]:
    """Participants (rows, sorted) by voted statements (columns, sorted), NaN where missing;
    and how many votes were repeats of an earlier vote on the same statement."""
    last = {(v.participant, v.statement): v.value for v in votes}
    people = sorted({p for p, _ in last})
    items = sorted({s for _, s in last})
    row = {p: i for i, p in enumerate(people)}
    col = {s: j for j, s in enumerate(items)}
    values = np.full((len(people), len(items)), np.nan)
    for (p, s), value in last.items():
        values[row[p], col[s]] = value
    return pd.DataFrame(values, index=people, columns=items), len(votes) - len(last)


def _input_notes(repeats: int, excluded: list[str], min_votes: int) -> list[str]:
    notes = []
    if repeats:
        notes.append(f"{repeats} repeated votes: the last vote on each statement counts.")
    if excluded:
        notes.append(
            f"{len(excluded)} participants voted on fewer than {min_votes} statements and are "
            "not in any group."
        )
    return notes


def _find_groups(
    matrix: pd.DataFrame, clustered: list[str], max_groups: int, seed: int, shuffles: int
) -> _Map:
    """Steps 3 and 4: the PCA map, the k-means groups and the shuffle test (or one group,
    with the reason)."""
    one_group = np.zeros(len(clustered), dtype=int)
    reason = _why_one_group(matrix, clustered)
    if reason:
        return _Map(one_group, None, None, (), {}, reason)
    rows = matrix.index.get_indexer(pd.Index(clustered))
    values = matrix.to_numpy()
    points, variance = _project(values, rows, seed)
    positions = {p: (float(x), float(y)) for p, (x, y) in zip(clustered, points, strict=True)}
    found = _cluster(points, max_groups, seed)
    if found is None:
        reason = "Fewer than three distinct opinion positions: one group."
        return _Map(one_group, None, None, variance, positions, reason)
    labels, score = found
    chance = _chance_p_value(values, rows, score, max_groups, seed, shuffles)
    return _Map(labels, score, chance, variance, positions, _chance_note(chance, shuffles))


def _project(
    values: np.ndarray, rows: np.ndarray, seed: int
) -> tuple[np.ndarray, tuple[float, ...]]:
    """Step 3 (red-dwarf): everyone's votes shape the map; the `rows` to group are returned."""
    projected, _, pca = run_reducer(values, n_components=2, random_state=seed)
    variance = tuple(float(v) for v in pca.explained_variance_ratio_)
    return np.asarray(projected, dtype=float)[rows], variance


def _cluster(points: np.ndarray, max_groups: int, seed: int) -> tuple[np.ndarray, float] | None:
    """Step 4: the k-means labels and silhouette of the best k, or None when fewer than
    three distinct points leave nothing to compare."""
    distinct = len(np.unique(points.round(9), axis=0))
    best: tuple[np.ndarray, float] | None = None
    for k in range(2, min(max_groups, distinct - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=KMEANS_STARTS, random_state=seed).fit_predict(points)
        score = float(silhouette_score(points, labels))
        if best is None or score > best[1]:
            best = (np.asarray(labels), score)
    return best


def _chance_p_value(
    values: np.ndarray, rows: np.ndarray, observed: float, max_groups: int, seed: int, draws: int
) -> float | None:
    """Step 4b: the share of `draws` shuffles (each statement's votes shuffled among the
    grouped participants) whose best silhouette is at least `observed`, counting the
    observed votes as one draw."""
    if draws == 0:
        return None
    rng = np.random.default_rng(seed)
    as_good = 0
    for _ in range(draws):
        shuffled = values.copy()
        for j in range(values.shape[1]):
            shuffled[rows, j] = rng.permutation(values[rows, j])
        found = _cluster(_project(shuffled, rows, seed)[0], max_groups, seed)
        as_good += found is not None and found[1] >= observed
    return (1 + as_good) / (1 + draws)


def _chance_note(p_value: float | None, draws: int) -> str | None:
    if p_value is None or p_value <= CHANCE_ALPHA:
        return None
    return (
        f"The groups are no clearer than in the same votes shuffled at random (p = "
        f"{p_value:.2f} over {draws} shuffles): there may be no real opinion groups, so read "
        "the distinguishing and divisive statements as chance until more LAs vote."
    )


def _why_one_group(matrix: pd.DataFrame, clustered: list[str]) -> str | None:
    if not clustered:
        return "No participant voted on enough statements to be grouped."
    if len(clustered) < MIN_TO_GROUP:
        return f"Only {len(clustered)} participants voted enough to be grouped: one group."
    if matrix.shape[1] < 2:
        return "Only one statement has votes: there is no map of opinion to draw, one group."
    if (matrix.nunique(axis="index") <= 1).all():
        return (
            "Everyone who voted on each statement voted the same way (for example, all "
            "passed): no differences of opinion, one group."
        )
    return None


def _groups(clustered: list[str], labels: np.ndarray) -> tuple[list[Group], np.ndarray]:
    """Groups renumbered by size (largest first, ties by first participant id), and the
    labels renumbered to match."""
    members: dict[int, list[str]] = {}
    for participant, label in zip(clustered, labels, strict=True):
        members.setdefault(int(label), []).append(participant)
    order = sorted(members, key=lambda k: (-len(members[k]), min(members[k])))
    renumber = {old: new for new, old in enumerate(order)}
    groups = [Group(renumber[old], tuple(members[old]), len(members[old])) for old in order]
    return groups, np.array([renumber[int(label)] for label in labels], dtype=int)


@dataclass(frozen=True)
class _Side:
    """One direction (agree or disagree) of one group's votes on one statement."""

    count: int
    count_out: int
    probability: float
    probability_z: float
    repness: float
    repness_z: float


@dataclass(frozen=True)
class _Cell:
    """Polis's statistics for one group and one statement (step 5)."""

    group: int
    statement: int
    votes: int
    votes_out: int
    agree: _Side
    disagree: _Side

    def side(self, d: Direction) -> _Side:
        return self.agree if d == "agree" else self.disagree

    def clearly(self, d: Direction) -> bool:
        """The group clearly votes `d` (steps 7 and 8)."""
        side = self.side(d)
        return side.probability >= CLEAR_MAJORITY and side.probability_z > Z_CRITICAL

    def distinguishes(self, d: Direction) -> bool:
        """Both Polis tests significant for `d` (step 6)."""
        side = self.side(d)
        return side.probability_z > Z_CRITICAL and side.repness_z > Z_CRITICAL

    def view(self) -> GroupView:
        passes = self.votes - self.agree.count - self.disagree.count
        return GroupView(
            group=self.group,
            votes=self.votes,
            agree=_share(self.agree.count, self.votes),
            disagree=_share(self.disagree.count, self.votes),
            passed=_share(passes, self.votes),
            p_agree=self.agree.probability,
        )


def _statistics(grouped: pd.DataFrame, labels: np.ndarray) -> dict[int, list[_Cell]]:
    """Step 5 through red-dwarf: per statement, one cell per group (in group order)."""
    if grouped.empty:
        return {}
    frame, _ = calculate_comment_statistics_dataframes(grouped, labels)
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in frame.reset_index().to_dict("records")
    ]
    totals: dict[int, tuple[int, int, int]] = {}
    for r in rows:
        na, nd, ns = totals.get(int(r["statement_id"]), (0, 0, 0))
        totals[int(r["statement_id"])] = (na + int(r["na"]), nd + int(r["nd"]), ns + int(r["ns"]))
    cells: dict[int, list[_Cell]] = {}
    for r in sorted(rows, key=lambda r: (int(r["statement_id"]), int(r["group_id"]))):
        na_all, nd_all, ns_all = totals[int(r["statement_id"])]
        cells.setdefault(int(r["statement_id"]), []).append(
            _Cell(
                group=int(r["group_id"]),
                statement=int(r["statement_id"]),
                votes=int(r["ns"]),
                votes_out=ns_all - int(r["ns"]),
                agree=_side(r, "a", na_all),
                disagree=_side(r, "d", nd_all),
            )
        )
    return cells


def _side(r: dict[str, Any], v: str, total: int) -> _Side:
    """red-dwarf's columns: n (count), p (probability), r (representativeness), t (z)."""
    return _Side(
        count=int(r[f"n{v}"]),
        count_out=total - int(r[f"n{v}"]),
        probability=float(r[f"p{v}"]),
        probability_z=float(r[f"p{v}t"]),
        repness=float(r[f"r{v}"]),
        repness_z=float(r[f"r{v}t"]),
    )


def _repness(
    cells: dict[int, list[_Cell]], group: int, statements: Mapping[int, str]
) -> list[RepStatement]:
    """Step 6: the statements that distinguish `group`, best first."""
    found = []
    for statement_cells in cells.values():
        cell = statement_cells[group]
        picks = [d for d in DIRECTIONS if cell.distinguishes(d)]
        if picks:
            direction = max(picks, key=lambda d: cell.side(d).repness_z)
            found.append(_rep_statement(cell, direction, statements[cell.statement]))
    found.sort(key=lambda r: (-_repness_metric(r), r.statement))
    return found[:MAX_REPNESS_PER_GROUP]


def _rep_statement(cell: _Cell, d: Direction, text: str) -> RepStatement:
    side = cell.side(d)
    return RepStatement(
        group=cell.group,
        statement=cell.statement,
        text=text,
        direction=d,
        votes_in=cell.votes,
        share_in=_share(side.count, cell.votes),
        share_out=_share(side.count_out, cell.votes_out),
        probability=side.probability,
        probability_z=side.probability_z,
        repness=side.repness,
        repness_z=side.repness_z,
        p_value=1 - NormalDist().cdf(min(side.probability_z, side.repness_z)),
    )


def _repness_metric(r: RepStatement) -> float:
    return r.repness * r.repness_z * r.probability * r.probability_z


def _consensus(
    cells: dict[int, list[_Cell]], statements: Mapping[int, str]
) -> list[StatementAcrossGroups]:
    """Step 7: statements every group clearly agrees with, by group-informed consensus."""
    found = [
        _across(row, statements, float(np.prod([c.agree.probability for c in row])))
        for row in cells.values()
        if all(c.clearly("agree") for c in row)
    ]
    return sorted(found, key=lambda c: (-c.score, c.statement))


def _divisive(
    cells: dict[int, list[_Cell]], statements: Mapping[int, str]
) -> list[StatementAcrossGroups]:
    """Step 8: statements one group clearly agrees with and another clearly rejects."""
    found = []
    for row in cells.values():
        if any(c.clearly("agree") for c in row) and any(c.clearly("disagree") for c in row):
            shares = [c.view().agree for c in row]
            found.append(_across(row, statements, max(shares) - min(shares)))
    return sorted(found, key=lambda c: (-c.score, c.statement))


def _across(row: list[_Cell], statements: Mapping[int, str], score: float) -> StatementAcrossGroups:
    statement = row[0].statement
    return StatementAcrossGroups(
        statement, statements[statement], tuple(c.view() for c in row), score
    )


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _label(group: int) -> str:
    return chr(ord("A") + group)


def _r(value: float) -> float:
    return round(float(value), 4)


def _method_text(n_groups: int, silhouette: float | None) -> str:
    grouping = (
        f"k-means (k-means++, {KMEANS_STARTS} seeded starts) chose {n_groups} groups by "
        f"silhouette ({silhouette:.2f}), tested against votes shuffled within each statement"
        if silhouette is not None
        else f"{n_groups} group{'s' if n_groups != 1 else ''} without clustering (see notes)"
    )
    return (
        "Polis method (Small et al. 2021): vote matrix with missing votes; PCA to two "
        "dimensions with column-mean imputation and scaling by votes cast (red-dwarf "
        f"{version('red-dwarf')}); {grouping} (scikit-learn {version('scikit-learn')}); "
        "representativeness and consensus from Polis's smoothed probabilities (pseudo-count "
        f"1) and one-sided z-tests at {CONFIDENCE:.0%}; consensus needs an agree probability "
        f"of at least {CLEAR_MAJORITY} in every group."
    )
