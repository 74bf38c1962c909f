"""Hardened XML reading: no DTDs, no entities, no network, bounded size.

lxml is told not to resolve entities, load DTDs or touch the network; on top of that any
document whose prolog declares a DOCTYPE or an ENTITY is refused outright, because a
statutory return never needs one and "billion laughs" and external-entity attacks both
start there. defusedxml would add nothing over this for lxml (its lxml module is
deprecated), so the check is written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from lxml import etree

from headway.errors import HeadwayError

PROLOG_BYTES = 65536
_DANGEROUS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s>/]")


def prolog(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(PROLOG_BYTES)


def refuse_dtd(path: Path, head: bytes) -> None:
    """Refuse a document that declares a DOCTYPE or entities before its root element."""
    root = _first_element(head)
    before_root = head if root is None else head[: root.start()]
    if _DANGEROUS.search(before_root):
        raise HeadwayError(
            f"{path.name} declares a DOCTYPE or entities, which statutory returns never "
            "need and Headway refuses for safety.",
            "Export the return again from your case management system.",
        )


def _first_element(head: bytes) -> re.Match[bytes] | None:
    pos = 0
    while True:
        m = _ROOT.search(head, pos)
        if m is None:
            return None
        # skip anything inside comments or processing instructions before the root
        comment_open = head.rfind(b"<!--", 0, m.start())
        if comment_open != -1 and head.find(b"-->", comment_open) > m.start():
            pos = head.find(b"-->", comment_open) + 3
            continue
        return m


def root_name(head: bytes) -> str | None:
    m = _first_element(head)
    return m.group(2).decode("ascii") if m else None


class CountingReader:
    """A binary file wrapper that reports bytes read, for progress bars."""

    def __init__(self, raw: IO[bytes], on_bytes: Callable[[int], None] | None) -> None:
        self.raw = raw
        self.on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.on_bytes and data:
            self.on_bytes(len(data))
        return data

    def line_offset(self) -> int:
        return 0


class RangeReader:
    """Bytes start..end of a file, between a prefix and a suffix that make them a document.

    Used to read one slice of a large return in a worker process: the slice starts at a
    Child element, and the prefix and suffix reopen and close the elements around it.
    """

    def __init__(self, path: Path, start: int, end: int, prefix: bytes, suffix: bytes) -> None:
        self.path, self.start = path, start
        self.raw = path.open("rb")
        self.raw.seek(start)
        self.left = end - start
        self.pending = [prefix] if prefix else []
        self.suffix = suffix

    def read(self, size: int = -1) -> bytes:
        if self.pending:
            return self.pending.pop()
        if self.left > 0:
            data = self.raw.read(min(self.left, size if size > 0 else self.left))
            self.left -= len(data)
            if data:
                return data
            self.left = 0
        data, self.suffix = self.suffix, b""
        if not data:
            self.raw.close()
        return data

    def line_offset(self) -> int:
        """Lines before this slice, so error messages give the line in the whole file."""
        with self.path.open("rb") as f:
            return f.read(self.start).count(b"\n")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def safe_iterparse(source: Readable, tags: tuple[str, ...]) -> etree.iterparse:
    """lxml's iterparse over `source`, hardened: no entities, DTDs or network."""
    return etree.iterparse(
        source,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def syntax_error(path: Path, exc: etree.XMLSyntaxError, line_offset: int = 0) -> HeadwayError:
    msg = str(exc.msg or exc)
    line = (exc.lineno or 0) + line_offset
    if "Premature end" in msg or "EndTag" in msg or "end of data" in msg.lower():
        return HeadwayError(
            f"{path.name} ends early (line {line}): the file looks truncated.",
            "Export or copy it again; nothing was loaded.",
        )
    if "Entity" in msg or "entity" in msg:
        return HeadwayError(
            f"{path.name} uses XML entities (line {line}), which Headway refuses.",
            "Export the return again from your case management system.",
        )
    return HeadwayError(
        f"{path.name} is not well-formed XML at line {line}: {msg}.",
        "Check the file opens in a browser or XML editor, or export it again.",
    )
