"""The standards catalogue: current with the reference files, never a copy of them, complete
against Headway's mappings and model, and quick to use."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from headway.errors import HeadwayError
from headway.ingest.mapping import mappings
from headway.model.schema import tables
from headway.standards import build
from headway.standards.browse import EntryView, StandardView, list_standards, show
from headway.standards.catalogue import Catalogue, load
from tests.conftest import REPO, reference

CATALOGUE = REPO / "src" / "headway" / "standards" / "catalogue.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_committed_catalogue_is_current() -> None:
    folder = reference()
    text = build.render(build.build(folder))
    committed = CATALOGUE.read_text(encoding="utf-8")
    assert committed == text, "run: python -m headway.standards.build"


def test_no_project_file_is_a_copy_of_a_reference_file() -> None:
    folder = reference()
    ref: dict[int, set[str]] = {p.stat().st_size: set() for p in folder.rglob("*") if p.is_file()}
    for p in folder.rglob("*"):
        if p.is_file():
            ref[p.stat().st_size].add(_sha(p))
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    for name in filter(None, listed):
        path = REPO / name
        if path.is_file() and path.stat().st_size in ref:
            assert _sha(path) not in ref[path.stat().st_size], f"{name} copies a reference file"


def test_the_catalogue_is_derived_facts_not_reference_text() -> None:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert [s["id"] for s in data["standards"]] == ["cin_census", "ssda903", "ssd", "annex_a"]
    assert "<xs:" not in CATALOGUE.read_text(encoding="utf-8")
    assert "column_map" not in CATALOGUE.read_text(encoding="utf-8")


# --- what it holds --------------------------------------------------------------------------


def test_versions_of_each_standard() -> None:
    cat = load()
    years = tuple(str(y) for y in range(2017, 2028))
    for name in ("cin_census", "ssda903"):
        std = cat.standard(name)
        assert std.version_names == years
        bases = {v.version: v.basis for v in std.versions}
        assert {y for y, b in bases.items() if b == "derived"} == {"2025", "2026", "2027"}
    assert cat.standard("ssd").version_names == ("current",)
    assert cat.standard("annex_a").version_names == ("current",)


@pytest.mark.parametrize(
    ("standard", "key", "entry_id", "name", "first", "last"),
    [
        ("cin_census", "N00100", "cin_census:N00100", "CINreferralDate", "2017", "2027"),
        ("cin_census", "CINreferralDate", "cin_census:N00100", "CINreferralDate", "2017", "2027"),
        ("cin_census", "AssessmentInternalReviewDate", "cin_census:AssessmentInternalReviewDate",
         "AssessmentInternalReviewDate", "2017", "2027"),
        ("cin_census", "CINPlanDates", "cin_census:CINPlanDates", "CINPlanDates", "2022", "2027"),
        ("cin_census", "N00689", "cin_census:N00689", "CINPlanStartDate", "2022", "2027"),
        ("cin_census", "GenderCurrent", "cin_census:N00065", "GenderCurrent", "2017", "2024"),
        ("cin_census", "Sex", "cin_census:N00783", "Sex", "2025", "2027"),
        ("cin_census", "PPOutcome", "cin_census:PPOutcome", "PPOutcome", "2027", "2027"),
        ("cin_census", "ReferenceDate", "cin_census:N00603", "ReferenceDate", "2017", "2027"),
        ("ssda903", "Episodes.DECOM", "ssda903:Episodes.DECOM", "DECOM", "2017", "2027"),
        ("ssda903", "SocialWorker", "ssda903:SWEpisodes", "SWEpisodes", "2024", "2027"),
        ("ssda903", "SocialWorker.SW_ID", "ssda903:SWEpisodes.SW_ID", "SW_ID", "2024", "2027"),
        ("ssda903", "DoLo.DOLO_START", "ssda903:DoLo.DOLO_START", "DOLO_START", "2027", "2027"),
        ("ssd", "CINE003A", "ssd:CINE003A", "cine_referral_date", "current", "current"),
        ("ssd", "ssd_cin_episodes", "ssd:ssd_cin_episodes", "ssd_cin_episodes", "current",
         "current"),
        ("annex_a", "List 3.Date of referral", "annex_a:List 3.Date of referral",
         "Date of referral", "current", "current"),
    ],
)  # fmt: skip
def test_item_ids_and_version_ranges(
    standard: str, key: str, entry_id: str, name: str, first: str, last: str
) -> None:
    cat = load()
    entry = cat.entry(cat.standard(standard), key)
    assert (entry.id, entry.name, entry.first, entry.last) == (entry_id, name, first, last)


def test_an_item_in_two_blocks_with_one_code_is_one_entry() -> None:
    cat = load()
    entry = cat.entry(cat.standard("cin_census"), "N00110")
    assert entry.latest.within == ("cin_census:CINdetails", "cin_census:Section47")
    assert cat.columns(entry) == (
        "ssd_cin_episodes.cine_date_of_initial_cpc",
        "ssd_s47_enquiry.s47e_icpc_date",
    )


def test_facts_of_an_item() -> None:
    cat = load()
    std = cat.standard("cin_census")
    source = cat.entry(std, "ReferralSource")
    facts = std.facts(source, "2023")
    assert facts is not None and facts.codes is not None
    assert facts.type == "referralsourcetype" and facts.required is True
    assert facts.cardinality == "1..1"
    labels = {c.code: c.label for c in facts.codes}
    assert labels["5D"] == "(LA SERVICES – early help"  # as the XSD spells it  # noqa: RUF001
    assert "5D" not in {c.code for c in std.facts(source, "2022").codes or ()}  # type: ignore[union-attr]
    ssd = cat.standard("ssd")
    ref = cat.entry(ssd, "CINE003A")
    assert ref.latest.label == "CIN Referral Date"
    assert ref.latest.definition == "Date the Referral is effective from"
    assert ref.latest.returns == ("CIN", "AnnexA", "RIIA")
    sw = cat.entry(cat.standard("ssda903"), "SWEpisodes.SW_REASON")
    assert "PCCHAN" in {c.code for c in sw.latest.codes or ()}  # the spec's "PCCHAN " trimmed
    assert sw.aliases == () and cat.entry(cat.standard("ssda903"), "SWEpisodes").aliases == (
        "SocialWorker",
    )


def test_columns_and_collections() -> None:
    cat = load()
    cin = cat.entry(cat.standard("cin_census"), "N00100")
    assert cat.columns(cin) == ("ssd_cin_episodes.cine_referral_date",)
    assert {"cin_census", "annex_a", "ssd"} <= set(cat.collections(cin))
    ssd = cat.entry(cat.standard("ssd"), "CINE003A")
    assert cat.columns(ssd) == ("ssd_cin_episodes.cine_referral_date",)
    assert {"cin_census", "annex_a", "riia", "ssd"} <= set(cat.collections(ssd))
    assert "cin_census:N00100" in cat.related(ssd)
    assert set(cat.items_in("ssd_cin_episodes.cine_referral_date")) == {
        "cin_census:N00100", "ssd:CINE003A", "annex_a:List 3.Date of referral",
        "annex_a:List 6.CIN Start Date",
    }  # fmt: skip
    block = cat.entry(cat.standard("cin_census"), "CINPlanDates")
    assert cat.tables(block) == ("ssd_cin_plans",)
    dolo = cat.entry(cat.standard("ssda903"), "DoLo")
    assert cat.tables(dolo) == ("hw_deprivation_of_liberty",)


def test_every_mapped_return_field_is_in_the_catalogue_and_lands_where_mapped() -> None:
    cat = load()
    for standard in ("cin_census", "ssda903", "annex_a"):
        landed = {c for e in cat.standard(standard).entries for c in cat.columns(e)}
        for m in mappings(standard).values():
            for f in m.fields:
                assert f"{m.table}.{f.column}" in landed, (standard, m.kind, f.source)


def test_every_ssd_field_of_the_model_is_in_the_catalogue() -> None:
    cat = load()
    ssd = cat.standard("ssd")
    refs = {e.item_code for e in ssd.entries if e.kind == "item"}
    for t in tables().values():
        for c in t.columns:
            if c.origin == "ssd":
                assert c.item_ref in refs, f"{t.name}.{c.name}"


def test_code_lists_agree_with_the_2024_specs() -> None:
    """quality/code_lists.yaml is taken from the 2024 specs: the catalogue says the same."""
    cat = load()
    found: dict[str, set[str]] = {}
    for name in ("cin_census", "ssda903"):
        std = cat.standard(name)
        for entry in std.entries:
            facts = std.facts(entry, "2024")
            if entry.kind != "item" or facts is None or not facts.codes:
                continue
            for column in cat.columns(entry):
                found.setdefault(column.split(".", 1)[1], set()).update(c.code for c in facts.codes)
    spec = yaml.safe_load(
        (REPO / "src" / "headway" / "quality" / "code_lists.yaml").read_text(encoding="utf-8")
    )
    checked = 0
    for column, body in spec.items():
        if column in found:
            assert set(body["codes"]) == found[column], column
            checked += 1
    assert checked >= 20


def test_headway_additions_carry_their_basis() -> None:
    cat = load()
    cin, s903 = cat.standard("cin_census"), cat.standard("ssda903")
    sex = cat.additions(cat.entry(cin, "N00783"))
    assert [(a.version, a.basis) for a in sex] == [("2025", "published")]
    assert "N00783" in sex[0].note
    pre = cat.additions(cat.entry(cin, "PPStartDate"))
    assert [(a.version, a.basis) for a in pre] == [("2027", "inferred")]
    assert [a.basis for a in cat.additions(cat.entry(s903, "Episodes.PLACE"))] == ["inferred"]
    assert [a.basis for a in cat.additions(cat.entry(s903, "DoLo.DOLO_END"))] == ["inferred"]
    assert cat.additions(cat.entry(cin, "N00100")) == ()


# --- looking things up ----------------------------------------------------------------------


def test_unknown_names_say_what_to_do() -> None:
    cat = load()
    with pytest.raises(HeadwayError, match="no standard called 'sen3'") as err:
        cat.standard("sen3")
    assert "cin_census" in err.value.hint
    with pytest.raises(HeadwayError, match="no version '2030'") as err:
        cat.version(cat.standard("cin_census"), 2030)
    assert "2017 to 2027" in err.value.hint
    with pytest.raises(HeadwayError, match="more than one entry") as err:
        cat.entry(cat.standard("ssda903"), "CHILD")
    assert "ssda903:Episodes.CHILD" in err.value.hint
    with pytest.raises(HeadwayError, match="no item or block 'Nope'"):
        cat.entry(cat.standard("cin_census"), "Nope")


def test_lookups_ignore_case_and_the_standard_prefix() -> None:
    cat = load()
    cin = cat.standard("CIN_CENSUS")
    assert cat.entry(cin, "cinreferraldate").id == "cin_census:N00100"
    assert cat.entry(cin, "cin_census:N00100").id == "cin_census:N00100"
    assert cat.version(cin, 2022) == "2022"
    assert cat.version(cin, None) == "2027"


def test_list_and_show_give_json_and_render(capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    console = Console(width=120, force_terminal=False)
    listed = list_standards()
    rows = listed.to_json()
    assert [r["id"] for r in rows] == ["cin_census", "ssda903", "ssd", "annex_a"]
    assert rows[0]["derived_versions"] == ["2025", "2026", "2027"]
    listed.render(console)
    view = show("cin_census", 2021)
    assert isinstance(view, StandardView)
    ids = {e["id"] for e in view.to_json()["entries"]}
    assert "cin_census:CINPlanDates" not in ids and "cin_census:N00065" in ids
    view.render(console)
    item = show("ssda903", item="SocialWorker.SW_REASON")
    assert isinstance(item, EntryView)
    data = item.to_json()
    assert data["columns"] == ["ssd_involvements.invo_worker_change_reason"]
    assert data["versions"] == ["2024", "2025", "2026", "2027"]
    item.render(console)
    json.dumps([rows, view.to_json(), data])
    out = capsys.readouterr().out
    assert "SWEpisodes.SW_REASON" in out and "cin_census" in out


def test_loading_and_diffing_is_quick() -> None:
    code = (
        "import time; t = time.perf_counter()\n"
        "from headway.standards.diff import diff\n"
        "diff('cin_census', '2021', '2022'); diff('ssda903', '2023', '2024')\n"
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(done.stdout) < 1.0


def test_a_catalogue_can_be_built_in_memory_from_reference() -> None:
    from headway.standards.catalogue import parse

    cat: Catalogue = parse(build.render(build.build(reference())))
    assert set(cat.standards) == {"cin_census", "ssda903", "ssd", "annex_a"}
