"""The pack's JSON Schema, generated from the pydantic models.

`python -m headway.packs.schema > docs/pack.schema.json` writes the published copy; a test
checks it is current. Editors that read JSON Schema (e.g. VS Code's YAML extension, with
`# yaml-language-server: $schema=...` at the top of pack.yaml) then complete and check
fields as the pack is written. The schema checks the shape; `headway pack validate` also
checks what a schema cannot: references inside the pack, standard-model columns, the SQL.
"""

from __future__ import annotations

import json
from typing import Any

from headway.packs.model import Pack

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def pack_json_schema() -> dict[str, Any]:
    """The JSON Schema of pack.yaml."""
    body = Pack.model_json_schema(mode="validation")
    body["title"] = "Headway programme pack (pack.yaml)"
    body["description"] = (
        "One version of one programme as data: sources, components, expectations, "
        "milestones, requirements, measures and outputs. See docs/packs.md."
    )
    return {"$schema": SCHEMA_DIALECT, **body}


def schema_text() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(pack_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    print(schema_text(), end="")


if __name__ == "__main__":
    main()
