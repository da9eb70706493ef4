"""Helpers for the browser tests: signing people in, setting up logs through the API, running axe-core."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.live import Server

VIEWPORT = {"width": 1440, "height": 900}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Live updates must arrive well within this; it bounds a wait, it is not a timing assertion.
LIVE_WAIT_MS = 15_000


class Shot(Protocol):
    """Saves a screenshot for the README when WATCHKEEPER_SCREENSHOTS is set."""

    def __call__(self, page: Page, name: str, full_page: bool = True) -> None: ...


class People:
    """Signs people in, each in their own browser context, and closes every context afterwards."""

    def __init__(self, browser: Browser, server: Server, passwords: dict[str, str]) -> None:
        self.browser = browser
        self.server = server
        self.passwords = passwords
        self.contexts: list[BrowserContext] = []

    def page(self, username: str | None = None) -> Page:
        """A new browser context for one person, signed in when a username is given."""
        ctx = self.browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London",
                                       base_url=self.server.base)
        ctx.set_default_timeout(LIVE_WAIT_MS)
        self.contexts.append(ctx)
        page = ctx.new_page()
        if username:
            sign_in(page, username, self.passwords[username])
        return page

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


THRIVE_HIGH = {el: {"level": "high", "note": ""} for el in ("threat", "harm", "risk", "vulnerability")}

Api = Callable[[str], httpx.Client]  # the `api` fixture: a bearer-token client for a persona


def post(api: Api, who: str, path: str, body: dict[str, Any], status: int | None = None) -> dict[str, Any]:
    """Set-up through the API as `who`: the answer must be `status` (any success when not given)."""
    with api(who) as c:
        r = c.post(path, json=body)
    assert (r.status_code == status) if status else r.status_code in (200, 201), r.text
    return dict(r.json())


def raise_log(api: Callable[[str], httpx.Client], who: str, summary: str,
              category: str = "public_order") -> str:
    """Set-up through the API (what is under test happens in the browser): a log owned by `who`."""
    with api(who) as c:
        r = c.post("/api/logs", json={
            "contact": {"channel": "999", "account": f"Caller reports: {summary}.",
                        "caller_name": "Jo Caller", "caller_phone": "07700 900555"},
            "category": category, "summary": summary, "location": "5 Quay Street",
            # L8: the set-up raises many logs from one phone and place; each is a separate matter.
            "second_call_reason": "A separate matter (test set-up)",
        })
        assert r.status_code == 201, r.text
        return str(r.json()["reference"])


def grade(api: Callable[[str], httpx.Client], who: str, reference: str, grade_code: str) -> None:
    with api(who) as c:
        version = c.get(f"/api/logs/{reference}").json()["version"]
        r = c.post(f"/api/logs/{reference}/grade", json={"grade": grade_code, "thrive": THRIVE_HIGH,
                                                         "expected_version": version})
        assert r.status_code == 200, r.text


def display_name(page: Page) -> str:
    """The signed-in person's name as the top bar shows it (and as others see it)."""
    return page.locator(".me-name").inner_text().split(" (")[0]


def two_people_on_one_log(people: People, api: Callable[[str], httpx.Client], summary: str
                          ) -> tuple[Page, Page, str]:
    """The call handler who owns a new log has it open; a second call handler opens it too."""
    ref = raise_log(api, "handler", summary)
    first = people.page("handler")
    first.goto(f"/logs/{ref}/")
    expect(first.get_by_role("heading", level=1)).to_contain_text(ref)
    first.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
    second = people.page("handler2")
    second.goto(f"/logs/{ref}/")
    expect(second.get_by_role("heading", level=1)).to_contain_text(ref)
    return first, second, ref


def add_entry(page: Page, text: str) -> None:
    """Type an entry into the log's entry box and add it."""
    page.get_by_label("Narrative entry").fill(text)
    page.get_by_role("button", name="Add entry", exact=True).click()
    expect(page.locator("#narrative")).to_contain_text(text)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the page as it stands; returns the violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script> tag: the page's Content-Security-Policy refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '),
                                                      summary: n.failureSummary}))}));
        }"""
    )
    return list(result)
