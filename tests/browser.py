"""Real Chromium for the web tests: Debian's package driven by Playwright, and axe-core.

The browser is the system's (`apt-get install -y chromium`; .ci/run installs it), never one
a test tool downloads. axe-core comes from the npm packages `make assets` installs. A test
that needs either FAILS when it is missing, saying how to install it: a browser test that
skipped would prove nothing.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-output" / "screenshots"
_OWN_STATUS = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    found = os.environ.get("HEADWAY_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail(
            "The browser tests need Debian's Chromium: apt-get install -y chromium "
            "(.ci/run installs it), or set HEADWAY_CHROMIUM to a Chromium binary."
        )
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (its own cookies) and page, failing on any script error or
    CSP violation. A page's own 4xx status (a form with errors is a 400) is not an error
    here: the tests assert those statuses themselves."""
    context = browser.new_context(accept_downloads=True)
    p = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not _OWN_STATUS.match(message.text):
            problems.append(message.text)

    p.on("console", on_console)
    p.on("pageerror", lambda e: problems.append(str(e)))
    yield p
    context.close()
    assert not problems, f"The browser reported errors: {problems}"


def check_accessibility(p: Page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A and AA, incl. 2.2) on the page; return serious and critical
    violations. axe is evaluated in the page rather than added as a script tag, which the
    pages' Content-Security-Policy would rightly refuse."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make assets` (npm ci).")
    p.evaluate(AXE.read_text("utf-8") + "\n;window.__axe = axe;")
    result = p.evaluate(
        """() => window.__axe.run(document, {runOnly: {type: 'tag', values:
           ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def assert_accessible(p: Page) -> None:
    bad = check_accessibility(p)
    summary = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in bad]
    assert not bad, f"{p.url}: axe found serious or critical violations: {summary}"


def screenshot(p: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    p.screenshot(path=str(path), full_page=True)
    return path
