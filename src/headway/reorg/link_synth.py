"""Synthetic pairs of predecessor LAs' children, with known truth, for linkage tests and bench.

`make_pair(n_a, n_b, overlap, seed)` gives two people frames (the columns of
`headway.reorg.link.FIELDS`) and the true pairs: the children known to both LAs. The children
are Headway's own synthetic children (`headway.synth.people.make_child`: date of birth, sex,
ethnicity, UPN with a valid check letter, home postcode sector), grouped into families that
share a surname, an address and an ethnicity; some families have twins (same date of birth,
same address, different UPN and forename). Whole families are known to both LAs, and half of
them have moved from one LA's area to the other's.

Each LA records each child with its own errors, at the rates below: a UPN only from school
age (statutory returns send UN1 before 5) and sometimes unknown, typed with a substituted or
transposed character; day and month of birth transposed, a year or a day mistyped; moved or
missing postcodes; typos, missing and changed names; another ethnicity code; and formatting
noise (lower case, spaces, the old 1/2 sex codes beside M/F). Same seed, same frames.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa

from headway.reorg.link import FIELDS, Key
from headway.synth.dates import age_on, collection_window
from headway.synth.history import Child, Context
from headway.synth.people import make_child

LA_A, LA_B = "886", "887"  # two neighbouring LAs (DfE numbers); the codes shape ids and UPNs
YEAR = 2026  # ages are taken at the end of the 2025-26 collection year
FAMILY_SIZES = {1: 0.5, 2: 0.25, 3: 0.15, 4: 0.1}  # children of one family known to the LAs
TWINS = 0.06  # share of families of two or more whose first two children are twins
MOVED_LA = 0.5  # share of shared families that moved between the LAs (a new postcode)
KEPT_ID = 0.05  # share of shared children whose record kept the other LA's child id

# Errors, each a share of records
UPN_UNKNOWN = 0.04  # school-age child whose UPN is not known (sent as UN2..UN10 or blank)
UPN_TYPO = 0.02  # one character substituted or two neighbours transposed
DOB_MISSING = 0.01
DOB_SWAPPED = 0.015  # day and month transposed (when the day is 12 or less)
DOB_YEAR = 0.01  # year out by one
DOB_DAY = 0.01  # day mistyped
SEX_MISSING = 0.02
SEX_WRONG = 0.005
ETHNICITY_MISSING = 0.04  # blank, REFU or NOBT
ETHNICITY_OTHER = 0.04  # another code, mostly in the same group
POSTCODE_MISSING = 0.15
POSTCODE_MOVED = 0.05  # another postcode in the area
NAME_MISSING = 0.05
NAME_TYPO = 0.03
SURNAME_CHANGED = 0.02
NHS_TYPO = 0.01
LOWER = 0.05  # formatting noise: lower case; the same share again gets stray spaces


def _words(text: str) -> list[str]:
    return text.split()


_BOYS = _words(
    "Oliver Noah George Muhammad Leo Arthur Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy "
    "Alexander Luca Edward James Joshua Albie Elijah Max Mohammed Reggie Hudson Sonny Ethan "
    "Mason Jude Harrison Louie Hugo Rory Dylan Logan Ezra Riley Frankie Bobby Reuben Daniel "
    "Jaxon Joseph Ronnie Toby Samuel Benjamin Jesse Harvey Otis Kai Ollie Caleb Joey Kian "
    "Tyler Connor Kyle Liam Callum Jayden Ryan Lewis Aaron Declan"
)
_GIRLS = _words(
    "Olivia Amelia Isla Lily Ava Freya Ivy Florence Mia Willow Rosie Sophia Isabella Grace "
    "Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Millie "
    "Matilda Maya Sophie Alice Emilia Isabelle Ruby Luna Maisie Aria Penelope Mila Bonnie Eva "
    "Hallie Eliza Ada Violet Esme Arabella Imogen Jessica Delilah Thea Layla Ellie Margot "
    "Nancy Lottie Chloe Harriet Aurora Orla Megan Paige Courtney Jade Leah Holly Bethany "
    "Lacey Kayla Nevaeh Tia Skye Summer Demi"
)
_SURNAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb "
    "Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes "
    "Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Ahmed "
    "Kaur Nowak Kowalski Okafor Mensah Rahman Mahmood Akhtar Iqbal Sharma"
)
# Names outside the lists (about half of surnames, a third of forenames) are made of
# syllables, which gives the long tail of rare names real registers have.
_SYLLABLES = _words(
    "ab al an ar as ba be bo da de di el en er fa fe ga ha he ja ka ke la le li lo ma me mi "
    "mo na ne ni no ra re ri ro sa se si ta te to va ya za"
)
_SURNAME_ENDS = ("son", "ton", "ley", "well", "ford", "by", "er", "an", "ski", "ou")
_RARE_FORENAME, _RARE_SURNAME = 0.33, 0.5
_ETHNIC_GROUPS = ("WBRI WIRI WOTH WROM", "MWBC MWBA MWAS MOTH", "AIND APKN ABAN AOTH",
                  "BCRB BAFR BOTH", "CHNE OOTH")  # fmt: skip


def make_pair(
    n_a: int, n_b: int, overlap: float, seed: int, *, names: bool = True, nhs: float = 0.0
) -> tuple[pa.Table, pa.Table, list[tuple[Key, Key]]]:
    """Frames for LAs "A" and "B" and the true pairs ((A, id), (B, id)).

    About `overlap` x min(n_a, n_b) children (whole families) are known to both. `names`
    False leaves forename and surname empty, as in statutory returns; `nhs` is the share of
    records with an NHS number (0 by default: returns do not carry it).
    """
    if not 0 <= overlap <= 1 or min(n_a, n_b) < 1:
        raise ValueError("give at least one child per LA and an overlap between 0 and 1")
    rng = random.Random(f"{seed}:pair")
    families_a = _families(Context(seed, LA_A, (YEAR,), 7), 0, n_a, rng)
    shared = _known_to_b(families_a, round(overlap * min(n_a, n_b)), rng)
    families_b = _families(Context(seed, LA_B, (YEAR,), 7), n_a, n_b - len(shared), rng)
    people_a = [p for family in families_a for p in family]
    people_b = [*shared, *(p for family in families_b for p in family)]
    rng.shuffle(people_b)
    maker = _Recorder(seed, names, nhs)
    rows_a = [maker.record("A", p, p.child.id) for p in people_a]
    ids_b = [f"C{LA_B}{k:07d}" for k in range(1, len(people_b) + 1)]
    rows_b = []
    truth: list[tuple[Key, Key]] = []
    for person, new_id in zip(people_b, ids_b, strict=True):
        record_id = person.child.id if person.kept_id else new_id
        rows_b.append(maker.record("B", person, record_id))
        if person.shared:
            truth.append((("A", person.child.id), ("B", record_id)))
    return _table(rows_a), _table(rows_b), sorted(truth)


class _Person:
    """A synthetic child with what its family shares: surname, address, ethnicity."""

    __slots__ = ("child", "dob", "ethnicity", "forename", "kept_id", "postcode", "shared",
                 "surname")  # fmt: skip

    def __init__(self, child: Child, forename: str, surname: str, postcode: str) -> None:
        self.child = child
        self.dob = date.fromordinal(child.dob)
        self.ethnicity = child.ethnicity
        self.forename = forename
        self.surname = surname
        self.postcode = postcode
        self.shared = False
        self.kept_id = False


def _families(ctx: Context, first: int, n: int, rng: random.Random) -> list[list[_Person]]:
    """`n` children of one LA, from child index `first`, in families."""
    out: list[list[_Person]] = []
    index, end = first, first + n
    sizes, weights = list(FAMILY_SIZES), list(FAMILY_SIZES.values())
    while index < end:
        size = min(rng.choices(sizes, weights)[0], end - index)
        children = [make_child(ctx, i) for i in range(index, index + size)]
        index += size
        head = children[0]
        surname = _surname(rng)
        postcode = f"{head.home_post}{_unit(rng)}"
        family = [_Person(c, _forename(rng, c.sex), surname, postcode) for c in children]
        for p in family[1:]:
            p.ethnicity = head.ethnicity
        if size > 1 and rng.random() < TWINS:
            family[1].dob = family[0].dob
        out.append(family)
    return out


def _known_to_b(families: list[list[_Person]], n: int, rng: random.Random) -> list[_Person]:
    """Whole families of A, about `n` children, as LA B knows them; some moved to B's area."""
    out: list[_Person] = []
    area_b = Context(0, LA_B, (YEAR,), 7).postcode_area
    for family in rng.sample(families, len(families)):
        if len(out) + len(family) > n:
            continue
        moved = f"{area_b}{rng.randint(1, 20)} {rng.randint(0, 9)}{_unit(rng)}"
        postcode = moved if rng.random() < MOVED_LA else family[0].postcode
        for p in family:
            b = _Person(p.child, p.forename, p.surname, postcode)
            b.dob, b.ethnicity = p.dob, p.ethnicity
            b.shared = p.shared = True
            b.kept_id = rng.random() < KEPT_ID
            out.append(b)
    return out


def _table(rows: list[dict[str, object]]) -> pa.Table:
    types = {name: pa.date32() if name == "dob" else pa.string() for name in FIELDS}
    return pa.table({name: pa.array([r[name] for r in rows], types[name]) for name in FIELDS})


class _Recorder:
    """One LA's record of a child: the truth with that LA's errors and formatting."""

    def __init__(self, seed: int, names: bool, nhs: float) -> None:
        self.seed, self.names, self.nhs = seed, names, nhs
        self.ref_day = collection_window(YEAR)[1]  # ages are taken on this day

    def record(self, source: str, p: _Person, record_id: str) -> dict[str, object]:
        rng = random.Random(f"{self.seed}:{source}:{p.child.index}")
        return {
            "record_id": record_id,
            "upn": _upn(rng, p.child.upn, age_on(p.dob.toordinal(), self.ref_day)),
            "nhs_number": self._nhs(rng, p.child.index) if rng.random() < self.nhs else None,
            "forename": _name(rng, p.forename, surname=False) if self.names else None,
            "surname": _name(rng, p.surname, surname=True) if self.names else None,
            "dob": _dob(rng, p.dob),
            "sex": _sex(rng, p.child.sex, source),
            "ethnicity": _ethnicity(rng, p.ethnicity),
            "postcode": _postcode(rng, p.postcode),
        }

    def _nhs(self, rng: random.Random, index: int) -> str:
        """The child's NHS number (valid modulus 11 check digit), mistyped at NHS_TYPO."""
        draw = random.Random(f"{self.seed}:nhs:{index}")
        while True:
            digits = [draw.randint(0, 9) for _ in range(9)]
            check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
            if check != 10:
                number = "".join(map(str, digits)) + str(check % 11)
                break
        return _typo(rng, number, "0123456789") if rng.random() < NHS_TYPO else number


def _upn(rng: random.Random, upn: str, age: int) -> str | None:
    """None or UN1 before school age (as the returns send it), sometimes unknown after."""
    if age < 5:
        return "UN1" if rng.random() < 0.5 else None
    if rng.random() < UPN_UNKNOWN:
        return rng.choice(("UN2", "UN3", "UN5", None))
    if rng.random() < UPN_TYPO:
        upn = _typo(rng, upn, "0123456789", start=1)
    return _format(rng, upn)


def _name(rng: random.Random, name: str, surname: bool) -> str | None:
    if rng.random() < NAME_MISSING:
        return None
    if surname and rng.random() < SURNAME_CHANGED:
        name = _surname(rng)
    if rng.random() < NAME_TYPO:
        name = _typo(rng, name, "abcdefghijklmnopqrstuvwxyz", start=1)
    return _format(rng, name)


def _dob(rng: random.Random, dob: date) -> date | None:
    r = rng.random()
    if r < DOB_MISSING:
        return None
    r -= DOB_MISSING
    if r < DOB_SWAPPED:
        return date(dob.year, dob.day, dob.month) if dob.day <= 12 else dob
    r -= DOB_SWAPPED
    if r < DOB_YEAR:
        try:
            return dob.replace(year=dob.year + rng.choice((-1, 1)))
        except ValueError:  # 29 February
            return dob
    r -= DOB_YEAR
    if r < DOB_DAY:
        return dob + timedelta(days=rng.choice((-10, -1, 1, 10)))
    return dob


def _sex(rng: random.Random, sex: str, source: str) -> str | None:
    if rng.random() < SEX_MISSING:
        return None
    if rng.random() < SEX_WRONG:
        sex = "2" if sex == "1" else "1"
    if source == "A":
        return sex  # A still sends the 1/2 codes of the returns before 2024-25
    code = {"1": "M", "2": "F"}[sex]
    return code.lower() if rng.random() < LOWER else code


def _ethnicity(rng: random.Random, code: str) -> str | None:
    if rng.random() < ETHNICITY_MISSING:
        return rng.choice((None, "REFU", "NOBT"))
    if rng.random() < ETHNICITY_OTHER:
        group = next((g.split() for g in _ETHNIC_GROUPS if code in g), ["OOTH"])
        code = rng.choice(group if rng.random() < 0.75 else " ".join(_ETHNIC_GROUPS).split())
    return _format(rng, code)


def _postcode(rng: random.Random, postcode: str) -> str | None:
    if rng.random() < POSTCODE_MISSING:
        return None
    if rng.random() < POSTCODE_MOVED:
        postcode = _moved(rng, postcode)
    if rng.random() < LOWER:
        postcode = postcode.replace(" ", "")
    return _format(rng, postcode)


def _moved(rng: random.Random, postcode: str) -> str:
    """Another postcode in the area: most moves are local (the same sector or district)."""
    outward, inward = postcode.split(" ")
    r = rng.random()
    if r < 0.4:
        return f"{outward} {inward[0]}{_unit(rng)}"
    if r < 0.7:
        return f"{outward} {rng.randint(0, 9)}{_unit(rng)}"
    area = outward.rstrip("0123456789")
    return f"{area}{rng.randint(1, 20)} {rng.randint(0, 9)}{_unit(rng)}"


def _format(rng: random.Random, value: str) -> str:
    r = rng.random()
    if r < LOWER:
        return value.lower()
    if r < 2 * LOWER:
        return f" {value} "
    return value


def _typo(rng: random.Random, value: str, alphabet: str, start: int = 0) -> str:
    """One character substituted, or two neighbours transposed, from position `start`."""
    chars = list(value)
    i = rng.randrange(start, len(chars) - 1)
    if rng.random() < 0.5 and chars[i] != chars[i + 1]:
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        lower = chars[i].islower()
        choices = [c for c in alphabet if c.lower() != chars[i].lower()]
        new = rng.choice(choices)
        chars[i] = new if lower else new.upper()
    return "".join(chars)


def _unit(rng: random.Random) -> str:
    """The last two letters of a full postcode (the unit within the sector)."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the inward code
    return rng.choice(letters) + rng.choice(letters)


def _weighted(rng: random.Random, names: list[str]) -> str:
    """A name from a list, the first ones most common (weights 1/(rank + 5))."""
    return rng.choices(names, cum_weights=_CUM[len(names)])[0]


def _rare(rng: random.Random, ends: tuple[str, ...] = ()) -> str:
    parts = [rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))]
    return ("".join(parts) + (rng.choice(ends) if ends else "")).capitalize()


def _forename(rng: random.Random, sex: str) -> str:
    if rng.random() < _RARE_FORENAME:
        return _rare(rng)
    return _weighted(rng, _BOYS if sex == "1" else _GIRLS)


def _surname(rng: random.Random) -> str:
    if rng.random() < _RARE_SURNAME:
        return _rare(rng, _SURNAME_ENDS)
    return _weighted(rng, _SURNAMES)


def _cumulative(n: int) -> list[float]:
    out, total = [], 0.0
    for rank in range(n):
        total += 1 / (rank + 5)
        out.append(total)
    return out


_CUM = {n: _cumulative(n) for n in {len(_BOYS), len(_GIRLS), len(_SURNAMES)}}
