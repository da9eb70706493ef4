"""Browser fixtures: Debian's Chromium driven by Playwright against a real `watchkeeper serve`.

The server runs on a fresh database holding the demonstration force (its staff, with the passwords in
`live_template.seed`, and its logs), so every page is exercised, and photographed, with real content.
One browser per test module; every person gets a fresh browser context (their own cookies and session), so
two people can work the same log side by side. Playwright's own browser download is never used.

When WATCHKEEPER_SCREENSHOTS names a folder, `shot(page, name)` saves full-page PNGs there for the README.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.helpers import LIVE_WAIT_MS, People, Shot
from tests.support.live import Server, Template

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

WATCHKEEPER = Path(sys.executable).parent / "watchkeeper"

expect.set_options(timeout=LIVE_WAIT_MS)


@pytest.fixture(scope="module")
def server(live_template: Template) -> Iterator[Server]:
    """`watchkeeper serve` on a fresh copy of the test database with the demonstration force loaded."""
    url = live_template.fresh_url()
    loaded = subprocess.run([str(WATCHKEEPER), "load-demo"], env={**os.environ, "WATCHKEEPER_DATABASE_URL": url},
                            capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    running = Server(url).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def people(browser: Browser, server: Server, live_template: Template) -> Iterator[People]:
    crowd = People(browser, server, dict(live_template.seed["passwords"]))
    yield crowd
    crowd.close()


@pytest.fixture
def page(people: People) -> Page:
    """A page signed in as the demo call handler."""
    return people.page("handler")


@pytest.fixture(scope="module")
def api(server: Server, live_template: Template) -> Callable[[str], httpx.Client]:
    """An API client for a person (to set up a log quickly; what is under test happens in the browser)."""
    tokens = dict(live_template.seed["tokens"])

    def client(username: str) -> httpx.Client:
        return httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {tokens[username]}"},
                            timeout=30)

    return client


@pytest.fixture(scope="session")
def shot() -> Shot:
    """Save a full-page screenshot when WATCHKEEPER_SCREENSHOTS is set (for the README); else nothing."""
    folder = os.environ.get("WATCHKEEPER_SCREENSHOTS", "")

    def save(page: Page, name: str, full_page: bool = True) -> None:
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page, animations="disabled")

    return save
