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
- The lab: Callaway-Sant'Anna on 150 LAs x 24 quarters, all four aggregations with 999
  bootstrap draws (bench/lab.py).
- The hub: submissions per second and their 95th percentile time from 50 concurrent
  clients against a real hub process on PostgreSQL (bench/hub.py).
- Reorganisation: linking 100,000 x 100,000 synthetic children with Splink (bench/reorg_link.py).
- The web app: desk and readiness pages with 5,000 requests on the desk (bench/web.py).
- The desk: matching one request against 10,000 candidates (bench/desk_match.py) and
  planning 2,000 requests for 5 analysts over 26 weeks (bench/desk_plan.py).
Set HEADWAY_BENCH_CHILDREN to run a smaller national file while developing.

`python -m bench.run` runs every section; `python -m bench.run desk` runs only the named
sections and replaces only their tables in RESULTS.md, keeping the others as they were.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil
import psycopg

from headway.ingest import ingest
from headway.measures.engine import run_measures
from headway.measures.postgres import copy_model, run_on_postgres
from headway.packs import library
from headway.quality.dfe import bench_convert
from headway.readiness import assess_all
from headway.synth import synthesise
from headway.workspace import Workspace

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
PG_DSN = os.environ.get("HEADWAY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NATIONAL = int(os.environ.get("HEADWAY_BENCH_CHILDREN", "650000"))
ANCHOR_CHILDREN = 5_000
YEAR = 2024

INGEST_SCRIPT = """
import json, sys, time
from pathlib import Path
from headway.ingest import ingest
from headway.workspace import Workspace
ws = Workspace.create(Path(sys.argv[1]), "201")
files = [Path(p) for p in sys.argv[2:]]
t = time.perf_counter()
report = ingest(ws, files)
seconds = time.perf_counter() - t
children = sum(f.records.get("Child", 0) for f in report.files)
print(json.dumps({"seconds": seconds, "children": children}))
"""


@dataclass
class Run:
    seconds: float
    peak_mb: float
    children: int  # Child records in the CIN files loaded (0 for other returns)


def _tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its children (the ingest's worker processes)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def ingest_in_process(workspace: Path, files: list[Path]) -> Run:
    """Run one ingest in a fresh Python process; sample the memory of it and its workers."""
    shutil.rmtree(workspace, ignore_errors=True)
    with subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(workspace), *map(str, files)],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        proc, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            peak = max(peak, _tree_rss(proc))
            time.sleep(0.05)
        out = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"the ingest of {files[0].name} failed")
    result = json.loads(out)
    return Run(float(result["seconds"]), peak / 1024**2, result["children"])


def synth(name: str, children: int, seed: int, years: tuple[int, ...] = (YEAR,)) -> Path:
    """Synthetic returns (kept in bench/out between runs); the folder of the first year."""
    out = OUT / name
    if not (out / "manifest.json").exists():
        print(f"writing {children:,} synthetic children to {out} ...", flush=True)
        synthesise(out, children, list(years), seed, "201")
    return out / str(years[0])


def workspace_of(name: str, children: int, seed: int, years: tuple[int, ...]) -> Workspace:
    """A workspace with every return of every year loaded (kept between runs)."""
    path = OUT / name / "ws"
    if (path / "workspace.toml").exists():
        return Workspace.open(path)
    synth(name, children, seed, years)
    shutil.rmtree(path, ignore_errors=True)
    ws = Workspace.create(path, "201")
    for year in years:
        print(f"loading {name} {year} ...", flush=True)
        ingest(ws, sorted(p for p in (OUT / name / str(year)).rglob("*") if p.is_file()))
    return ws


Row = tuple[str, str, str, str]


def desk_rows() -> list[Row]:
    from bench import desk_match, desk_plan

    return desk_match.rows() + desk_plan.rows()


def hub_rows() -> list[Row]:
    from bench import hub

    return hub.rows()


def reorg_rows() -> list[Row]:
    from bench import reorg_link

    return reorg_link.rows()


def web_rows() -> list[Row]:
    from bench import web

    return web.rows()


def lab_rows() -> list[Row]:
    from bench import lab

    return lab.rows()


def main(names: list[str]) -> None:
    sections: dict[str, tuple[str, Callable[[], list[Row]]]] = {
        "foundation": ("Foundation: ingest, readiness and measures", foundation_rows),
        "desk": ("The desk: matching and planning", desk_rows),
        "lab": ("The lab: trial estimation", lab_rows),
        "hub": ("The hub: submissions under load", hub_rows),
        "reorg": ("Reorganisation: linking children across LAs", reorg_rows),
        "web": ("The web app: page times", web_rows),
    }
    unknown = set(names) - set(sections)
    if unknown:
        raise SystemExit(
            f"No benchmark section {', '.join(sorted(unknown))}: use {', '.join(sections)}"
        )
    OUT.mkdir(exist_ok=True)
    for name in names or list(sections):
        title, make_rows = sections[name]
        write_section(name, title, make_rows())


def foundation_rows() -> list[Row]:
    rows: list[Row] = []

    national = synth(f"national_{NATIONAL}", NATIONAL, 1)
    cin = next(national.glob("cin_census_*.xml"))
    r = ingest_in_process(OUT / "ws_national", [cin])
    rate = r.children / r.seconds
    size_mb = cin.stat().st_size / 1024**2
    rows += [
        (f"Ingest CIN census, {r.children:,} children ({size_mb:,.0f} MB)",
         f"{r.seconds:.1f} s, {rate:,.0f} children/s", ">= 30,000 children/s",
         _met(rate >= 30_000)),
        ("Peak memory of that ingest, all its processes", f"{r.peak_mb:,.0f} MB", "< 1,024 MB",
         _met(r.peak_mb < 1024)),
    ]  # fmt: skip

    anchor = synth(f"anchor_{ANCHOR_CHILDREN}", ANCHOR_CHILDREN, 2)
    anchor_cin = next(anchor.glob("cin_census_*.xml"))
    d2i = bench_convert(anchor_cin)
    ours = ingest_in_process(OUT / "ws_anchor", [anchor_cin])
    d2i_rate = d2i["children"] / d2i["seconds"]
    our_rate = ours.children / ours.seconds
    ratio = our_rate / d2i_rate
    rows += [
        (f"Anchor: D2I convert_data, {d2i['children']:,} children",
         f"{d2i['seconds']:.1f} s, {d2i_rate:,.0f} children/s", "", ""),
        (f"Headway whole ingest of the same {ours.children:,} children",
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

    return rows + readiness_rows() + measure_rows()


def readiness_rows() -> list[tuple[str, str, str, str]]:
    ws = workspace_of("la_5000_3y", 5_000, 5, (2024, 2025, 2026))
    packs = library()
    with ws.connect(read_only=True) as con:
        start = time.perf_counter()
        assess_all(con, packs)
        seconds = time.perf_counter() - start
    return [(f"Readiness, all {len(packs)} shipped packs, 5,000-children LA (3 years)",
             f"{seconds:.2f} s", "< 5 s", _met(seconds < 5))]  # fmt: skip


def measure_rows() -> list[tuple[str, str, str, str]]:
    ws = workspace_of("national3y", 650_000, 11, (2024, 2025, 2026))
    measures = [m for p in library() for m in p.measures]
    with ws.connect(read_only=True) as con:
        start = time.perf_counter()
        results = run_measures(con, measures)
        duck = time.perf_counter() - start
        failed = [r.id for r in results if r.error]
        schema = f"bench_{os.getpid()}"
        with psycopg.connect(PG_DSN) as pg:
            start = time.perf_counter()
            copy_model(con, pg, schema, unlogged=True)
            copy = time.perf_counter() - start
            try:
                start = time.perf_counter()
                pg_results = run_on_postgres(pg, schema, measures, timeout_seconds=300)
                on_pg = time.perf_counter() - start
            finally:
                pg.rollback()
                pg.execute(f"DROP SCHEMA {schema} CASCADE")
                pg.commit()
    pg_failed = sum(1 for r in pg_results if r.error)
    label = f"all {len(measures)} shipped measures, pooled national workspace (650,000 x 3 years)"
    return [
        (f"DuckDB: {label}", f"{duck:.1f} s" + (f", {len(failed)} failed" if failed else ""),
         "< 15 s", _met(duck < 15 and not failed)),
        (f"PostgreSQL 15: the same measures (after a {copy:.0f} s copy of the model)",
         f"{on_pg:.1f} s" + (f", {pg_failed} failed" if pg_failed else ""),
         "reported beside DuckDB", ""),
    ]  # fmt: skip


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


HEADER = """# Benchmark results

Command: `make bench` (python -m bench.run); each section says when it was last run.
Each ingest runs in its own process; peak memory is the largest sum of the resident
memory of that process and its worker processes, sampled every 50 ms. Each anchor
is measured in the same run as the figure it is compared with.
"""


def write_section(name: str, title: str, rows: list[Row]) -> None:
    """Replace this section's table in RESULTS.md (or add it), keeping the other sections."""
    cpu = platform.processor() or platform.machine()
    block = "\n".join([
        f"<!-- section {name} -->",
        f"## {title}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, {cpu}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        "",
        "| measure | figure | budget | result |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        f"<!-- end {name} -->",
    ])  # fmt: skip
    path = BENCH / "RESULTS.md"
    text = path.read_text("utf-8") if path.exists() else HEADER
    if "<!-- section " not in text:
        text = HEADER  # results from before sections: replaced section by section
    pattern = re.compile(rf"<!-- section {name} -->.*?<!-- end {name} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text}\n{block}\n"
    path.write_text(text, encoding="utf-8")
    print(block)


if __name__ == "__main__":
    main(sys.argv[1:])
