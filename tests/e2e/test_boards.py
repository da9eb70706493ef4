"""The queue board over the demonstration force, updating live, and the safeguard registry."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import Shot, raise_log

pytestmark = pytest.mark.e2e


def test_the_board_shows_grades_in_words_and_a_new_log_arrives_live(
    page: Page, api: Callable[[str], httpx.Client], shot: Shot
) -> None:
    page.goto("/")
    board = page.get_by_role("table")
    expect(board.locator("tbody tr").first).to_be_visible()
    # Grades carry a word (and a shape), never colour alone; ungraded logs say so.
    expect(board.locator(".badge.grade-emergency").first).to_contain_text("Emergency")
    expect(board.locator(".badge.grade-none").first).to_have_text("Ungraded")
    expect(board.locator(".badge.flag", has_text="Domestic abuse").first).to_be_visible()
    page.evaluate("() => { window.__sameDocument = true; }")

    ref = raise_log(api, "handler2", "Board: lorry shed its load on the bypass", category="road_traffic_collision")
    row = board.locator(f'tr[data-row-key="{ref}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Board: lorry shed its load on the bypass")
    expect(row).to_have_class(re.compile(r"\bchanged\b"))  # new rows are marked briefly
    assert page.evaluate("() => window.__sameDocument === true")
    shot(page, "queue")


def test_the_safeguard_registry_links_each_safeguard_to_its_lessons(page: Page, shot: Shot) -> None:
    page.get_by_role("link", name="Safeguards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguard registry")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="L3", exact=True))
    expect(row).to_contain_text("Read before close")
    expect(row).to_contain_text("Enforced")
    expect(row).to_contain_text("B31.2")
    shot(page, "safeguards")

    row.get_by_role("link", name="L3", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("L3 — Read before close")
    expect(page.locator("main")).to_contain_text("Learning the Lessons bulletin 31")
