"""Benchmark of the desk's matching (python -m bench.desk_match; bench.run adds its rows).

Budget (DESIGN.md section 7): match one request against 10,000 outputs and past requests in
under 50 ms. The 10,000 candidates are the library's (Annex A lists and every shipped pack's
measures, outputs and requirements), the past requests of tests/data/desk/past_requests.csv,
and synthetic past requests made from the labelled phrasings with variation (greetings,
dates, dropped words, other requesters). Each of 200 requests is matched alone, as the desk
does, and timed; the figure is the median and the 95th percentile.

The quality row is the labelled set (tests/data/desk/matching_labelled.csv) against the
library and the real past requests only: the synthetic requests are copies of the
labelled phrasings, so they would answer them trivially.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from headway.desk.matching import (
    Candidate,
    Matcher,
    evaluate,
    library_candidates,
    load_labelled,
    load_requests,
    request_candidate,
)
from headway.packs import library

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "desk"
CANDIDATES = 10_000
QUERIES = 200
BUDGET_MS = 50.0
PREFIXES = ["", "Hi, ", "Urgent: ", "From the DCS: ", "Re: ", "Quick one - ", "Follow-up: "]
SUFFIXES = ["", " by Friday", " please", " (same as last time)", " for the board", " asap"]
REQUESTERS = [
    "Ofsted ILACS lead inspector (R. Hughes HMI)",
    "Head of Service, Children in Care",
    "Service Manager, Safeguarding",
    "DfE Families First regional adviser",
    "Cllr M. Dawson, Chair of Children's Scrutiny",
    "MASH Service Manager",
    "Early Help Strategic Lead",
    "Assistant Director, SEND",
]


def synthetic_requests(phrasings: list[str], count: int, seed: int = 7) -> list[Candidate]:
    """`count` past requests varied from the phrasings: a greeting, some words dropped, a
    date or a deadline, one of several requesters."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        words = [w for w in rng.choice(phrasings).split() if rng.random() > 0.15]
        when = f" for Q{rng.randint(1, 4)} {rng.randint(2023, 2027)}" if rng.random() < 0.3 else ""
        title = f"{rng.choice(PREFIXES)}{' '.join(words)}{when}{rng.choice(SUFFIXES)}"
        made.append(request_candidate(10_000 + n, title, requester=rng.choice(REQUESTERS)))
    return made


def rows() -> list[tuple[str, str, str, str]]:
    """(measure, figure, budget, result) rows for bench/RESULTS.md."""
    labelled = load_labelled(DATA / "matching_labelled.csv")
    known = library_candidates(library()) + load_requests(DATA / "past_requests.csv")
    phrasings = [text for text, _ in labelled]
    candidates = known + synthetic_requests(phrasings, CANDIDATES - len(known))
    start = time.perf_counter()
    matcher = Matcher(candidates)
    build = time.perf_counter() - start
    times = _match_times(matcher, phrasings)
    median, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
    return [
        (f"Desk match: index of {len(candidates):,} candidates (library, past and synthetic "
         "requests), built once", f"{build:.2f} s", "", ""),
        (f"Desk match: one request against those {len(candidates):,}, {len(times)} requests "
         "one at a time", f"median {median:.1f} ms, p95 {p95:.1f} ms", f"< {BUDGET_MS:.0f} ms",
         _met(p95 < BUDGET_MS)),
        *_quality_rows(Matcher(known), labelled),
    ]  # fmt: skip


def _match_times(matcher: Matcher, phrasings: list[str]) -> list[float]:
    """Milliseconds to match each of QUERIES requests, one at a time (after one warm-up)."""
    matcher.match(phrasings[0])
    times = []
    for n in range(QUERIES):
        text = phrasings[n % len(phrasings)]
        start = time.perf_counter()
        matcher.match(text, k=3, requester=REQUESTERS[n % len(REQUESTERS)])
        times.append((time.perf_counter() - start) * 1000)
    return times


def _quality_rows(
    matcher: Matcher, labelled: list[tuple[str, set[str]]]
) -> list[tuple[str, str, str, str]]:
    full = evaluate(matcher, labelled)
    # Every fourth row from the fourth: the quarter not looked at while tuning synonyms.
    held = evaluate(matcher, labelled[3::4])
    negatives = f"{full['negatives_rejected'] * full['n_negative']:.0f} of {full['n_negative']:.0f}"
    return [
        (f"Desk match quality: labelled set, {full['n']:.0f} requests with an answer",
         f"p@1 {full['p_at_1']:.2f}, r@3 {full['r_at_3']:.2f}", "p@1 >= 0.8",
         _met(full["p_at_1"] >= 0.8)),
        (f"Desk match quality: held-out quarter, {held['n']:.0f} requests with an answer",
         f"p@1 {held['p_at_1']:.2f}, r@3 {held['r_at_3']:.2f}", "p@1 >= 0.8",
         _met(held["p_at_1"] >= 0.8)),
        ("Desk match: requests nothing answers, given no match",
         f"{negatives} ({full['negatives_rejected']:.0%})", "reported", ""),
    ]  # fmt: skip


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    lines = ["| measure | figure | budget | result |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows()]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
