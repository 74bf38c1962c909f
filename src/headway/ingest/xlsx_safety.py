"""Hardened look inside an xlsx before any spreadsheet library opens it.

An xlsx is a zip of XML parts. Before python-calamine reads the values, Headway checks
the package itself, because a spreadsheet from outside is untrusted input:

- zip bombs: the parts' uncompressed sizes must add up to no more than 50 times the file
  (ignored below 16 MB, which is harmless) and never more than 2 GB; every part is
  decompressed once here with that budget, so a part that lies about its size is caught
  before calamine trusts it;
- XML attacks: the parts Headway parses (workbook, its relationships, each worksheet) are
  read with lxml hardened as in xml_safety (no DTD, no entities, no network), streaming;
- what a values-only reader would hide: formulas (<f> elements: calamine gives the value
  Excel last calculated, which may be stale or depend on other files) and merged cells
  (<mergeCell>: the value sits in the first cell only, the others read as blank).

The findings go back to the Annex A reader, which knows where a sheet's header row is and
so which formulas and merges are in data rather than in a title above the table.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree

from headway.errors import HeadwayError
from headway.ingest.xml_safety import PROLOG_BYTES, refuse_dtd, safe_iterparse

MAX_UNCOMPRESSED = 2 * 1024**3
MAX_RATIO = 50
RATIO_FLOOR = 16 * 1024**2
# Formulas above this row are remembered one by one (title rows sit above the header,
# which the Annex A reader looks for in the first 10 rows); below it only the first counts.
EARLY_ROWS = 20

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@dataclass(frozen=True)
class SheetPart:
    """One sheet as the workbook lists it: its name, visibility and XML part in the zip."""

    name: str
    state: str  # visible, hidden, veryHidden
    part: str | None  # e.g. xl/worksheets/sheet1.xml; None for chart sheets (no cells)

    @property
    def hidden(self) -> bool:
        return self.state in ("hidden", "veryHidden")


@dataclass
class SheetScan:
    """Formulas and merged ranges found in one worksheet part."""

    early_formulas: list[tuple[int, str]] = field(default_factory=list)  # (row, cell)
    later_formula: tuple[int, str] | None = None  # the first formula below EARLY_ROWS
    merges: list[tuple[str, int, int]] = field(default_factory=list)  # (range, first, last row)

    def first_formula_from(self, row: int) -> str | None:
        """The first formula cell on or below `row` (1-based), if any."""
        for r, ref in self.early_formulas:
            if r >= row:
                return ref
        return self.later_formula[1] if self.later_formula else None

    def first_merge_from(self, row: int) -> str | None:
        """The first merged range that reaches `row` (1-based) or below, if any."""
        for ref, _, last in self.merges:
            if last >= row:
                return ref
        return None


@dataclass
class Package:
    """What Headway learnt from an xlsx package: its sheets and their scans."""

    sheets: list[SheetPart]
    scans: dict[str, SheetScan]  # by part name


class _Budget:
    """A reader over one zip part that refuses to yield more than the package may hold."""

    def __init__(self, raw: IO[bytes], left: int) -> None:
        self.raw = raw
        self.left = left
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        want = self.left + 1 if size < 0 else min(size, self.left + 1)
        data = self.raw.read(want)
        self.count += len(data)
        self.left -= len(data)
        if self.left < 0:
            raise _TooBig
        return data


class _TooBig(Exception):
    pass


def _refuse_bomb(path: Path, total: int, size: int) -> HeadwayError:
    return HeadwayError(
        f"{path.name} would unpack to more than {total / 1024**2:,.0f} MB from a "
        f"{size / 1024**2:,.1f} MB file, which is how zip bombs look, so Headway refuses it.",
        "Open it in Excel, copy the lists into a new workbook and save that.",
    )


def _limit(size: int) -> int:
    return min(MAX_UNCOMPRESSED, max(MAX_RATIO * size, RATIO_FLOOR))


def _open_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, left: int) -> _Budget:
    """Open a part so that its real size, not the size it declares, is what counts.

    zipfile stops reading at the declared size; a copy of the entry that declares the whole
    remaining budget lets the budget, not the (possibly forged) header, set the bound.
    """
    probe = zipfile.ZipInfo(info.filename)
    for attr in ("compress_type", "compress_size", "header_offset", "flag_bits", "CRC"):
        setattr(probe, attr, getattr(info, attr))
    probe.file_size = left + 1
    return _Budget(zf.open(probe), left)


def _damaged(path: Path) -> HeadwayError:
    return HeadwayError(
        f"{path.name} looks like an Excel workbook but is damaged.",
        "Open it in Excel and save it again.",
    )


def _parse_small(path: Path, data: bytes) -> etree._Element:
    refuse_dtd(path, data[:PROLOG_BYTES])
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _damaged(path) from exc


def _sheets(path: Path, workbook: etree._Element, rels: etree._Element | None) -> list[SheetPart]:
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.iter("{*}Relationship"):
            target = str(rel.get("Target") or "")
            if target.startswith("/"):
                targets[str(rel.get("Id"))] = target.lstrip("/")
            else:
                targets[str(rel.get("Id"))] = posixpath.normpath(posixpath.join("xl", target))
    out = []
    for sheet in workbook.iter("{*}sheet"):
        rid = str(sheet.get(f"{{{_REL_NS}}}id") or "")
        if not rid:  # Strict OOXML uses another relationships namespace
            rid = next((str(v) for k, v in sheet.attrib.items() if str(k).endswith("}id")), "")
        found = targets.get(rid)
        if found is None:
            raise _damaged(path)  # a sheet whose part cannot be found
        # A chart sheet or dialog sheet holds no cells.
        part = found if "worksheets/" in found else None
        name, state = str(sheet.get("name") or ""), str(sheet.get("state") or "visible")
        out.append(SheetPart(name, state, part))
    return out


def _cell_row(ref: str) -> int:
    m = _CELL.match(ref.upper())
    return int(m[2]) if m else 0


def _attr(el: etree._Element | None, name: str) -> str:
    return str(el.get(name) or "") if el is not None else ""


def _drop(el: etree._Element) -> None:
    """Free a parsed row and the rows before it: memory stays flat however long the sheet."""
    el.clear()
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _scan(path: Path, source: _Budget) -> SheetScan:
    """Stream one worksheet: note its formulas and merged ranges, keep memory flat."""
    head = source.read(PROLOG_BYTES)
    refuse_dtd(path, head)
    scan = SheetScan()

    class _Rewound:
        def __init__(self) -> None:
            self.first: bytes | None = head

        def read(self, size: int = -1) -> bytes:
            if self.first is not None:
                data, self.first = self.first, None
                return data
            return source.read(size)

    rows_done = 0  # rows seen so far, for rows and cells that do not say their number
    for _, el in safe_iterparse(_Rewound(), ("{*}row", "{*}f", "{*}mergeCell")):
        tag = str(el.tag)
        if tag.endswith("row"):
            rows_done = int(el.get("r") or rows_done + 1)
            _drop(el)
        elif tag.endswith("mergeCell"):
            ref = str(el.get("ref") or "")
            first, _, last = ref.partition(":")
            scan.merges.append((ref, _cell_row(first), _cell_row(last or first)))
        else:  # a formula: note its cell (<c r="B5"><f>...</f></c>, inside its <row r="5">)
            cell = el.getparent()
            row = cell.getparent() if cell is not None else None
            ref = _attr(cell, "r")
            number = _cell_row(ref) or int(_attr(row, "r") or rows_done + 1)
            if number <= EARLY_ROWS:
                scan.early_formulas.append((number, ref or f"row {number}"))
            else:
                scan.later_formula = (number, ref or f"row {number}")
                break  # the table has a formula: that is refused whatever else is there
    return scan


def inspect_xlsx(path: Path) -> Package:
    """Check the package for bombs and forged sizes; list its sheets; scan each worksheet."""
    size = path.stat().st_size
    limit = _limit(size)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            total = sum(i.file_size for i in infos)
            if total > limit:
                raise _refuse_bomb(path, limit, size)
            names = {i.filename: i for i in infos}
            if "xl/workbook.xml" not in names:
                raise _damaged(path)
            left = limit
            contents: dict[str, bytes] = {}
            scans: dict[str, SheetScan] = {}
            for info in infos:
                source = _open_part(zf, info, left)
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    scans[info.filename] = _scan(path, source)
                    source.read()  # anything after the root element still counts
                elif info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
                    contents[info.filename] = source.read()
                else:
                    while source.read(1 << 20):
                        pass
                if source.count != info.file_size:
                    raise _damaged(path)
                left = source.left
    except _TooBig:
        raise _refuse_bomb(path, limit, size) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise _damaged(path) from exc
    except RuntimeError as exc:  # zipfile's word for an encrypted part
        raise _damaged(path) from exc
        raise _damaged(path) from exc
    except etree.XMLSyntaxError as exc:
        raise _damaged(path) from exc
    workbook = _parse_small(path, contents["xl/workbook.xml"])
    rels_bytes = contents.get("xl/_rels/workbook.xml.rels")
    rels = _parse_small(path, rels_bytes) if rels_bytes is not None else None
    return Package(_sheets(path, workbook, rels), scans)
