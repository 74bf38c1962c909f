"""Programme packs: every change programme as data (YAML and SQL), never Python.

A pack is a folder, `pack.yaml` plus `measures/*.sql` and `outputs/*.sql`, shipped in
`library/<pack-id>/` or handed over as a folder or zip (docs/packs.md).

- model: the pydantic models (the JSON Schema comes from them: schema)
- files: reading a pack's files from the library, a folder or a hardened zip
- sqlcheck: the measure and output SQL contract, checked with sqlglot
- validate: every problem with its file and line; loader: load(ref), library()
- diff: what changed between two packs; show: list_packs() and show() for the CLI
"""

from headway.packs.diff import PackDiff, diff
from headway.packs.errors import PackError, PackInvalid
from headway.packs.loader import discover, library, library_ids, load
from headway.packs.model import Measure, Output, Pack, Requirement
from headway.packs.show import PackList, PackView, ValidationView, list_packs, show, validation
from headway.packs.validate import validate

__all__ = [
    "Measure",
    "Output",
    "Pack",
    "PackDiff",
    "PackError",
    "PackInvalid",
    "PackList",
    "PackView",
    "Requirement",
    "ValidationView",
    "diff",
    "discover",
    "library",
    "library_ids",
    "list_packs",
    "load",
    "show",
    "validate",
    "validation",
]
