"""Put a request file on the desk and match what it added: one step for the CLI and the web.

A CSV or XLSX request list (columns found by name) or the JSON that `pack diff` and
`standard diff --to-desk` write. Adding is all or nothing (Desk.add); matching runs on the
new requests only, so importing the same file again adds and matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from headway.desk.intake import diff_requests, read_request_list
from headway.desk.model import SOURCES
from headway.desk.store import Desk, IntakeResult
from headway.desk.suggest import suggest
from headway.errors import HeadwayError
from headway.packs.model import Pack


@dataclass(frozen=True)
class Imported:
    result: IntakeResult
    ignored_columns: list[str] = field(default_factory=list)


def import_file(
    desk: Desk,
    file: Path,
    source: str,
    packs: Sequence[Pack],
    origin: str | None = None,
    advance: Callable[[int], None] = lambda _: None,
) -> Imported:
    """Add the file's requests to the desk and match the new ones against `packs` and the desk."""
    if source not in SOURCES:
        raise HeadwayError(f"'{source}' is not a source.", f"Use one of: {', '.join(SOURCES)}.")
    name = origin or file.name
    ignored: list[str] = []
    if file.suffix.lower() == ".json":
        result = desk.add(diff_requests(file), name)
    else:
        listed = read_request_list(file, source)
        result = desk.add(listed.requests, name, listed.not_read, listed.rows_read)
        ignored = list(listed.ignored)
    added = [desk.get(i) for i in result.added]
    if added:
        suggest(desk, packs, added, advance)
    return Imported(result, ignored)
