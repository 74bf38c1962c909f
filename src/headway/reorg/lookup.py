"""The successor lookup: which successor authority each postcode, sector, district or ward
goes to, read from a CSV the LA supplies, validated, and ready to resolve children's
postcodes (docs/reorg.md).

Two layouts are read, told apart by their column names:

- **ONS**: a published ONS lookup as downloaded (Postcode to OA/LSOA/MSOA/LAD, the NSPL or
  ONSPD, Ward to LAD ...): the key is the first postcode column found (`pcds`, then `pcd`,
  `pcd7`, `pcd8`, `pcd2`), else a sector or district column, else a ward code column
  (`wd23cd`, `ward`, `osward`); the successor is the authority code column (`lad23cd`,
  `ladcd`, `laua`, `oslaua`, `ua..cd`, `utla..cd`, `ctyua..cd`; the highest year first) and
  its name column (`lad23nm` ...). Terminated postcodes (`doterm`) are kept: a child's older
  addresses may use them.
- **Simple**: any CSV whose columns are `postcode`, `sector`, `district`, `ward` or `key`
  with `successor` (or `successor_code` and `successor_name`), or just two columns: key,
  successor. A key may be a full postcode (`LE5 3AB`), a sector (`LE5 3`) or a district
  (`LE5`), row by row.

A key that maps to two successors is ambiguous and resolves nothing; a key that cannot be
read as a postcode, sector, district or ward code is malformed; both are reported. A ward
lookup needs the ONS postcode to ward lookup as well (`wards`), to reach postcodes. Postcodes
resolve most specific first: the postcode, its sector, its district; a sector or district
also resolves when every postcode the lookup lists in it goes to the same successor (so the
partial 903 home postcode `LE5 3` resolves against a postcode-level lookup).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from headway.errors import HeadwayError
from headway.workspace import validate_la_code

_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL = re.compile(rf"^({_OUTWARD})([0-9][A-Z]{{2}})$")
_SECTOR = re.compile(rf"^({_OUTWARD}) ([0-9])$")
_DISTRICT = re.compile(rf"^{_OUTWARD}$")
_WARD = re.compile(r"^[EWSN]05[0-9]{6}$")
KINDS = ("postcode", "sector", "district", "ward")
EXAMPLES = 10  # problems listed by example; all are counted

# Column names, matched case-insensitively, in order of preference.
_KEY_COLUMNS = {
    "postcode": [r"pcds", r"pcd", r"pcd7", r"pcd8", r"pcd2", r"postcode", r"post_?code"],
    "sector": [r"pcd_?sector", r"postcode_?sector", r"sector"],
    "district": [
        r"pcd_?district",
        r"postcode_?district",
        r"pcdd",
        r"district",
        r"outward(_?code)?",
    ],
    "ward": [r"wd[0-9]{2}cd", r"osward", r"ward", r"ward_?code"],
}
_CODE_COLUMNS = [
    r"successor_?code",
    r"(lad|ua|utla|ctyua)[0-9]{2}cd",
    r"ladcd",
    r"laua",
    r"oslaua",
    r"la_?code",
    r"authority_?code",
]
_NAME_COLUMNS = [
    r"successor(_?name)?",
    r"(lad|ua|utla|ctyua)[0-9]{2}nm",
    r"ladnm",
    r"la_?name",
    r"authority(_?name)?",
]
_GENERIC_KEY = [r"key"]
_TERMINATED = [r"doterm"]


def clean_postcode(text: object) -> tuple[str, str] | None:
    """(kind, value): a full postcode as `OUT IN`, a sector `OUT 1`, a district `OUT`, a ward
    code; or None when the text is none of these."""
    if text is None:
        return None
    raw = str(text).strip().upper()
    if not raw:
        return None
    squashed = re.sub(r"[^A-Z0-9]", "", raw)
    full = _FULL.match(squashed)
    if full:
        return "postcode", f"{full.group(1)} {full.group(2)}"
    spaced = re.sub(r"\s+", " ", raw)
    if _SECTOR.match(spaced):
        return "sector", spaced
    if _DISTRICT.match(squashed):
        return "district", squashed
    if _WARD.match(squashed):
        return "ward", squashed
    return None


def _sector(postcode: str) -> str:
    out, inward = postcode.split(" ")
    return f"{out} {inward[0]}"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Successor:
    code: str
    name: str
    keys: int = 0  # lookup keys that go to it

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "keys": self.keys}


@dataclass
class Lookup:
    """A validated successor lookup: resolve(postcode) says which successor, if any."""

    path: Path
    sha256: str
    layout: str  # ons | simple
    columns: dict[str, str]  # role (key, code, name, terminated) -> the column read
    key_kind: str  # postcode | sector | district | ward | mixed
    rows: int
    successors: list[Successor]
    keys: dict[str, int]  # keys by kind, after wards are turned into postcodes
    malformed: int = 0
    malformed_examples: list[dict[str, Any]] = field(default_factory=list)
    ambiguous: int = 0
    ambiguous_examples: list[dict[str, Any]] = field(default_factory=list)
    terminated: int = 0
    wards: dict[str, Any] | None = None  # the postcode to ward file, for a ward lookup
    _map: dict[str, str | None] = field(default_factory=dict, repr=False)  # None: ambiguous

    def resolve(self, text: object) -> tuple[str | None, str]:
        """(successor code, how): how is the key that matched (postcode, sector, district),
        or why nothing did: malformed, ambiguous, outside (not in the lookup)."""
        cleaned = clean_postcode(text)
        if cleaned is None or cleaned[0] == "ward":
            return None, "malformed"
        kind, value = cleaned
        tries = [(value, kind)]
        if kind == "postcode":
            tries += [(_sector(value), "sector"), (value.split(" ")[0], "district")]
        elif kind == "sector":
            tries.append((value.split(" ")[0], "district"))
        for key, how in tries:
            if key in self._map:
                code = self._map[key]
                return (code, how) if code is not None else (None, "ambiguous")
        return None, "outside"

    def name(self, code: str) -> str:
        return next((s.name for s in self.successors if s.code == code), code)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "layout": self.layout,
            "columns": self.columns,
            "key_kind": self.key_kind,
            "rows": self.rows,
            "keys": self.keys,
            "successors": [s.to_json() for s in self.successors],
            "malformed": self.malformed,
            "malformed_examples": self.malformed_examples,
            "ambiguous": self.ambiguous,
            "ambiguous_examples": self.ambiguous_examples,
            "terminated": self.terminated,
            "wards": self.wards,
        }


def _find(columns: list[str], patterns: Iterable[str]) -> str | None:
    """The first column (by pattern order, then the highest year) matching a pattern."""
    lowered = {c.lower().strip(): c for c in columns}
    for pattern in patterns:
        hits = sorted((c for c in lowered if re.fullmatch(pattern, c)), reverse=True)
        if hits:
            return lowered[hits[0]]
    return None


def _read_csv(path: Path) -> tuple[duckdb.DuckDBPyConnection, list[str], int]:
    if not path.is_file():
        raise HeadwayError(f"There is no lookup file at {path}.", "Give the path of a CSV file.")
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE raw AS SELECT row_number() OVER () + 1 AS line, * FROM "
            "read_csv($p, all_varchar = true, header = true, sample_size = -1)",
            {"p": str(path)},
        )
    except duckdb.Error as exc:
        con.close()
        first = str(exc).strip().splitlines()[0]
        raise HeadwayError(
            f"{path.name} cannot be read as a CSV file ({first}).",
            "Save the lookup as CSV with a header row (UTF-8).",
        ) from None
    columns = [r[0] for r in con.execute("DESCRIBE raw").fetchall()][1:]
    (rows,) = con.execute("SELECT count(*) FROM raw").fetchone() or (0,)
    return con, columns, int(rows)


def _columns(path: Path, columns: list[str]) -> tuple[str, dict[str, str], str]:
    """(layout, role -> column, key kind) by the column names (see the module docstring)."""
    found: dict[str, str] = {}
    key_kind = ""
    for kind, patterns in _KEY_COLUMNS.items():
        column = _find(columns, patterns)
        if column is not None:
            found["key"], key_kind = column, kind
            break
    code, name = _find(columns, _CODE_COLUMNS), _find(columns, _NAME_COLUMNS)
    if code is not None and code != found.get("key"):
        found["code"] = code
    if name is not None and name not in (found.get("key"), found.get("code")):
        found["name"] = name
    terminated = _find(columns, _TERMINATED)
    if terminated:
        found["terminated"] = terminated
    ons = any(
        re.fullmatch(r"pcd[s78]?|pcd2|(lad|wd)[0-9]{2}cd|ladcd|laua|oslaua|osward", c.lower())
        for c in columns
    )
    if "key" not in found:
        generic = _find(columns, _GENERIC_KEY)
        if generic is None and len(columns) == 2 and "code" not in found and "name" not in found:
            generic = columns[0]
            found["name"] = columns[1]
        if generic is not None:
            found["key"], key_kind = generic, "mixed"
    if "key" not in found or not ({"code", "name"} & set(found)):
        raise HeadwayError(
            f"{path.name} has no columns Headway can read as a successor lookup "
            f"(it has: {', '.join(columns[:8])}).",
            "Give a postcode, sector, district or ward column (e.g. pcds, postcode, district, "
            "wd23cd) and the successor's code or name (e.g. lad23cd, lad23nm, successor), or a "
            "two-column CSV: key, successor.",
        )
    return ("ons" if ons else "simple"), found, key_kind


def read_lookup(
    path: Path, codes: dict[str, str] | None = None, wards: Path | None = None
) -> Lookup:
    """Read and validate a successor lookup. `codes` gives an LA code for each successor
    named without one (name -> code); `wards` is the ONS postcode to ward lookup, needed
    when the lookup's key is a ward."""
    con, columns, rows = _read_csv(path)
    try:
        layout, found, key_kind = _columns(path, columns)
        if rows == 0:
            raise HeadwayError(f"{path.name} has a header but no rows.", "Give the full lookup.")
        key = found["key"]
        code_col, name_col = found.get("code"), found.get("name")
        succ = f'trim("{code_col}")' if code_col else f'trim("{name_col}")'
        label = f'trim("{name_col}")' if name_col else succ
        term = f"nullif(trim(\"{found['terminated']}\"), '')" if "terminated" in found else "NULL"
        raw = con.execute(
            f"SELECT line, \"{key}\", nullif({succ}, ''), {label}, {term} IS NOT NULL FROM raw"
        ).fetchall()
        lookup = _build(path, layout, found, key_kind, rows, raw, codes or {})
        if lookup.keys.get("ward") and wards is None:
            raise HeadwayError(
                f"{path.name} maps wards to successors; children's records carry postcodes.",
                "Give the ONS postcode to ward lookup too (--wards FILE, e.g. the Postcode to "
                "OA to ward file), so that each postcode reaches its ward.",
            )
        if wards is not None:
            _add_ward_postcodes(lookup, wards)
        return lookup
    finally:
        con.close()


def _build(
    path: Path,
    layout: str,
    found: dict[str, str],
    key_kind: str,
    rows: int,
    raw: list[tuple[Any, ...]],
    codes: dict[str, str],
) -> Lookup:
    targets: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    malformed: list[dict[str, Any]] = []
    terminated = 0
    for line, key_text, successor, successor_name, ended in raw:
        cleaned = clean_postcode(key_text)
        if cleaned is None or successor is None:
            why = (
                "no successor"
                if cleaned is not None
                else "not a postcode, sector, district or ward"
            )
            malformed.append({"line": int(line), "key": key_text, "problem": why})
            continue
        terminated += bool(ended)
        targets.setdefault(cleaned[1], set()).add(successor)
        names.setdefault(successor, successor_name or successor)
    if not targets:
        raise HeadwayError(
            f"No row of {path.name} could be read: every key is malformed or has no successor "
            f"(line {malformed[0]['line']}: {malformed[0]['key']!r}).",
            "Check that the file is the lookup, with postcodes, sectors, districts or wards.",
        )
    code_of = _codes(path, names, found, codes)
    mapping: dict[str, str | None] = {}
    ambiguous: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for key, successors in sorted(targets.items()):
        if len(successors) > 1:
            ambiguous.append({"key": key, "successors": sorted(code_of[s] for s in successors)})
            mapping[key] = None
        else:
            code = code_of[next(iter(successors))]
            mapping[key] = code
            counts[code] = counts.get(code, 0) + 1
    _derive_areas(mapping)
    kinds: dict[str, int] = {}
    for key in targets:
        kind = (clean_postcode(key) or ("?", ""))[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    found_successors = sorted(
        {Successor(code_of[s], names[s], counts.get(code_of[s], 0)) for s in names},
        key=lambda s: (s.name, s.code),
    )
    return Lookup(
        path=path.resolve(),
        sha256=file_sha256(path),
        layout=layout,
        columns=found,
        key_kind=key_kind,
        rows=rows,
        successors=found_successors,
        keys=kinds,
        malformed=len(malformed),
        malformed_examples=malformed[:EXAMPLES],
        ambiguous=len(ambiguous),
        ambiguous_examples=ambiguous[:EXAMPLES],
        terminated=terminated,
        _map=mapping,
    )


def _codes(
    path: Path, names: dict[str, str], found: dict[str, str], given: dict[str, str]
) -> dict[str, str]:
    """The LA code of each successor value: the value itself when the lookup gives codes,
    else the code given for its name (--code NAME=CODE)."""
    out: dict[str, str] = {}
    missing: list[str] = []
    for value, name in names.items():
        if "code" in found:
            out[value] = value
            continue
        code = given.get(name) or given.get(value)
        if code is None:
            try:
                code = validate_la_code(value)
            except HeadwayError:
                missing.append(name)
                continue
        out[value] = code
    if missing:
        raise HeadwayError(
            f"{path.name} names successors without an LA code: {', '.join(sorted(missing))}.",
            "Add a successor_code column, or give each one with --code 'NAME=CODE' (the ONS "
            "code once issued; until then a placeholder such as E06999901).",
        )
    for value, code in out.items():
        try:
            out[value] = validate_la_code(code)
        except HeadwayError:
            raise HeadwayError(
                f"Successor {names[value]!r} has the code {code!r}, which is not an LA code.",
                "Use an ONS code (E06, E08, E09 or E10 and six digits) or a 3-digit DfE number.",
            ) from None
    return out


def _derive_areas(mapping: dict[str, str | None]) -> None:
    """Sectors and districts the lookup does not list, resolved when every postcode (or
    sector) it lists in them goes to one successor."""
    for level in ("sector", "district"):
        votes: dict[str, set[str | None]] = {}
        for key, code in list(mapping.items()):
            kind = (clean_postcode(key) or ("?", ""))[0]
            if level == "sector" and kind == "postcode":
                votes.setdefault(_sector(key), set()).add(code)
            elif level == "district" and kind in ("postcode", "sector"):
                votes.setdefault(key.split(" ")[0], set()).add(code)
        for area, codes in votes.items():
            if area not in mapping and len(codes) == 1 and None not in codes:
                mapping[area] = next(iter(codes))


def _add_ward_postcodes(lookup: Lookup, wards: Path) -> None:
    """Postcodes from the ONS postcode to ward lookup, each to its ward's successor."""
    con, columns, _rows = _read_csv(wards)
    try:
        pc = _find(columns, _KEY_COLUMNS["postcode"])
        wd = _find(columns, _KEY_COLUMNS["ward"])
        if pc is None or wd is None:
            raise HeadwayError(
                f"{wards.name} has no postcode and ward columns (e.g. pcds and wd23cd).",
                "Give the ONS postcode to ward lookup as published.",
            )
        pairs = con.execute(f'SELECT "{pc}", "{wd}" FROM raw').fetchall()
    finally:
        con.close()
    added = 0
    for postcode, ward in pairs:
        p, w = clean_postcode(postcode), clean_postcode(ward)
        if p is None or p[0] != "postcode" or w is None or w[1] not in lookup._map:
            continue
        code = lookup._map[w[1]]
        if p[1] in lookup._map and lookup._map[p[1]] != code:
            lookup._map[p[1]] = None
        else:
            lookup._map[p[1]] = code
            added += 1
    _derive_areas(lookup._map)
    lookup.keys["postcode"] = lookup.keys.get("postcode", 0) + added
    lookup.wards = {
        "path": str(wards.resolve()),
        "sha256": file_sha256(wards),
        "postcodes": added,
        "columns": {"key": pc, "ward": wd},
    }
