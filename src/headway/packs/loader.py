"""Load packs: shipped ones by id, or any pack folder or zip by path.

A loaded pack has been validated (pack.yaml always; the SQL too for packs from a folder or
zip), so everything downstream (measures, readiness, diff) can trust it; each measure and
output carries its SQL text. Shipped packs are read once per process, and their SQL is
checked by the test suite rather than on every load.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from headway.errors import HeadwayError
from headway.packs import files as pack_files
from headway.packs.errors import PackInvalid
from headway.packs.model import Pack
from headway.packs.validate import check


def _load_files(files: pack_files.PackFiles, sql: bool = True) -> Pack:
    checked = check(files, sql=sql)
    if checked.pack is None:
        raise PackInvalid(files.ref, checked.errors)
    return checked.pack


@cache
def _shipped(pack_id: str) -> Pack:
    # The shipped packs' SQL is checked by the tests (tests/test_packs_library.py), not on
    # every load: it would cost about 20 ms a measure on every command.
    pack = _load_files(pack_files.read_library(pack_id), sql=False)
    if pack.id != pack_id:
        raise HeadwayError(
            f"The shipped pack in library/{pack_id}/ says its id is '{pack.id}'.",
            "Name each library folder after the id in its pack.yaml.",
        )
    return pack


def load(ref: str | Path) -> Pack:
    """A pack by shipped id, folder, pack.yaml or zip path; raises PackInvalid if invalid.

    A path that exists wins over a shipped id of the same name.
    """
    if isinstance(ref, str) and not Path(ref).exists() and ref in pack_files.library_ids():
        return _shipped(ref)
    return _load_files(pack_files.read(ref))


def library_ids() -> list[str]:
    """The ids of the shipped packs, sorted."""
    return pack_files.library_ids()


def library() -> list[Pack]:
    """Every shipped pack, loaded (a broken shipped pack raises PackInvalid)."""
    return [_shipped(pack_id) for pack_id in library_ids()]


def _is_pack(path: Path) -> bool:
    if path.is_dir():
        return (path / pack_files.PACK_YAML).is_file()
    return path.suffix.lower() == ".zip" and zipfile.is_zipfile(path)


def discover(dirs: Iterable[Path]) -> list[Path]:
    """The packs in `dirs`: each dir may be a pack folder or zip itself, or hold packs
    (folders with a pack.yaml, and .zip files) directly inside it."""
    found: list[Path] = []
    for folder in dirs:
        if _is_pack(folder):
            found.append(folder)
        elif folder.is_dir():
            found += [p for p in sorted(folder.iterdir()) if _is_pack(p)]
    return list(dict.fromkeys(found))
