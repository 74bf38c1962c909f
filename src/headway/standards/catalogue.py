"""The catalogue of every data item Headway knows, and looking things up in it.

The catalogue is catalogue.json beside this module: facts derived from the reference
specifications by `python -m headway.standards.build` and committed, so an LA's machine
needs nothing else. Standards: cin_census and ssda903 (collection years 2017 to 2027; years
after 2024 are Headway's documented additions), ssd and annex_a (one version each, named
"current"). Where items land in the standard model is worked out from Headway's mappings
when first asked (headway.standards.landing).

Item ids: cin_census:N00100 (DfE item code) or cin_census:LEA (element name, Block.Element
where the name is in more than one block); ssda903:Episodes.DECOM; ssd:CINE003A (item_ref);
annex_a:List 3.Date of referral. Blocks, tables and lists: cin_census:CINPlanDates,
ssda903:SWEpisodes, ssd:ssd_cin_episodes, annex_a:List 3.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from headway.errors import HeadwayError
from headway.standards.landing import Landing, collection_names, landing
from headway.standards.spec import Addition, Entry, Standard, standard_from_json
from headway.standards.ssda903_spec import TABLE_NAMES

CATALOGUE_FILE = "catalogue.json"
REBUILD = "Run: python -m headway.standards.build (needs ../shared/reference)."


@dataclass
class Catalogue:
    standards: dict[str, Standard]
    _landing: Landing | None = field(default=None, repr=False)

    @property
    def landing(self) -> Landing:
        if self._landing is None:
            self._landing = landing(self.standards.values())
        return self._landing

    def standard(self, name: str) -> Standard:
        found = self.standards.get(name.strip().lower())
        if found is None:
            raise HeadwayError(
                f"There is no standard called '{name}'.",
                f"Use one of: {', '.join(self.standards)}.",
            )
        return found

    def version(self, std: Standard, version: str | int | None) -> str:
        """A version of `std` as the catalogue names it; None means the latest."""
        if version is None:
            return std.version_names[-1]
        text = str(version).strip()
        if text not in std.version_names:
            names = std.version_names
            span = names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"
            raise HeadwayError(f"{std.id} has no version '{version}'.", f"Its versions are {span}.")
        return text

    def entry(self, std: Standard, key: str) -> Entry:
        """An entry by id, by id without the standard, by name, item code or alias."""
        wanted = _headway_name(std, key.strip())
        for candidate in (wanted, f"{std.id}:{wanted}"):
            for e in std.entries:
                if e.id == candidate:
                    return e
        found = [e for e in std.entries if wanted in _names(e)]
        if not found:
            low = wanted.lower()
            found = [e for e in std.entries if low in {n.lower() for n in _names(e)}]
        if len(found) == 1:
            return found[0]
        if found:
            raise HeadwayError(
                f"'{key}' is more than one entry of {std.id}.",
                f"Name one by its id: {', '.join(e.id for e in found)}.",
            )
        raise HeadwayError(
            f"{std.id} has no item or block '{key}'.",
            f"See the list: headway standard show {std.id}.",
        )

    def additions(self, entry: Entry) -> tuple[Addition, ...]:
        """Headway's additions that make or change this entry (its basis and why)."""
        std = self.standards[entry.standard]
        within = {w for s in entry.spans for w in s.facts.within}
        return tuple(
            a
            for a in std.additions
            if any(t == entry.id or t in within or t.startswith(entry.id + "#") for t in a.targets)
        )

    def columns(self, entry: Entry) -> tuple[str, ...]:
        """The standard-model columns (table.column) an item lands in."""
        return self.landing.columns.get(entry.id, ())

    def tables(self, entry: Entry) -> tuple[str, ...]:
        """The standard-model tables a block, table or list lands in."""
        return self.landing.tables.get(entry.id, ())

    def items_in(self, column: str) -> tuple[str, ...]:
        """The ids of every item, of any standard, that lands in a `table.column`."""
        return self.landing.by_column.get(column, ())

    def related(self, entry: Entry) -> tuple[str, ...]:
        """Items of any standard that land in the same column as this one."""
        return self.landing.related(entry.id)

    def collections(self, entry: Entry) -> tuple[str, ...]:
        """The collections that carry the item: its own, others landing in the same column,
        and the returns the SSD names for its fields."""
        found = [entry.standard]
        found += [r.split(":", 1)[0] for r in self.related(entry)]
        for span in entry.spans:
            found += collection_names(span.facts.returns)
        return tuple(dict.fromkeys(found))


def _names(entry: Entry) -> set[str]:
    names = {entry.name, entry.id.split(":", 1)[1], *entry.aliases}
    if entry.item_code:
        names.add(entry.item_code)
    for span in entry.spans:
        names.update(span.facts.paths)
    return names


def _headway_name(std: Standard, key: str) -> str:
    """SocialWorker.SW_ID -> SWEpisodes.SW_ID: the spec's own table names work too."""
    if std.id != "ssda903":
        return key
    for spec_name, headway in TABLE_NAMES.items():
        if key == spec_name or key.startswith(spec_name + "."):
            return headway + key[len(spec_name) :]
    return key


def parse(text: str) -> Catalogue:
    data = json.loads(text)
    return Catalogue({s["id"]: standard_from_json(s) for s in data["standards"]})


@cache
def load() -> Catalogue:
    """The committed catalogue (read once)."""
    try:
        text = resources.files("headway.standards").joinpath(CATALOGUE_FILE).read_text("utf-8")
    except FileNotFoundError:
        raise HeadwayError("The standards catalogue is missing.", REBUILD) from None
    return parse(text)
