"""The reorganisation demo: a synthetic county split into two successors, and two synthetic
LAs merged, each with its reconciliation report.

`run_reorg_demo(out, county=...)` splits the given county workspace (the main demo's, whose
LA 201 children live in postcode area LE) with a synthetic ONS-layout lookup (districts
LE1-10 to North Synthshire, LE11-20 to South Synthshire), or a small county of its own when
none is given. The merge makes two neighbouring synthetic LAs (202 and 203) and moves a
share of the first's children to the second (the second's local extract then carries them
under its own ids, with a new address), so the linkage has true matches to find; the
summary gives its precision and recall against that truth.
"""

from __future__ import annotations

import csv
import random
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.ingest import ingest
from headway.outputs.annex_a import default_as_at
from headway.reorg.link import evaluate
from headway.reorg.lookup import read_lookup
from headway.reorg.merge import MergeReport, merge
from headway.reorg.plan import make_plan, write_plan
from headway.reorg.split import SplitReport, split
from headway.reorg.synth_lookup import area_of, write_lookup
from headway.synth import synthesise
from headway.synth.address import UNIT_LETTERS
from headway.synth.codes import REFERRAL_SOURCE_LABEL
from headway.synth.local import OUTCOME_JSON
from headway.workspace import Workspace

DEMO_SEED = 2027
COUNTY_LA = "201"
MERGE_LAS = ("202", "203")
MERGE_YEAR = 2026
MOVED = 0.1  # share of the first LA's children also known to the second


@dataclass
class ReorgDemo:
    split: SplitReport
    merge: MergeReport
    quality: dict[str, float]  # precision and recall of the merge's linkage
    folder: Path

    def render(self, out: Console) -> None:
        s = self.split
        t = Table(
            "Successor", "Children", title=f"Split of {escape(s.predecessor)}", title_justify="left"
        )
        for p in s.parts:
            t.add_row(escape(p.label), f"{p.children:,}")
        out.print(t)
        ok = (
            "[green]reconciles[/]" if not s.reconciliation.differs else "[red]does not reconcile[/]"
        )
        rules = ", ".join(f"{r.replace('_', ' ')} {n:,}" for r, n in s.summary["by_rule"].items())
        out.print(
            f"Assignment: {rules}. Every table, return, Annex A list and count measure: "
            f"predecessor = successors + unassigned: {ok} "
            f"({len(s.reconciliation.lines):,} figures)."
        )
        m = self.merge
        lk = m.linkage
        ok = (
            "[green]reconciles[/]" if not m.reconciliation.differs else "[red]does not reconcile[/]"
        )
        out.print(
            f"Merge of LAs {' and '.join(m.sources)}: {m.merged['children']:,} children, "
            f"{lk['children_in_more_than_one_source']:,} linked across them (threshold "
            f"{lk['threshold']:g}, precision {self.quality['precision']:.3f}, recall "
            f"{self.quality['recall']:.3f}), {lk['review']:,} pairs for clerical review; "
            f"{ok}."
        )
        out.print(
            f"Reorganisation reports: {escape(str(s.out / 'reconciliation.csv'))} and "
            f"{escape(str(m.out / 'outputs' / 'reorg' / 'reconciliation.csv'))}"
        )


def run_reorg_demo(
    out: Path,
    county: Path | None = None,
    children: int = 600,
    console: Console | None = None,
    show: Console | None = None,
) -> ReorgDemo:
    """Split `county` (a workspace of synthetic LA 201; made here with `children` children
    when None) into two successors and merge two synthetic LAs, under `out`."""
    status = console or Console(stderr=True)
    for stale in ("split", "merged", "county", "las", "lookup", "plan.json"):
        target = out / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    with status.status("Reorganisation: preparing the county ..."):
        ws = Workspace.open(county) if county else _county(out / "county", children)
        lookup = read_lookup(write_lookup(out / "lookup" / "successor_lookup.csv", ws.la_code))
        with ws.connect(read_only=True) as con:
            reference = default_as_at(con)
        plan = make_plan(lookup, reference, ws)
        write_plan(plan, out / "plan.json")
    with status.status("Reorganisation: splitting the county into two successors ...") as st:
        split_report = split(ws, plan, out / "split", lambda text: st.update(f"Split: {text} ..."))
    with status.status("Reorganisation: merging two synthetic LAs ...") as st:
        sources, truth = _two_las(out / "las", children // 2)
        merge_report = merge(
            sources, out / "merged", step=lambda text: st.update(f"Merge: {text} ...")
        )
    assert merge_report.result is not None  # merge always returns its linkage
    quality = evaluate(merge_report.result, truth)
    demo = ReorgDemo(split_report, merge_report, quality, out)
    if show is not None:
        demo.render(show)
    return demo


def _county(folder: Path, children: int) -> Workspace:
    returns = folder / "returns"
    manifest = synthesise(returns, children, [2025, 2026], DEMO_SEED, COUNTY_LA)
    ws = Workspace.create(folder / "workspace", COUNTY_LA, "Synthshire County (synthetic)")
    for year in (2025, 2026):
        ingest(ws, [returns / f["path"] for f in manifest["years"][str(year)]])
    return ws


def _two_las(folder: Path, children: int) -> tuple[list[Workspace], list[tuple[Any, Any]]]:
    """Two synthetic LAs, a share of the first's children also known to the second."""
    a, b = MERGE_LAS
    made = {}
    for i, la in enumerate(MERGE_LAS):
        made[la] = synthesise(folder / la, children, [MERGE_YEAR], DEMO_SEED + i + 1, la)
    first = Workspace.create(folder / f"ws-{a}", a, f"Synthetic LA {a}")
    ingest(first, [folder / a / f["path"] for f in made[a]["years"][str(MERGE_YEAR)]])
    truth = _move_children(first, folder / b / str(MERGE_YEAR) / "local", b)
    second = Workspace.create(folder / f"ws-{b}", b, f"Synthetic LA {b}")
    files = [folder / b / f["path"] for f in made[b]["years"][str(MERGE_YEAR)]]
    ingest(second, [*files, folder / b / str(MERGE_YEAR) / "local" / "ssd_person.csv"])
    return [first, second], [((a, old), (b, new)) for old, new in truth]


def _move_children(src: Workspace, local: Path, dest: str) -> list[tuple[str, str]]:
    """Add to the second LA's local extract a share of the first LA's children, under new
    ids, with a new address in its own area and a contact: (old id, new id) pairs."""
    rng = random.Random(DEMO_SEED)
    with src.connect(read_only=True) as con:
        people = con.execute("""
            SELECT pers_person_id, any_value(pers_upn), any_value(pers_dob),
              any_value(pers_sex), any_value(pers_ethnicity)
            FROM ssd_person GROUP BY 1 ORDER BY 1""").fetchall()
    chosen = [p for p in people if rng.random() < MOVED]
    area = area_of(dest)
    truth = []
    person_rows, address_rows, contact_rows = [], [], []
    for n, (old, upn, dob, sex, ethnicity) in enumerate(chosen):
        new = f"C{dest}9{n + 1:06d}"
        truth.append((old, new))
        moved = date(MERGE_YEAR - 1, 4, 1).toordinal() + rng.randint(0, 300)
        seen = date.fromordinal(moved + rng.randint(5, 60))
        upn_kept = upn if rng.random() > 0.05 else ""
        person_rows.append(
            [new, upn_kept or "", dob.isoformat() if dob else "", sex or "", ethnicity or ""]
        )
        unit = rng.choice(UNIT_LETTERS) + rng.choice(UNIT_LETTERS)
        postcode = f"{area}{rng.randint(1, 20)} {rng.randint(0, 9)}{unit}"
        address_rows.append(
            [f"{new}-A1", new, "HOME", date.fromordinal(moved).isoformat(), "", postcode]
        )
        contact_rows.append(
            [
                f"{new}-K1",
                new,
                seen.isoformat(),
                "1A",
                REFERRAL_SOURCE_LABEL["1A"],
                OUTCOME_JSON["advice"],
            ]
        )
    _write(
        local / "ssd_person.csv",
        ["pers_person_id", "pers_upn", "pers_dob", "pers_sex", "pers_ethnicity"],
        person_rows,
    )
    _append(local / "ssd_address.csv", address_rows)
    _append(local / "ssd_contacts.csv", contact_rows)
    return truth


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _append(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
