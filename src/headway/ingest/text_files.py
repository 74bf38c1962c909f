"""Opening delimited text files the way LAs send them: UTF-8 (with or without a BOM),
Windows-1252 from older Excel, UTF-16 "Unicode text"; comma, tab or semicolon separated."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from headway.errors import HeadwayError

_CHUNK = 1 << 20


def _utf8_error(path: Path) -> int | None:
    """The byte offset of the first invalid UTF-8 sequence, or None if the file is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def detect_encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bad = _utf8_error(path)
    if head.startswith(codecs.BOM_UTF8):
        if bad is not None:
            line = path.read_bytes()[:bad].count(b"\n") + 1
            raise HeadwayError(
                f"{path.name} says it is UTF-8 (it starts with a byte-order mark) but line "
                f"{line} is not: it looks like Windows-1252 text behind a UTF-8 marker.",
                "Open it in Excel and save it again as 'CSV UTF-8', then load it again.",
            )
        return "utf-8-sig"
    # No marker: UTF-8 if it decodes, else the Windows code page older Excel writes.
    return "utf-8" if bad is None else "cp1252"


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    with path.open("r", encoding=detect_encoding(path), newline="") as f:
        yield f


def sniff_delimiter(first_line: str) -> str:
    if "," in first_line:
        return ","
    for d in ("\t", ";", "|"):
        if d in first_line:
            return d
    return ","


def header_of(path: Path) -> list[str]:
    """The first row of a delimited file, cleaned (empty list for an empty file)."""
    with open_text(path) as f:
        first = f.readline()
    if not first.strip():
        return []
    row = next(csv.reader([first], delimiter=sniff_delimiter(first)))
    return [c.strip() for c in row]


def rows(f: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each row after the header."""
    first = f.readline()
    reader = csv.reader(f, delimiter=sniff_delimiter(first))
    for fields in reader:
        yield reader.line_num + 1, fields
