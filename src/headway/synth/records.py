"""What every synth writer shares: the manifest entry it reports and the year it cuts out."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, TypedDict

from headway.synth.dates import Day, collection_window
from headway.synth.history import Child


class ManifestFile(TypedDict):
    """One file in manifest.json: where, which format, how many source records of each kind."""

    path: str
    format: str
    records: dict[str, int]


class YearWriter(Protocol):
    """Writes one collection year of one format, a child at a time, in a single pass."""

    def add(self, child: Child) -> None: ...

    def close(self) -> list[ManifestFile]: ...


class Year:
    """A collection year: its window and where its files go."""

    def __init__(self, out_dir: Path, year: int) -> None:
        self.year = year
        self.out_dir = out_dir
        self.folder = out_dir / str(year)
        self.start, self.end = collection_window(year)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.out_dir).as_posix()

    def overlaps(self, start: Day, end: Day) -> bool:
        return start <= self.end and end >= self.start

    def within(self, d: Day) -> bool:
        return self.start <= d <= self.end


def noise(child: Child, *salts: int) -> float:
    """A deterministic number in [0, 1) for filler values of one child (splitmix64 mix)."""
    x = (child.index * 0x9E3779B97F4A7C15 + child.dob) & 0xFFFFFFFFFFFFFFFF
    for s in salts:
        x = (x ^ (s + 0x9E3779B97F4A7C15)) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 31
    return x / 2.0**64
