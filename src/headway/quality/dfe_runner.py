"""Run the D2I DfE validators for Headway, inside their own environment.

This file is executed by the python of the isolated DfE environment (.venv-dfe), never
imported by Headway: the validators pin pandas<2 and numpy<2. It may import only the
standard library and the validators (which bring pandas). The validators are reached
through importlib so that Headway's own type checking needs none of them.

Modes:
  rulesets              JSON: the rulesets each validator has, and the validator versions.
  run [--request FILE]  JSON request on stdin (or in FILE); JSON result on stdout:
                        {"validator": "cin" | "903", "ruleset": "cin2023_24",
                         "collection_year": 2024, "files": [...], "previous_files": [...],
                         "local_authority": "E09000027"}
  bench-convert FILE    Parse a CIN XML file with xml.etree, then time
                        cin_validator.convert_data(root) alone: {"children": n, "seconds": s}.

Headway runs it as `python -I dfe_runner.py ...` (isolated: this folder is not put on
sys.path, so Headway's own modules here cannot shadow anything).

stdout carries exactly one JSON document. Everything the validators print or log goes to
stderr. On failure the last line of stderr starts with "headway-dfe-runner error:".
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import json
import logging
import pkgutil
import re
import sys
import time
import traceback
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

PROTOCOL = 1
PACKAGES = {"cin": "cin_validator", "903": "lac_validator"}
DISTRIBUTIONS = {"cin": "csc-validator-be-cin", "903": "csc-validator-be-903"}
_RULESET_NAME = re.compile(r"^(cin|lac)\d{4}_\d{2}$")
# The CIN validator reports a rule that crashed by printing this line (and treats it as passed).
_CIN_RULE_CRASH = re.compile(r"^Error with rule (\S+):")

Finding = dict[str, Any]


class RequestError(Exception):
    """The request cannot be run as given."""


def list_rulesets(validator: str) -> list[str]:
    package = importlib.import_module(f"{PACKAGES[validator]}.rules")
    names = [m.name for m in pkgutil.iter_modules(package.__path__) if m.ispkg]
    return sorted(n for n in names if _RULESET_NAME.match(n))


def validator_version(validator: str) -> str:
    try:
        return metadata.version(DISTRIBUTIONS[validator])
    except metadata.PackageNotFoundError:
        return "unknown"


def rulesets_report() -> dict[str, Any]:
    return {
        "protocol": PROTOCOL,
        "rulesets": {v: list_rulesets(v) for v in PACKAGES},
        "versions": {v: validator_version(v) for v in PACKAGES},
    }


def _registry(validator: str, ruleset: str) -> Any:
    if ruleset not in list_rulesets(validator):
        raise RequestError(f"the {validator} validator has no ruleset {ruleset}")
    return importlib.import_module(f"{PACKAGES[validator]}.rules.{ruleset}").registry


def _text(value: Any) -> str | None:
    """A cell from a validator's DataFrame as plain text; None for pandas' missing values."""
    if value is None:
        return None
    pandas = importlib.import_module("pandas")
    try:
        if bool(pandas.isna(value)):
            return None
    except (TypeError, ValueError):  # lists and other containers are never "missing"
        pass
    return str(value)


def _row(value: Any) -> int | None:
    text = _text(value)
    try:
        return int(float(text)) if text is not None else None
    except ValueError:
        return None


@contextlib.contextmanager
def _printing_to(buffer: io.StringIO) -> Iterator[None]:
    """Catch what the validators print, so that stdout carries only the result."""
    with contextlib.redirect_stdout(buffer):
        yield
    sys.stderr.write(buffer.getvalue())


# --- CIN census -------------------------------------------------------------------------


def _cin_findings(issues: Any, path: str) -> list[Finding]:
    """One finding per rule, table, row and child, with the fields that rule flagged there."""
    grouped: dict[tuple[str, str | None, int | None, str | None], Finding] = {}
    for rec in issues.to_dict("records"):
        code = str(rec["rule_code"])
        table = _text(rec.get("tables_affected"))
        row = _row(rec.get("row_id"))
        child = _text(rec.get("child_id"))
        key = (code, table, row, child)
        finding = grouped.setdefault(
            key,
            {
                "rule_code": code,
                "message": _text(rec.get("rule_description")) or "",
                "child_id": child,
                "table": table,
                "fields": [],
                "row": row,
                "line": None,
                "file": path,
            },
        )
        field = _text(rec.get("columns_affected"))
        if field is not None and field not in finding["fields"]:
            finding["fields"].append(field)
    return list(grouped.values())


def _cin_return_level(issues: Any, path: str) -> list[Finding]:
    """Rules about the return as a whole (and its header): no child, no row."""
    seen: set[str] = set()
    out: list[Finding] = []
    for rec in issues.to_dict("records"):
        code = str(rec["rule_code"])
        if code in seen:
            continue
        seen.add(code)
        out.append(
            {
                "rule_code": code,
                "message": _text(rec.get("rule_description")) or "",
                "child_id": None,
                "table": None,
                "fields": [],
                "row": None,
                "line": None,
                "file": path,
            }
        )
    return out


def run_cin(request: dict[str, Any]) -> dict[str, Any]:
    files = [str(f) for f in request["files"]]
    if len(files) != 1:
        raise RequestError(f"the CIN validator checks one XML file at a time, not {len(files)}")
    registry = _registry("cin", str(request["ruleset"]))
    cin = importlib.import_module("cin_validator.cin_validator")
    root = ET.parse(files[0]).getroot()
    printed = io.StringIO()
    with _printing_to(printed):
        data = cin.process_data(cin.convert_data(root))
        validator = cin.CinValidator(data, registry)
    crashed = sorted(
        {
            m.group(1)
            for line in printed.getvalue().splitlines()
            if (m := _CIN_RULE_CRASH.match(line))
        }
    )
    findings = _cin_findings(validator.full_issue_df, files[0])
    findings += _cin_return_level(validator.multichild_issues, files[0])
    return {
        "rules_in_ruleset": len(registry),
        "rules_not_run": crashed,
        "rules_skipped": [],
        "tables": {},
        "findings": findings,
    }


# --- SSDA903 ----------------------------------------------------------------------------


def _csv_table(path: str, column_names: dict[str, list[str]]) -> str | None:
    """Which 903 table a CSV holds, recognised by its header row as the validator does."""
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        header = next(csv.reader(f), [])
    columns = {h.strip() for h in header}
    for table, expected in column_names.items():
        if columns == set(expected):
            return table
    return None


def _table_files(
    files: list[str], previous: list[str], column_names: dict[str, list[str]]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for paths, suffix in ((files, ""), (previous, "_last")):
        for path in paths:
            if path.lower().endswith(".xml"):
                out.update({f"{t}{suffix}": path for t in column_names})
            elif (table := _csv_table(path, column_names)) is not None:
                out[f"{table}{suffix}"] = path
    return out


def _lac_findings(results: Any, registry: Any, tables: dict[str, str]) -> list[Finding]:
    """One finding per rule and flagged row; the validator marks rows with ERR_<code> columns."""
    out: list[Finding] = []
    for table, frame in results.items():
        if table == "metadata":
            continue
        columns = [str(c) for c in frame.columns]
        path = tables.get(str(table))
        is_csv = path is not None and not path.lower().endswith(".xml")
        for column in columns:
            if not column.startswith("ERR_"):
                continue
            code = column[4:]
            rule = registry[code]
            affected = [str(f) for f in (rule.affected_fields or [])]
            fields = [f for f in affected if f in columns] or affected
            for index in frame.index[frame[column].eq(True)].tolist():
                row = _row(index)
                out.append(
                    {
                        "rule_code": code,
                        "message": str(rule.message or ""),
                        "child_id": _text(frame.at[index, "CHILD"]) if "CHILD" in columns else None,
                        "table": str(table),
                        "fields": fields,
                        "row": row,
                        # CSV line: the header is line 1 and the validator keeps file order.
                        "line": row + 2 if is_csv and row is not None else None,
                        "file": path,
                    }
                )
    return out


def run_903(request: dict[str, Any]) -> dict[str, Any]:
    files = [str(f) for f in request["files"]]
    previous = [str(f) for f in request.get("previous_files") or []]
    if not files:
        raise RequestError("no SSDA903 files to check")
    registry = _registry("903", str(request["ruleset"]))
    lac = importlib.import_module("lac_validator.lac_validator")
    utils = importlib.import_module("lac_validator.utils")
    config = importlib.import_module("lac_validator.config")
    logging.getLogger().setLevel(logging.WARNING)  # the validator logs every rule at INFO
    uploads = {"This year": files, "Prev year": previous}
    printed = io.StringIO()
    with _printing_to(printed):
        validator = lac.LacValidator(
            metadata={
                "collectionYear": str(int(request["collection_year"])),
                "localAuthority": str(request.get("local_authority") or ""),
            },
            files=utils.process_uploaded_files({k: v for k, v in uploads.items() if v}),
            registry=registry,
        )
    tables = _table_files(files, previous, dict(config.column_names))
    return {
        "rules_in_ruleset": len(registry),
        "rules_not_run": sorted(str(c) for c in validator.fails),
        "rules_skipped": sorted(str(c) for c in validator.skips),
        "tables": tables,
        "findings": _lac_findings(validator.ds_results, registry, tables),
    }


# --- modes ------------------------------------------------------------------------------


def run_request(request: dict[str, Any]) -> dict[str, Any]:
    validator = str(request.get("validator"))
    if validator not in PACKAGES:
        raise RequestError(f"unknown validator {validator!r}: use 'cin' or '903'")
    started = time.perf_counter()
    body = run_cin(request) if validator == "cin" else run_903(request)
    counts: dict[str, int] = {}
    for finding in body["findings"]:
        counts[finding["rule_code"]] = counts.get(finding["rule_code"], 0) + 1
    return {
        "protocol": PROTOCOL,
        "validator": validator,
        "validator_version": validator_version(validator),
        "ruleset": request["ruleset"],
        "collection_year": request.get("collection_year"),
        **body,
        "counts": counts,
        "seconds": round(time.perf_counter() - started, 3),
    }


def bench_convert(path: str) -> dict[str, Any]:
    """Time the CIN validator's own XML-to-tables step, excluding the XML parse."""
    cin = importlib.import_module("cin_validator.cin_validator")
    root = ET.parse(path).getroot()
    printed = io.StringIO()
    with _printing_to(printed):
        started = time.perf_counter()
        tables = cin.convert_data(root)
        seconds = time.perf_counter() - started
    return {"children": len(tables["ChildIdentifiers"]), "seconds": round(seconds, 3)}


def _read_request(path: str | None, stdin: TextIO) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8") if path else stdin.read()
    request = json.loads(text)
    if not isinstance(request, dict):
        raise RequestError("the request must be a JSON object")
    return request


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the D2I DfE validators for Headway.")
    modes = parser.add_subparsers(dest="mode", required=True)
    modes.add_parser("rulesets", help="list the rulesets of each validator")
    run = modes.add_parser("run", help="run one validator on files; JSON request on stdin")
    run.add_argument("--request", help="read the JSON request from this file instead")
    bench = modes.add_parser("bench-convert", help="time cin_validator.convert_data on FILE")
    bench.add_argument("file")
    args = parser.parse_args(argv)
    out = sys.stdout
    warnings.simplefilter("ignore")  # pandas deprecation noise from the validators' rules
    try:
        with contextlib.redirect_stdout(sys.stderr):
            if args.mode == "rulesets":
                result = rulesets_report()
            elif args.mode == "run":
                result = run_request(_read_request(args.request, sys.stdin))
            else:
                result = bench_convert(args.file)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        first_line = (str(exc).strip().splitlines() or [""])[0]
        sys.stderr.write(f"headway-dfe-runner error: {type(exc).__name__}: {first_line}\n")
        return 2
    json.dump(result, out)
    out.write("\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
