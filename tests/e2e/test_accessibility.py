"""WCAG 2.2 AA on every main page: axe-core (from npm) run in the real browser, no violations allowed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import People, raise_log, run_axe

pytestmark = pytest.mark.e2e


@dataclass
class Scene:
    """What a page needs to be shown full: a log, and a way for someone else to add to it."""

    reference: str
    api: Callable[[str], httpx.Client]

    def entry_by_someone_else(self, text: str) -> None:
        with self.api("handler2") as c:
            r = c.post(f"/api/logs/{self.reference}/entries", json={"text": text})
            assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def scene(api: Callable[[str], httpx.Client]) -> Scene:
    """A log with a service request and a task, so the log page shows its lists filled."""
    ref = raise_log(api, "handler", "Accessibility check: man shouting in street")
    with api("handler") as c:
        r = c.post(f"/api/logs/{ref}/service-requests", json={
            "direction": "outbound", "service": "ambulance", "requester": "Casey Hall",
            "ask": "Check the man's injuries", "condition": "Cancel if he leaves"})
        assert r.status_code == 201, r.text
    return Scene(ref, api)


def _open(page: Page, path: str, heading: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def _log_with_live_entry(page: Page, scene: Scene) -> None:
    _open(page, f"/logs/{scene.reference}/", scene.reference)
    text = f"Caller rang back ({page.evaluate('Date.now()')}): he has gone inside."
    scene.entry_by_someone_else(text)
    expect(page.locator("#narrative li.unseen", has_text=text)).to_be_visible()


def _close_dialog(page: Page, scene: Scene) -> None:
    """The close dialog listing an entry that arrived live and is not yet seen (L3)."""
    _log_with_live_entry(page, scene)
    page.get_by_role("button", name=re.compile(r"^Close…")).click()
    expect(page.get_by_role("dialog").locator(".unseen-block")).to_be_visible()


# (name, who signs in, how to get there)
PAGES: list[tuple[str, str | None, Callable[[Page, Scene], None]]] = [
    ("sign-in", None, lambda p, s: _open(p, "/login/", "Sign in")),
    ("queue", "handler", lambda p, s: _open(p, "/", "Open logs")),
    ("new-contact", "handler", lambda p, s: _open(p, "/new/", "New contact")),
    ("log", "handler", _log_with_live_entry),
    ("close-dialog", "handler", _close_dialog),
    ("notifications", "handler", lambda p, s: _open(p, "/notifications/", "Notifications")),
    ("review-queue", "handler", lambda p, s: _open(p, "/review/", "awaiting an owner")),
    ("reports", "controller", lambda p, s: _open(p, "/reports/", "Assurance reports")),
    ("safeguards", "handler", lambda p, s: _open(p, "/safeguards/", "Safeguard registry")),
    ("safeguard-detail", "handler", lambda p, s: _open(p, "/safeguards/L3/", "L3")),
    ("message", "handler", lambda p, s: _open(p, "/messages/new/", "Message for an officer")),
    ("tokens", "handler", lambda p, s: _open(p, "/account/tokens/", "API tokens")),
]


@pytest.mark.parametrize("name,who,go", PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_wcag_violations(people: People, scene: Scene, name: str, who: str | None,
                                     go: Callable[[Page, Scene], None]) -> None:
    page = people.page(who)
    go(page, scene)
    violations = run_axe(page)
    assert violations == [], f"{name}: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"] for n in v["nodes"])
        for v in violations
    )
