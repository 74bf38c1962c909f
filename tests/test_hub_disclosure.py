"""Disclosure control, tested by attacking it: each attacker below reads only what is
published (and the previous period's publication) and tries to recover a count of 1 to 5.

The attackers are written here, independently of the module: an exact integer attacker
(CP-SAT over the published totals), a row-minus-the-rest subtractor, a margin subtractor and
a period-to-period differencer. Each is first shown to succeed on a naive publication, so a
pass means the protection stopped it, not that the attack was toothless.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from headway.errors import HeadwayError
from headway.hub.disclosure import (
    SUPPRESSED,
    TOTAL,
    Table,
    audit,
    is_aggregate_safe,
    protect,
    published_from_json,
    round_for_publication,
    round_to,
)

C = SUPPRESSED
CAP = 1_000_000  # the integer attacker's "no upper bound"


def frame(rows: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        index=[f"r{i}" for i in range(len(rows))],
        columns=[f"k{j}" for j in range(len(rows[0]))],
    )


def naive(table: pd.DataFrame) -> pd.DataFrame:
    """Primary suppression only: what an LA might publish without secondary suppression."""
    grid = Table.from_frame(table).to_frame()
    return grid.map(lambda v: C if 1 <= v <= 5 else v).astype(object)


# --- attackers -----------------------------------------------------------------------------


def integer_attack(published: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    """The exact range of every "c" given every published total (each "c" is at least 1)."""
    model = cp_model.CpModel()
    cells: dict[tuple[str, str], Any] = {}
    for r in published.index:
        for c in published.columns:
            value = published.at[r, c]
            cells[(r, c)] = model.NewIntVar(1, CAP, f"{r}:{c}") if value == C else int(value)
    body_r = [r for r in published.index if r != TOTAL]
    body_c = [c for c in published.columns if c != TOTAL]
    for r in published.index:
        model.Add(sum(cells[(r, c)] for c in body_c) == cells[(r, TOTAL)])
    for c in published.columns:
        model.Add(sum(cells[(r, c)] for r in body_r) == cells[(TOTAL, c)])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    ranges = {}
    for key, var in cells.items():
        if isinstance(var, int):
            continue
        model.Minimize(var)
        assert solver.Solve(model) == cp_model.OPTIMAL
        low = int(solver.ObjectiveValue())
        model.Maximize(var)
        assert solver.Solve(model) == cp_model.OPTIMAL
        ranges[key] = (low, int(solver.ObjectiveValue()))
    return ranges


def disclosed(
    published: pd.DataFrame, threshold: int = 5
) -> dict[tuple[str, str], tuple[int, int]]:
    """The "c"s the integer attacker pins to one value or confines to 1..threshold."""
    return {
        k: (lo, hi)
        for k, (lo, hi) in integer_attack(published).items()
        if lo == hi or hi <= threshold
    }


def subtract(published: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Total minus the other figures, for every row and column (totals row and column too)
    holding exactly one "c"."""
    found = {}
    lines = [[(r, c) for c in published.columns] for r in published.index]
    lines += [[(r, c) for r in published.index] for c in published.columns]
    for line in lines:
        hidden = [k for k in line if published.at[k] == C]
        if len(hidden) == 1:
            total, members = line[-1], line[:-1]
            if hidden[0] == total:
                found[total] = sum(int(published.at[k]) for k in members)
            else:
                rest = sum(int(published.at[k]) for k in members if k != hidden[0])
                found[hidden[0]] = int(published.at[total]) - rest
    return found


def stable_complement_attack(now: pd.DataFrame, before: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Differencing: for a row or column whose total is published in both periods, assume
    every other hidden cell kept last period's published value and solve for a "c" now."""
    guesses = {}
    lines = [[(r, c) for c in now.columns] for r in now.index if r != TOTAL]
    lines += [[(r, c) for r in now.index] for c in now.columns if c != TOTAL]
    for line in lines:
        total, members = line[-1], line[:-1]
        if C in (now.at[total], before.at[total]):
            continue
        hidden = [k for k in members if now.at[k] == C]
        for k in hidden:
            others = [h for h in hidden if h != k]
            if any(before.at[h] == C for h in others):
                continue
            shown = sum(int(now.at[m]) for m in members if now.at[m] != C)
            guesses[k] = int(now.at[total]) - shown - sum(int(before.at[h]) for h in others)
    return guesses


def unexplained_changes(now: pd.DataFrame, before: pd.DataFrame) -> list[tuple[str, int]]:
    """Differencing: each total published in both periods over some "c" now, less the change
    in cells published both times: what the hidden cells gained or lost."""
    out = []
    body_r = [r for r in now.index if r != TOTAL]
    body_c = [c for c in now.columns if c != TOTAL]
    groups = {(r, TOTAL): [[(r, c) for c in body_c]] for r in body_r}
    groups |= {(TOTAL, c): [[(r, c) for r in body_r]] for c in body_c}
    groups[(TOTAL, TOTAL)] = [
        [(r, c) for r in body_r for c in body_c],
        [(r, TOTAL) for r in body_r],
        [(TOTAL, c) for c in body_c],
    ]
    for total, members in groups.items():
        if C in (now.at[total], before.at[total]):
            continue
        for group in members:
            if not any(now.at[k] == C for k in group):
                continue
            both = [k for k in group if C not in (now.at[k], before.at[k])]
            moved = int(now.at[total]) - int(before.at[total])
            out.append((str(total), moved - sum(int(now.at[k]) - int(before.at[k]) for k in both)))
    return out


# --- primary suppression -----------------------------------------------------------------


def test_counts_of_one_to_five_are_c_and_zero_and_six_are_shown() -> None:
    table = frame([[0, 1, 60], [5, 6, 70], [40, 50, 0]])
    protected = protect(table)
    shown = protected.published
    assert shown.at["r0", "k1"] == C and shown.at["r1", "k0"] == C
    assert shown.at["r0", "k0"] == 0 and shown.at["r2", "k2"] == 0  # zeros are not disclosive
    assert protected.primary == {("r0", "k1"), ("r1", "k0")}
    assert all(v != 0 for v in Table.from_frame(table).to_frame().values.flat if v == C)
    zeros = [(r, c) for r in table.index for c in table.columns if table.at[r, c] == 0]
    assert not set(zeros) & protected.suppressed  # a zero is never a "c"


def test_threshold_is_a_parameter() -> None:
    protected = protect(frame([[2, 3, 40], [30, 20, 50]]), threshold=2)
    assert protected.primary == {("r0", "k0")}
    assert protected.published.at["r0", "k1"] in (3, C)


def test_a_total_of_one_to_five_is_suppressed() -> None:
    protected = protect(frame([[0, 4, 0], [20, 30, 40], [25, 35, 45]]))
    assert ("r0", TOTAL) in protected.primary
    assert (TOTAL, "k1") not in protected.primary  # 4 + 30 + 35 is not small
    assert disclosed(protected.published) == {}


def test_published_figures_are_the_true_ones_and_reasons_are_given() -> None:
    table = frame([[3, 20, 15], [12, 8, 30], [9, 14, 2]])
    protected = protect(table)
    truth = Table.from_frame(table).to_frame()
    for (r, c), value in protected.published.stack().items():
        assert value == C or value == truth.at[r, c]
    assert set(protected.reasons) == protected.suppressed
    assert protected.primary.isdisjoint(protected.secondary)
    assert protected.reasons[("r0", "k0")] == "a count of 1 to 5"


# --- attack 1: a row total minus the rest ------------------------------------------------


def test_attack_row_total_minus_the_rest() -> None:
    table = frame([[3, 40, 50], [20, 30, 60], [25, 35, 45]])
    assert subtract(naive(table)) == {("r0", "k0"): 3}  # the attack works on primary only
    published = protect(table).published
    assert subtract(published) == {}
    low, high = integer_attack(published)[("r0", "k0")]
    assert low < high and high > 5


def test_attack_rows_with_one_small_cell_each() -> None:
    table = frame([[2, 0, 30, 41], [0, 4, 22, 33], [17, 28, 0, 1], [9, 9, 9, 9]])
    published = protect(table).published
    assert subtract(published) == {}
    assert disclosed(published) == {}


# --- attack 2: the integer attacker on many random tables --------------------------------

small_heavy = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 50])


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    height, width = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    return frame([[draw(small_heavy) for _ in range(width)] for _ in range(height)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_attack_integer_bounds_on_random_tables(table: pd.DataFrame) -> None:
    protected = protect(table)
    published = protected.published
    assert audit(published) == []
    assert disclosed(published) == {}  # an exact attacker written independently agrees
    truth = Table.from_frame(table).to_frame()
    for (r, c), value in published.stack().items():
        assert value == (C if (r, c) in protected.suppressed else truth.at[r, c])
        if 1 <= truth.at[r, c] <= 5:
            assert value == C
        if truth.at[r, c] == 0:
            assert value == 0


def test_audit_finds_what_naive_suppression_leaves() -> None:
    published = naive(frame([[3, 40, 50], [20, 30, 60]]))
    problems = audit(published)
    assert problems == ["row 'r0', column 'k0': the published totals make this 'c' exactly 3"]


def test_audit_finds_a_c_confined_to_small_counts() -> None:
    published = naive(frame([[3, 2, 50], [1, 4, 60], [30, 30, 30]]))  # a 2x2 block of c
    assert any("confine this 'c' to 1 to" in p for p in audit(published))
    assert set(disclosed(published)) == {("r0", "k0"), ("r0", "k1"), ("r1", "k0"), ("r1", "k1")}


def test_audit_refuses_figures_that_do_not_add_up() -> None:
    published = protect(frame([[3, 20, 15], [12, 8, 30], [9, 14, 2]])).published.copy()
    published.at["r1", TOTAL] = 51
    assert audit(published) == ["the published figures do not add up: no set of counts fits them"]


def test_tiny_tables() -> None:
    assert protect(frame([[3]])).published.values.tolist() == [[C, C], [C, C]]
    assert protect(frame([[0]])).published.values.tolist() == [[0, 0], [0, 0]]
    assert protect(frame([[7]])).published.values.tolist() == [[7, 7], [7, 7]]
    assert audit(protect(frame([[1, 0], [0, 2]])).published) == []


# --- attack 3: differencing two periods --------------------------------------------------

PERIOD_1 = [[0, 10, 20], [12, 8, 30], [9, 14, 25]]


def test_attack_differencing_a_cell_that_rose_by_three() -> None:
    before = protect(frame(PERIOD_1)).published
    assert C not in before.values  # nothing small last period: everything was published
    now = [row[:] for row in PERIOD_1]
    now[0][0] = 3  # three children arrive in a category that had none
    unprotected = protect(frame(now)).published  # each period safe on its own ...
    assert audit(unprotected) == []
    guesses = stable_complement_attack(unprotected, before)
    assert guesses.get(("r0", "k0")) == 3  # ... but together they give the 3 away
    assert any(1 <= abs(u) <= 5 for _, u in unexplained_changes(unprotected, before))

    protected = protect(frame(now), previous=before)
    published = protected.published
    assert audit(published, previous=before) == []
    assert disclosed(published) == {}
    assert ("r0", "k0") not in stable_complement_attack(published, before)
    assert all(not 1 <= abs(u) <= 5 for _, u in unexplained_changes(published, before))
    assert any("previous period" in why for why in protected.reasons.values())


def test_a_published_cell_changing_by_three_needs_nothing_more() -> None:
    before = protect(frame(PERIOD_1)).published
    now = [row[:] for row in PERIOD_1]
    now[1][2] = 33  # shown both times: the change is plain to see and hides nothing
    assert protect(frame(now), previous=before).published.equals(protect(frame(now)).published)


@st.composite
def two_periods(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    first = draw(tables())
    steps = st.sampled_from([0, 0, 0, -3, -1, 1, 2, 3, 5])
    second = first.map(lambda v: max(0, v + draw(steps)))
    return first, second


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_periods())
def test_attack_differencing_on_random_pairs_of_periods(
    periods: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    first, second = periods
    before = protect(first).published
    published = protect(second, previous=before).published
    assert audit(published, previous=before) == []
    assert disclosed(published) == {}
    assert all(not 1 <= abs(u) <= 5 for _, u in unexplained_changes(published, before))


def test_previous_table_may_come_back_from_json_in_any_order() -> None:
    before = protect(frame(PERIOD_1)).published
    sent = json.loads(json.dumps(before.to_dict(orient="index")))  # as `headway submit` keeps it
    reloaded = pd.DataFrame(sent).T.iloc[::-1, ::-1]  # totals first, rows reversed
    now = [row[:] for row in PERIOD_1]
    now[0][0] = 3
    assert protect(frame(now), previous=reloaded).published.equals(
        protect(frame(now), previous=before).published
    )


# --- attack 4: a suppressed total from the other margin ----------------------------------


def test_attack_a_small_total_from_the_other_margin() -> None:
    table = frame([[0, 30, 25], [4, 20, 35], [0, 15, 40]])  # column k0 totals 4
    published_naive = naive(table)
    assert subtract(published_naive)[(TOTAL, "k0")] == 4  # grand total minus other columns
    published = protect(table).published
    assert published.at[TOTAL, "k0"] == C
    assert (TOTAL, "k0") not in subtract(published)
    assert disclosed(published) == {}


def test_attack_small_row_and_column_totals_together() -> None:
    table = frame([[1, 0, 0], [0, 30, 25], [0, 20, 35]])  # r0 and k0 both total 1
    published = protect(table).published
    assert published.at["r0", TOTAL] == C and published.at[TOTAL, "k0"] == C
    assert subtract(published) == {}
    assert disclosed(published) == {}


# --- the published form ------------------------------------------------------------------


def test_to_json_does_not_say_which_c_is_small() -> None:
    protected = protect(frame([[3, 20, 15], [12, 8, 30], [9, 14, 2]]))
    data = protected.to_json()
    text = json.dumps(data)
    assert "primary" not in text and "secondary" not in text and "count of 1" not in text
    assert data["rows"][-1] == TOTAL and data["columns"][-1] == TOTAL
    assert audit(published_from_json(json.loads(text))) == []
    assert published_from_json(data).equals(protected.published)


def test_published_values_are_plain_json() -> None:
    protected = protect(frame([[3, 20], [12, 8]]))
    rows = protected.by_row()
    assert rows == protected.published.astype(object).to_dict(orient="index")
    assert json.loads(json.dumps(rows)) == rows
    assert rows[TOTAL][TOTAL] == 43 and rows["r0"]["k0"] == C


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (frame([[1, -2], [3, 4]]), "negative count (-2) in row 'r0', column 'k1'"),
        (frame([[1.5, 2.0], [3.0, 4.0]]), "not a whole number"),
        (pd.DataFrame({"a": ["x", 1]}), "'x'"),
        (pd.DataFrame({"a": [1.0, float("nan")]}), "nan"),
        (pd.DataFrame({"a": [True, False]}), "not a count"),
        (pd.DataFrame({"a": [1, 2]}, index=["x", "x"]), "two rows with the same label"),
        (pd.DataFrame({"a": [1, 2]}, index=["x", "total"]), "labelled 'Total'"),
        (pd.DataFrame(), "at least one row and column"),
    ],
)
def test_bad_tables_are_refused_plainly(table: pd.DataFrame, words: str) -> None:
    with pytest.raises(HeadwayError) as caught:
        protect(table)
    assert words in caught.value.message and caught.value.hint


def test_integral_floats_are_counts() -> None:
    assert protect(frame([[1.0, 20.0], [12.0, 8.0]])).published.at["r1", "k1"] in (8, C)


def test_bad_previous_tables_are_refused() -> None:
    table = frame(PERIOD_1)
    other = protect(frame([[1, 2], [3, 4]])).published
    with pytest.raises(HeadwayError, match="different rows or columns"):
        protect(table, previous=other)
    with pytest.raises(HeadwayError, match="no 'Total' row and column"):
        protect(table, previous=table)
    with pytest.raises(HeadwayError, match="threshold"):
        protect(table, threshold=0)


# --- rounding ----------------------------------------------------------------------------


def test_round_to_nearest_ten_half_up() -> None:
    assert [round_to(v) for v in (0, 4, 5, 14, 15, 24, 25, 35, 149_996)] == [
        0, 0, 10, 10, 20, 20, 30, 40, 150_000,
    ]  # fmt: skip
    assert round(25, -1) == 20  # Python's own rounding is banker's: not what is published
    assert round_to(7, base=5) == 5 and round_to(8, base=5) == 10
    assert [round_for_publication(v) for v in (0, 3, 5, 25)] == [0, "k", 10, 30]
    for bad in (-1, 2.5, True):
        with pytest.raises(HeadwayError):
            round_to(bad)  # type: ignore[arg-type]


# --- is the payload aggregate? -----------------------------------------------------------


def test_child_level_fields_found_deep_in_lists_and_dicts() -> None:
    payload = {
        "period": "2025Q1",
        "readiness": [
            {"pack": "ff", "requirements": [{"id": "r1", "detail": {"cases": [{"UPN": "x"}]}}]},
        ],
        "desk": {"requests": {"inspector": {"open": 3}}, "extra": {"pers_person_id": 1}},
        "notes": [[{"LAchildID": "1"}], {"PersonBirthDate": "2015-01-01"}],
        "ssda903": {"episodes": [{"CHILD": "123", "DOB": "01/02/2015", "HOME_POST": "AB1"}]},
        "quality": [{"item": "N00103", "completeness": 0.9, "child name": "A"}],
    }
    assert is_aggregate_safe(payload) == [
        "$.readiness[0].requirements[0].detail.cases[0].UPN",
        "$.desk.extra.pers_person_id",
        "$.notes[0][0].LAchildID",
        "$.notes[1].PersonBirthDate",
        "$.ssda903.episodes[0].CHILD",
        "$.ssda903.episodes[0].DOB",
        "$.ssda903.episodes[0].HOME_POST",
        '$.quality[0]["child name"]',
    ]


def test_per_child_records_and_identifier_values_are_found() -> None:
    payload = {
        "rows": [{"sex": "F", "ethnicity": "WBRI", "age": 7}, {"sex": "M", "ethnicity": "AIND"}],
        "by_sex": [{"sex": "F", "ethnicity": "WBRI", "count": 12}],  # an aggregate breakdown
        "by_child": {"a": {"gender": 1, "disability": "NONE"}, "b": {"gender": 2}},
        "ref": "A123456789012",  # shaped like a UPN
        "contact": {"where": "SW1A 1AA", "nhs": "943 476 5919", "phone_like": "1234567890"},
    }
    assert is_aggregate_safe(payload) == [
        "$.rows",
        "$.by_child",
        "$.ref",
        "$.contact.where",
        "$.contact.nhs",
    ]


def test_names_of_things_are_not_names_of_children() -> None:
    payload = {"la_name": "My LA", "pack_name": "FF", "title": "t", "children": 12, "age_band": 1}
    assert is_aggregate_safe(payload) == []
    assert is_aggregate_safe({"records": [{"name": "A"}]}) == ["$.records[0].name"]


def test_a_real_aggregate_submission_passes() -> None:
    from headway.hub.submission import (
        DeskLoad,
        ItemQuality,
        PackStatus,
        RequirementStatus,
        SubmissionPayload,
        VoteOut,
    )

    desk = protect(frame([[3, 1], [12, 4], [20, 9]])).published.astype(object)
    payload = SubmissionPayload(
        la_code="201",
        period="2025Q1",
        readiness=[
            PackStatus(
                pack="families-first-2025",
                version="2025.1",
                score=62.5,
                requirements=[RequirementStatus(id="FF-R01", status="gap", effort_hours=30)],
            )
        ],
        quality=[ItemQuality(item="N00103", completeness=0.98, invalid="c")],
        desk=DeskLoad(requests=desk.to_dict(orient="index")),
        votes=[VoteOut(statement=1, value=1)],
    )
    assert is_aggregate_safe(payload.model_dump(mode="json", by_alias=True)) == []


def test_deeply_nested_payload_does_not_crash() -> None:
    payload: dict[str, Any] = {"x": 1}
    for _ in range(5000):
        payload = {"x": [payload]}
    payload_with_child = {"deep": payload, "dob": "2015-01-01"}
    assert is_aggregate_safe(payload_with_child) == ["$.dob"]


# --- performance sanity ------------------------------------------------------------------


def test_a_20_by_12_table_with_many_small_counts() -> None:
    rng = np.random.default_rng(7)
    table = frame(rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40], size=(20, 12)).tolist())
    started = time.perf_counter()
    protected = protect(table)
    elapsed = time.perf_counter() - started
    assert audit(protected.published) == []
    print(f"20x12: {elapsed:.2f}s, {len(protected.suppressed)} of 273 figures suppressed")
