"""Every shipped pack validates in full, SQL included (loading a shipped pack skips the SQL
checks to stay fast, so this test is where they are enforced)."""

from __future__ import annotations

import pytest

from headway.packs import library, library_ids, load, validate


@pytest.mark.parametrize("pack_id", library_ids())
def test_shipped_pack_validates(pack_id: str) -> None:
    errors = validate(pack_id)
    assert errors == [], "\n".join(str(e) for e in errors)
    pack = load(pack_id)
    assert pack.id == pack_id
    assert pack.origin == "library"
    assert all(m.sql for m in pack.measures) and all(o.sql for o in pack.outputs)


def test_library_loads_every_shipped_pack() -> None:
    assert [p.id for p in library()] == library_ids()
