"""The queue board over the demonstration force, updating live, and the safeguard registry."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import People, Shot, grade, raise_log

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


def _badges(row) -> list[str]:  # noqa: ANN001 - a Playwright locator
    return [t.strip() for t in row.locator(".risk-summary .risk-badge").all_inner_texts()]


@pytest.mark.safeguard("L12", "D1", "M4", "M3")
def test_a_board_row_patched_by_live_events_shows_the_same_officer_safety_badges_as_after_reload(
    people: People, api: Callable[[str], httpx.Client], shot: Shot
) -> None:
    # Set-up through the API: Jane (who will ring) and her ex-partner, who holds a firearms certificate and
    # is restricted by a non-molestation order protecting her.
    tag = uuid.uuid4().hex[:5]
    with api("investigator") as c:
        jane = c.post("/api/people", json={"given_names": "Jane", "family_name": f"Board{tag}"}).json()["id"]
        gary = c.post("/api/people", json={"given_names": "Gary", "family_name": f"Board{tag}"}).json()["id"]
        assert c.post(f"/api/people/{jane}/relationships", json={"other_id": gary, "kind": "ex_partner"}
                      ).status_code == 201
        r = c.post("/api/certificates", json={"holder_id": gary, "address": f"{tag} Mill Lane, Kingsbridge",
                                              "number": f"FAC{tag}", "expires_on": "2031-01-31"})
        assert r.status_code == 201, r.text
        r = c.post("/api/orders", json={"kind": "non_molestation", "restricted_id": gary, "conditions": "No contact",
                                        "starts_on": "2020-01-01", "protected_person_ids": [jane]})
        assert r.status_code == 201, r.text

    dispatcher = people.page("dispatcher")
    dispatcher.goto("/dispatch/")
    expect(dispatcher.locator("#board-conn")).to_have_text("Live")
    dispatcher.evaluate("() => { window.__sameDocument = true; }")

    # A 999 call arrives: it is on the board at once, ungraded, its grading clock running (D1).
    ref = raise_log(api, "handler", f"Board {tag}: ex-partner outside the house", category="domestic_incident")
    row = dispatcher.get_by_role("table", name=re.compile(r"^Pending: no unit on the log \d+$")).get_by_role(
        "row").filter(has=dispatcher.get_by_role("rowheader").get_by_role("link", name=ref, exact=True))
    expect(row).to_be_visible()
    expect(row).to_contain_text("Not graded yet")
    expect(row.locator(".badge.grade-none")).to_have_text("Ungraded")
    expect(row.locator(".countdown")).to_have_text(re.compile(r"\d+:\d\d left$"))

    # The handler puts Jane on the log as the caller: the row is redrawn live with what is held on her
    # ex-partner.
    with api("handler") as c:
        r = c.post(f"/api/logs/{ref}/parties", json={"role": "caller", "person_id": jane})
        assert r.status_code == 201, r.text
    expect(row.locator(".risk-badge", has_text=f"Firearms certificate: Gary Board{tag}")).to_be_visible()
    expect(row.locator(".risk-badge", has_text=f"Non-molestation order: Gary Board{tag}")).to_be_visible()
    live = _badges(row)
    titles = row.locator(".risk-badge").first.get_attribute("title") or ""
    assert f"Gary Board{tag} (ex-partner of caller Jane Board{tag}) holds certificate FAC{tag}" in titles
    assert dispatcher.evaluate("() => window.__sameDocument === true")
    shot(dispatcher, "dispatch-risk-summary")

    # After a reload the same badges, in the same order.
    dispatcher.reload()
    expect(dispatcher.locator("#board-conn")).to_have_text("Live")
    expect(row.locator(".risk-badge").first).to_be_visible()
    assert _badges(row) == live

    # An investigator adds a marker on the ex-partner (nothing on the log itself changes): the row gains the
    # badge live, without a reload.
    dispatcher.evaluate("() => { window.__sameDocument = true; }")
    with api("investigator") as c:
        r = c.post("/api/markers", json={"kind": "violence", "source": "PNC", "review_at": "2031-01-01",
                                         "person_id": gary, "note": "Assaulted police"})
        assert r.status_code == 201, r.text
    expect(row.locator(".risk-badge", has_text=f"Violence: Gary Board{tag}")).to_be_visible()
    assert dispatcher.evaluate("() => window.__sameDocument === true")
    live = _badges(row)

    # Graded and a unit sent: the crew's unit page shows the same badges, each with its sentence, and never
    # "None recorded".
    grade(api, "handler", ref, "emergency")
    callsign = f"RS{tag[:4].upper()}"
    with api("dispatcher") as c:
        r = c.post("/api/units", json={"callsign": callsign, "area": "Kingsbridge town"})
        assert r.status_code == 201, r.text
        r = c.post(f"/api/logs/{ref}/units", json={"callsign": callsign})
        assert r.status_code == 201, r.text
    crew = people.page("officer")
    crew.goto(f"/dispatch/units/{callsign}/")
    safety = crew.locator(f"#assignment-{r.json()['assignment']} .risk-summary")
    expect(safety.locator(".risk-badge")).to_have_count(len(live))
    assert [t.strip() for t in safety.locator(".risk-badge").all_inner_texts()] == live
    expect(safety).to_contain_text(f"Gary Board{tag} (ex-partner of caller Jane Board{tag}) holds certificate "
                                   f"FAC{tag}")
    expect(safety).not_to_contain_text("None recorded")
    shot(crew, "unit-risk-summary")

    # With the log open on the handler's screen and the crew's page open, another marker on the ex-partner
    # reaches both without a reload: the log header and the unit page.
    handler = people.page("handler")
    handler.goto(f"/logs/{ref}/")
    header = handler.locator(".log-risk")
    expect(header.locator(".risk-badge", has_text=f"Violence: Gary Board{tag}")).to_be_visible()
    with api("investigator") as c:
        r = c.post("/api/markers", json={"kind": "weapons", "source": "Intelligence", "review_at": "2031-01-01",
                                         "person_id": gary, "note": "Keeps a machete in the car"})
        assert r.status_code == 201, r.text
    expect(header.locator(".risk-badge", has_text=f"Weapons: Gary Board{tag}")).to_be_visible()
    expect(safety.locator(".risk-badge", has_text=f"Weapons: Gary Board{tag}")).to_be_visible()
    on_board = dispatcher.get_by_role("row").filter(
        has=dispatcher.get_by_role("rowheader").get_by_role("link", name=ref, exact=True))  # now with a unit
    expect(on_board.locator(".risk-badge", has_text=f"Weapons: Gary Board{tag}")).to_be_visible()
    assert dispatcher.evaluate("() => window.__sameDocument === true")


# Every row table of a board as the person sees it, normalised: each table body's rows in order (outer HTML)
# and its count. Left out: what the browser redraws every second from the deadlines (a clock's text, a
# deadline's "escalates in 3:20", a time's "12 min ago"), a form's CSRF token (a new mask on every request)
# and the order of class names. The brief highlight of a changed row is not left out: the board is compared
# once it has faded.
_BOARD_ROWS = """() => {
  const out = {};
  document.querySelectorAll('#board table.board tbody[id]').forEach(tbody => {
    const rows = Array.from(tbody.querySelectorAll(':scope > tr')).map(tr => {
      const c = tr.cloneNode(true);
      c.querySelectorAll('.countdown, .deadline, time .ago').forEach(el => { el.textContent = ''; });
      c.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(el => el.setAttribute('value', ''));
      [c, ...c.querySelectorAll('[class]')].forEach(el => {
        el.setAttribute('class', el.getAttribute('class').split(/\\s+/).filter(Boolean).sort().join(' '));
      });
      return c.outerHTML;
    });
    const count = document.querySelector('[data-count-for="' + tbody.id + '"]');
    out[tbody.id] = {count: count ? count.textContent : null, rows: rows};
  });
  return out;
}"""


def _same_as_a_fresh_load(patched: Page, path: str) -> None:
    """The board `patched` (open since before the events) equals the same page loaded now, by the same
    person. Events may still be arriving (the sweeper fires the demonstration force's clocks), so the two are
    compared until they agree, for at most the live-update wait; the differences are shown if they never do."""
    fresh = patched.context.new_page()
    deadline = time.monotonic() + 30
    while True:
        fresh.goto(path)
        expect(fresh.locator("#board-conn")).to_have_text("Live")
        now: dict[str, Any] = fresh.evaluate(_BOARD_ROWS)
        live: dict[str, Any] = patched.evaluate(_BOARD_ROWS)
        if live == now:
            break
        if time.monotonic() > deadline:
            diff = {k: {"patched": live.get(k), "fresh": now.get(k)} for k in set(live) | set(now)
                    if live.get(k) != now.get(k)}
            raise AssertionError(f"{path}: the board patched by live events differs from a fresh load: {diff}")
        patched.wait_for_timeout(1000)
    assert len(now) >= 4 and sum(len(t["rows"]) for t in now.values()) > 0
    fresh.close()


@pytest.mark.safeguard("D1", "D2", "D3", "D4")
def test_boards_patched_by_live_events_equal_the_boards_after_a_reload(
    people: People, api: Callable[[str], httpx.Client]
) -> None:
    # The dispatcher board and the command board are open before anything happens.
    dispatcher = people.page("dispatcher")
    dispatcher.goto("/dispatch/")
    controller = people.page("controller")
    controller.goto("/dispatch/command/")
    for p in (dispatcher, controller):
        expect(p.locator("#board-conn")).to_have_text("Live")
        p.evaluate("() => { window.__sameDocument = true; }")

    # Through the API, while they watch: units come on duty, 999 calls are raised (on the board ungraded,
    # D1) and graded, a unit is assigned and goes en route, a unit is diverted to another log (D2: an alert and
    # a divert for the controller), "no units" is declared on a third log (D3), an alert is acknowledged and a
    # unit clears its log (D4).
    tag = uuid.uuid4().hex[:4].upper()
    first, second = f"LV{tag}1", f"LV{tag}2"
    with api("dispatcher") as c:
        for callsign in (first, second):
            r = c.post("/api/units", json={"callsign": callsign, "area": "Kingsbridge town"})
            assert r.status_code == 201, r.text
    log_a = raise_log(api, "handler", f"Live {tag}: a fight spilling out of the pub")
    log_b = raise_log(api, "handler", f"Live {tag}: a child alone at the bus station")
    log_c = raise_log(api, "handler", f"Live {tag}: a car on its roof in the ford")
    grade(api, "handler", log_a, "emergency")
    grade(api, "handler", log_b, "emergency")
    with api("dispatcher") as c:
        r = c.post(f"/api/logs/{log_a}/units", json={"callsign": first})
        assert r.status_code == 201, r.text
        r = c.post(f"/api/assignments/{r.json()['assignment']}", json={"state": "en_route"})
        assert r.status_code == 200, r.text
        r = c.post("/api/diverts", json={"callsign": first, "from_reference": log_a, "to_reference": log_b,
                                         "reason": "A child alone outweighs a fight already breaking up"})
        assert r.status_code == 201, r.text
        r = c.post(f"/api/logs/{log_c}/units", json={"callsign": second})
        assert r.status_code == 201, r.text
        second_on_c = r.json()["assignment"]
        r = c.post(f"/api/logs/{log_c}/no-units", json={"note": "Nobody free in the west"})
        assert r.status_code == 201, r.text
    with api("controller") as c:
        r = c.post(f"/api/alerts/{r.json()['alert']}/acknowledge", json={"note": "Asking the next area"})
        assert r.status_code == 200, r.text
    with api("dispatcher") as c:
        r = c.post(f"/api/assignments/{second_on_c}", json={"state": "cleared"})
        assert r.status_code == 200, r.text

    # What the events did is on both boards without a reload...
    pending = dispatcher.locator("#pending-body")
    expect(pending.locator(f'tr[data-key="{log_a}"]')).to_contain_text("Diverted")
    expect(dispatcher.locator(f'#inhand-body tr[data-key="{log_b}"]')).to_contain_text(first)
    expect(dispatcher.locator(f'#units-body tr[data-key="{second}"]')).to_contain_text("Available")
    expect(controller.locator('#diverts-body tr[data-key] a.callsign', has_text=first)).to_be_visible()
    expect(controller.locator("#alerts-body tr", has_text=log_a)).to_contain_text("Decide the divert")
    for p in (dispatcher, controller):
        assert p.evaluate("() => window.__sameDocument === true")

    # ...and each board, patched by the events, equals the same board loaded afresh, row for row.
    _same_as_a_fresh_load(dispatcher, "/dispatch/")
    _same_as_a_fresh_load(controller, "/dispatch/command/")
