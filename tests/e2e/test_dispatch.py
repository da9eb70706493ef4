"""Dispatch in a real browser (D2): a dispatcher diverts a unit from one log to another on the dispatch board,
the first log comes back to the pending queue with its clock running, the controller approves the divert on
the command board, and the duty inspector is alerted to find another unit for the first log."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import People, Shot, grade, raise_log, run_axe

pytestmark = pytest.mark.e2e
# The tag on a log a unit was diverted away from (its shape is hidden from screen readers).
DIVERTED_TAG = re.compile(r"^\W*Diverted$")


def _table(page: Page, heading: str) -> Locator:
    """A board table by its heading (the heading's name is followed by the row count)."""
    return page.get_by_role("table", name=re.compile(rf"^{re.escape(heading)} \d+$"))


def _no_wcag_violations(page: Page, what: str) -> None:
    violations = run_axe(page)
    assert violations == [], f"{what}: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"] for n in v["nodes"]) for v in violations)


def _row(table: Locator, page: Page, link: str) -> Locator:
    """The row in `table` whose header links to `link` (a log reference or a callsign)."""
    return table.get_by_role("row").filter(has=page.get_by_role("rowheader").get_by_role("link", name=link,
                                                                                           exact=True))


@pytest.mark.safeguard("D2")
def test_a_divert_puts_the_first_log_back_on_the_queue_and_the_inspector_is_asked_for_another_unit(
    people: People, api: Callable[[str], httpx.Client], shot: Shot
) -> None:
    # Set-up through the API: two emergencies (their clocks armed) and a unit on the first.
    callsign = f"DV{uuid.uuid4().hex[:4].upper()}"
    with api("dispatcher") as c:
        r = c.post("/api/units", json={"callsign": callsign, "area": "Kingsbridge town", "area_type": "urban"})
        assert r.status_code == 201, r.text
    log_a = raise_log(api, "handler", "Divert A: shop window smashed, suspect gone")
    grade(api, "handler", log_a, "emergency")
    log_b = raise_log(api, "handler", "Divert B: man with a knife outside the school")
    grade(api, "handler", log_b, "emergency")
    with api("dispatcher") as c:
        r = c.post(f"/api/logs/{log_a}/units", json={"callsign": callsign})
        assert r.status_code == 201, r.text
        target_a = c.get("/api/boards/dispatch").json()["logs"][log_a]["target_at"]

    # The controller and the duty inspector have the command board open; what follows reaches them live.
    controller = people.page("controller")
    controller.goto("/dispatch/command/")
    expect(controller.locator("#board-conn")).to_have_text("Live")
    inspector = people.page("inspector")
    inspector.goto("/dispatch/command/")
    expect(inspector.locator("#board-conn")).to_have_text("Live")
    for p in (controller, inspector):
        p.evaluate("() => { window.__sameDocument = true; }")

    # The dispatcher diverts the unit from A to B on the dispatch board.
    dispatcher = people.page("dispatcher")
    dispatcher.goto("/dispatch/")
    expect(dispatcher.get_by_role("heading", level=1)).to_have_text("Dispatch board")
    expect(dispatcher.locator("#board-conn")).to_have_text("Live")
    dispatcher.evaluate("() => { window.__sameDocument = true; }")
    in_hand = _table(dispatcher, "Units on the log, or attended")
    pending = _table(dispatcher, "Pending: no unit on the log")
    row_a = _row(in_hand, dispatcher, log_a)
    expect(row_a).to_contain_text(callsign)
    expect(_row(pending, dispatcher, log_a)).to_have_count(0)

    row_a.get_by_text("Divert…", exact=True).click()
    row_a.get_by_label(f"Divert {callsign} to log").fill(log_b)
    row_a.get_by_label("Why: the comparative risk").fill("Knife outside a school outweighs a smashed window")
    # The board is long (ungraded emergency calls wait on it too, D1): checked from the top of the page, so no
    # row is scrolled under the sticky top bar (which the target-size rule reads as overlapping targets).
    dispatcher.evaluate("() => window.scrollTo(0, 0)")
    _no_wcag_violations(dispatcher, "dispatch board with the divert form open")
    shot(dispatcher, "dispatch-divert")
    row_a.get_by_role("button", name=f"Divert {callsign}", exact=True).click()

    expect(dispatcher.locator("#board-said")).to_contain_text(f"{callsign} diverted from {log_a} to {log_b}")
    # A is back on the pending queue, tagged diverted, its clock still running against the same target: the
    # countdown is drawn by the browser from the deadline and keeps ticking.
    back = _row(pending, dispatcher, log_a)
    expect(back).to_be_visible()
    expect(back.get_by_text(DIVERTED_TAG)).to_be_visible()
    expect(back).to_have_class(re.compile(r"\bis-diverted\b"))
    expect(back).to_contain_text("Pending: no unit")
    clock_a = back.locator(".countdown")
    expect(clock_a).to_have_attribute("data-target", target_a)
    expect(clock_a).to_have_text(re.compile(r"^\W*(\d+% gone · )?\d+:\d\d left$"))
    ticking = clock_a.inner_text()
    expect(clock_a).not_to_have_text(ticking)
    expect(clock_a).to_have_text(re.compile(r"\d+:\d\d left$"))
    expect(_row(in_hand, dispatcher, log_a)).to_have_count(0)
    expect(_row(in_hand, dispatcher, log_b)).to_contain_text(callsign)
    assert dispatcher.evaluate("() => window.__sameDocument === true")

    # The controller sees the divert awaiting a decision (and the alert that points to it), and approves it.
    diverts = _table(controller, "Diverts awaiting a decision")
    divert = _row(diverts, controller, callsign)
    expect(divert.get_by_role("cell", name=f"{log_a} to {log_b}", exact=True)).to_be_visible()
    expect(divert).to_contain_text("Awaiting decision")
    expect(divert).to_contain_text("Knife outside a school outweighs a smashed window")
    alert = _row(_table(controller, "Alerts"), controller, log_a)
    expect(alert).to_contain_text("Divert")
    expect(alert.get_by_role("link", name="Decide the divert")).to_be_visible()
    _no_wcag_violations(controller, "command board with a divert awaiting a decision")
    shot(controller, "dispatch-command-divert")
    divert.get_by_role("button", name="Approve", exact=True).click()
    expect(controller.locator("#board-said")).to_contain_text(f"Divert approved: {callsign} stays on {log_b}")
    expect(divert).to_have_count(0)
    expect(_row(_table(controller, "Alerts"), controller, log_a).filter(has_text="Decide the divert")).to_have_count(0)

    # The duty inspector is alerted, live, to find another unit for A.
    find = _row(_table(inspector, "Alerts"), inspector, log_a).filter(has_text="Find another unit")
    expect(find).to_be_visible()
    expect(find).to_contain_text("Duty inspector")
    expect(find).to_contain_text(f"{log_a} lost {callsign} to {log_b}: find another unit.")
    expect(find.get_by_role("button", name="Acknowledge")).to_be_visible()
    for p in (controller, inspector):
        assert p.evaluate("() => window.__sameDocument === true")
    shot(inspector, "dispatch-command-find-another-unit")

    # A is still pending, diverted, with its clock running, until someone sends another unit.
    expect(back).to_be_visible()
    expect(back.get_by_text(DIVERTED_TAG)).to_be_visible()
    expect(clock_a).to_have_attribute("data-target", target_a)
