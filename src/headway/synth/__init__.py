"""Synthetic local authorities, written in the real statutory formats.

`synthesise` makes N children, each from its own random stream (people.py), and writes
every requested collection year in one pass over them, with all writers open together:
the CIN census XML, the SSDA903 CSVs, the Ofsted Annex A workbook and the local SSD
front-door extract. Nothing is held per LA, so a national-size year streams in constant
memory, and the same seed gives byte-identical files. The manifest (also written to
out_dir/manifest.json) lists every file with exact counts of the source records in it.

Large runs use two processes when a second core is idle: the Annex A workbooks are written by a
second process that makes the same children again (a child depends only on seed and
index), while this one writes the other formats. The files are the same either way.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

from headway.synth.annex_a import AnnexAWriter
from headway.synth.cin_xml import CinCensusWriter
from headway.synth.codes import FIRST_YEAR
from headway.synth.history import Context
from headway.synth.local import LocalExtractWriter
from headway.synth.people import make_child
from headway.synth.records import ManifestFile, Year, YearWriter
from headway.synth.ssda903 import Ssda903Writer

__all__ = ["PARALLEL_MIN_CHILDREN", "PROGRESS_EVERY", "synthesise"]

PROGRESS_EVERY = 1000
PARALLEL_MIN_CHILDREN = 20_000  # below this a second process costs more than it saves
FORMATS = ("cin_census", "ssda903_csv", "annex_a", "ssd_extract")  # manifest order per year
_SECOND_PROCESS = ("annex_a",)


def synthesise(
    out_dir: Path,
    children: int,
    years: list[int],
    seed: int,
    la_code: str,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Write a synthetic LA of `children` children for collection `years` under `out_dir`.

    `la_code` is the 3-digit DfE LA number (the CIN LEA). `on_progress(n)` is called with the
    number of children just written, every PROGRESS_EVERY children and at the end. Returns
    the manifest, also written to out_dir/manifest.json.
    """
    _check(children, years, la_code)
    ordered = tuple(sorted(set(years)))
    ctx = Context(seed=seed, la_code=la_code, years=ordered, id_width=max(7, len(str(children))))
    out_dir.mkdir(parents=True, exist_ok=True)
    if children >= PARALLEL_MIN_CHILDREN and _spare_core():
        here = tuple(f for f in FORMATS if f not in _SECOND_PROCESS)
        with _SecondProcess(out_dir, ctx, children, _SECOND_PROCESS) as other:
            files = _write(out_dir, ctx, children, here, on_progress)
            files += other.result()
    else:
        files = _write(out_dir, ctx, children, FORMATS, on_progress)
    manifest: dict[str, Any] = {
        "la_code": la_code,
        "seed": seed,
        "children": children,
        "years": {str(y): _in_order(files, y) for y in ordered},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return manifest


def _spare_core() -> bool:
    """Whether a second process would get a core of its own.

    On a busy machine two processes share one core and a run is slower than in one, so
    the second process is used only when at least one and a half cores are idle now
    (sampled from /proc/stat over a tenth of a second; elsewhere, the load average).
    """
    cores = os.cpu_count() or 1
    if cores < 2:
        return False
    idle = _idle_cores(cores)
    if idle is None:
        try:
            idle = cores - os.getloadavg()[0]
        except OSError:  # no load average on this platform
            return True
    return idle >= 1.5


def _idle_cores(cores: int, seconds: float = 0.1) -> float | None:
    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
        return ticks[3] + ticks[4], sum(ticks)  # idle + iowait, all

    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    if total1 <= total0:
        return None
    return cores * (idle1 - idle0) / (total1 - total0)


def _writer(fmt: str, year: Year, la_code: str) -> YearWriter:
    if fmt == "cin_census":
        return CinCensusWriter(year, la_code)
    if fmt == "ssda903_csv":
        return Ssda903Writer(year)
    if fmt == "annex_a":
        return AnnexAWriter(year, la_code)
    return LocalExtractWriter(year)


def _write(
    out_dir: Path,
    ctx: Context,
    children: int,
    formats: tuple[str, ...],
    on_progress: Callable[[int], None] | None,
) -> list[tuple[int, str, list[ManifestFile]]]:
    """One pass over the children writing `formats` for every year: (year, format, files)."""
    with ExitStack() as stack:
        writers: list[tuple[int, str, YearWriter]] = []
        for y in ctx.years:
            year = Year(out_dir, y)
            for fmt in formats:
                w = _writer(fmt, year, ctx.la_code)
                stack.callback(w.close)
                writers.append((y, fmt, w))
        adders = [w.add for _y, _f, w in writers]
        done = 0
        for i in range(children):
            child = make_child(ctx, i)
            for add in adders:
                add(child)
            if on_progress is not None and i + 1 - done >= PROGRESS_EVERY:
                on_progress(i + 1 - done)
                done = i + 1
        result = [(y, fmt, w.close()) for y, fmt, w in writers]
    if on_progress is not None and children > done:
        on_progress(children - done)
    return result


class _SecondProcess:
    """`python -m headway.synth.worker` writing some formats while this process does the rest.

    A plain subprocess (not multiprocessing) so callers need no `if __name__ == "__main__"`
    guard and no fork of a threaded parent happens. It reports its manifest entries as JSON.
    """

    def __init__(self, out_dir: Path, ctx: Context, children: int, formats: tuple[str, ...]):
        job = {
            "out_dir": str(out_dir),
            "seed": ctx.seed,
            "la_code": ctx.la_code,
            "years": list(ctx.years),
            "id_width": ctx.id_width,
            "children": children,
            "formats": list(formats),
        }
        env = dict(os.environ)  # find this same headway, installed or not
        src = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "headway.synth.worker", json.dumps(job)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def __enter__(self) -> _SecondProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.communicate()

    def result(self) -> list[tuple[int, str, list[ManifestFile]]]:
        out, err = self._proc.communicate()
        if self._proc.returncode != 0:
            raise RuntimeError(f"synth worker failed ({self._proc.returncode}): {err.strip()}")
        return [(y, fmt, entries) for y, fmt, entries in json.loads(out)]


def _in_order(files: list[tuple[int, str, list[ManifestFile]]], year: int) -> list[ManifestFile]:
    by_format = {fmt: entries for y, fmt, entries in files if y == year}
    return [e for fmt in FORMATS for e in by_format.get(fmt, [])]


def _check(children: int, years: list[int], la_code: str) -> None:
    if not re.fullmatch(r"\d{3}", la_code):
        raise ValueError(
            f"la_code must be a 3-digit DfE LA number (e.g. 201), not {la_code!r}; "
            "9-character ONS codes are not accepted"
        )
    if children < 1:
        raise ValueError(f"children must be at least 1, not {children}")
    if not years:
        raise ValueError("give at least one collection year")
    too_early = [y for y in years if y < FIRST_YEAR]
    if too_early:
        raise ValueError(f"collection years start at {FIRST_YEAR}; got {too_early}")
