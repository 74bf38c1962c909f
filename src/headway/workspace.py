"""An LA workspace on disk: its config, its DuckDB file of child-level data, its outputs.

Child-level data lives only here, on the LA's own machine.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import tomli_w

from headway.errors import HeadwayError

CONFIG_FILE = "workspace.toml"
DATABASE_FILE = "headway.duckdb"
DEFAULT_WORKSPACE = "headway-workspace"

# DfE LA numbers are three digits (201 City of London ... 938 West Sussex). ONS codes for the
# authorities that run children's services are unitary (E06), metropolitan (E08), London (E09)
# and county (E10) codes. A format check, not a closed list: successor authorities created by
# reorganisation get new codes that no list shipped today can know.
_DFE_LA = re.compile(r"^[2-9][0-9]{2}$")
_ONS_LA = re.compile(r"^E(06|08|09|10)[0-9]{6}$")


def validate_la_code(code: str) -> str:
    """Return the LA code, normalised, or raise an error that says what a valid code looks like."""
    cleaned = code.strip().upper()
    if _DFE_LA.match(cleaned) or _ONS_LA.match(cleaned):
        return cleaned
    raise HeadwayError(
        f"'{code}' is not an LA code.",
        "Use the 3-digit DfE LA number (e.g. 201, 938) or the 9-character ONS code "
        "(e.g. E10000034).",
    )


def default_workspace_dir() -> Path:
    return Path(os.environ.get("HEADWAY_WORKSPACE", DEFAULT_WORKSPACE))


@dataclass(frozen=True)
class Workspace:
    path: Path
    la_code: str
    la_name: str

    @property
    def database(self) -> Path:
        return self.path / DATABASE_FILE

    @property
    def outputs(self) -> Path:
        return self.path / "outputs"

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.database), read_only=read_only)

    @classmethod
    def create(cls, path: Path, la_code: str, la_name: str | None = None) -> Workspace:
        code = validate_la_code(la_code)
        if (path / CONFIG_FILE).exists():
            raise HeadwayError(
                f"{path} is already a Headway workspace.",
                "Use it as it is, or choose another folder.",
            )
        if path.exists() and not path.is_dir():
            raise HeadwayError(f"{path} is a file, not a folder.", "Choose a folder name.")
        path.mkdir(parents=True, exist_ok=True)
        ws = cls(path=path, la_code=code, la_name=la_name or f"LA {code}")
        config = {
            "la_code": ws.la_code,
            "la_name": ws.la_name,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        ws.outputs.mkdir(exist_ok=True)
        from headway.model.schema import create_tables  # the model knows its own DDL

        with ws.connect() as con:
            create_tables(con)
        # The config is written last: a folder without it is not (yet) a workspace.
        (path / CONFIG_FILE).write_text(tomli_w.dumps(config), encoding="utf-8")
        return ws

    @classmethod
    def open(cls, path: Path) -> Workspace:
        config_path = path / CONFIG_FILE
        if not config_path.is_file():
            raise HeadwayError(
                f"There is no Headway workspace at {path}.",
                f"Create one with: headway init {path} --la CODE",
            )
        try:
            config = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise HeadwayError(
                f"The workspace config {config_path} cannot be read ({exc}).",
                "Restore it from a backup or create a new workspace.",
            ) from exc
        return cls(path=path, la_code=config["la_code"], la_name=config["la_name"])
