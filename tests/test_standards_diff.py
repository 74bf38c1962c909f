"""Standard diffs on the real specifications: each case runs on the committed catalogue
(always) and on a catalogue built afresh from ../shared/reference (skipped if absent)."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from headway.errors import HeadwayError
from headway.standards import build
from headway.standards.catalogue import Catalogue, load, parse
from headway.standards.diff import StandardDiff, diff
from tests.conftest import reference


@pytest.fixture(scope="module", params=["committed", "reference"])
def catalogue(request: pytest.FixtureRequest) -> Catalogue:
    if request.param == "committed":
        return load()
    return parse(build.render(build.build(reference())))


def _diff(cat: Catalogue, standard: str, v1: str, v2: str) -> StandardDiff:
    return diff(standard, v1, v2, catalogue=cat)


def _ids(changes: object) -> list[str]:
    return [c.id for c in changes]  # type: ignore[attr-defined]


def _codes(d: StandardDiff, which: str) -> set[tuple[str, str]]:
    return {(item, code.code) for item, code in d.codes(which)}


# --- CIN census -----------------------------------------------------------------------------


def test_cin_2022_adds_the_cin_plan_dates_block_and_code_24a(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "cin_census", "2021", "2022")
    assert _ids(d.containers_added) == ["cin_census:CINPlanDates"]
    assert _ids(d.items_added) == ["cin_census:N00689", "cin_census:N00690"]
    assert [c.name for c in d.items_added] == ["CINPlanStartDate", "CINPlanEndDate"]
    assert d.items_added[0].within == ("cin_census:CINPlanDates",)
    assert _codes(d, "added") == {("cin_census:N00181", "24A")}
    assert not d.items_removed and not d.containers_removed and not _codes(d, "removed")
    assert {c.basis for c in d.changes} == {"reference"}
    assert d.summary() == (
        "CIN census 2021 to 2022: 1 block added (CINPlanDates); 2 items added; "
        "1 item changed; codes: 1 added, 0 removed."
    )


def test_cin_2021_replaces_factors_18a_and_19a(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "cin_census", "2020", "2021")
    factors = "cin_census:N00181"
    assert _codes(d, "added") == {(factors, c) for c in ("18B", "18C", "19B", "19C")}
    assert _codes(d, "removed") == {(factors, "18A"), (factors, "19A")}
    assert _ids(d.changes) == [factors]


def test_cin_2023_adds_5d_and_rc9(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "cin_census", "2022", "2023")
    assert _codes(d, "added") == {("cin_census:N00152", "5D"), ("cin_census:N00103", "RC9")}
    assert [c.name for c in d.items_changed] == ["ReferralSource", "ReasonForClosure"]
    labels = {c.code: c.label for c in d.items_changed[1].codes_added}
    assert labels == {"RC9": "Case closed after assessment, referred to early help"}
    assert not _codes(d, "removed") and not d.items_added


@pytest.mark.parametrize(("v1", "v2"), [("2023", "2024"), ("2017", "2020"), ("2025", "2026")])
def test_cin_identical_versions_say_so(catalogue: Catalogue, v1: str, v2: str) -> None:
    d = _diff(catalogue, "cin_census", v1, v2)
    assert d.identical
    assert d.summary() == f"No change between {v1} and {v2}."
    assert d.to_json()["identical"] is True and d.to_json()["changed"] == []


def test_a_diff_backwards_reverses_it(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "cin_census", "2022", "2021")
    assert _ids(d.containers_removed) == ["cin_census:CINPlanDates"]
    assert _codes(d, "removed") == {("cin_census:N00181", "24A")}


def test_cin_2025_sex_replaces_gender_current(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "cin_census", "2024", "2025")
    assert _ids(d.items_removed) == ["cin_census:N00065"]
    assert _ids(d.items_added) == ["cin_census:N00783"]
    assert {c.basis for c in d.changes} == {"published"}
    assert all(c.note and "N00783" in c.note for c in d.changes)


def test_cin_2027_adds_pre_proceedings(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "cin_census", "2026", "2027")
    assert _ids(d.containers_added) == ["cin_census:PreProceedingsandFGDM"]
    assert [c.name for c in d.items_added] == [
        "PPStartDate", "LBPSentDate", "FGDMMeetingOffer", "FGDMMeetingFac",
        "InitialPPMeetingDate", "ReviewMeetingsCount", "StepDecisionDate", "PPOutcome",
        "CourtAppDate", "LetterInitCPDate",
    ]  # fmt: skip
    assert {c.basis for c in d.changes} == {"inferred"}


def test_a_long_diff_keeps_each_change_basis(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "cin_census", "2021", "2027")
    basis = {c.id: c.basis for c in d.changes}
    assert basis["cin_census:CINPlanDates"] == "reference"
    assert basis["cin_census:N00783"] == "published"
    assert basis["cin_census:PreProceedingsandFGDM"] == "inferred"


# --- SSDA903 --------------------------------------------------------------------------------


def test_903_2024_adds_the_social_worker_table(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "ssda903", "2023", "2024")
    assert _ids(d.containers_added) == ["ssda903:SWEpisodes"]
    assert [c.name for c in d.items_added] == [
        "CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON",
    ]  # fmt: skip
    assert not d.items_changed and not d.items_removed
    assert d.summary().startswith("SSDA903 2023 to 2024: 1 table added (SWEpisodes); 6 items")


def test_903_2019_changes_codes(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "ssda903", "2018", "2019")
    assert _codes(d, "added") == {
        ("ssda903:Episodes.REC", "E45"), ("ssda903:Episodes.REC", "E46"),
        ("ssda903:Episodes.REC", "E47"), ("ssda903:Episodes.REC", "E48"),
        ("ssda903:Episodes.REASON_PLACE_CHANGE", "CUSTOD"),
    }  # fmt: skip
    assert _codes(d, "removed") == {
        ("ssda903:Episodes.REC", "E43"),
        ("ssda903:Episodes.REC", "E44"),
    }
    assert not d.items_added and not d.containers_added


def test_903_2022_changes_activity_codes(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "ssda903", "2021", "2022")
    activ = "ssda903:OC3.ACTIV"
    assert _codes(d, "added") == {(activ, c) for c in ("F4", "P4", "F5", "P5")}
    assert _codes(d, "removed") == {(activ, "F3"), (activ, "P3")}
    assert _ids(d.changes) == [activ]


@pytest.mark.parametrize(("v1", "v2"), [("2017", "2018"), ("2019", "2021"), ("2022", "2023")])
def test_903_identical_versions(catalogue: Catalogue, v1: str, v2: str) -> None:
    assert _diff(catalogue, "ssda903", v1, v2).identical


def test_903_headway_additions(catalogue: Catalogue) -> None:
    sex = _diff(catalogue, "ssda903", "2024", "2025")
    assert _ids(sex.items_changed) == ["ssda903:Header.SEX", "ssda903:UASC.SEX"]
    assert _codes(sex, "removed") == {
        ("ssda903:Header.SEX", "1"), ("ssda903:Header.SEX", "2"),
        ("ssda903:UASC.SEX", "1"), ("ssda903:UASC.SEX", "2"),
    }  # fmt: skip
    place = _diff(catalogue, "ssda903", "2025", "2026")
    assert _codes(place, "removed") == {("ssda903:Episodes.PLACE", c) for c in ("H5", "P2", "Z1")}
    assert ("ssda903:Episodes.PLACE", "K3") in _codes(place, "added")
    dolo = _diff(catalogue, "ssda903", "2026", "2027")
    assert _ids(dolo.containers_added) == ["ssda903:DoLo"]
    for d in (sex, place, dolo):
        assert {c.basis for c in d.changes} == {"inferred"}
        assert all(c.note for c in d.changes)


# --- single-version standards, output, errors -----------------------------------------------


def test_a_standard_with_one_version_diffs_to_itself(catalogue: Catalogue) -> None:
    assert _diff(catalogue, "ssd", "current", "current").identical
    assert _diff(catalogue, "annex_a", "current", "current").identical


def test_json_and_render(catalogue: Catalogue) -> None:
    d = _diff(catalogue, "cin_census", "2020", "2022")
    data = json.loads(json.dumps(d.to_json()))
    assert data["standard"] == "cin_census" and (data["from"], data["to"]) == ("2020", "2022")
    assert {c["id"] for c in data["added"]} == {
        "cin_census:CINPlanDates", "cin_census:N00689", "cin_census:N00690",
    }  # fmt: skip
    factors = next(c for c in data["changed"] if c["id"] == "cin_census:N00181")
    assert {c["code"] for c in factors["codes_added"]} == {"18B", "18C", "19B", "19C", "24A"}
    assert {k: v for k, v in data["codes"]["removed"][0].items() if k != "label"} == {
        "item": "cin_census:N00181",
        "code": "18A",
    }
    console = Console(width=100, record=True)
    d.render(console)
    text = console.export_text()
    assert "CINPlanDates" in text and "codes added: 18B" in text


def test_unknown_standard_or_version() -> None:
    with pytest.raises(HeadwayError, match="no standard called"):
        diff("cin", "2021", "2022")
    with pytest.raises(HeadwayError, match="no version '2016'"):
        diff("cin_census", "2016", "2022")
