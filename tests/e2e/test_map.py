"""The map in the browser, on the demonstration force with no tile source configured: the basemap is the force's
own streets and boundaries (GeoJSON shipped with the product, no network), logs are markers by grade (the
domestic log with its officer-safety warning), units by status with their last-seen age; the dispatch board has
it beside the tables and the log page centres it on the log; the nearest-unit list puts the free units first,
nearest first. The map page passes axe."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from tests.e2e.helpers import People, Shot, run_axe


def _demo_log(api: Callable[[str], httpx.Client], location: str) -> str:
    with api("dispatcher") as c:
        logs = c.get("/api/map").json()["logs"]
    return next(x["reference"] for x in logs if x["location"] == location)


def test_log_and_unit_markers_on_the_offline_basemap(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    domestic = _demo_log(api, "14 Orchard Way, Kingsbridge")
    page = people.page("dispatcher")
    page.goto("/map/")
    m = page.locator(".wk-map")
    expect(m.locator(f".wk-pin[data-ref='{domestic}']")).to_be_visible()
    pin = m.locator(f".wk-pin[data-ref='{domestic}']")
    expect(pin).to_have_class(re.compile(r"\bg-emergency\b"))  # graded emergency: its colour and its word
    expect(pin).to_contain_text("⚠")
    assert "Officer safety" in (pin.get_attribute("title") or "")
    unit = m.locator(".wk-unit[data-callsign='KB11']")
    expect(unit).to_be_visible()
    expect(unit).to_contain_text("En route")
    assert "position" in (unit.get_attribute("title") or "") and "ago" in (unit.get_attribute("title") or "")
    # the basemap: the force's own streets drawn from the shipped GeoJSON, and no tile fetched from anywhere
    expect(m.locator("path.wk-street")).to_have_count(11)
    expect(m.locator("path.wk-boundary")).to_have_count(2)
    assert m.locator("img.leaflet-tile").count() == 0
    pin.dispatch_event("click")  # the log's card (markers close together may overlap on screen)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Officer safety")
    expect(page.locator(".leaflet-popup-content a")).to_have_text(domestic)
    # the same logs and units as a list (the keyboard's and a screen reader's way to them)
    page.get_by_text("The map as a list").click()
    expect(page.locator("[data-map-list] a", has_text=domestic)).to_be_visible()
    expect(page.locator("[data-map-list]")).to_contain_text("KB11")
    violations = run_axe(page)
    assert violations == [], f"the map page has accessibility violations: {violations}"
    shot(page, "map")


def test_the_board_has_the_map_and_the_log_page_centres_it_on_the_log(
    people: People, api: Callable[[str], httpx.Client],
) -> None:
    missing = _demo_log(api, "40 Park Avenue")
    page = people.page("dispatcher")
    page.goto("/dispatch/")
    expect(page.locator(f".wk-map .wk-pin[data-ref='{missing}']")).to_be_visible()
    expect(page.locator(".wk-map .wk-unit[data-callsign='KB21']")).to_be_visible()
    page.goto(f"/logs/{missing}/")
    focus = page.locator(f".wk-map .wk-pin.focus[data-ref='{missing}']")
    expect(focus).to_be_visible()


def test_nearest_units_put_the_free_ones_first_nearest_first_and_say_why(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    missing = _demo_log(api, "40 Park Avenue")  # pending on the dispatcher's board, no unit yet
    with api("dispatcher") as c:
        expected = [u["callsign"] for u in c.get(f"/api/logs/{missing}/suggested-units").json()["units"]]
    # the demo's units: KB21 free 0.2 km away, RM31 and RM32 free out on the moor, KB11 and KB12 on other logs
    assert expected == ["KB21", "RM31", "RM32", "KB11", "KB12"]
    page = people.page("dispatcher")
    page.goto("/dispatch/")
    row = page.locator(f"tr:has(a:text-is('{missing}'))").first
    row.locator("details.geo-suggest summary").click()
    items = row.locator(".geo-suggestions li[data-callsign]")
    expect(items).to_have_count(5)
    assert [items.nth(i).get_attribute("data-callsign") for i in range(5)] == expected
    expect(items.first).to_contain_text("Available")
    expect(items.first).to_contain_text("km away")
    expect(items.nth(3)).to_contain_text("would be diverted")
    shot(page, "nearest-units")
