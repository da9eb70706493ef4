"""The log page fits a screen (spec/ui.md, issue "A log page that fits"): a sticky header with the grade, the
response clock counting down, the units and their state, breaches and overdue promises and the officer-safety
summary; the narrative beside the actions; actions answered in place without a reload, focus back in the
entry box; every action's shortcut in its tooltip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import Api, People, raise_log, run_axe

pytestmark = pytest.mark.e2e

SCREENS = [{"width": 1920, "height": 1080}, {"width": 1366, "height": 768}]


def _staff_id(api: Api, username: str) -> int:
    with api(username) as c:
        staff = c.get("/api/staff").json()
    return int(next(u["id"] for u in staff if u["username"] == username))


def _scene(api: Api, stamp: int) -> tuple[str, str]:
    """An ungraded log with a unit on it and a promise already overdue."""
    ref = raise_log(api, "handler", f"Console header: fight outside the Anchor {stamp}")
    callsign = f"CH{stamp % 100000:05d}"
    with api("dispatcher") as c:
        r = c.post("/api/units", json={"callsign": callsign, "area": "Kingsbridge town"})
        assert r.status_code == 201, r.text
        r = c.post(f"/api/logs/{ref}/units", json={"callsign": callsign})
        assert r.status_code == 201, r.text
    with api("handler") as c:
        r = c.post("/api/tasks", json={"description": "Call the landlord back",
                                       "owner_id": _staff_id(api, "handler"),
                                       "due_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
                                       "reference": ref})
        assert r.status_code == 201, r.text
    return ref, callsign


@pytest.mark.safeguard("D1", "L11", "C4")
@pytest.mark.parametrize("screen", SCREENS, ids=["1920x1080", "1366x768"])
def test_the_sticky_header_follows_an_action_without_a_reload(people: People, api: Api, screen: dict[str, int]
                                                             ) -> None:
    page = people.page("handler")
    page.set_viewport_size(screen)
    stamp = int(datetime.now(UTC).timestamp() * 1000)
    ref, callsign = _scene(api, stamp)
    page.goto(f"/logs/{ref}/")
    head = page.locator("#log-head")
    expect(head.get_by_role("heading", level=1)).to_contain_text(ref)
    expect(head.locator(".badge.grade")).to_contain_text("Ungraded")
    expect(head.locator(".unit-chip")).to_contain_text(callsign)
    expect(head.locator(".unit-chip .asg-state")).to_contain_text("Assigned")
    expect(head.locator(".overdue-count")).to_contain_text("1 overdue promise")
    expect(head.locator(".log-risk")).to_be_visible()
    clock = head.locator(".log-clock")
    expect(clock).to_contain_text("to grade")  # a 999 call's clock runs to its grading deadline (D1)
    expect(clock).not_to_have_text(clock.inner_text())  # a countdown, redrawn every second

    # The narrative beside the actions, both on the screen, nothing wider than the window.
    narr = page.locator(".narrative-block").bounding_box()
    acts = page.locator(".log-actions").bounding_box()
    assert narr and acts and narr["x"] + narr["width"] <= acts["x"] + 1, (narr, acts)
    assert narr["y"] < screen["height"] and acts["y"] < screen["height"], (narr, acts)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Every action names its shortcut in its tooltip.
    keyed = page.locator("#log-work [data-key], #log-side [data-key]")
    assert keyed.count() >= 10
    for i in range(keyed.count()):
        el = keyed.nth(i)
        key = (el.get_attribute("data-key") or "").upper()
        assert f"({key})" in (el.get_attribute("title") or ""), el.evaluate("e => e.outerHTML")

    page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
    # G: grade from the keyboard; the header follows in place.
    page.keyboard.press("g")
    grading = page.locator("#grade")
    for element in ("Threat", "Harm", "Risk", "Vulnerability"):
        grading.get_by_label(f"{element} level").select_option("high")
    grading.get_by_label("Grade", exact=False).first.select_option("emergency")
    grading.get_by_label("Harm note").focus()
    page.keyboard.press("Control+Enter")
    expect(head.locator(".badge.grade")).to_contain_text("Emergency")
    expect(clock).to_contain_text("to target")  # graded: the response clock (D1)
    expect(head.locator(".unit-chip")).to_contain_text(callsign)
    assert page.evaluate("() => window.__sameDocument === true")
    expect(page.get_by_label("Narrative entry")).to_be_focused()  # focus lands in the entry box

    # An entry from the keyboard, deep in the page: answered in place, the window not moved.
    page.get_by_label("Narrative entry").fill(f"Landlord says the group has moved to the car park {stamp}.")
    y = page.evaluate("() => window.scrollY")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#narrative")).to_contain_text(f"moved to the car park {stamp}")
    expect(head).to_contain_text("entries")
    assert page.evaluate("() => window.__sameDocument === true")
    # The reader's place: the window is where it was once the answer has settled.
    page.wait_for_function("y => Math.abs(window.scrollY - y) <= 2", arg=y, timeout=3000)
    expect(page.get_by_label("Narrative entry")).to_be_focused()
    expect(page.get_by_label("Narrative entry")).to_have_value("")

    # The header stays in view when the actions column is scrolled.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    box = head.bounding_box()
    assert box and 0 <= box["y"] <= 60, box
    assert run_axe(page) == []


def test_a_refusal_is_answered_in_place_beside_its_control(people: People, api: Api) -> None:
    ref = raise_log(api, "handler", "Console header: refusal in place")
    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ref)
    page.evaluate("() => { window.__sameDocument = true; }")
    page.keyboard.press("l")  # L: link to another log
    other = page.get_by_label("Other log reference")
    expect(other).to_be_focused()
    page.keyboard.type("20000101-9999")
    page.keyboard.press("Control+Enter")
    refusal = page.locator("#link .refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("20000101-9999")
    assert page.evaluate("() => window.__sameDocument === true")
    # The form stays open with what was typed.
    expect(page.get_by_label("Other log reference")).to_have_value("20000101-9999")
