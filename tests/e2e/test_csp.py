"""Under the Content-Security-Policy (no inline script or style), the main pages load without a single
violation, and what depends on script still works: the live queue board, the dispatch board, a log page
receiving another person's entry live, and the learning progress bars."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.helpers import People, add_entry, grade, raise_log, sign_in, two_people_on_one_log

pytestmark = pytest.mark.e2e

# Recorded in the page before any of its own script runs (an init script is not subject to the policy).
RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " "
                    + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


class Watch:
    """Every CSP violation a page reports, by event and on the console."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(RECORD)
        page.on("console", self._console)

    def _console(self, msg: ConsoleMessage) -> None:
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
            self.console.append(msg.text)

    def violations(self) -> list[str]:
        events: list[str] = self.page.evaluate("() => window.__csp || []")
        return events + self.console


def watched(people: People, username: str) -> tuple[Page, Watch]:
    page = people.page()
    watch = Watch(page)
    sign_in(page, username, people.passwords[username])
    return page, watch


def _visit(page: Page, watch: Watch, paths: list[str]) -> list[str]:
    problems: list[str] = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), path
        page.wait_for_timeout(300)  # deferred scripts and htmx's start-up have run
        problems += [f"{path}: {v}" for v in watch.violations()]
    return problems


@pytest.mark.parametrize("username,paths", [
    ("handler", ["/login/", "/", "/new/", "/notifications/", "/safeguards/", "/account/tokens/",
                 "/people/"]),
    ("dispatcher", ["/dispatch/", "/dispatch/command/", "/dispatch/diverts/"]),
    ("learning", ["/learning/", "/learning/progress/", "/learning/tracker/", "/learning/themes/"]),
    ("admin", ["/account/tokens/", "/api/docs"]),
])
def test_main_pages_load_without_a_csp_violation(people: People, username: str, paths: list[str]) -> None:
    page, watch = watched(people, username)
    assert _visit(page, watch, paths) == []


def test_the_api_docs_render_under_the_policy(people: People) -> None:
    page, watch = watched(people, "admin")
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Watchkeeper API")
    assert watch.violations() == []


def test_the_live_queue_board_still_updates(people: People, api: Callable[[str], httpx.Client]) -> None:
    page, watch = watched(people, "handler")
    page.goto("/")
    board = page.get_by_role("table")
    expect(board.locator("tbody tr").first).to_be_visible()
    page.evaluate("() => { window.__sameDocument = true; }")
    ref = raise_log(api, "handler2", "CSP: van on fire in the lay-by", category="road_traffic_collision")
    row = board.locator(f'tr[data-row-key="{ref}"]')
    expect(row).to_contain_text("CSP: van on fire in the lay-by")
    expect(row).to_have_class(re.compile(r"\bchanged\b"))
    assert page.evaluate("() => window.__sameDocument === true")
    assert watch.violations() == []


def test_the_dispatch_board_still_updates(people: People, api: Callable[[str], httpx.Client]) -> None:
    page, watch = watched(people, "dispatcher")
    page.goto("/dispatch/")
    expect(page.locator("#board-conn")).to_have_text("Live")
    page.evaluate("() => { window.__sameDocument = true; }")
    ref = raise_log(api, "handler", "CSP: shop window smashed")
    grade(api, "handler", ref, "emergency")
    expect(page.locator(f'#pending-body tr[data-key="{ref}"]')).to_contain_text("CSP: shop window smashed")
    assert page.evaluate("() => window.__sameDocument === true")
    assert watch.violations() == []


def test_a_log_page_still_receives_entries_live(people: People, api: Callable[[str], httpx.Client]) -> None:
    first, second, ref = two_people_on_one_log(people, api, "CSP: shouting behind the pub")
    watch = Watch(first)
    first.reload()
    first.evaluate("() => { window.__sameDocument = true; }")
    text = "Second caller: now two men fighting by the bins."
    add_entry(second, text)
    expect(first.locator("#narrative li.entry", has_text=text)).to_be_visible()
    assert first.evaluate("() => window.__sameDocument === true")
    assert watch.violations() == []


def test_progress_bars_are_drawn_without_style_attributes(people: People) -> None:
    page, watch = watched(people, "learning")
    page.goto("/learning/progress/")
    bars: list[dict[str, Any]] = page.eval_on_selector_all(
        "[data-percent]", "els => els.map(e => ({want: e.dataset.percent, got: e.style.width}))")
    assert all(b["got"] == f"{b['want']}%" for b in bars), bars
    assert watch.violations() == []
