"""Recognising a file by its content (never by its name alone) before anything is written."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from headway.errors import HeadwayError
from headway.ingest import ssd_extract, ssda903
from headway.ingest.text_files import header_of
from headway.ingest.xml_safety import prolog, refuse_dtd, root_name
from headway.model.schema import Table

DEFAULT_MAX_BYTES = 4 * 1024**3  # a national CIN census year is about 1 GB


@dataclass
class Detected:
    path: Path
    format: str  # cin_census, ssda903_csv, ssda903_xml, annex_a, ssd_extract
    kind: str = ""  # the 903 table, or the SSD table
    header: list[str] = field(default_factory=list)
    table: Table | None = None

    @property
    def source_return(self) -> str:
        return {"ssda903_csv": "ssda903", "ssda903_xml": "ssda903"}.get(self.format, self.format)


def _check_file(path: Path, max_bytes: int) -> int:
    if not path.exists():
        raise HeadwayError(f"{path} does not exist.", "Check the path and try again.")
    if path.is_dir():
        raise HeadwayError(
            f"{path} is a folder, not a file.",
            f"Name the files to load, e.g. headway ingest {path}/*",
        )
    size = path.stat().st_size
    if size == 0:
        raise HeadwayError(f"{path.name} is empty (0 bytes).", "Export the file again.")
    if size > max_bytes:
        raise HeadwayError(
            f"{path.name} is {size / 1024**2:,.0f} MB, over Headway's limit of "
            f"{max_bytes / 1024**2:,.0f} MB for one file.",
            "Check it is the right file, or raise the limit with --max-size.",
        )
    return size


def detect(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Detected:
    _check_file(path, max_bytes)
    head = prolog(path)
    if not head.strip():
        raise HeadwayError(f"{path.name} holds only blank space.", "Export the file again.")
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: an old .xls, or any encrypted workbook
        raise HeadwayError(
            f"{path.name} is an old-style .xls workbook or is protected with a password.",
            "Open it in Excel, remove any password and save it as .xlsx, then load it again.",
        )
    if head.startswith(b"PAR1"):
        return _detect_ssd(path, ssd_extract.parquet_header(path))
    text_start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text_start.startswith(b"<"):
        return _detect_xml(path, head)
    return _detect_delimited(path)


def _detect_zip(path: Path) -> Detected:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile as exc:
        raise HeadwayError(
            f"{path.name} looks like an Excel or zip file but is damaged.", "Save it again."
        ) from exc
    if "xl/workbook.xml" in names:
        return Detected(path, "annex_a")
    raise HeadwayError(
        f"{path.name} is a zip archive, not an Excel workbook.",
        "Unzip it and load the files inside.",
    )


def _detect_xml(path: Path, head: bytes) -> Detected:
    refuse_dtd(path, head)
    root = root_name(head)
    if b"<LAchildID" in head or b"<CINdetails" in head:
        return Detected(path, "cin_census")
    if b"<CHILDID" in head or b"<EPISODE" in head:
        return Detected(path, "ssda903_xml")
    if root == "Message" and b"<Collection>CIN<" in head:
        return Detected(path, "cin_census")
    raise HeadwayError(
        f"{path.name} is XML but not a CIN census or SSDA903 return "
        f"(its root element is <{root or '?'}>).",
        "Check you picked the right file.",
    )


def _detect_delimited(path: Path) -> Detected:
    header = header_of(path)
    if not header or not any(header):
        raise HeadwayError(f"{path.name} has no header row.", "Export the file again.")
    kind = ssda903.table_for_header(header)
    if kind is not None:
        return Detected(path, "ssda903_csv", kind=kind, header=header)
    if ssd_extract.ssd_table_for(path) is not None:
        return _detect_ssd(path, header)
    shown = ",".join(header[:8]) + (",..." if len(header) > 8 else "")
    raise HeadwayError(
        f"{path.name}: Headway does not recognise the header '{shown}'.",
        "It reads SSDA903 tables (exact 903 headers) and SSD extracts named after their "
        "ssd_* table; see docs/ingest.md.",
    )


def _detect_ssd(path: Path, header: list[str]) -> Detected:
    t = ssd_extract.ssd_table_for(path)
    if t is None:
        raise HeadwayError(
            f"{path.name} is a data file but not named after an SSD table.",
            "Name SSD extracts after their table, e.g. ssd_contacts.parquet.",
        )
    ssd_extract.check_columns(path, t, header)
    return Detected(path, "ssd_extract", kind=t.name, header=header, table=t)
