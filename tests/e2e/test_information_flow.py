"""What the system knows travels with the log, in a real browser: a number written in an entry is found by a
later lookup of that number (C5, C1); the people the context panel proposes are attached from the panel by
keyboard and raised with the log, after the panel offered the open log from the same phone first (C1, L8).
Set-up goes through the API; what is under test happens in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import Api, People, Shot, add_entry, run_axe

pytestmark = pytest.mark.e2e


@pytest.mark.safeguard("C5", "C1")
def test_a_number_written_in_an_entry_is_found_by_a_later_lookup_of_that_number(people: People, api: Api) -> None:
    with api("handler") as c:
        r = c.post("/api/logs", json={
            "contact": {"channel": "101", "account": "Someone keeps ringing me at night.", "caller_name": "Ola Ring",
                        "caller_phone": "07700 900871", "caller_age": 44},
            "category": "other", "summary": "Nuisance calls at night"})
    assert r.status_code == 201, r.text
    reference = r.json()["reference"]

    page = people.page("handler")
    page.goto(f"/logs/{reference}/")
    add_entry(page, "Caller says the calls come from 07700 900872, every night after midnight.")
    # The number is on the log as mentioned, with a proposed check.
    expect(page.locator("#log-parties")).to_contain_text("+447700900872")
    expect(page.locator("#checks")).to_contain_text("+447700900872 (mentioned)")

    # Days later another handler types that number, written another way: the earlier log is listed.
    other = people.page("handler2")
    other.goto("/new/")
    other.get_by_label("Caller phone").press_sequentially("+44 7700 900872")
    history = other.locator("#ctx-live #ctx-history")
    expect(history).to_contain_text(reference)
    expect(history).to_contain_text("Nuisance calls at night")
    expect(history).to_contain_text("Mentioned")


@pytest.mark.safeguard("C1", "L8", "L12", "M3", "M4")
def test_the_proposed_caller_and_the_linked_ex_partner_are_attached_from_the_panel(
    people: People, api: Api, shot: Shot
) -> None:
    page = people.page("handler")
    page.goto("/new/")
    page.get_by_label("Channel").select_option("999")
    page.get_by_label("Caller name").fill("Rachel Moore")
    page.get_by_label("or age", exact=True).fill("34")
    page.get_by_label("What the caller said").fill("He is back outside again, banging on the door.")
    page.get_by_label("Category").select_option("domestic_incident")
    page.get_by_label("Summary (header)").fill("Ex-partner outside again")
    page.get_by_label("Caller phone").press_sequentially("07700 900123")

    pane = page.locator("#ctx-live")
    expect(pane).to_contain_text("Proposed: caller")
    linked = pane.locator("#ctx-linked")
    expect(linked).to_contain_text("Gary Moore")
    expect(linked).to_contain_text("Proposed: involved")
    expect(linked).to_contain_text("Firearms certificate holder")
    # L8: the open log from this phone (the demo's first call) is offered first.
    second = page.locator("#l8-slot")
    expect(second.locator(".second-match")).to_have_count(1)
    expect(second.get_by_role("button", name=re.compile(r"^Attach this contact to "))).to_be_visible()
    open_ref = second.locator(".second-match .ref").inner_text().strip()

    # By keyboard: the proposed caller keeps her role and is ticked; the ex-partner becomes the suspect.
    page.get_by_label("Attach to the log: Rachel Moore").focus()
    page.keyboard.press("Space")
    gary_role = page.get_by_label("Role for Gary Moore")
    gary_role.focus()
    gary_role.select_option("suspect")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Attach to the log: Gary Moore")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Attach to the log: Rachel Moore")).to_be_checked()
    expect(page.get_by_label("Attach to the log: Gary Moore")).to_be_checked()

    # Enter in a field raises (it does not attach to the offered log): without a reason that is refused,
    # naming L8 and the open log; the choices are kept.
    page.get_by_label("Summary (header)").press("Enter")
    expect(page.locator("#form-error")).to_contain_text("L8")
    expect(page.locator("#form-error")).to_contain_text(open_ref)
    expect(page.get_by_label("Attach to the log: Gary Moore")).to_be_checked()
    page.get_by_label(re.compile(r"Or raise a new log anyway")).fill("A new incident: he has come back tonight")
    shot(page, "new-contact-parties")
    violations = run_axe(page)
    assert not violations, violations
    page.get_by_role("button", name="Raise log").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/logs/[^/]+/$"))
    parties = page.locator("#log-parties")
    expect(parties.locator("li.party", has_text="Rachel Moore")).to_contain_text("Caller")
    expect(parties.locator("li.party", has_text="Gary Moore")).to_contain_text("Suspect")
    expect(page.locator("#narrative")).to_contain_text(f"Linked to {open_ref}")

    # Graded in the browser: the scheme on her phone sets the floor, and the log's header carries the
    # officer-safety summary.
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    grading = page.locator("#grade")
    for element in ("Threat", "Harm", "Risk", "Vulnerability"):
        grading.get_by_label(f"{element} level").select_option("high")
    grading.get_by_label("Grade", exact=False).first.select_option("emergency")
    grading.get_by_role("button", name="Grade", exact=True).click()
    expect(page.locator(".log-head .badge.grade")).to_contain_text("Emergency")
    header = page.locator(".log-head .risk-summary")
    expect(header.locator(".risk-badge", has_text="Firearms certificate: Gary Moore")).to_be_visible()
    expect(header.locator(".risk-badge", has_text="order: Gary Moore")).to_be_visible()
    badges = [t.strip() for t in header.locator(".risk-badge").all_inner_texts()]

    # The dispatcher's row shows the same badges.
    dispatcher = people.page("dispatcher")
    dispatcher.goto("/dispatch/")
    row = dispatcher.get_by_role("row").filter(
        has=dispatcher.get_by_role("rowheader").get_by_role("link", name=reference, exact=True))
    expect(row.locator(".risk-badge", has_text="Firearms certificate: Gary Moore")).to_be_visible()
    assert [t.strip() for t in row.locator(".risk-summary .risk-badge").all_inner_texts()] == badges

    # A unit is sent; its crew's page shows them too, never "None recorded".
    with api("dispatcher") as c:
        r = c.post(f"/api/logs/{reference}/units", json={"callsign": "KB11"})
        assert r.status_code == 201, r.text
    crew = people.page("officer")
    crew.goto("/dispatch/units/KB11/")
    safety = crew.locator(f"#assignment-{r.json()['assignment']} .risk-summary")
    assert [t.strip() for t in safety.locator(".risk-badge").all_inner_texts()] == badges
    expect(safety).not_to_contain_text("None recorded")
