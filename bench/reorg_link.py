"""Benchmark of linking children across predecessor LAs (python -m bench.reorg_link).

Budget (issue "Reorganisation"): link 100,000 x 100,000 synthetic children with realistic
errors in under 120 s on the 2-core machine, with precision >= 0.98 and recall >= 0.95
against the synthetic truth, at the default settings. The two LAs share 20% of their
children (whole families; half of them moved from one LA's area to the other's), and each
LA records each child with its own errors (headway.reorg.link_synth). The link runs in a
fresh process whose resident memory is sampled every 50 ms; the frames are made once and
kept in bench/out. A second, smaller run shows what statutory returns alone allow (no names).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq

from headway.reorg.link import LinkSettings
from headway.reorg.link_synth import make_pair

OUT = Path(__file__).resolve().parent / "out" / "reorg_link"
CHILDREN, OVERLAP, SEED = 100_000, 0.2, 2027
RETURNS_ONLY = 20_000
BUDGET_S, PRECISION, RECALL = 120.0, 0.98, 0.95

LINK_SCRIPT = """
import json, sys
import pyarrow.parquet as pq
from headway.reorg.link import evaluate, link
folder = sys.argv[1]
frames = {s: pq.read_table(f"{folder}/{s}.parquet") for s in ("A", "B")}
pairs = pq.read_table(f"{folder}/truth.parquet").to_pydict()
truth = [(("A", a), ("B", b)) for a, b in zip(pairs["a"], pairs["b"])]
linkage = link(frames)
print(json.dumps({"summary": linkage.summary(), "scores": evaluate(linkage, truth)}))
"""


def frames(children: int, names: bool) -> Path:
    """The synthetic pair as parquet files (made once, kept in bench/out)."""
    folder = OUT / f"{children}_{OVERLAP}_{SEED}_{'names' if names else 'returns'}"
    if not (folder / "truth.parquet").exists():
        print(f"making {children:,} x {children:,} synthetic children ...", flush=True)
        a, b, truth = make_pair(children, children, OVERLAP, SEED, names=names)
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(a, folder / "A.parquet")
        pq.write_table(b, folder / "B.parquet")
        pairs = pa.table({"a": [x[1] for x, _ in truth], "b": [y[1] for _, y in truth]})
        pq.write_table(pairs, folder / "truth.parquet")
    return folder


def run_link(folder: Path) -> tuple[dict[str, object], float, float]:
    """Link the pair in a fresh process: its result, wall seconds and peak memory (MB)."""
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", LINK_SCRIPT, str(folder)], stdout=subprocess.PIPE, text=True
    ) as child:
        proc, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            try:
                peak = max(peak, proc.memory_info().rss)
            except psutil.Error:
                break
            time.sleep(0.05)
        out = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"the link of {folder.name} failed")
    return json.loads(out), time.perf_counter() - start, peak / 1024**2


def rows() -> list[tuple[str, str, str, str]]:
    """(measure, figure, budget, result) rows for bench/RESULTS.md."""
    result, wall, peak_mb = run_link(frames(CHILDREN, names=True))
    summary, scores = result["summary"], result["scores"]
    assert isinstance(summary, dict) and isinstance(scores, dict)
    seconds = float(summary["seconds"])
    size = f"{CHILDREN:,} x {CHILDREN:,} children, {OVERLAP:.0%} known to both"
    threshold = LinkSettings().threshold
    returns, _, _ = run_link(frames(RETURNS_ONLY, names=False))
    only = returns["scores"]
    assert isinstance(only, dict)
    return [
        (f"Reorg link: {size} (Splink 4, DuckDB)",
         f"{seconds:.1f} s ({wall:.1f} s with start-up)", f"< {BUDGET_S:.0f} s",
         _met(seconds < BUDGET_S)),
        (f"Reorg link: precision at the default threshold ({threshold})",
         f"{scores['precision']:.4f}", f">= {PRECISION}", _met(scores["precision"] >= PRECISION)),
        (f"Reorg link: recall ({scores['true_pairs']:,.0f} true pairs)",
         f"{scores['recall']:.4f}", f">= {RECALL}", _met(scores["recall"] >= RECALL)),
        ("Reorg link: pairs compared after blocking",
         f"{summary['comparisons']:,} of {CHILDREN * CHILDREN:,}", "", ""),
        ("Reorg link: pairs on the clerical review list", f"{summary['review']:,}", "", ""),
        ("Reorg link: peak memory of the link process", f"{peak_mb:,.0f} MB", "", ""),
        (f"Reorg link, statutory returns only (no names), {RETURNS_ONLY:,} x {RETURNS_ONLY:,}",
         f"precision {only['precision']:.4f}, recall {only['recall']:.4f}", "reported", ""),
    ]  # fmt: skip


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    lines = ["| measure | figure | budget | result |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows()]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
