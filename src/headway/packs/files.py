"""Read a pack's files from the shipped library, a folder or a zip, and nothing else.

Only `pack.yaml`, `measures/*.sql` and `outputs/*.sql` are read; anything else in a folder
or zip is ignored. Zips are treated as hostile: a member whose path is absolute, climbs out
with `..`, uses backslashes or is a symbolic link refuses the whole zip, as do encrypted
members, too many members, and any member larger than its cap (checked on the bytes actually
read, not only on what the zip's header claims). Text is UTF-8.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import IO

from headway.errors import HeadwayError

PACK_YAML = "pack.yaml"
SQL_DIRS = ("measures", "outputs")
SQL_NAME = re.compile(r"^(measures|outputs)/[A-Za-z0-9_-]+\.sql$")
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_YAML_BYTES = 1024 * 1024
MAX_SQL_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackFiles:
    """The text of one pack: where it came from, pack.yaml, and each SQL file by name."""

    origin: str  # "library", or the folder or zip it was read from
    ref: str  # what to call it in messages: the pack id or the path given
    yaml_text: str
    sql: Mapping[str, str]  # "measures/x.sql" -> its text


def _decode(data: bytes, name: str, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise HeadwayError(
            f"{where}: {name} is not UTF-8 text (byte {e.start}).", "Save it as UTF-8."
        ) from None


def _too_big(name: str, where: str, cap: int) -> HeadwayError:
    return HeadwayError(
        f"{where}: {name} is over the {cap // 1024} KB a pack file may be.",
        "A pack is short YAML and SQL; check that this is the right file.",
    )


def _read_capped(stream: IO[bytes], name: str, where: str, cap: int) -> str:
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise _too_big(name, where, cap)
    return _decode(data, name, where)


def _cap(name: str) -> int:
    return MAX_YAML_BYTES if name == PACK_YAML else MAX_SQL_BYTES


def _tree_names(root: Traversable) -> Iterator[tuple[str, Traversable]]:
    yield PACK_YAML, root / PACK_YAML
    for folder in SQL_DIRS:
        sub = root / folder
        if not sub.is_dir():
            continue
        for entry in sorted(sub.iterdir(), key=lambda t: t.name):
            name = f"{folder}/{entry.name}"
            if SQL_NAME.match(name) and entry.is_file():
                yield name, entry


def _refuse_links(entry: Traversable, name: str, where: str) -> None:
    if isinstance(entry, Path) and entry.is_symlink():
        raise HeadwayError(
            f"{where}: {name} is a symbolic link; a pack's files must be in the pack.",
            "Copy the file into the pack folder.",
        )


def read_tree(root: Traversable, origin: str, ref: str) -> PackFiles:
    """Read a pack folder (a Path, or a folder inside the installed package)."""
    if not (root / PACK_YAML).is_file():
        raise HeadwayError(
            f"{ref} has no {PACK_YAML}.",
            "A pack is a folder holding pack.yaml, measures/*.sql and outputs/*.sql.",
        )
    texts: dict[str, str] = {}
    total = 0
    for name, entry in _tree_names(root):
        _refuse_links(entry, name, ref)
        with entry.open("rb") as stream:
            texts[name] = _read_capped(stream, name, ref, _cap(name))
        total += len(texts[name])
        if total > MAX_TOTAL_BYTES:
            raise _too_big("the pack", ref, MAX_TOTAL_BYTES)
    yaml_text = texts.pop(PACK_YAML)
    return PackFiles(origin=origin, ref=ref, yaml_text=yaml_text, sql=texts)


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member is refused, or None when it is safe to consider."""
    name = info.filename
    parts = PurePosixPath(name).parts
    if name.startswith("/") or "\\" in name or (parts and ":" in parts[0]):
        return "has an absolute or Windows path"
    if ".." in parts:
        return "points outside the pack (..)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link"
    if info.flag_bits & 0x1:
        return "is encrypted"
    return None


def _zip_prefix(names: list[str], where: str) -> str:
    """'' when pack.yaml is at the top of the zip, 'folder/' when it is one folder down."""
    if PACK_YAML in names:
        return ""
    nested = [n for n in names if len(PurePosixPath(n).parts) == 2 and n.endswith(PACK_YAML)]
    if len(nested) == 1:
        return nested[0][: -len(PACK_YAML)]
    raise HeadwayError(
        f"{where} has no {PACK_YAML} at its top or in one folder inside it.",
        "Zip the pack folder itself: pack.yaml, measures/ and outputs/.",
    )


def _check_members(infos: list[zipfile.ZipInfo], where: str) -> None:
    if len(infos) > MAX_MEMBERS:
        raise HeadwayError(
            f"{where} is refused: it has {len(infos)} files, over the {MAX_MEMBERS} allowed.",
            "Zip only the pack folder.",
        )
    for info in infos:
        reason = _unsafe(info)
        if reason:
            raise HeadwayError(
                f"{where} is refused: its member '{info.filename}' {reason}.",
                "Zip the pack folder itself, with plain relative paths.",
            )


def _read_members(archive: zipfile.ZipFile, where: str, ref: str) -> PackFiles:
    infos = archive.infolist()
    _check_members(infos, where)
    prefix = _zip_prefix([i.filename for i in infos], where)
    texts: dict[str, str] = {}
    total = 0
    for info in infos:
        name = info.filename[len(prefix) :] if info.filename.startswith(prefix) else ""
        if info.is_dir() or not (name == PACK_YAML or SQL_NAME.match(name)):
            continue
        cap = _cap(name)
        if info.file_size > cap:
            raise _too_big(info.filename, where, cap)
        with archive.open(info) as stream:
            texts[name] = _read_capped(stream, info.filename, where, cap)
        total += len(texts[name])
        if total > MAX_TOTAL_BYTES:
            raise _too_big("the pack", where, MAX_TOTAL_BYTES)
    yaml_text = texts.pop(PACK_YAML)
    return PackFiles(origin=where, ref=ref, yaml_text=yaml_text, sql=dict(sorted(texts.items())))


def read_zip(path: Path) -> PackFiles:
    """Read a zip of a pack folder, refusing anything that could escape or exhaust."""
    where = str(path)
    if path.stat().st_size > MAX_ZIP_BYTES:
        raise _too_big(path.name, where, MAX_ZIP_BYTES)
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_members(archive, where, where)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as e:
        raise HeadwayError(f"{where} is not a readable zip ({e}).", "Zip it again.") from None


def library_root() -> Traversable:
    """The shipped packs: src/headway/packs/library/<pack-id>/."""
    return resources.files("headway.packs").joinpath("library")


def library_ids() -> list[str]:
    """The ids of the shipped packs, sorted."""
    root = library_root()
    if not root.is_dir():
        return []
    return sorted(
        entry.name
        for entry in root.iterdir()
        if entry.is_dir() and ID.match(entry.name) and (entry / PACK_YAML).is_file()
    )


def read_library(pack_id: str) -> PackFiles:
    if pack_id not in library_ids():
        raise HeadwayError(
            f"There is no shipped pack '{pack_id}'.",
            "Run `headway pack list` to see the shipped packs.",
        )
    return read_tree(library_root() / pack_id, "library", pack_id)


def read(ref: str | Path) -> PackFiles:
    """Read a pack named by a shipped id, a folder, a pack.yaml or a zip path."""
    path = Path(ref)
    if path.is_dir():
        return read_tree(path, str(path), str(path))
    if path.is_file():
        if path.name == PACK_YAML:
            return read_tree(path.parent, str(path.parent), str(path.parent))
        if zipfile.is_zipfile(path):
            return read_zip(path)
        raise HeadwayError(
            f"{path} is neither a pack folder, a pack.yaml nor a zip.",
            "Give a shipped pack id, a pack folder or a zip of one.",
        )
    if isinstance(ref, str) and ID.match(ref) and ref in library_ids():
        return read_library(ref)
    raise HeadwayError(
        f"No pack '{ref}': it is not a shipped pack id, a folder or a zip.",
        "Run `headway pack list` to see the shipped packs.",
    )
