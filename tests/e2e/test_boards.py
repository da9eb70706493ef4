"""The queue board over the demonstration force, updating live, and the safeguard registry."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

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
                                              "number": f"FAC{tag}", "expires_on": "2099-01-31"})
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
    # And the script draws the row exactly as the server did.
    server_html = row.locator(".risk-summary").inner_html()
    dispatcher.evaluate("() => window.WatchkeeperBoard.redrawAll()")
    assert row.locator(".risk-summary").inner_html() == server_html

    # An investigator adds a marker on the ex-partner (nothing on the log itself changes): the row gains the
    # badge live, without a reload.
    dispatcher.evaluate("() => { window.__sameDocument = true; }")
    with api("investigator") as c:
        r = c.post("/api/markers", json={"kind": "violence", "source": "PNC", "review_at": "2099-01-01",
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
        r = c.post("/api/markers", json={"kind": "weapons", "source": "Intelligence", "review_at": "2099-01-01",
                                         "person_id": gary, "note": "Keeps a machete in the car"})
        assert r.status_code == 201, r.text
    expect(header.locator(".risk-badge", has_text=f"Weapons: Gary Board{tag}")).to_be_visible()
    expect(safety.locator(".risk-badge", has_text=f"Weapons: Gary Board{tag}")).to_be_visible()
    on_board = dispatcher.get_by_role("row").filter(
        has=dispatcher.get_by_role("rowheader").get_by_role("link", name=ref, exact=True))  # now with a unit
    expect(on_board.locator(".risk-badge", has_text=f"Weapons: Gary Board{tag}")).to_be_visible()
    assert dispatcher.evaluate("() => window.__sameDocument === true")
