"""Read the Standard Safeguarding Dataset's object specs (ssd/objects/ssd_*.yml) into facts.

Each SSD table is an entry (ssd:ssd_cin_episodes) and each field an item named by its
item_ref (ssd:CINE003A). The SSD's description is the item's label and its guidance the
definition; `returns` is what the SSD says about which returns use the field. The SSD's own
bookkeeping tables (version log, API staging) are left out, as in the standard model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from headway.standards.spec import Facts

STANDARD = "ssd"
SKIPPED_TABLES = ("ssd_version_log", "ssd_api_data_staging")


def _clean(text: Any) -> str | None:
    if text is None:
        return None
    cleaned = re.sub(r"\s+", " ", str(text)).strip()
    return cleaned or None


def _required(field: Mapping[str, Any]) -> bool | None:
    for validator in field.get("validators") or ():
        if isinstance(validator, dict) and "required" in validator:
            return bool((validator["required"] or {}).get("enabled"))
    return None


def _item(table: str, field: Mapping[str, Any]) -> Facts:
    return Facts(
        kind="item",
        name=str(field["name"]),
        item_code=str(field["item_ref"]),
        label=_clean(field.get("description")),
        definition=_clean(field.get("guidance")),
        type=str(field["type"]).lower(),
        required=_required(field),
        within=(f"{STANDARD}:{table}",),
        paths=(f"{table}.{field['name']}",),
        returns=tuple(str(r).strip() for r in field.get("returns") or ()),
    )


def snapshot(nodes: Iterable[Mapping[str, Any]]) -> dict[str, Facts]:
    """Facts by entry id for the SSD's nodes (each object file's `nodes`), in the given order."""
    out: dict[str, Facts] = {}
    for node in nodes:
        table = str(node["name"])
        if table in SKIPPED_TABLES:
            continue
        out[f"{STANDARD}:{table}"] = Facts(kind="table", name=table, paths=(table,))
        for field in node["fields"]:
            entry_id = f"{STANDARD}:{field['item_ref']}"
            if entry_id in out:
                raise ValueError(f"the SSD gives item_ref {field['item_ref']} twice")
            out[entry_id] = _item(table, field)
    return out
