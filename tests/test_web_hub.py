"""The hub's pages on a real hub: a small synthetic sector (30 LAs submitting, 30 simulated
LA users voting, asks, a lab trial) in a Centre database, served on loopback with the API
and driven by real Chromium. Journeys: an LA user signs in and votes, then a hub analyst
sees the opinion groups; a hub analyst opens a trial report. Every page is checked with
axe-core for the roles that see it; signing in and voting work with JavaScript off; a form
posted without its CSRF token is refused; an LA user sees only its own LA's submissions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from headway.hub.app import create_app
from headway.hub.deliberation_synth import DEFAULT_STATEMENTS, simulate_votes
from headway.hub.model import Vote
from headway.hub.sector_synth import sector_submission
from headway.hub.store import Caller, Hub, hub_url
from headway.hub.submit import to_json
from headway.lab.allocate import allocate
from headway.lab.model import Participant
from headway.lab.simulate import simulate_sector
from headway.lab.store import Lab, Observed
from headway.packs import library
from headway.periods import between
from headway.serving import serving_app
from headway.synth.sector import synthetic_sector
from headway.web.hub_pages import create_hub_pages
from tests.browser import assert_accessible, screenshot
from tests.pg import schema_url

SEED = 11
TOPIC = "families-first-2026-27"
PACK = "families-first-2026-27"
TRIAL = "Embedded analyst time 2026"
LAS = 30


@dataclass
class Centre:
    hub: Hub
    tokens: dict[str, str]  # role (and "other la") -> token
    la: str  # the LA of the LA tokens
    other_la: str
    own_submission: int
    other_submission: int
    trial_id: int


def build_centre(url: str) -> Iterator[Centre]:
    """A hub with a synthetic sector and a lab trial in one Centre database."""
    packs = [p for p in library() if p.id in (PACK, "cin-census-2026-27")]
    sector = synthetic_sector(LAS, SEED)
    with Hub.open(url) as hub:
        hub.add_las([(la.code, la.name, la.region) for la in sector])
        for la in sector:
            payload = to_json(sector_submission(la, packs, "2026Q3", SEED))
            hub.submit(
                Caller(f"seed-{la.code}", "la submitter", la.code), la.code, "2026Q3", payload
            )
        mine, other = sector[0].code, sector[1].code
        earlier = to_json(sector_submission(sector[0], packs, "2026Q2", SEED))
        hub.submit(Caller("seed", "la submitter", mine), mine, "2026Q2", earlier)
        tokens = {
            "la submitter": hub.create_token("la submitter", mine, "test"),
            "la viewer": hub.create_token("la viewer", mine, "test"),
            "hub analyst": hub.create_token("hub analyst", None, "test"),
            "admin": hub.create_token("admin", None, "test"),
            "other la": hub.create_token("la submitter", other, "test"),
        }
        analyst = Caller("seed-analyst", "hub analyst", None)
        ids = {
            n: hub.add_statement(analyst, TOPIC, text).id for n, text in DEFAULT_STATEMENTS.items()
        }
        sim = simulate_votes(30, seed=SEED)
        with hub.session() as s:  # the sector's votes at once (the journey votes through the page)
            s.add_all(
                Vote(
                    statement_id=ids[v.statement],
                    participant=v.participant,
                    value=v.value,
                    at=datetime.now(),
                )
                for v in {(v.participant, v.statement): v for v in sim.votes}.values()
            )
        first = hub.add_ask(
            "Collect the FGDM offer date in the CIN census",
            "Collect it as a CIN census item, not in a new return.",
            PACK,
            TOPIC,
        )
        hub.add_ask("Twelve months' notice of new items", "At least 12 months' notice.", "", "")
        hub.update_ask(first.id, "answered", "DfE will consult on it for 2027-28.")
        own = max(hub.submissions(mine), key=lambda s: s.period).id
        other_id = hub.submissions(other)[0].id
        trial_id = _lab_trial(url)
        yield Centre(hub, tokens, mine, other, own, other_id, trial_id)


def _lab_trial(url: str) -> int:
    sector = synthetic_sector(24, SEED)
    quarters = between("2026Q1", "2027Q2")
    with Lab.open(url) as lab:
        lab.add_approach(
            "Embedded analyst", "Two days a week of a Centre analyst", "Readiness", 1.0
        )
        trial = lab.register(
            TRIAL, "Embedded analyst", "stepped wedge", quarters[0], quarters[-1],
            "readiness_score", [], "Question: does it raise readiness?\n\nEstimator: CS 2021.",
        )  # fmt: skip
        lab.add_participants(
            trial,
            [
                Participant(la_code=la.code, region=la.region, size=la.size, ofsted=la.ofsted)
                for la in sector
            ],
        )
        allocation = allocate([la.__dict__ for la in sector], 3, SEED)
        lab.record_allocation(trial, allocation.assignments, 3, SEED, "")
        panel = simulate_sector(
            periods=len(quarters),
            waves=3,
            true_effect=3.0,
            seed=SEED,
            assignment=allocation.assignments,
        )
        rows = [
            Observed(str(la), quarters[int(p) - 1], "readiness_score", round(float(v), 2))
            for la, p, v in zip(panel["la"], panel["period"], panel["outcome"], strict=True)
        ]
        lab.load_outcomes(trial, rows, "panel.csv")
        lab.register(
            "Not started yet", "Embedded analyst", "stepped wedge", "2027Q1", "2027Q4",
            "readiness_score", [], "Registered before any outcome.",
        )  # fmt: skip
        return trial.id


def hub_app(hub: Hub) -> FastAPI:
    """The API with the pages mounted after it, as `headway hub serve` serves them."""
    api = create_app(hub, rate_limit=100_000)
    api.mount("/", create_hub_pages(hub))
    return api


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    yield from build_centre(hub_url(None, tmp_path_factory.mktemp("centre")))


@pytest.fixture(scope="module")
def url(centre: Centre) -> Iterator[str]:
    with serving_app(hub_app(centre.hub), what="The hub") as address:
        yield address


@pytest.fixture(scope="module")
def client(centre: Centre) -> TestClient:
    # https: the session cookie is Secure, and a client keeps it only over https
    return TestClient(hub_app(centre.hub), base_url="https://testserver")


def sign_in(c: TestClient, token: str) -> None:
    c.cookies.clear()
    form = c.get("/sign-in")
    answer = c.post(
        "/sign-in", data={"token": token, "csrf_token": csrf(form.text)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


# --- without a browser: access, roles, CSRF, headers ---------------------------------------


def test_every_page_needs_sign_in(client: TestClient) -> None:
    client.cookies.clear()
    paths = ["/", "/submissions", "/evidence", f"/evidence/{PACK}", "/deliberation",
             f"/deliberation/{TOPIC}", "/asks", "/trials", "/trials/1", "/sign-out"]  # fmt: skip
    for path in paths:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/sign-in"), path
    assert (
        client.get("/evidence", follow_redirects=False).headers["location"]
        == "/sign-in?next=/evidence"
    )


def test_wrong_token_is_an_error_summary(client: TestClient, centre: Centre) -> None:
    client.cookies.clear()
    form = client.get("/sign-in")
    real = centre.tokens["la submitter"]
    for token in ("", "hwt_nothing_here", real[:-2] + "xx"):
        answer = client.post("/sign-in", data={"token": token, "csrf_token": csrf(form.text)})
        assert answer.status_code == 400
        assert "govuk-error-summary" in answer.text and 'href="#token"' in answer.text
        assert "<title>Error: Sign in" in answer.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_csp_and_security_headers_on_pages(client: TestClient, centre: Centre) -> None:
    sign_in(client, centre.tokens["hub analyst"])
    answer = client.get("/")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'nonce="{nonce.group(1)}"' in answer.text
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"
    cookie = answer.request.headers.get("cookie", "")
    assert "headway_hub_session=" in cookie
    # the secret part of the token is never kept in the (signed, readable) session cookie
    assert centre.tokens["hub analyst"].split("_", 2)[2] not in cookie


def test_session_cookie_is_secure_httponly_strict(client: TestClient, centre: Centre) -> None:
    client.cookies.clear()
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"token": centre.tokens["la viewer"], "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    set_cookie = answer.headers["set-cookie"].lower()
    assert "secure" in set_cookie and "httponly" in set_cookie and "samesite=strict" in set_cookie


def test_post_without_csrf_token_is_refused(client: TestClient, centre: Centre) -> None:
    sign_in(client, centre.tokens["la submitter"])
    statement = centre.hub.statements(TOPIC)[0].id
    before = {(v.participant, v.statement_id) for v in centre.hub.votes(TOPIC)}
    answer = client.post(f"/deliberation/{TOPIC}/votes", data={f"s{statement}": "agree"})
    assert answer.status_code == 403
    forged = client.post(
        f"/deliberation/{TOPIC}/votes", data={f"s{statement}": "agree", "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    assert "This form has expired" in forged.text
    assert {(v.participant, v.statement_id) for v in centre.hub.votes(TOPIC)} == before
    assert client.post("/sign-out").status_code == 403
    client.cookies.clear()
    assert client.post("/sign-in", data={"token": centre.tokens["admin"]}).status_code == 403


def test_la_user_sees_only_its_own_submissions(client: TestClient, centre: Centre) -> None:
    sign_in(client, centre.tokens["la viewer"])
    page_ = client.get("/submissions")
    assert page_.status_code == 200
    assert centre.la in page_.text and centre.other_la not in page_.text
    assert "2026Q2" in page_.text and "2026Q3" in page_.text
    assert client.get(f"/submissions/{centre.own_submission}").status_code == 200
    theirs = client.get(f"/submissions/{centre.other_submission}")
    assert theirs.status_code == 404
    assert centre.other_la not in theirs.text
    dashboard = client.get("/")
    assert centre.la in dashboard.text and centre.other_la not in dashboard.text


def test_centre_sees_every_la_but_no_raw_submission(client: TestClient, centre: Centre) -> None:
    sign_in(client, centre.tokens["hub analyst"])
    page_ = client.get("/submissions")
    assert centre.la in page_.text and centre.other_la in page_.text
    assert client.get(f"/submissions/{centre.own_submission}").status_code == 403


# (path, the roles that may open it), as the API allows
PAGES = [
    ("/", {"la submitter", "la viewer", "hub analyst", "admin"}),
    ("/submissions", {"la submitter", "la viewer", "hub analyst", "admin"}),
    ("/evidence", {"la submitter", "la viewer", "hub analyst", "admin"}),
    (f"/evidence/{PACK}", {"la submitter", "la viewer", "hub analyst", "admin"}),
    ("/deliberation", {"la submitter", "la viewer", "hub analyst", "admin"}),
    (f"/deliberation/{TOPIC}", {"la submitter", "la viewer", "hub analyst", "admin"}),
    ("/asks", {"la submitter", "la viewer", "hub analyst", "admin"}),
    ("/trials", {"hub analyst", "admin"}),
]


@pytest.mark.parametrize("role", ["la submitter", "la viewer", "hub analyst", "admin"])
def test_roles_as_the_api(client: TestClient, centre: Centre, role: str) -> None:
    sign_in(client, centre.tokens[role])
    for path, allowed in PAGES:
        answer = client.get(path)
        assert answer.status_code == (200 if role in allowed else 403), (role, path)
    assert client.get(f"/trials/{centre.trial_id}").status_code == (
        200 if role in ("hub analyst", "admin") else 403
    )
    deliberation = client.get(f"/deliberation/{TOPIC}").text
    assert ('id="groups"' in deliberation) == (role in ("hub analyst", "admin"))
    assert ("Save votes" in deliberation) == role.startswith("la ")
    assert ("Add statement" in deliberation) == (role != "admin")
    statement = centre.hub.statements(TOPIC)[0].id
    vote = client.post(
        f"/deliberation/{TOPIC}/votes",
        data={f"s{statement}": "pass", "csrf_token": csrf(client.get("/sign-out").text)},
        follow_redirects=False,
    )
    assert vote.status_code == (303 if role.startswith("la ") else 403)


def test_evidence_is_disclosure_controlled_as_the_api(client: TestClient, centre: Centre) -> None:
    sign_in(client, centre.tokens["la viewer"])
    api = client.get(
        f"/api/evidence/{PACK}", headers={"Authorization": f"Bearer {centre.tokens['la viewer']}"}
    )
    evidence = api.json()
    html = client.get(f"/evidence/{PACK}").text
    assert f"From {evidence['submitting_las']} LAs" in html
    for r in evidence["requirements"]:
        assert str(r["counts"]["gap"]) in html
    for b in evidence["burden_assessment"]:
        assert b["question"].replace("'", "&#39;") in html
    # the chart (hidden from screen readers) and the table with the same figures
    assert 'id="ready-share-caption"' in html and 'aria-hidden="true"' in html
    charted = [r for r in evidence["requirements"] if isinstance(r["shares"]["ready"], float)]
    assert charted, "the sector should be big enough for some published shares"
    for r in charted:
        assert f"({r['shares']['ready']}%)" in html
    assert client.get("/evidence/no-such-pack").status_code == 404


def test_analyst_keeps_the_asks_ledger(client: TestClient, centre: Centre) -> None:
    sign_in(client, centre.tokens["hub analyst"])
    token = csrf(client.get("/asks/new").text)
    empty = client.post("/asks/new", data={"csrf_token": token})
    assert empty.status_code == 400 and 'href="#title"' in empty.text
    added = client.post(
        "/asks/new",
        data={"title": "Publish validation rules", "ask": "With the specification.",
              "pack": PACK, "topic": TOPIC, "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303
    made = centre.hub.asks()[-1]
    assert (made.title, made.status, made.pack) == ("Publish validation rules", "drafted", PACK)
    bad_date = client.post(f"/asks/{made.id}", data={"status": "raised", "on": "31/02/2026",
                                                     "csrf_token": token})  # fmt: skip
    assert bad_date.status_code == 400 and 'href="#on"' in bad_date.text
    client.post(
        f"/asks/{made.id}",
        data={"status": "answered", "response": "Agreed for 2027.", "on": "2026-12-01",
              "csrf_token": token},
    )  # fmt: skip
    ledger = client.get("/asks").text
    assert "Agreed for 2027." in ledger and "01 December 2026" in ledger
    assert f'href="/evidence/{PACK}"' in ledger and f'href="/deliberation/{TOPIC}"' in ledger
    sign_in(client, centre.tokens["la submitter"])
    assert client.get("/asks/new").status_code == 403
    la_token = csrf(client.get("/sign-out").text)
    refused = client.post(f"/asks/{made.id}", data={"status": "withdrawn", "csrf_token": la_token})
    assert refused.status_code == 403
    assert centre.hub.asks()[-1].status == "answered"
    assert "Add an ask" not in client.get("/asks").text


def test_statements_are_shown_as_text_never_markup(client: TestClient, centre: Centre) -> None:
    sign_in(client, centre.tokens["la submitter"])
    topic = "escaping"
    form = client.get(f"/deliberation/{topic}").text
    text = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    client.post(f"/deliberation/{topic}/statements", data={"text": text, "csrf_token": csrf(form)})
    page_ = client.get(f"/deliberation/{topic}").text
    assert "<script>alert(1)" not in page_ and "&lt;script&gt;alert(1)&lt;/script&gt;" in page_
    assert "<img src=x" not in page_


def test_revoked_token_signs_out(client: TestClient, centre: Centre) -> None:
    token = centre.hub.create_token("la viewer", centre.la, "to revoke")
    sign_in(client, token)
    assert client.get("/asks").status_code == 200
    centre.hub.revoke(token.split("_")[1])
    assert client.get("/asks", follow_redirects=False).status_code == 303


def test_page_views_are_audited(client: TestClient, centre: Centre) -> None:
    sign_in(client, centre.tokens["la viewer"])
    client.get("/asks")
    token_id = centre.tokens["la viewer"].split("_")[1]
    rows = [a for a in centre.hub.audit() if a.token_id == token_id]
    assert any(a.target == "web GET /asks" and a.action == "read" for a in rows)
    assert client.get("/api/nothing-here").headers["content-type"].startswith("application/json")


def test_pages_on_postgresql() -> None:
    """The same pages on the Centre's PostgreSQL (the hub's deployment database)."""
    with schema_url("hw_web_hub") as db:
        for c in build_centre(hub_url(db)):
            client = TestClient(hub_app(c.hub), base_url="https://testserver")
            sign_in(client, c.tokens["hub analyst"])
            for path, _ in PAGES:
                assert client.get(path).status_code == 200, path
            assert "Group A" in client.get(f"/deliberation/{TOPIC}").text
            assert client.get(f"/trials/{c.trial_id}").status_code == 200
            sign_in(client, c.tokens["la submitter"])
            form = client.get(f"/deliberation/{TOPIC}").text
            statement = c.hub.statements(TOPIC)[1].id
            client.post(
                f"/deliberation/{TOPIC}/votes",
                data={f"s{statement}": "disagree", "csrf_token": csrf(form)},
            )
            token_id = c.tokens["la submitter"].split("_")[1]
            assert (token_id, statement, -1) in {
                (v.participant, v.statement_id, v.value) for v in c.hub.votes(TOPIC)
            }


# --- in Chromium ---------------------------------------------------------------------------


def browser_sign_in(p: Page, url: str, token: str) -> None:
    p.goto(f"{url}/sign-in")
    p.get_by_label("Hub token").fill(token)
    p.get_by_role("button", name="Sign in").click()
    expect(p.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_journey_la_votes_and_analyst_sees_groups(page: Page, url: str, centre: Centre) -> None:
    browser_sign_in(page, url, centre.tokens["la submitter"])
    screenshot(page, "hub-la-dashboard")
    page.get_by_role("link", name="Deliberation", exact=True).first.click()
    page.get_by_role("link", name=TOPIC).click()
    statements = centre.hub.statements(TOPIC)
    choices = ["agree", "disagree", "pass"]
    for i, s in enumerate(statements[:6]):
        page.locator(f"input[name='s{s.id}'][value='{choices[i % 3]}']").check()
    screenshot(page, "hub-la-voting")
    page.get_by_role("button", name="Save votes").click()
    expect(page.get_by_text("Your votes are saved (6)")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "hub-la-voted")
    token_id = centre.tokens["la submitter"].split("_")[1]
    stored = {v.statement_id: v.value for v in centre.hub.votes(TOPIC) if v.participant == token_id}
    assert [stored[s.id] for s in statements[:6]] == [1, -1, 0, 1, -1, 0]
    expect(page.locator(f"input[name='s{statements[1].id}'][value='disagree']")).to_be_checked()
    page.get_by_role("link", name="Sign out").first.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to the hub")).to_be_visible()

    browser_sign_in(page, url, centre.tokens["hub analyst"])
    page.goto(f"{url}/deliberation/{TOPIC}")
    expect(page.get_by_role("heading", name="Opinion groups")).to_be_visible()
    groups = page.locator("table", has_text="Opinion groups (the chart's figures)")
    expect(groups.get_by_role("rowheader", name="Group A")).to_be_visible()
    expect(groups.get_by_role("rowheader", name="Group B")).to_be_visible()
    expect(page.get_by_role("heading", name="What every group agrees with")).to_be_visible()
    expect(page.locator("table", has_text="Consensus statements")).to_contain_text(
        DEFAULT_STATEMENTS[2]
    )
    expect(page.get_by_role("heading", name="What distinguishes each group")).to_be_visible()
    assert page.locator("figure svg[aria-hidden='true']").count() >= 1
    assert_accessible(page)
    screenshot(page, "hub-analyst-groups")


def test_journey_analyst_opens_trial_report(page: Page, url: str, centre: Centre) -> None:
    browser_sign_in(page, url, centre.tokens["hub analyst"])
    page.get_by_role("link", name="Trials").first.click()
    expect(page.get_by_role("heading", name="Trials", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=TRIAL).click()
    expect(page.get_by_role("heading", name="What we found")).to_be_visible()
    expect(page.locator("figure svg[aria-hidden='true']")).to_have_count(1)
    table = page.locator(
        "table", has_text="Effect by periods since the start (the chart's figures)"
    )
    assert table.locator("tbody tr").count() >= 3
    assert_accessible(page)
    screenshot(page, "hub-analyst-trial-report")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the full report")).click()
    saved = Path(download.value.path()).read_text("utf-8")
    assert TRIAL in saved and "<svg" in saved


SCREENSHOTS = {
    "/": "hub-analyst-dashboard",
    "/submissions": "hub-analyst-submissions",
    f"/evidence/{PACK}": "hub-analyst-evidence",
    "/asks": "hub-analyst-asks",
}


# (role, paths) for the accessibility check of every page each role sees
def _pages_for(role: str, centre: Centre) -> list[str]:
    common = ["/", "/submissions", "/evidence", f"/evidence/{PACK}", "/evidence/cin-census-2026-27",
              "/deliberation", f"/deliberation/{TOPIC}", "/asks", "/sign-out", "/accessibility",
              "/no-such-page"]  # fmt: skip
    if role.startswith("la "):
        return [*common, f"/submissions/{centre.own_submission}", "/trials"]  # /trials: 403
    return [*common, "/trials", f"/trials/{centre.trial_id}", f"/trials/{centre.trial_id + 1}",
            "/asks/new", f"/asks/{centre.hub.asks()[0].id}"]  # fmt: skip


def _unexpected(message: ConsoleMessage) -> bool:
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def _failed_part(response: Response) -> bool:
    """A failed load of anything but the page itself (a script, a stylesheet, an image)."""
    return response.status >= 400 and response.request.resource_type != "document"


# An LA viewer sees the same pages as an LA submitter (test_roles_as_the_api), so the LA
# pages are checked once, as a submitter.
@pytest.mark.parametrize("role", ["la submitter", "hub analyst", "admin"])
def test_every_page_is_accessible(browser: Browser, url: str, centre: Centre, role: str) -> None:
    context = browser.new_context()
    p = context.new_page()
    problems: list[str] = []
    # Chromium reports an error page's own status (403, 404) as a console error: those are
    # expected here, so failed loads are judged by the responses (only pages may fail)
    p.on("console", lambda m: problems.append(m.text) if _unexpected(m) else None)
    p.on("response", lambda r: problems.append(f"{r.status} {r.url}") if _failed_part(r) else None)
    p.on("pageerror", lambda e: problems.append(str(e)))
    try:
        p.goto(f"{url}/sign-in")
        assert_accessible(p)
        p.get_by_role("button", name="Sign in").click()  # no token: the error summary
        expect(p.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(p)
        browser_sign_in(p, url, centre.tokens[role])
        for path in _pages_for(role, centre):
            p.goto(f"{url}{path}")
            assert_accessible(p)
            if role == "hub analyst" and path in SCREENSHOTS:
                screenshot(p, SCREENSHOTS[path])
        if role == "hub analyst":
            p.goto(f"{url}/deliberation/{TOPIC}")
            p.get_by_role("button", name="Add statement").click()  # empty: the error summary
            expect(p.locator(".govuk-error-summary")).to_be_visible()
            assert_accessible(p)
        if role == "la submitter":
            browser_sign_in(p, url, centre.tokens["other la"])  # an LA user yet to vote
            p.goto(f"{url}/deliberation/{TOPIC}")
            p.get_by_role("button", name="Save votes").click()  # nothing chosen: the summary
            expect(p.locator(".govuk-error-summary")).to_contain_text("at least one statement")
            assert_accessible(p)
            p.locator(".govuk-error-summary a").click()  # the summary's link reaches the field
            first = centre.hub.statements(TOPIC)[0].id
            expect(p.locator(f"#s{first}")).to_be_focused()
    finally:
        context.close()
    assert not problems, problems


def test_sign_in_and_vote_without_javascript(browser: Browser, url: str, centre: Centre) -> None:
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    try:
        p.goto(f"{url}/deliberation/{TOPIC}")
        assert p.url.endswith(f"/sign-in?next=/deliberation/{TOPIC}")
        p.get_by_label("Hub token").fill(centre.tokens["la viewer"])
        p.get_by_role("button", name="Sign in").click()
        assert p.url.endswith(f"/deliberation/{TOPIC}")  # back where they were going
        statement = centre.hub.statements(TOPIC)[-1]
        p.locator(f"input[name='s{statement.id}'][value='agree']").check()
        p.get_by_role("button", name="Save votes").click()
        expect(p.get_by_text("Your votes are saved")).to_be_visible()
        p.get_by_label("Statement", exact=True).fill("Pilot any new return with ten LAs first.")
        p.get_by_role("button", name="Add statement").click()
        expect(p.get_by_text("Your statement is added")).to_be_visible()
        screenshot(p, "hub-la-no-javascript")
    finally:
        context.close()
    token_id = centre.tokens["la viewer"].split("_")[1]
    assert (token_id, statement.id, 1) in {
        (v.participant, v.statement_id, v.value) for v in centre.hub.votes(TOPIC)
    }
    assert centre.hub.statements(TOPIC)[-1].text == "Pilot any new return with ten LAs first."
