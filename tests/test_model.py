"""The standard model: faithful to the SSD, its additions documented, its docs current."""

from __future__ import annotations

import yaml

from headway.ingest import docs
from headway.ingest.mapping import mappings
from headway.model.schema import tables
from tests.conftest import REPO, reference

SSD_TYPES = {"nvarchar": "VARCHAR", "nchar": "VARCHAR", "binary": "VARCHAR",
             "datetime": "DATE", "int": "INTEGER", "float": "DOUBLE", "bit": "BOOLEAN"}  # fmt: skip


def test_ssd_tables_match_the_published_ssd() -> None:
    objects = reference("ssd", "objects")
    model = tables()
    for path in sorted(objects.glob("ssd_*.yml")):
        for node in yaml.safe_load(path.read_text(encoding="utf-8"))["nodes"]:
            if node["name"] in ("ssd_version_log", "ssd_api_data_staging"):
                continue  # the SSD's own bookkeeping, not child-level data
            t = model[node["name"]]
            ssd_cols = [c for c in t.columns if c.origin == "ssd"]
            assert [c.name for c in ssd_cols] == [f["name"] for f in node["fields"]], t.name
            for c, f in zip(ssd_cols, node["fields"], strict=True):
                assert c.item_ref == f["item_ref"], c.name
                assert c.type == SSD_TYPES[str(f["type"]).lower()], c.name


def test_every_addition_says_why_and_is_not_an_ssd_field() -> None:
    for t in tables().values():
        ssd_names = {c.name for c in t.columns if c.origin == "ssd"}
        for c in t.columns:
            if c.origin in ("addition", "headway", "common"):
                assert c.description, f"{t.name}.{c.name} needs a description"
                assert c.name not in ssd_names


def test_every_mapped_column_exists_and_every_903_field_is_mapped() -> None:
    for source_return in ("cin_census", "ssda903"):
        for m in mappings(source_return).values():
            cols = tables()[m.table].column_names
            assert set(m.columns) <= set(cols)
    spec = yaml.safe_load(reference("ssda903", "SSDA903_schema_2024.yml").read_text())
    maps = mappings("ssda903")
    for table_name, columns in spec["column_map"].items():
        kind = {"SocialWorker": "SWEpisodes"}.get(table_name, table_name)
        assert {f.source for f in maps[kind].fields} == set(columns), table_name


def test_docs_are_current() -> None:
    committed = (REPO / "docs" / "standard-model.md").read_text(encoding="utf-8")
    assert committed == docs.render(), "run: python -m headway.ingest.docs > docs/standard-model.md"
