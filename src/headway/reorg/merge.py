"""Merge several predecessor workspaces into one (docs/reorg.md).

The children of every predecessor are linked with Splink (link.py); each cluster of records
that are one child becomes one child of the merged workspace, with one person id: the id
it had in the first predecessor (in the order given) that knew it, or, when another child
already has that id, the id prefixed with its source (`201:C123`). Every row of every
predecessor is copied with its person ids rewritten and its load ids moved past the
previous predecessors' (so loads never collide); every source identifier is kept in the
crosswalk table `hw_reorg_crosswalk` (and crosswalk.csv), with the match probability of
each linked record. The linked pairs, the clerical review list and the threshold are
reported, and every figure of the merged workspace is reconciled with the sum of the
predecessors': equal for rows, and less by the children linked for counts of children.

All or nothing, like the split: built beside the output folder and renamed into place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
from rich.console import Console
from rich.markup import escape

from headway.errors import HeadwayError
from headway.model.schema import tables
from headway.outputs.annex_a import default_as_at
from headway.reorg.figures import BOOKKEEPING, Figures, Reconciliation, figures, reconcile
from headway.reorg.link import Linkage, LinkSettings, link, people_frame
from headway.reorg.split import attach, building, reset_load_sequence, shared_columns
from headway.workspace import Workspace

Step = Callable[[str], None]
CROSSWALK = "hw_reorg_crosswalk"
CROSSWALK_DDL = f"""
CREATE TABLE IF NOT EXISTS {CROSSWALK} (
    merged_person_id VARCHAR NOT NULL,  -- the child's id in the merged workspace
    source VARCHAR NOT NULL,            -- the predecessor (its LA code)
    source_la_name VARCHAR NOT NULL,
    source_workspace VARCHAR NOT NULL,  -- the predecessor workspace folder
    source_person_id VARCHAR NOT NULL,  -- the child's id in that predecessor
    cluster_id INTEGER NOT NULL,        -- the linkage cluster: one child
    linked BOOLEAN NOT NULL,            -- known to more than one predecessor
    match_probability DOUBLE            -- the best linked pair this record is in
)"""


@dataclass
class MergeReport:
    out: Path
    sources: dict[str, dict[str, Any]]
    merged: dict[str, Any]
    linkage: dict[str, Any]
    reconciliation: Reconciliation
    files: dict[str, str]
    result: Linkage | None = None  # the linkage itself (clusters, pairs, review)

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "sources": self.sources,
            "merged": self.merged,
            "linkage": self.linkage,
            "reconciles": not self.reconciliation.differs,
            "reconciliation": self.reconciliation.summary_json(),
            "files": self.files,
        }

    def render(self, out: Console) -> None:
        lk = self.linkage
        srcs = ", ".join(
            f"{escape(s['la_name'])} ({k}) {s['children']:,}" for k, s in self.sources.items()
        )
        out.print(
            f"Merged {srcs} children into {escape(self.merged['la_name'])} "
            f"({self.merged['la_code']}): {self.merged['children']:,} children, "
            f"{lk['children_in_more_than_one_source']:,} known to more than one "
            f"predecessor."
        )
        out.print(
            f"Linkage: threshold {lk['threshold']:g}, {lk['linked_pairs']:,} linked pairs, "
            f"{lk['review']:,} pairs for clerical review, {lk['comparisons']:,} pairs "
            f"compared on {', '.join(lk['fields'])}; m from {lk['m_from']}."
        )
        self.reconciliation.render(out)
        out.print(f"Written to {escape(str(self.out))}: " + ", ".join(self.files.values()))


def _labels(workspaces: Sequence[Workspace]) -> list[str]:
    codes = [w.la_code for w in workspaces]
    return [c if codes.count(c) == 1 else f"{c}-{i + 1}" for i, c in enumerate(codes)]


def merge(
    workspaces: Sequence[Workspace],
    out: Path,
    la_code: str | None = None,
    la_name: str | None = None,
    settings: LinkSettings = LinkSettings(),
    step: Step | None = None,
) -> MergeReport:
    """Merge `workspaces` into one new workspace at `out` (see the module doc)."""
    say = step or (lambda _text: None)
    if len(workspaces) < 2:
        raise HeadwayError(
            "A merge needs two or more workspaces.",
            "Give each predecessor's workspace: --workspaces A B ...",
        )
    paths = [w.path.resolve() for w in workspaces]
    if len(set(paths)) < len(paths):
        raise HeadwayError("The same workspace is given twice.", "Give each predecessor once.")
    labels = _labels(workspaces)
    say("Reading each predecessor's children")
    frames = {}
    for label, ws in zip(labels, workspaces, strict=True):
        with ws.connect(read_only=True) as con:
            frames[label] = people_frame(con, label)
    say(f"Linking children across predecessors (threshold {settings.threshold:g})")
    linkage = link(frames, settings)
    crosswalk = _crosswalk(linkage, labels, workspaces)
    code = la_code or workspaces[0].la_code
    name = la_name or "Merged: " + " + ".join(w.la_name for w in workspaces)
    with building(out) as tmp:
        say("Copying every predecessor's rows")
        ws = Workspace.create(tmp, code, name)
        _fill(ws, workspaces, labels, crosswalk)
        reports = ws.outputs / "reorg"
        reports.mkdir(parents=True)
        files = _write_linkage(reports, linkage, crosswalk)
        with ws.connect(read_only=True) as con:
            as_at = default_as_at(con)
        found: dict[str, Figures] = {}
        for label, src in zip(labels, workspaces, strict=True):
            say(f"Recomputing measures and Annex A for {src.la_name}")
            found[label] = figures(src, as_at, reports / f"annex_a_{label}.xlsx")
        say(f"Recomputing measures and Annex A for {name}")
        merged = figures(ws, as_at, ws.outputs / "annex_a.xlsx")
        duplicates = crosswalk.num_rows - len(set(crosswalk["cluster_id"].to_pylist()))
        rec = reconcile("merge", f"{name} ({code})", merged, found, linked=duplicates)
        files["reconciliation"] = rec.write_csv(reports / "reconciliation.csv").name
        files["reconciliation_json"] = rec.write_json(reports / "reconciliation.json").name
        children = {
            lb: int(found[lb].values[("children", "children", None, None)][0] or 0) for lb in labels
        }
        report = MergeReport(
            out=out,
            sources={
                lb: {
                    "la_code": w.la_code,
                    "la_name": w.la_name,
                    "workspace": str(w.path),
                    "children": children[lb],
                }
                for lb, w in zip(labels, workspaces, strict=True)
            },
            merged={
                "la_code": code,
                "la_name": name,
                "workspace": str(out),
                "children": int(merged.values[("children", "children", None, None)][0] or 0),
                "annex_a_as_at": as_at.isoformat(),
            },
            linkage=linkage.summary(),
            reconciliation=rec,
            files={k: f"outputs/reorg/{v}" for k, v in files.items()},
            result=linkage,
        )
        report.files["report"] = "outputs/reorg/merge_report.json"
        (reports / "merge_report.json").write_text(
            json.dumps(report.to_json(), indent=2, default=str) + "\n", "utf-8"
        )
    return report


def _crosswalk(linkage: Linkage, labels: list[str], workspaces: Sequence[Workspace]) -> pa.Table:
    """Every source record with its merged person id (see the module doc)."""
    order = {lb: i for i, lb in enumerate(labels)}
    info = dict(zip(labels, workspaces, strict=True))
    best: dict[tuple[str, str], float] = {}
    p = linkage.pairs.to_pydict()
    for sl, rl, sr, rr, prob in zip(
        p["source_l"],
        p["record_id_l"],
        p["source_r"],
        p["record_id_r"],
        p["match_probability"],
        strict=True,
    ):
        for key in ((sl, rl), (sr, rr)):
            best[key] = max(best.get(key, 0.0), float(prob))
    c = linkage.clusters.to_pydict()
    members: dict[int, list[tuple[str, str]]] = {}
    for source, record, cluster in zip(c["source"], c["record_id"], c["cluster_id"], strict=True):
        members.setdefault(int(cluster), []).append((source, record))
    taken: set[str] = set()
    rows: list[dict[str, Any]] = []
    firsts = {cl: min(ms, key=lambda m: (order[m[0]], m[1])) for cl, ms in members.items()}
    # ids kept as they are first, so a prefixed id is only ever the second claimant's
    wanted = sorted(firsts.items(), key=lambda kv: (order[kv[1][0]], kv[1][1]))
    merged_id: dict[int, str] = {}
    for cluster, (source, record) in wanted:
        mid = record if record not in taken else f"{source}:{record}"
        taken.add(mid)
        merged_id[cluster] = mid
    for cluster, ms in sorted(members.items()):
        for source, record in sorted(ms, key=lambda m: (order[m[0]], m[1])):
            ws = info[source]
            rows.append(
                {
                    "merged_person_id": merged_id[cluster],
                    "source": source,
                    "source_la_name": ws.la_name,
                    "source_workspace": str(ws.path),
                    "source_person_id": record,
                    "cluster_id": cluster,
                    "linked": len(ms) > 1,
                    "match_probability": best.get((source, record)),
                }
            )
    schema = pa.schema(
        [
            ("merged_person_id", pa.string()),
            ("source", pa.string()),
            ("source_la_name", pa.string()),
            ("source_workspace", pa.string()),
            ("source_person_id", pa.string()),
            ("cluster_id", pa.int32()),
            ("linked", pa.bool_()),
            ("match_probability", pa.float64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _fill(
    ws: Workspace, workspaces: Sequence[Workspace], labels: list[str], crosswalk: pa.Table
) -> None:
    with ws.connect() as con:
        con.execute(CROSSWALK_DDL)
        con.register("crosswalk_arrow", crosswalk)
        con.execute(f"INSERT INTO {CROSSWALK} SELECT * FROM crosswalk_arrow")
        con.unregister("crosswalk_arrow")
        offset = 0
        for i, (label, src) in enumerate(zip(labels, workspaces, strict=True)):
            alias = f"src{i}"
            attach(con, src.database, alias)
            con.begin()
            _copy_source(con, alias, label, offset)
            con.commit()
            (top,) = con.execute(
                f"SELECT coalesce(max(load_id), 0) FROM {alias}.hw_loads"
            ).fetchone() or (0,)
            offset += int(top)
            con.execute(f"DETACH {alias}")
        reset_load_sequence(con)


def _copy_source(con: duckdb.DuckDBPyConnection, alias: str, label: str, offset: int) -> None:
    """Every row of one predecessor, person ids through the crosswalk, load ids moved on."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE idmap AS SELECT source_person_id AS old, "
        f"merged_person_id AS new FROM {CROSSWALK} WHERE source = ?",
        [label],
    )
    for name, t in tables().items():
        cols = [c.strip('"') for c in shared_columns(con, alias, name).split(", ")]
        exprs = []
        for c in cols:
            if c.endswith("_person_id"):
                exprs.append(
                    f'coalesce((SELECT new FROM idmap WHERE old = CAST(x."{c}" AS '
                    f'VARCHAR)), CAST(x."{c}" AS VARCHAR))'
                )
            elif c == "hw_load_id":
                exprs.append(f"x.hw_load_id + {offset}")
            else:
                exprs.append(f'x."{c}"')
        quoted = ", ".join(f'"{c}"' for c in cols)
        con.execute(
            f'INSERT INTO main."{t.name}" ({quoted}) SELECT {", ".join(exprs)} '
            f'FROM {alias}."{name}" x'
        )
    for name in BOOKKEEPING:
        if name == "hw_self_assessments":
            continue  # the predecessors' own judgements: the merged authority makes its own
        cols = [c.strip('"') for c in shared_columns(con, alias, name).split(", ")]
        exprs = [f"x.load_id + {offset}" if c == "load_id" else f'x."{c}"' for c in cols]
        quoted = ", ".join(f'"{c}"' for c in cols)
        con.execute(
            f'INSERT INTO main."{name}" ({quoted}) SELECT {", ".join(exprs)} FROM {alias}.{name} x'
        )


def _write_linkage(folder: Path, linkage: Linkage, crosswalk: pa.Table) -> dict[str, str]:
    files = {
        "crosswalk": "crosswalk.csv",
        "linked_pairs": "linked_pairs.csv",
        "review": "review.csv",
        "linkage": "linkage.json",
    }
    pacsv.write_csv(crosswalk, folder / files["crosswalk"])
    pacsv.write_csv(linkage.pairs, folder / files["linked_pairs"])
    pacsv.write_csv(linkage.review, folder / files["review"])
    (folder / files["linkage"]).write_text(
        json.dumps(linkage.summary(), indent=2, default=str) + "\n", "utf-8"
    )
    return files
