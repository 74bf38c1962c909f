"""Matching: which existing outputs, measures, pack requirements and past requests already
answer a new request ("answered by Annex A list 6", "duplicate of request 41").

The method is TF-IDF retrieval (scikit-learn's TfidfVectorizer) after domain synonym
expansion, over three views of each text:

- Synonyms (synonyms.yaml): every domain term found in a text ("LAC", "CiC", "children
  looked after") gives a concept token (syn_looked_after), in requests and candidates
  alike, so abbreviations and the statutory wording meet. "list 6" and "L6" give syn_list_6.
- Words: words and word pairs, filler ("pls", "can you") removed, each domain term
  replaced by its concept tokens. This view carries most of the meaning (weight 0.6).
- Concepts: the set of concept tokens alone (0.2), so that "LAC numbers at 31/3" meets
  "Children looked after at 31 March" even with no word in common. A request whose other
  words no candidate uses ("school exclusions for all pupils") keeps only the share of its
  words that are known, so one shared concept does not make it look answered.
- Characters: 3- to 5-character pieces of the words (0.2), which survive typos
  ("refferal", "asesment") and word forms ("enquiries", "enquiry"); with it, a separate
  fuzzy string score (rapidfuzz) added nothing worth its cost.

Each view scores a candidate by the cosine of its TF-IDF vector with the request's, with
two changes. Candidate lengths are pivoted (Singhal, Buckley and Mitra, 1996: divided by
(1 - SLOPE) * mean length + SLOPE * own length), so a long candidate such as Annex A list 8
with all its columns is not beaten by a short past request that shares two words with the
request. And a request's words that no candidate has still count in the request's length,
as the rarest word would, so a request mostly about something else scores low.

The score is the weighted sum of the views, capped at 1. Scores rank candidates for one
request; they are not probabilities. On the labelled set, right first answers mostly score 0.27
to 0.6 (median 0.44), wrong first answers have median 0.31, and the requests nothing answers
that still pass MIN_SCORE (0.18) score at most 0.27: read 0.4 and above as a likely
answer, and 0.18 to 0.3 as a lead to check. Below MIN_SCORE nothing is said. The weights,
SLOPE and MIN_SCORE were chosen on three quarters of the labelled set
(tests/data/desk/matching_labelled.csv) and checked on the other quarter.

Why this and not a language model: it runs on a locked-down council laptop with no network
and no model download, it is fast (each view's candidate matrix is kept transposed, so a
request costs one sparse product over the postings of its own terms: milliseconds for
10,000 candidates), and every match can be explained by the words and concepts it shares.
The sector's vocabulary is small and stable, so a curated synonym list does most of what
embeddings would, and an analyst can extend it.

Library candidates are deduplicated: per programme only the latest version's measures,
outputs and requirements are kept; a measure repeated unchanged in several programmes
(children looked after at 31 March in the SSDA903 and Families First packs) is one
candidate that names the others; and a pack's Annex A list outputs, and the requirements
they answer, are folded into the Annex A list itself, the output Headway builds.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import yaml
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer

from headway.outputs.annex_a_lists import AGE, CHILD_ID, DOB, ETHNICITY, GENDER, LISTS
from headway.packs.model import Measure, Output, Pack, Requirement

Scores = npt.NDArray[np.float64]
SYNONYMS = Path(__file__).with_name("synonyms.yaml")
WEIGHTS = {"words": 0.6, "concepts": 0.2, "chars": 0.2}  # of each view's cosine in the score
SLOPE = 0.5  # pivoted length normalisation (see _View)
MIN_SCORE = 0.18  # below this, a candidate is not said to answer the request
SAME_REQUESTER_BONUS = 0.01  # a past request from the same person ranks above ones this close
CONCEPT = "syn_"
_DEMOGRAPHICS = {CHILD_ID, GENDER, ETHNICITY, DOB, AGE}
_ANNEX_TITLE = re.compile(r"^\s*annex a list (\d+)\b", re.IGNORECASE)
_LIST_NUMBER = re.compile(r"(?<![a-z0-9])(?:list|l) ?(\d{1,2})(?![a-z0-9])")
_INSPECTOR = re.compile(r"\b(hmi|ofsted|inspector|inspection)\b", re.IGNORECASE)
_NONE = np.array([], dtype=np.intp)


@dataclass(frozen=True)
class Candidate:
    """Something that may already answer a request."""

    kind: str  # "output" | "measure" | "requirement" | "request"
    id: str  # "annex-a:list-6", "measure:<pack>/<measure>", "request:41" ...
    title: str
    text: str  # everything searchable
    reason: str  # how to say it answers: "answered by Annex A list 6: Children in need"
    requester: str = ""  # for kind "request": who asked


@dataclass(frozen=True)
class MatchResult:
    candidate: Candidate
    score: float  # 0..1, higher is better
    reason: str  # the sentence shown to the analyst


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, '%' as 'percent', other punctuation as spaces."""
    text = re.sub("['\u2019]", "", text.lower()).replace("%", " percent ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass(frozen=True)
class Expanded:
    """A text as the matcher sees it."""

    words: str  # its words, filler removed (the character view)
    terms: str  # the same with each domain term as its concept tokens (the word view)
    concepts: str  # the concept tokens alone (the concept view)
    plain_words: list[str]  # its words that are part of no domain term


class Vocabulary:
    """The synonyms file: concept terms, capital-only terms and filler words."""

    def __init__(self, path: Path = SYNONYMS) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.ignore = frozenset(normalise(data["ignore"]).split())
        concepts: dict[str, set[str]] = {}
        for concept, terms in data["concepts"].items():
            for term in terms:
                concepts.setdefault(normalise(str(term)), set()).add(CONCEPT + concept)
        self.concepts = {term: " ".join(sorted(names)) for term, names in concepts.items()}
        self._terms = _alternation(self.concepts, boundary="a-z0-9_")
        self.exact_case = {
            str(term): CONCEPT + concept
            for concept, terms in data["exact_case"].items()
            for term in terms
        }
        self._exact = _alternation(self.exact_case, boundary="A-Za-z0-9")

    def expand(self, text: str) -> Expanded:
        """A text's words, its domain terms as concept tokens, and the rest (see Expanded).

        "List 6" and "L6" become "list syn_list_6", then every domain term, longest first,
        becomes its concepts: "LAC list 6 pls" is "syn_looked_after syn_list syn_list_6"."""
        plain = normalise(text)
        listed = _LIST_NUMBER.sub(lambda m: f"list {CONCEPT}list_{int(m[1])}", plain)
        terms = self._content(self._terms.sub(lambda m: self.concepts[m[0]], listed))
        terms += [self.exact_case[term] for term in self._exact.findall(text)]
        concepts = [t for t in terms if t.startswith(CONCEPT)]
        return Expanded(
            words=" ".join(self._content(plain)),
            terms=" ".join(terms),
            concepts=" ".join(concepts),
            plain_words=[t for t in terms if not t.startswith(CONCEPT)],
        )

    def _content(self, text: str) -> list[str]:
        return [w for w in text.split() if w not in self.ignore]


def _alternation(terms: Iterable[str], boundary: str) -> re.Pattern[str]:
    """One pattern matching any of the terms whole (not inside a run of `boundary`
    characters), longest first."""
    ordered = sorted(terms, key=len, reverse=True)
    body = "|".join(re.escape(t) for t in ordered) or "(?!)"
    return re.compile(f"(?<![{boundary}])(?:{body})(?![{boundary}])")


@cache
def vocabulary() -> Vocabulary:
    """The shipped synonyms, read once."""
    return Vocabulary()


class _View:
    """One TF-IDF view of the candidates (sublinear term frequency, or binary).

    Candidate vectors get pivoted length normalisation (Singhal, Buckley and Mitra, 1996):
    divided by (1 - SLOPE) * mean length + SLOPE * own length instead of their own length,
    so a long candidate (an Annex A list with all its columns) is not drowned by a short
    past request sharing two words. They are kept transposed (terms x candidates, CSR): a
    request's row times that matrix touches only the postings of the request's own terms.

    A request's terms that no candidate has are not dropped (as `transform` would): they
    count in the request's length with the largest IDF, as the rarest term would, so a
    request that is mostly about something else scores low."""

    def __init__(self, weight: float, binary: bool = False, **options: object) -> None:
        self.weight = weight
        self.binary = binary
        self.vectorizer = TfidfVectorizer(
            lowercase=False, norm=None, binary=binary, sublinear_tf=not binary, **options
        )
        self.index: sparse.csr_matrix | None = None
        self.unseen_idf = 0.0

    def fit(self, texts: list[str]) -> None:
        if not any(t.strip() for t in texts):
            return
        matrix = self.vectorizer.fit_transform(texts)
        lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        pivoted = (1 - SLOPE) * lengths[lengths > 0].mean() + SLOPE * lengths
        self.index = (sparse.diags(1 / pivoted) @ matrix).T.tocsr()
        self.unseen_idf = float(self.vectorizer.idf_.max())
        self._analyse = self.vectorizer.build_analyzer()

    def cosines(self, text: str, size: int) -> Scores:
        """Similarity of a text to every candidate: the cosine, but for pivoted lengths."""
        if self.index is None or not text:
            return np.zeros(size)
        terms = Counter(self._analyse(text))
        vocabulary = self.vectorizer.vocabulary_
        known = [(vocabulary[t], n) for t, n in terms.items() if t in vocabulary]
        if not known:
            return np.zeros(size)
        columns = np.array([c for c, _ in known])
        weights = self._tf([n for _, n in known]) * self.vectorizer.idf_[columns]
        unseen = self._tf([n for t, n in terms.items() if t not in vocabulary]) * self.unseen_idf
        length = float(np.sqrt(np.sum(weights**2) + np.sum(unseen**2)))
        similarity: Scores = np.asarray(weights @ self.index[columns], dtype=np.float64).ravel()
        return similarity / length

    def _tf(self, counts: list[int]) -> Scores:
        """Term frequency weights, as the vectorizer makes them."""
        array = np.array(counts, dtype=np.float64)
        weights: Scores = np.ones_like(array) if self.binary else 1 + np.log(array)
        return weights


def _positions(keys: Iterable[str]) -> dict[str, npt.NDArray[np.intp]]:
    """Where each key occurs in a sequence."""
    found: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        found.setdefault(key, []).append(index)
    return {key: np.array(indices, dtype=np.intp) for key, indices in found.items()}


class Matcher:
    """An index of candidates, built once; `match` finds the best for one request."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = list(candidates)
        self._vocabulary = vocabulary()
        self._by_id = _positions(c.id for c in self.candidates)
        self._requests_by = _positions(
            normalise(c.requester) if c.kind == "request" and c.requester else ""
            for c in self.candidates
        )
        self._requests_by.pop("", None)
        self._words = _View(WEIGHTS["words"], token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2))
        self._chars = _View(WEIGHTS["chars"], analyzer="char_wb", ngram_range=(3, 5))
        self._concepts = _View(WEIGHTS["concepts"], binary=True, token_pattern=r"\S+")
        expanded = [self._vocabulary.expand(c.text) for c in self.candidates]
        self._words.fit([e.terms for e in expanded])
        self._chars.fit([e.words for e in expanded])
        self._concepts.fit([e.concepts for e in expanded])

    def scores(self, text: str) -> Scores:
        """The score of every candidate for a request text, in candidate order."""
        size = len(self.candidates)
        expanded = self._vocabulary.expand(text)
        return np.minimum(
            1.0,
            self._words.weight * self._words.cosines(expanded.terms, size)
            + self._chars.weight * self._chars.cosines(expanded.words, size)
            + self._concepts.weight
            * self._coverage(expanded)
            * self._concepts.cosines(expanded.concepts, size),
        )

    def _coverage(self, expanded: Expanded) -> float:
        """The share of a request's words that are domain terms or words some candidate
        uses: a request about something else ("school exclusions", "DoLS for adults over
        65") keeps only that share of its concept score."""
        terms = expanded.terms.split()
        if not terms or self._words.index is None:
            return 0.0
        known = self._words.vectorizer.vocabulary_
        unknown = sum(1 for w in expanded.plain_words if w not in known)
        return 1 - unknown / len(terms)

    def match(
        self, text: str, k: int = 3, requester: str = "", exclude: str | None = None
    ) -> list[MatchResult]:
        """The best k candidates scoring at least MIN_SCORE, best first (maybe none).

        `exclude` leaves out a candidate id (a request must not match itself); a past
        request from the same `requester` ranks above others scoring within
        SAME_REQUESTER_BONUS of it, and says so.
        Empty or blank text, or no candidates, match nothing.
        """
        scores = self.scores(text)
        if k <= 0 or not scores.size:
            return []
        same = self._requests_by.get(normalise(requester), _NONE) if requester else _NONE
        rank = scores.copy()
        rank[same] += SAME_REQUESTER_BONUS
        rank[scores < MIN_SCORE] = -np.inf
        rank[self._by_id.get(exclude or "", _NONE)] = -np.inf
        return [
            _result(self.candidates[i], float(scores[i]), i in same)
            for i in _top(rank, k)
            if rank[i] > -np.inf
        ]


def _top(rank: Scores, k: int) -> list[int]:
    """The indices of the k largest values, largest first (ties: lower index first)."""
    chosen = np.argpartition(-rank, k - 1)[:k] if k < rank.size else np.arange(rank.size)
    return [int(i) for i in chosen[np.lexsort((chosen, -rank[chosen]))]]


def _result(candidate: Candidate, score: float, same_requester: bool) -> MatchResult:
    reason = candidate.reason
    if same_requester:
        who = "inspector" if _INSPECTOR.search(candidate.requester) else "requester"
        reason += f" from the same {who}"
    return MatchResult(candidate, score, f"{reason} (score {score:.2f})")


def request_candidate(id: int, title: str, description: str = "", requester: str = "") -> Candidate:
    """A past request as a candidate, so a new request can be seen to duplicate it."""
    return Candidate(
        kind="request",
        id=f"request:{id}",
        title=title,
        text=f"{title}. {description}".strip(" ."),
        reason=f"duplicate of request {id}",
        requester=requester,
    )


def load_requests(path: Path) -> list[Candidate]:
    """Past requests from a CSV with columns id, title, description, requester."""
    with path.open(newline="", encoding="utf-8") as f:
        return [
            request_candidate(
                int(row["id"]),
                row["title"],
                row.get("description") or "",
                row.get("requester") or "",
            )
            for row in csv.DictReader(f)
        ]


def library_candidates(packs: Sequence[Pack]) -> list[Candidate]:
    """Annex A lists 1-11 and every pack's measures, outputs and requirements (deduplicated
    as the module docstring says), as candidates."""
    latest = _latest_entries(packs)
    annex: dict[tuple[str, str], int] = {}  # (pack, output) -> Annex A list number
    folded: dict[int, list[str]] = {}
    others: list[Candidate] = []
    for pack, output in latest.outputs:
        found = _ANNEX_TITLE.match(output.title)
        if found:
            annex[pack.id, output.id] = int(found[1])
            folded.setdefault(int(found[1]), []).append(output.description)
        else:
            others.append(_output_candidate(pack, output, latest.requirements))
    for pack, requirement in latest.requirements:
        number = annex.get((pack.id, requirement.output or ""))
        if number is not None:
            folded[number].append(f"{requirement.title}. {requirement.description}")
        else:
            others.append(_requirement_candidate(pack, requirement))
    measures = _measure_candidates(latest.measures, latest.requirements)
    return [*_annex_candidates(folded), *measures, *others]


@dataclass
class _Latest:
    measures: list[tuple[Pack, Measure]]
    outputs: list[tuple[Pack, Output]]
    requirements: list[tuple[Pack, Requirement]]


def _latest_entries(packs: Sequence[Pack]) -> _Latest:
    """Each programme's measures, outputs and requirements from its latest version that has
    them (versions compare as text: "2026-27" after "2025-26")."""
    ordered = sorted(sorted(packs, key=lambda p: p.id), key=lambda p: p.version, reverse=True)
    seen: set[tuple[str, str, str]] = set()
    latest = _Latest([], [], [])
    for pack in ordered:
        latest.measures += _first_seen(seen, pack, "measures", pack.measures)
        latest.outputs += _first_seen(seen, pack, "outputs", pack.outputs)
        latest.requirements += _first_seen(seen, pack, "requirements", pack.requirements)
    return latest


Entry = TypeVar("Entry", Measure, Output, Requirement)


def _first_seen(
    seen: set[tuple[str, str, str]], pack: Pack, section: str, entries: Sequence[Entry]
) -> list[tuple[Pack, Entry]]:
    """The entries whose (programme, section, id) has not been seen yet, now marked seen."""
    new = []
    for entry in entries:
        key = (pack.programme, section, entry.id)
        if key not in seen:
            seen.add(key)
            new.append((pack, entry))
    return new


def _annex_candidates(folded: dict[int, list[str]]) -> list[Candidate]:
    candidates = []
    for spec in LISTS:
        title = f"Annex A list {spec.number}: {spec.title}"
        headings = [h for h in spec.headings if h not in _DEMOGRAPHICS]
        text = ". ".join(
            [title, "Ofsted ILACS inspection", *headings, spec.hint, *folded.get(spec.number, [])]
        )
        candidates.append(
            Candidate("output", f"annex-a:list-{spec.number}", title, text, f"answered by {title}")
        )
    return candidates


def _measure_candidates(
    measures: list[tuple[Pack, Measure]], requirements: list[tuple[Pack, Requirement]]
) -> list[Candidate]:
    """One candidate per distinct measure; identical measures in several packs are one,
    under the first pack (latest version), naming the others."""
    groups: dict[tuple[str, str, str, str], list[tuple[Pack, Measure]]] = {}
    for pack, measure in measures:
        groups.setdefault((measure.id, measure.title, measure.definition, measure.sql), []).append(
            (pack, measure)
        )
    candidates = []
    for group in groups.values():
        pack, measure = group[0]
        uses = [
            f"{r.title}. {r.description}"
            for p, r in requirements
            if r.measure == measure.id and any(p.id == q.id for q, _ in group)
        ]
        reason = f"measure '{measure.title}' in pack {pack.id}"
        also = [p.id for p, _ in group[1:]]
        if also:
            reason += f" (also in {', '.join(also)})"
        text = ". ".join([measure.title, measure.definition, *uses])
        candidates.append(
            Candidate("measure", f"measure:{pack.id}/{measure.id}", measure.title, text, reason)
        )
    return candidates


def _output_candidate(
    pack: Pack, output: Output, requirements: list[tuple[Pack, Requirement]]
) -> Candidate:
    uses = [
        f"{r.title}. {r.description}"
        for p, r in requirements
        if p.id == pack.id and r.output == output.id
    ]
    text = ". ".join([output.title, output.description, *uses])
    reason = f"output '{output.title}' in pack {pack.id}"
    return Candidate("output", f"output:{pack.id}/{output.id}", output.title, text, reason)


def _requirement_candidate(pack: Pack, requirement: Requirement) -> Candidate:
    if requirement.measure:
        answer = f"measure '{pack.measure(requirement.measure).title}'"
    else:
        answer = f"output '{pack.output(str(requirement.output)).title}'"
    text = ". ".join([requirement.title, requirement.description, answer])
    reason = f"requirement '{requirement.title}' of pack {pack.id}, answered by {answer}"
    return Candidate(
        "requirement", f"requirement:{pack.id}/{requirement.id}", requirement.title, text, reason
    )


def load_labelled(path: Path) -> list[tuple[str, set[str]]]:
    """(phrasing, expected candidate ids) from a CSV with columns phrasing and expected
    (ids separated by '|'; empty when nothing existing answers the phrasing)."""
    with path.open(newline="", encoding="utf-8") as f:
        return [
            (row["phrasing"], {i for i in row["expected"].split("|") if i})
            for row in csv.DictReader(f)
        ]


def evaluate(matcher: Matcher, labelled: Sequence[tuple[str, set[str]]]) -> dict[str, float]:
    """How well the matcher answers labelled phrasings.

    - p_at_1: of the phrasings with an expected answer, the share whose first match is one of
      the expected ids (no match at all counts as wrong).
    - r_at_3: of the same phrasings, the share with an expected id among the first three
      matches (any one of the expected ids counts: they are alternative right answers).
    - negatives_rejected: of the phrasings nothing answers, the share with no match at or
      above MIN_SCORE.
    - accuracy: over all phrasings, the share right at the first answer (for a negative,
      right means no match).
    - n, n_negative: how many phrasings with and without an expected answer.
    """
    hits1 = hits3 = rejected = positives = negatives = 0
    for text, expected in labelled:
        found = [r.candidate.id for r in matcher.match(text, k=3)]
        if expected:
            positives += 1
            hits1 += bool(found) and found[0] in expected
            hits3 += any(i in expected for i in found)
        else:
            negatives += 1
            rejected += not found
    return {
        "p_at_1": hits1 / positives if positives else 0.0,
        "r_at_3": hits3 / positives if positives else 0.0,
        "negatives_rejected": rejected / negatives if negatives else 0.0,
        "accuracy": (hits1 + rejected) / len(labelled) if labelled else 0.0,
        "n": float(positives),
        "n_negative": float(negatives),
    }
