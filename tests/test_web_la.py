"""The LA app in real Chromium: the analyst's and leader's journeys, accessibility on every
page, pages without JavaScript, and the security headers and CSRF check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from headway.desk.intake import sync_packs
from headway.desk.store import Desk, desk_url
from headway.packs import library
from headway.serving import serving_app
from headway.synth.requests import write_inspection_log
from headway.web.la import create_la_app
from headway.workspace import Workspace
from tests.browser import assert_accessible, screenshot
from tests.pg import synthetic_workspace

ADOPTED = ("families-first-2026-27", "ofsted-ilacs")


@pytest.fixture(scope="module")
def la(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A synthetic LA with a team of two and two adopted packs' work on its desk."""
    ws = synthetic_workspace(tmp_path_factory.mktemp("la"), children=400)
    packs = {p.id: p for p in library()}
    with Desk.open(desk_url(ws.path, None)) as desk:
        desk.set_analyst("Asha", 30)
        desk.set_analyst("Ben", 8)
        for pack_id in ADOPTED:
            desk.adopt(pack_id)
        with ws.connect(read_only=True) as con:
            sync_packs(desk, con, [packs[p] for p in ADOPTED], date.today())
    return ws


@pytest.fixture(scope="module")
def site(la: Workspace) -> Iterator[str]:
    with serving_app(create_la_app(la), what="The LA app") as url:
        yield url


@pytest.fixture
def inspection_log(tmp_path: Path) -> Path:
    path = tmp_path / "ofsted_request_log.xlsx"
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    write_inspection_log(path, monday, days=10, seed=7)
    return path


def test_analyst_imports_an_inspectors_list_and_sees_each_matched_and_planned(
    site: str, page: Page, inspection_log: Path
) -> None:
    page.goto(site + "/desk")
    page.get_by_role("button", name="Import a request list").click()
    page.get_by_label("Request list").set_input_files(str(inspection_log))
    page.get_by_label(re.compile("Where the requests came from")).select_option("inspector")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Request list imported")).to_be_visible()
    line = page.locator("#reconciliation").inner_text()
    read, added, repeats, not_read = map(int, re.findall(r"\d+", line))
    assert read == added + repeats + not_read and added > 0
    rows = page.locator("#added tbody tr")
    expect(rows).to_have_count(added)
    matched = planned = 0
    for i in range(added):
        cells = rows.nth(i).locator("td")
        matched += cells.nth(1).inner_text() != "No match"
        planned += bool(re.match(r"\d{4}-\d{2}-\d{2}|Not reached", cells.nth(2).inner_text()))
    assert planned == added  # every new request has a place in the plan (or is beyond it)
    assert matched >= added * 0.7  # the inspector's asks are mostly answered by outputs
    screenshot(page, "la-import-inspection-log")
    # importing the same list again adds nothing
    page.goto(site + "/desk/import")
    page.get_by_label("Request list").set_input_files(str(inspection_log))
    page.get_by_role("button", name="Import").click()
    assert re.search(r"= 0 added", page.locator("#reconciliation").inner_text())


def test_analyst_drills_down_from_families_first_readiness_to_a_gap(site: str, page: Page) -> None:
    page.goto(site)
    page.get_by_role("link", name="Readiness", exact=True).first.click()
    page.get_by_role("link", name=re.compile("Families First")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Families First")
    gap_row = page.locator("tbody tr", has=page.locator(".govuk-tag", has_text="gap")).first
    title = gap_row.locator("th a").inner_text()
    gap_row.locator("th a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".govuk-tag").first).to_have_text("gap")
    assert page.locator("main ul.govuk-list--bullet li").count() >= 1  # the reasons why
    screenshot(page, "la-families-first-gap")


def test_leader_downloads_the_brief(site: str, page: Page, tmp_path: Path) -> None:
    page.goto(site + "/desk/brief")
    with page.expect_download() as caught:
        page.get_by_role("link", name=re.compile(r"leader brief \(PDF\)")).click()
    saved = tmp_path / "brief.pdf"
    caught.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF") and saved.stat().st_size > 5_000
    screenshot(page, "la-leader-brief")


LA_PAGES = [
    "/", "/readiness", "/readiness/families-first-2026-27", "/quality", "/desk", "/desk/add",
    "/desk/import", "/desk/plan", "/desk/whatif", "/desk/brief", "/changes",
    "/changes/packs/families-first-2025/families-first-2026-27",
    "/changes/standards/cin_census/2021/2022", "/downloads", "/accessibility", "/desk/requests/1",
]  # fmt: skip


def test_every_la_page_passes_axe(site: str, page: Page) -> None:
    for path in LA_PAGES:
        response = page.goto(site + path)
        assert response is not None and response.status == 200, path
        assert_accessible(page)
    page.goto(site + "/readiness/families-first-2026-27")
    page.locator("tbody th a").first.click()  # a requirement page
    assert_accessible(page)


def test_forms_with_errors_are_accessible_and_say_what_to_fix(site: str, page: Page) -> None:
    page.goto(site + "/desk/add")
    page.get_by_role("button", name="Add to the desk").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what is being asked for")
    assert page.title().startswith("Error:")
    assert_accessible(page)


def test_pages_work_without_javascript(site: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/desk?status=all")
    page.get_by_label("Source").select_option("pack requirement")
    page.get_by_role("button", name="Filter").click()
    assert "source=pack+requirement" in page.url
    sources = page.locator("#queue tbody tr td:nth-child(3)").all_inner_texts()
    assert sources and set(sources) == {"pack requirement"}
    page.goto(site + "/desk/add")
    page.get_by_label("What is being asked for").fill("Number of children in need by ward")
    page.get_by_role("button", name="Add to the desk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Number of children in need by ward")
    context.close()


def test_headers_and_csrf(site: str) -> None:
    with httpx.Client(base_url=site) as client:
        r = client.get("/desk/add")
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        nonce = re.search(r"'nonce-([^']+)'", csp)
        assert nonce and f'nonce="{nonce.group(1)}"' in r.text
        cookie = r.headers["set-cookie"]
        assert {"httponly", "secure", "samesite=strict"} <= set(cookie.lower().split("; "))
        # httpx keeps Secure cookies for https only; a browser keeps them on loopback
        session = {"cookie": cookie.split(";")[0]}
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        assert token
        before = client.get("/desk?status=all", headers=session).text.count("<tr")
        for forged in ({}, {"csrf_token": "0" * 64}):
            refused = client.post("/desk/add", data={"title": "Forged"} | forged, headers=session)
            assert refused.status_code == 403
        assert client.get("/desk?status=all", headers=session).text.count("<tr") == before
        ok = client.post(
            "/desk/add", data={"title": "A real request", "csrf_token": token[1]}, headers=session
        )
        assert ok.status_code == 303


def test_a_page_that_does_not_exist_says_so(site: str, browser: Browser) -> None:
    context = browser.new_context()  # not the `page` fixture: the 404 is logged as an error
    page = context.new_page()
    response = page.goto(site + "/readiness/no-such-pack")
    assert response is not None and response.status == 404
    expect(page.locator("main")).to_contain_text("There is no pack called 'no-such-pack'")
    assert_accessible(page)
    context.close()


def test_with_javascript_the_filter_updates_the_queue_in_place(site: str, page: Page) -> None:
    page.goto(site + "/desk?status=all")
    page.evaluate("window.__same_document = true")
    page.get_by_label("Source").select_option("pack requirement")
    expect(page).to_have_url(re.compile(r"source=pack(\+|%20)requirement"))
    sources = page.locator("#queue tbody tr td:nth-child(3)")
    expect(sources.first).to_have_text("pack requirement")
    assert set(sources.all_inner_texts()) == {"pack requirement"}
    assert page.evaluate("window.__same_document")  # htmx swapped the table, no reload


@pytest.mark.parametrize(
    ("effort", "accepted"), [("120", True), ("0.5", True), ("abc", False), ("-3", False)]
)
def test_a_requests_effort_is_checked(site: str, effort: str, accepted: bool) -> None:
    with httpx.Client(base_url=site) as client:
        form = client.get("/desk/add")
        session = {"cookie": form.headers["set-cookie"].split(";")[0]}
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        r = client.post(
            "/desk/add",
            data={"title": f"Effort {effort}", "effort_hours": effort, "csrf_token": token[1]},
            headers=session,
        )
        assert (r.status_code == 303) is accepted
        if not accepted:
            assert "Enter the hours as a number" in r.text


def test_downloads_are_made_from_the_workspace(site: str, la: Workspace) -> None:
    with httpx.Client(base_url=site, timeout=60) as client:
        for name, starts in (
            ("annex-a.xlsx", b"PK"), ("readiness.xlsx", b"PK"), ("readiness.html", b"<!"),
        ):  # fmt: skip
            r = client.get(f"/downloads/{name}")
            assert r.status_code == 200 and r.content.startswith(starts), name
            assert f"{name.split('.')[0]}-{date.today()}" in r.headers["content-disposition"]
        assert client.get("/downloads/children.csv").status_code == 404
    assert len(list(la.outputs.glob(f"*-{date.today()}.*"))) >= 3  # a copy kept in outputs
