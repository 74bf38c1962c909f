"""Benchmarks for the foundation (`make bench`): writes bench/RESULTS.md.

Each figure is measured in this run, on this machine, beside its anchor:
- CIN census ingest of a national-size year (650,000 children): children/s and peak
  memory of the ingest process (budget: >= 30,000 children/s, < 1 GB).
- The D2I CIN validator's own XML-to-tables step (cin_validator.convert_data on the parsed
  root, in its own environment) on a 5,000-children file, against Headway's whole ingest
  of the same file (target: >= 20 times faster). 5,000 because convert_data grows faster
  than linearly (about 4 s for 1,000 children, 38 s for 5,000, 119 s for 10,000 here):
  a 50,000-children file would take it hours.
- SSDA903 tables for 100,000 children, and Annex A for a 10,000-children LA.
Set HEADWAY_BENCH_CHILDREN to run a smaller national file while developing.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from headway.quality.dfe import bench_convert
from headway.synth import synthesise

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
NATIONAL = int(os.environ.get("HEADWAY_BENCH_CHILDREN", "650000"))
ANCHOR_CHILDREN = 5_000
YEAR = 2024

INGEST_SCRIPT = """
import json, resource, sys, time
from pathlib import Path
from headway.ingest import ingest
from headway.workspace import Workspace
ws = Workspace.create(Path(sys.argv[1]), "201")
files = [Path(p) for p in sys.argv[2:]]
t = time.perf_counter()
report = ingest(ws, files)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_bytes": peak}))
"""


@dataclass
class Run:
    seconds: float
    peak_mb: float


def ingest_in_process(workspace: Path, files: list[Path]) -> Run:
    """Run one ingest in a fresh Python process, so its peak memory is its own."""
    shutil.rmtree(workspace, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-c", INGEST_SCRIPT, str(workspace), *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout)
    return Run(float(result["seconds"]), int(result["peak_bytes"]) / 1024**2)


def synth(name: str, children: int, seed: int) -> Path:
    out = OUT / name
    if not (out / "manifest.json").exists():
        print(f"writing {children:,} synthetic children to {out} ...", flush=True)
        synthesise(out, children, [YEAR], seed, "201")
    return out / str(YEAR)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rows: list[tuple[str, str, str, str]] = []

    national = synth(f"national_{NATIONAL}", NATIONAL, 1)
    cin = next(national.glob("cin_census_*.xml"))
    r = ingest_in_process(OUT / "ws_national", [cin])
    rate = NATIONAL / r.seconds
    size_mb = cin.stat().st_size / 1024**2
    rows += [
        (f"Ingest CIN census, {NATIONAL:,} children ({size_mb:,.0f} MB)",
         f"{r.seconds:.1f} s, {rate:,.0f} children/s", ">= 30,000 children/s",
         _met(rate >= 30_000)),
        ("Peak memory of that ingest", f"{r.peak_mb:,.0f} MB", "< 1,024 MB",
         _met(r.peak_mb < 1024)),
    ]  # fmt: skip

    anchor = synth(f"anchor_{ANCHOR_CHILDREN}", ANCHOR_CHILDREN, 2)
    anchor_cin = next(anchor.glob("cin_census_*.xml"))
    d2i = bench_convert(anchor_cin)
    ours = ingest_in_process(OUT / "ws_anchor", [anchor_cin])
    d2i_rate = ANCHOR_CHILDREN / d2i["seconds"]
    our_rate = ANCHOR_CHILDREN / ours.seconds
    ratio = our_rate / d2i_rate
    rows += [
        (f"Anchor: D2I convert_data, {ANCHOR_CHILDREN:,} children",
         f"{d2i['seconds']:.1f} s, {d2i_rate:,.0f} children/s", "", ""),
        (f"Headway whole ingest of the same {ANCHOR_CHILDREN:,} children",
         f"{ours.seconds:.2f} s, {our_rate:,.0f} children/s", ">= 20 x anchor",
         f"{ratio:.1f} x anchor: {_met(ratio >= 20)}"),
    ]  # fmt: skip

    la100k = synth("la_100000", 100_000, 3)
    tables_903 = sorted((la100k / "ssda903").glob("*.csv"))
    r903 = ingest_in_process(OUT / "ws_903", tables_903)
    rows.append(("Ingest SSDA903 tables, 100,000-children LA",
                 f"{r903.seconds:.2f} s ({len(tables_903)} tables)", "", ""))  # fmt: skip

    la10k = synth("la_10000", 10_000, 4)
    annex = next(la10k.glob("annex_a_*.xlsx"))
    ra = ingest_in_process(OUT / "ws_annex", [annex])
    rows.append(("Ingest Annex A, 10,000-children LA", f"{ra.seconds:.2f} s", "", ""))

    write_results(rows)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def write_results(rows: list[tuple[str, str, str, str]]) -> None:
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Benchmark results",
        "",
        f"Command: `make bench` (python -m bench.run), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        "Each ingest runs in its own process (peak memory = that process's max RSS). The anchor",
        "is measured in the same run, on a file of the same synthetic LA generator.",
        "",
        "| measure | figure | budget | result |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
    ]
    (BENCH / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
