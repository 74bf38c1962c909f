"""The DfE validation rules, run by the D2I validators in their own environment.

The validators (csc-validator-be-cin, csc-validator-be-903) pin pandas<2 and numpy<2, so
they live in .venv-dfe (``make dfe-env``) and Headway drives them through a subprocess
running dfe_runner.py. Headway never re-implements a DfE rule: it chooses the ruleset for
a collection year, hands the validator the files as they were loaded, and keeps what the
validator reports in the workspace table hw_dfe_findings (with one row per run in
hw_dfe_runs, so a clean run is on record too).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from headway.errors import HeadwayError
from headway.workspace import Workspace

DFE_PYTHON_VAR = "HEADWAY_DFE_PYTHON"
RUNNER = Path(__file__).with_name("dfe_runner.py")
# Seconds one validator run may take. The CIN validator's own XML reader slows with the
# square of the file size: ~40 s for 5,000 children, so ~10 min for 20,000.
DEFAULT_TIMEOUT = 3600.0
DFE_TIMEOUT_VAR = "HEADWAY_DFE_TIMEOUT"
RULESETS_TIMEOUT = 120.0
SOURCES_DIR = "sources"

# Which validator checks which return, and how the return is named to people.
VALIDATOR_FOR_RETURN = {"cin_census": "cin", "ssda903": "903"}
RETURN_FOR_VALIDATOR = {v: k for k, v in VALIDATOR_FOR_RETURN.items()}
RETURN_LABEL = {"cin_census": "CIN census", "ssda903": "SSDA903"}
_ONS_LA = re.compile(r"^E(06|08|09|10)\d{6}$")
_RUNNER_ERROR = "headway-dfe-runner error: "

ProgressFn = Callable[[str], None]

DFE_DDL = """
CREATE TABLE IF NOT EXISTS hw_dfe_runs (
    run_id VARCHAR PRIMARY KEY,
    run_at TIMESTAMP NOT NULL,
    collection_year INTEGER NOT NULL,   -- named by the year it ends: 2024 = 2023-24
    source_return VARCHAR NOT NULL,     -- cin_census or ssda903, as in hw_loads
    validator VARCHAR NOT NULL,         -- e.g. csc-validator-be-cin 0.1.13
    ruleset VARCHAR NOT NULL,           -- e.g. cin2023_24
    exact_ruleset BOOLEAN NOT NULL,     -- false when the nearest ruleset stood in
    load_ids INTEGER[] NOT NULL,        -- the loads whose files were checked
    rules_in_ruleset INTEGER NOT NULL,
    rules_not_run VARCHAR[] NOT NULL,   -- rules that crashed on this data
    rules_skipped INTEGER NOT NULL,     -- rules the validator skipped (tables not supplied)
    findings BIGINT NOT NULL,
    children BIGINT NOT NULL,
    seconds DOUBLE NOT NULL,
    notes VARCHAR[] NOT NULL
);
CREATE TABLE IF NOT EXISTS hw_dfe_findings (
    run_id VARCHAR NOT NULL,
    run_at TIMESTAMP NOT NULL,
    collection_year INTEGER NOT NULL,
    source_return VARCHAR NOT NULL,
    ruleset VARCHAR NOT NULL,
    rule_code VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    child_id VARCHAR,                   -- null for rules about the return as a whole
    table_name VARCHAR,                 -- the validator's table, e.g. CINdetails, Episodes
    field VARCHAR,                      -- the fields the rule flagged there, comma-separated
    row_number INTEGER,                 -- 0-based row in the validator's table
    source_line INTEGER,                -- line in the CSV file (903 CSV only)
    load_id INTEGER                     -- hw_loads.load_id of the file checked
);
"""


class DfeRunError(HeadwayError):
    """The validator could not run; `details` keeps the end of what it wrote to stderr."""

    def __init__(self, message: str, hint: str = "", details: str = "") -> None:
        super().__init__(message, hint)
        self.details = details


# --- the environment and the runner -----------------------------------------------------


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def dfe_python() -> Path:
    """The python of the DfE rules environment: $HEADWAY_DFE_PYTHON, else .venv-dfe."""
    configured = os.environ.get(DFE_PYTHON_VAR)
    path = Path(configured) if configured else repo_root() / ".venv-dfe" / "bin" / "python"
    if not path.is_file():
        raise HeadwayError(
            "The DfE rules environment is not installed.", "Create it with: make dfe-env"
        )
    return path


def timeout_seconds() -> float:
    """The time one validator run may take: $HEADWAY_DFE_TIMEOUT, else an hour."""
    configured = os.environ.get(DFE_TIMEOUT_VAR, "").strip()
    try:
        return float(configured) if configured else DEFAULT_TIMEOUT
    except ValueError:
        raise HeadwayError(
            f"{DFE_TIMEOUT_VAR} is '{configured}', which is not a number of seconds.",
            f"Set it to a number, e.g. {DFE_TIMEOUT_VAR}=7200, or unset it.",
        ) from None


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "it stopped without a message"
    last = lines[-1]
    return last.removeprefix(_RUNNER_ERROR)


def _call_runner(
    args: Sequence[str],
    what: str,
    payload: str = "",
    python: Path | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    exe = python or dfe_python()
    timeout = timeout_seconds() if timeout is None else timeout
    try:
        # -I: isolated. The DfE environment sees only its own packages: not PYTHONPATH, not
        # the user's site-packages, and not this folder (whose profile.py would shadow the
        # standard library's).
        proc = subprocess.run(
            [str(exe), "-I", str(RUNNER), *args],
            input=payload,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DfeRunError(
            f"The DfE rules for {what} took longer than {timeout:.0f} s and were stopped.",
            f"Set {DFE_TIMEOUT_VAR} to more seconds and run them again.",
        ) from exc
    except OSError as exc:
        raise DfeRunError(
            f"The DfE rules environment at {exe} cannot be started ({exc.strerror}).",
            "Recreate it: remove .venv-dfe, then run: make dfe-env",
        ) from exc
    if proc.returncode != 0:
        raise DfeRunError(
            f"The DfE validator failed on {what}: {_last_error_line(proc.stderr)}",
            "Check that the file is the one loaded for that return and year; "
            "the validator reads it as the DfE would.",
            "\n".join(proc.stderr.splitlines()[-30:]),
        )
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise DfeRunError(
            f"The DfE validator gave no readable result for {what}.",
            "Recreate the environment: remove .venv-dfe, then run: make dfe-env",
            proc.stdout[-2000:],
        ) from exc
    if not isinstance(result, dict):
        raise DfeRunError(f"The DfE validator gave an unexpected result for {what}.")
    return result


# --- rulesets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rulesets:
    """The rulesets each validator has (e.g. cin2023_24) and the validator versions."""

    available: Mapping[str, tuple[str, ...]]
    versions: Mapping[str, str]


@dataclass(frozen=True)
class RulesetChoice:
    validator: str
    collection_year: int
    ruleset: str
    exact: bool

    @property
    def note(self) -> str:
        label = f"{self.collection_year - 1}-{self.collection_year % 100:02d}"
        if self.exact:
            return f"ruleset {self.ruleset} for {label}"
        return (
            f"ruleset {self.ruleset}: the validator has no ruleset for {label}, "
            "so the nearest one was used"
        )


def available_rulesets(python: Path | None = None) -> Rulesets:
    result = _call_runner(
        ["rulesets"], "the list of rulesets", python=python, timeout=RULESETS_TIMEOUT
    )
    available = {str(v): tuple(str(r) for r in names) for v, names in result["rulesets"].items()}
    versions = {str(v): str(n) for v, n in result["versions"].items()}
    return Rulesets(available, versions)


def ruleset_year(name: str) -> int:
    """The collection year a ruleset is for, named by the year it ends: cin2023_24 -> 2024."""
    match = re.fullmatch(r"[a-z]+(\d{4})_\d{2}", name)
    if not match:
        raise ValueError(f"not a ruleset name: {name}")
    return int(match.group(1)) + 1


def choose_ruleset(validator: str, collection_year: int, available: Sequence[str]) -> RulesetChoice:
    """The validator's ruleset for the year, else the nearest (the later one on a tie)."""
    if not available:
        raise HeadwayError(
            f"The DfE {validator} validator has no rulesets.",
            "Recreate the environment: remove .venv-dfe, then run: make dfe-env",
        )
    best = min(available, key=lambda r: (abs(ruleset_year(r) - collection_year), -ruleset_year(r)))
    return RulesetChoice(validator, collection_year, best, ruleset_year(best) == collection_year)


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DfeFinding:
    rule_code: str
    message: str
    child_id: str | None
    table: str | None
    fields: tuple[str, ...]
    row: int | None  # 0-based row in the validator's table
    line: int | None  # line in the CSV file, for 903 CSVs
    file: str | None
    load_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_code": self.rule_code,
            "message": self.message,
            "child_id": self.child_id,
            "table": self.table,
            "fields": list(self.fields),
            "row": self.row,
            "line": self.line,
            "load_id": self.load_id,
        }


@dataclass(frozen=True)
class DfeRun:
    """One validator run over one return for one collection year."""

    source_return: str
    collection_year: int
    validator: str  # name and version, e.g. csc-validator-be-cin 0.1.13
    ruleset: str
    exact_ruleset: bool
    findings: tuple[DfeFinding, ...]
    rules_in_ruleset: int
    rules_not_run: tuple[str, ...]
    rules_skipped: tuple[str, ...]
    seconds: float
    load_ids: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()  # what to bear in mind when reading the findings
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    run_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))

    @property
    def label(self) -> str:
        return f"{RETURN_LABEL.get(self.source_return, self.source_return)} {self.collection_year}"

    @property
    def ruleset_note(self) -> str:
        """Which ruleset checked this year, and whether it was the year's own."""
        validator = VALIDATOR_FOR_RETURN.get(self.source_return, "")
        return RulesetChoice(validator, self.collection_year, self.ruleset, self.exact_ruleset).note

    def counts(self) -> dict[str, int]:
        """Findings (flagged locations) per rule code, most frequent first."""
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.rule_code] = counts.get(f.rule_code, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def messages(self) -> dict[str, str]:
        return {f.rule_code: f.message for f in self.findings}

    @property
    def children(self) -> int:
        """Children with at least one finding."""
        return len({f.child_id for f in self.findings if f.child_id is not None})

    @property
    def rule_codes(self) -> set[str]:
        return {f.rule_code for f in self.findings}

    def to_json(self, with_findings: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "run_id": self.run_id,
            "run_at": self.run_at.isoformat(timespec="seconds"),
            "return": self.source_return,
            "collection_year": self.collection_year,
            "validator": self.validator,
            "ruleset": self.ruleset,
            "exact_ruleset": self.exact_ruleset,
            "ruleset_note": self.ruleset_note,
            "load_ids": list(self.load_ids),
            "rules_in_ruleset": self.rules_in_ruleset,
            "rules_not_run": list(self.rules_not_run),
            "rules_skipped": len(self.rules_skipped),
            "findings_total": len(self.findings),
            "children_with_findings": self.children,
            "counts": self.counts(),
            "messages": self.messages(),
            "seconds": self.seconds,
            "notes": list(self.notes),
        }
        if with_findings:
            out["findings"] = [f.to_json() for f in self.findings]
        return out


def _finding(raw: Mapping[str, Any], load_ids: Mapping[str, int]) -> DfeFinding:
    file = raw.get("file")
    return DfeFinding(
        rule_code=str(raw["rule_code"]),
        message=str(raw.get("message") or ""),
        child_id=None if raw.get("child_id") is None else str(raw["child_id"]),
        table=None if raw.get("table") is None else str(raw["table"]),
        fields=tuple(str(f) for f in raw.get("fields") or ()),
        row=None if raw.get("row") is None else int(raw["row"]),
        line=None if raw.get("line") is None else int(raw["line"]),
        file=None if file is None else str(file),
        load_id=load_ids.get(str(file)) if file is not None else None,
    )


def run_validator(
    validator: str,
    collection_year: int,
    files: Sequence[Path],
    *,
    previous_files: Sequence[Path] = (),
    load_ids: Mapping[str, int] | None = None,
    local_authority: str = "",
    python: Path | None = None,
    rulesets: Rulesets | None = None,
    timeout: float | None = None,
) -> DfeRun:
    """Run one validator ('cin' or '903') on the files of one collection year.

    `files` is one CIN XML, or the 903 files (one CSV per table, or one XML). For 903,
    `previous_files` are last year's files, which some rules compare against.
    `load_ids` maps each file (as a string) to the load it came from.
    """
    if validator not in RETURN_FOR_VALIDATOR:
        raise HeadwayError(
            f"There is no DfE validator called '{validator}'.", "Use 'cin' or '903'."
        )
    exe = python or dfe_python()
    known = rulesets or available_rulesets(exe)
    choice = choose_ruleset(validator, collection_year, known.available.get(validator, ()))
    source_return = RETURN_FOR_VALIDATOR[validator]
    request = {
        "validator": validator,
        "ruleset": choice.ruleset,
        "collection_year": collection_year,
        "files": [str(f) for f in files],
        "previous_files": [str(f) for f in previous_files],
        "local_authority": local_authority,
    }
    what = f"the {RETURN_LABEL[source_return]} {collection_year}"
    result = _call_runner(["run"], what, json.dumps(request), exe, timeout)
    ids = dict(load_ids or {})
    return DfeRun(
        source_return=source_return,
        collection_year=collection_year,
        validator=f"{_distribution(validator)} {result.get('validator_version', 'unknown')}",
        ruleset=choice.ruleset,
        exact_ruleset=choice.exact,
        findings=tuple(_finding(f, ids) for f in result["findings"]),
        rules_in_ruleset=int(result["rules_in_ruleset"]),
        rules_not_run=tuple(str(c) for c in result.get("rules_not_run") or ()),
        rules_skipped=tuple(str(c) for c in result.get("rules_skipped") or ()),
        seconds=float(result.get("seconds") or 0.0),
        load_ids=tuple(sorted(set(ids.values()))),
    )


def _distribution(validator: str) -> str:
    return "csc-validator-be-cin" if validator == "cin" else "csc-validator-be-903"


def bench_convert(
    xml_file: Path, python: Path | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """Time the CIN validator's XML-to-tables step on a file: {"children": n, "seconds": s}."""
    return _call_runner(
        ["bench-convert", str(xml_file)], f"timing {xml_file.name}", python=python, timeout=timeout
    )


# --- the workspace: which files, and where the findings go -------------------------------


@dataclass(frozen=True)
class SourceFile:
    load_id: int
    dataset: str
    path: Path | None  # None when the file is neither in the workspace nor where it was loaded from
    recorded_path: str


@dataclass(frozen=True)
class ReturnFiles:
    """The latest loaded files of one return for one collection year."""

    source_return: str
    collection_year: int
    files: tuple[SourceFile, ...]

    @property
    def missing(self) -> tuple[SourceFile, ...]:
        return tuple(f for f in self.files if f.path is None)


def _locate(ws: Workspace, sha256: str, file_path: str) -> Path | None:
    """The workspace keeps each loaded file as sources/<sha256><suffix>; else the original."""
    kept = ws.path / SOURCES_DIR / f"{sha256}{Path(file_path).suffix.lower()}"
    if kept.is_file():
        return kept
    kept_as_named = ws.path / SOURCES_DIR / f"{sha256}{Path(file_path).suffix}"
    if kept_as_named.is_file():
        return kept_as_named
    original = Path(file_path)
    return original if original.is_file() else None


def latest_files(ws: Workspace, con: duckdb.DuckDBPyConnection) -> list[ReturnFiles]:
    """Per collection year: the latest CIN census load, and the latest load of each 903 table."""
    rows = con.execute(
        """
        SELECT l.source_return, l.collection_year, l.dataset, l.load_id, l.sha256, l.file_path
        FROM hw_loads l
        JOIN (
            SELECT collection_year, dataset, max(load_id) AS load_id
            FROM hw_loads
            WHERE dataset = 'cin_census' OR source_return = 'ssda903'
            GROUP BY collection_year, dataset
        ) latest USING (collection_year, dataset, load_id)
        ORDER BY l.collection_year, l.source_return, l.dataset
        """
    ).fetchall()
    grouped: dict[tuple[str, int], list[SourceFile]] = {}
    for source_return, year, dataset, load_id, sha256, file_path in rows:
        located = _locate(ws, str(sha256), str(file_path))
        grouped.setdefault((str(source_return), int(year)), []).append(
            SourceFile(int(load_id), str(dataset), located, str(file_path))
        )
    return [ReturnFiles(r, y, _one_format(tuple(files))) for (r, y), files in grouped.items()]


def _one_format(files: tuple[SourceFile, ...]) -> tuple[SourceFile, ...]:
    """The 903 validator reads either CSVs (one per table) or one XML, never a mix."""
    xml = [f for f in files if Path(f.recorded_path).suffix.lower() == ".xml"]
    if not xml or len(xml) == len(files) == 1:
        return files
    if len(xml) == len(files):
        return (max(xml, key=lambda f: f.load_id),)
    return tuple(f for f in files if f not in xml)  # a mix: the CSV tables are checked


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DFE_DDL)


def store_run(con: duckdb.DuckDBPyConnection, run: DfeRun) -> None:
    """Keep a run, replacing earlier runs and findings for the same return and year."""
    ensure_tables(con)
    findings = pa.table(
        {
            "rule_code": pa.array([f.rule_code for f in run.findings], pa.string()),
            "message": pa.array([f.message for f in run.findings], pa.string()),
            "child_id": pa.array([f.child_id for f in run.findings], pa.string()),
            "table_name": pa.array([f.table for f in run.findings], pa.string()),
            "field": pa.array([", ".join(f.fields) or None for f in run.findings], pa.string()),
            "row_number": pa.array([f.row for f in run.findings], pa.int32()),
            "source_line": pa.array([f.line for f in run.findings], pa.int32()),
            "load_id": pa.array([f.load_id for f in run.findings], pa.int32()),
        }
    )
    key = [run.source_return, run.collection_year]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM hw_dfe_findings WHERE source_return = ? AND collection_year = ?", key
        )
        con.execute("DELETE FROM hw_dfe_runs WHERE source_return = ? AND collection_year = ?", key)
        con.execute(
            "INSERT INTO hw_dfe_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                run.run_at,
                run.collection_year,
                run.source_return,
                run.validator,
                run.ruleset,
                run.exact_ruleset,
                list(run.load_ids),
                run.rules_in_ruleset,
                list(run.rules_not_run),
                len(run.rules_skipped),
                len(run.findings),
                run.children,
                run.seconds,
                list(run.notes),
            ],
        )
        con.register("hw_new_dfe_findings", findings)
        con.execute(
            """
            INSERT INTO hw_dfe_findings
            SELECT ?, ?, ?, ?, ?, rule_code, message, child_id, table_name, field,
                   row_number, source_line, load_id
            FROM hw_new_dfe_findings
            """,
            [run.run_id, run.run_at, run.collection_year, run.source_return, run.ruleset],
        )
        con.unregister("hw_new_dfe_findings")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _local_authority(ws: Workspace) -> tuple[str, tuple[str, ...]]:
    """The LA code the 903 validator compares placement areas with: it needs the ONS code."""
    if _ONS_LA.match(ws.la_code):
        return ws.la_code, ()
    note = (
        f"The workspace LA code {ws.la_code} is a DfE number; the 903 validator compares "
        "placement areas with the LA's ONS code, so rules that test whether a child is "
        "placed in the LA's own area (such as 1015) may flag own-area placements."
    )
    return ws.la_code, (note,)


def _missing_note(group: ReturnFiles) -> str:
    names = ", ".join(f"{f.dataset} (load {f.load_id}, {f.recorded_path})" for f in group.missing)
    label = RETURN_LABEL.get(group.source_return, group.source_return)
    return (
        f"{label} {group.collection_year}: not checked, because these loaded files are no longer "
        f"in the workspace or where they were loaded from: {names}. Load them again."
    )


@dataclass(frozen=True)
class _Job:
    """What one validator run needs: its files, last year's (903), load ids, LA code."""

    validator: str
    files: tuple[Path, ...]
    previous: tuple[Path, ...]
    load_ids: Mapping[str, int]
    local_authority: str
    notes: tuple[str, ...]


def _is_csv(f: SourceFile) -> bool:
    return Path(f.recorded_path).suffix.lower() == ".csv"


def _job(ws: Workspace, group: ReturnFiles, by_key: Mapping[tuple[str, int], ReturnFiles]) -> _Job:
    validator = VALIDATOR_FOR_RETURN[group.source_return]
    checked = [f for f in group.files if f.path is not None]
    earlier: list[SourceFile] = []
    la_code = ""
    notes: tuple[str, ...] = ()
    if validator == "903":
        last_year = by_key.get(("ssda903", group.collection_year - 1))
        if last_year is not None and not last_year.missing:
            earlier = [f for f in last_year.files if f.path is not None]
        if not all(_is_csv(f) for f in checked + earlier):
            earlier = []  # the 903 validator compares years only from CSVs
        la_code, notes = _local_authority(ws)
    return _Job(
        validator=validator,
        files=tuple(f.path for f in checked if f.path is not None),
        previous=tuple(f.path for f in earlier if f.path is not None),
        load_ids={str(f.path): f.load_id for f in earlier + checked},  # this year's win
        local_authority=la_code,
        notes=notes,
    )


def run_dfe_rules(
    ws: Workspace,
    con: duckdb.DuckDBPyConnection,
    on_progress: ProgressFn | None = None,
    *,
    python: Path | None = None,
    timeout: float | None = None,
) -> tuple[list[DfeRun], list[str]]:
    """Run the DfE rules on every collection year loaded; keep and return the runs, and notes."""
    progress = on_progress or (lambda _message: None)
    groups = latest_files(ws, con)
    if not groups:
        return [], ["No CIN census or SSDA903 files are loaded, so no DfE rules were run."]
    exe = python or dfe_python()
    known = available_rulesets(exe)
    ensure_tables(con)
    by_key = {(g.source_return, g.collection_year): g for g in groups}
    runs: list[DfeRun] = []
    notes: list[str] = []
    for group in groups:
        if group.missing:
            notes.append(_missing_note(group))
            continue
        job = _job(ws, group, by_key)
        label = f"{RETURN_LABEL[group.source_return]} {group.collection_year}"
        progress(f"Running the DfE rules on the {label} ({len(job.files)} file(s))")
        run = run_validator(
            job.validator,
            group.collection_year,
            job.files,
            previous_files=job.previous,
            load_ids=job.load_ids,
            local_authority=job.local_authority,
            python=exe,
            rulesets=known,
            timeout=timeout,
        )
        run = replace(run, notes=run.notes + job.notes)
        store_run(con, run)
        progress(f"{label}: {len(run.findings)} findings ({run.ruleset})")
        runs.append(run)
    return runs, notes
