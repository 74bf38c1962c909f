"""Build the standards catalogue from the reference specifications: a development step.

    python -m headway.standards.build [--reference DIR] [--out FILE] [--check]

reads ../shared/reference (CIN census XSDs, SSDA903 specs, SSD objects, the Annex A data
map), adds Headway's documented additions (additions.yaml; CIN census years after 2024 come
from headway.standards.cin_schema), and writes catalogue.json beside this module. The file
holds facts only (names, types, codes, version ranges, definitions) and is committed: the
reference files are not the project's and are never on an LA's machine. tests/test_standards
rebuilds it and checks it matches. Item codes and Annex A headings come from Headway's own
mappings (src/headway/ingest/mappings.yaml), so a change there needs a rebuild too.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from headway.ingest.mapping import mappings
from headway.standards import annex_a_spec, cin_xsd, diff, ssd_spec, ssda903_spec
from headway.standards.additions import Plan, apply_903, plans
from headway.standards.catalogue import CATALOGUE_FILE
from headway.standards.cin_schema import derive_xsd
from headway.standards.spec import (
    ENTRY_FIELDS,
    Entry,
    Facts,
    Span,
    Standard,
    Version,
    standard_to_json,
)

REPO = Path(__file__).resolve().parents[3]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
FIRST_YEAR = 2017
LAST_REFERENCE_YEAR = 2024
CURRENT = "current"  # the one version of the SSD and of Annex A
# DfE item codes of CIN elements that Headway does not map to the model (statutory-data.md).
EXTRA_CIN_ITEM_CODES = {"ReferenceDate": "N00603"}
SSD_SOURCE = "ssd/objects/ssd_*.yml (data-to-insight/ssd-data-model, commit 4987c73)"
ANNEX_A_SOURCE = (
    "annex_a/data-map.yml (SocialFinanceDigitalLabs/liia-tools, commit 0dd821c) for codes; "
    "headings as Headway reads them (src/headway/ingest/mappings.yaml)"
)

Snapshots = dict[str, dict[str, Facts]]


# --- entries from snapshots -----------------------------------------------------------------


def _order(versions: Sequence[str], snaps: Snapshots) -> list[str]:
    """Entry ids in the newest version's order; an entry a later version dropped goes
    after the entry it followed in the last version that had it."""
    order: list[str] = []
    for version in reversed(versions):
        previous: str | None = None
        for entry_id in snaps[version]:
            if entry_id not in order:
                order.insert(order.index(previous) + 1 if previous else 0, entry_id)
            previous = entry_id
    return order


def _spans(entry_id: str, versions: Sequence[str], snaps: Snapshots) -> tuple[Span, ...]:
    spans: list[Span] = []
    open_: Span | None = None
    for version in versions:
        facts = snaps[version].get(entry_id)
        if open_ is not None and facts == open_.facts:
            open_ = Span(open_.first, version, facts)
            continue
        if open_ is not None:
            spans.append(open_)
        open_ = None if facts is None else Span(version, version, facts)
    if open_ is not None:
        spans.append(open_)
    heads = {tuple(getattr(s.facts, f) for f in ENTRY_FIELDS) for s in spans}
    if len(heads) != 1:
        raise ValueError(f"{entry_id} changes kind, name or item code between versions: {heads}")
    return tuple(spans)


def entries(
    standard: str,
    versions: Sequence[str],
    snaps: Snapshots,
    aliases: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[Entry, ...]:
    names = aliases or {}
    out = []
    for entry_id in _order(versions, snaps):
        name = entry_id.split(":", 1)[1]
        out.append(
            Entry(entry_id, standard, _spans(entry_id, versions, snaps), names.get(name, ()))
        )
    return tuple(out)


# --- each standard --------------------------------------------------------------------------


def _years(plan: Plan) -> list[str]:
    return [str(y) for y in range(FIRST_YEAR, LAST_REFERENCE_YEAR + 1)] + list(plan.versions)


def _reference_versions(folder: str, pattern: str, derived: Plan) -> list[Version]:
    out = []
    for year in _years(derived):
        if int(year) <= LAST_REFERENCE_YEAR:
            out.append(Version(year, "reference", f"{folder}/{pattern.format(year)}"))
        else:
            source = (
                f"{folder}/{pattern.format(derived.derived_from)} with Headway's documented "
                "additions (headway.standards.additions.yaml)"
            )
            out.append(Version(year, "derived", source))
    return out


def cin_item_codes() -> dict[str, str]:
    """Element name -> DfE item code, from Headway's CIN mappings and the extra codes."""
    codes = dict(EXTRA_CIN_ITEM_CODES)
    for record in mappings("cin_census").values():
        for f in record.fields:
            if f.item and codes.setdefault(f.source, f.item) != f.item:
                raise ValueError(f"{f.source} has two item codes: {codes[f.source]}, {f.item}")
    return codes


def cin_census(reference: Path) -> Standard:
    plan = plans()["cin_census"]
    texts: dict[str, str] = {}
    for year in _years(plan):
        if int(year) <= LAST_REFERENCE_YEAR:
            path = reference / "cin_census" / f"CIN_schema_{year}.xsd"
            texts[year] = path.read_text(encoding="utf-8")
        else:
            texts[year] = derive_xsd(texts[plan.derived_from], int(year))
    snaps = cin_xsd.snapshots(texts, cin_item_codes())
    return Standard(
        id="cin_census",
        title="CIN census",
        description="Children in need census (DfE), XML, one file per LA per collection year.",
        versions=tuple(_reference_versions("cin_census", "CIN_schema_{}.xsd", plan)),
        entries=entries("cin_census", list(texts), snaps),
        additions=plan.additions,
    )


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def ssda903(reference: Path) -> Standard:
    plan = plans()["ssda903"]
    snaps: Snapshots = {}
    for year in _years(plan):
        if int(year) <= LAST_REFERENCE_YEAR:
            spec = _yaml(reference / "ssda903" / f"SSDA903_schema_{year}.yml")
            snaps[year] = ssda903_spec.snapshot(spec)
        else:
            snaps[year] = apply_903(snaps[plan.derived_from], plan, year)
    return Standard(
        id="ssda903",
        title="SSDA903",
        description="Children looked after return (DfE), CSV tables or XML, per collection year.",
        versions=tuple(_reference_versions("ssda903", "SSDA903_schema_{}.yml", plan)),
        entries=entries("ssda903", list(snaps), snaps, ssda903_spec.ALIASES),
        additions=plan.additions,
    )


def ssd(reference: Path) -> Standard:
    nodes = []
    for path in sorted((reference / "ssd" / "objects").glob("ssd_*.yml")):
        nodes += _yaml(path)["nodes"]
    return Standard(
        id="ssd",
        title="Standard Safeguarding Dataset",
        description="D2I's national child-level data model: tables, fields and item refs.",
        versions=(Version(CURRENT, "reference", SSD_SOURCE),),
        entries=entries("ssd", [CURRENT], {CURRENT: ssd_spec.snapshot(nodes)}),
    )


def annex_a_headings() -> dict[str, list[annex_a_spec.Heading]]:
    """Headway's Annex A headings and their other spellings, list by list."""
    text = resources.files("headway.ingest").joinpath("mappings.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)["annex_a"]
    return {
        str(name): [
            (str(h), tuple(str(a) for a in (body.get("also") or ())))
            for h, body in lst["fields"].items()
        ]
        for name, lst in spec.items()
    }


def annex_a(reference: Path) -> Standard:
    snap = annex_a_spec.snapshot(_yaml(reference / "annex_a" / "data-map.yml"), annex_a_headings())
    return Standard(
        id="annex_a",
        title="Ofsted ILACS Annex A",
        description="The lists Ofsted asks for at an inspection of LA children's services.",
        versions=(Version(CURRENT, "reference", ANNEX_A_SOURCE),),
        entries=entries("annex_a", [CURRENT], {CURRENT: snap}),
    )


# --- checks and output ----------------------------------------------------------------------


def check_additions(std: Standard) -> None:
    """Every change a derived version makes must be one a documented addition names."""
    names = std.version_names
    for before, after in itertools.pairwise(names):
        if std.versions[std.position(after)].basis != "derived":
            continue
        for change in diff.compare(std, before, after).changes:
            if change.basis == "reference":
                raise ValueError(
                    f"{std.id} {after} changes {change.id} ({change.change}) but no addition "
                    "in additions.yaml names it"
                )


def build(reference: Path) -> dict[str, Any]:
    """The catalogue as JSON-ready data, from the reference folder."""
    if not reference.is_dir():
        raise FileNotFoundError(f"no reference folder at {reference}")
    standards = [cin_census(reference), ssda903(reference), ssd(reference), annex_a(reference)]
    for std in standards:
        check_additions(std)
    return {
        "about": (
            "Headway's standards catalogue, derived from public specifications by "
            "python -m headway.standards.build. Do not edit by hand."
        ),
        "standards": [standard_to_json(s) for s in standards],
    }


def render(data: Mapping[str, Any]) -> str:
    """The catalogue file's text: one standard entry per line, so changes diff well in git."""
    lines = ["{", f' "about": {json.dumps(data["about"])},', ' "standards": [']
    for i, std in enumerate(data["standards"]):
        head = {k: v for k, v in std.items() if k != "entries"}
        body = json.dumps(head, ensure_ascii=False)[:-1]
        lines.append(f'  {body}, "entries": [')
        rows = [json.dumps(e, ensure_ascii=False) for e in std["entries"]]
        lines += [f"   {row}," for row in rows[:-1]] + [f"   {rows[-1]}"]
        lines.append("  ]}" + ("," if i < len(data["standards"]) - 1 else ""))
    lines += [" ]", "}"]
    return "\n".join(lines) + "\n"


def default_output() -> Path:
    return Path(__file__).resolve().parent / CATALOGUE_FILE


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m headway.standards.build", description=__doc__)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=default_output())
    parser.add_argument("--check", action="store_true", help="fail if the file is not current")
    args = parser.parse_args(argv)
    text = render(build(args.reference))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is not current: run python -m headway.standards.build")
            return 1
        print(f"{args.out} is current")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text):,} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
