"""Search in the browser: a phrase said on a log, typed into the top bar's "/" box, finds the log with the
words marked in the passage, and opens it; a reference typed there opens the log at once. The search page
passes axe."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from tests.e2e.helpers import People, Shot, post, raise_log, run_axe


def test_a_phrase_from_an_entry_finds_the_log_marked_and_opens_it(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    reference = raise_log(api, "handler", "Disturbance at the allotments")
    post(api, "handler", f"/api/logs/{reference}/entries",
         {"text": "Caller says the man is carrying a yellow crowbar near the greenhouses"})
    other = raise_log(api, "handler", "Crowbar found in a skip")  # one word alike, not the phrase

    page = people.page("dispatcher")
    page.goto("/")
    page.keyboard.press("/")
    box = page.locator("#find-q")
    expect(box).to_be_focused()
    box.fill('"yellow crowbar" greenhouses')
    box.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Search logs")
    hits = page.locator(".search-hit")
    expect(hits).to_have_count(1)
    expect(hits.first.locator("a.ref")).to_have_text(reference)
    marked = hits.first.locator(".hit-snippet mark")
    expect(marked.first).to_be_visible()
    assert {t.lower() for t in marked.all_inner_texts()} >= {"yellow crowbar", "greenhouses"} or \
        {t.lower() for t in marked.all_inner_texts()} >= {"yellow", "crowbar", "greenhouses"}
    assert other not in page.locator(".search-results").inner_text()
    assert run_axe(page) == [], "the search page has accessibility violations"
    shot(page, "search")

    hits.first.locator("a.ref").click()
    expect(page).to_have_url(f"/logs/{reference}/")
    expect(page.locator("body")).to_contain_text("yellow crowbar")

    # a reference typed into the same box opens the log straight away
    page.keyboard.press("/")
    page.locator("#find-q").fill(other)
    page.locator("#find-q").press("Enter")
    expect(page).to_have_url(f"/logs/{other}/")


def test_filters_on_the_search_page_narrow_the_results(
    people: People, api: Callable[[str], httpx.Client],
) -> None:
    kept = raise_log(api, "handler", "Quad bike ridden on the footpath", category="public_order")
    dropped = raise_log(api, "handler", "Quad bike stolen from farm", category="theft")
    page = people.page("handler")
    page.goto("/search/?q=quad")
    expect(page.locator(".search-hit")).to_have_count(2)
    page.get_by_label("Category").select_option("theft")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".search-hit")).to_have_count(1)
    expect(page.locator(".search-hit a.ref")).to_have_text(dropped)
    assert kept not in page.locator(".search-results").inner_text()
    violations = run_axe(page)
    assert violations == [], f"the search page with filters has accessibility violations: {violations}"
