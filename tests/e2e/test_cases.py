"""Cases in the browser (P1): a supervisor tries to move an officer who holds open cases at /staff/, is refused
with the cases named, hands each case over on its case page, moves the officer, and the receiving officer sees
the cases in "my cases" and acknowledges a handover. The case pages pass the axe check."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import People, Shot, post, run_axe
from watchkeeper.risk.actions import shipped

SUMMARY = "Victim statement taken; CCTV requested from the off-licence; suspect not yet interviewed."


def _staff(api: Callable[[str], httpx.Client]) -> dict[str, dict[str, Any]]:
    with api("supervisor") as c:
        return {s["username"]: s for s in c.get("/api/staff").json()}


def _officers_case(api: Callable[[str], httpx.Client], title: str, kind: str = "crime") -> dict[str, Any]:
    """A case the supervisor opens with the response officer in charge."""
    return post(api, "supervisor", "/api/cases", {"kind": kind, "title": title,
                                                  "officer_id": _staff(api)["officer"]["id"]})


def _accessible(page: Page, shot: Shot, name: str) -> None:
    found = run_axe(page)
    assert found == [], json.dumps(found)[:1500]
    shot(page, name)


@pytest.mark.safeguard("P1")
def test_an_officer_with_open_cases_moves_only_after_the_cases_are_handed_over(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    staff = _staff(api)
    officer, investigator = staff["officer"], staff["investigator"]
    opened = [post(api, "supervisor", "/api/cases", {"kind": "crime", "title": title, "officer_id": officer["id"]})
              for title in ("Burglary at 4 Elm Road", "Assault outside the Crown")]
    with api("officer") as c:
        held = c.get("/api/cases/mine").json()["cases"]
    assert {o["reference"] for o in opened} <= {h["reference"] for h in held}

    sup = people.page("supervisor")
    sup.goto("/staff/")
    row = sup.locator(f"#staff-{officer['id']}")
    row.locator(f"#mv-role-{officer['id']}").select_option("investigator")
    row.locator(f"#mv-team-{officer['id']}").fill("Public protection")
    row.locator(f"#mv-reason-{officer['id']}").fill("Promotion to investigator")
    row.get_by_role("button", name="Move").click()
    refusal = sup.locator(".refusal")
    expect(refusal).to_contain_text("P1")
    for case in opened:
        expect(refusal).to_contain_text(case["reference"])

    for n, case in enumerate(held):
        sup.goto(f"/cases/{case['id']}/")
        expect(sup.get_by_role("heading", level=1)).to_contain_text(case["reference"])
        if n == 0:
            found = run_axe(sup)
            assert found == [], json.dumps(found)[:1500]
            shot(sup, "case-page")
        form = sup.locator("#handover-form")
        form.get_by_label("To").select_option(str(investigator["id"]))
        form.get_by_label("Why").fill("Officer moving to public protection")
        form.get_by_label("Summary for the receiver").fill(SUMMARY)
        form.get_by_role("button", name="Hand over").click()
        expect(sup.locator("#case-officer")).to_have_text(investigator["name"])
        expect(sup.locator("#case-handovers")).to_contain_text("not yet acknowledged")

    sup.goto("/staff/")
    row = sup.locator(f"#staff-{officer['id']}")
    row.locator(f"#mv-role-{officer['id']}").select_option("investigator")
    row.locator(f"#mv-team-{officer['id']}").fill("Public protection")
    row.locator(f"#mv-reason-{officer['id']}").fill("Promotion to investigator")
    row.get_by_role("button", name="Move").click()
    assert sup.locator(".refusal").count() == 0, sup.locator(".refusal").inner_text()
    expect(sup.locator(".banner.info")).to_contain_text("is now investigator")
    sup.goto("/cases/team/")
    expect(sup.get_by_role("heading", level=1)).to_have_text("Team cases")
    assert run_axe(sup) == [], "the team cases page has accessibility violations"

    inv = people.page("investigator")
    inv.goto("/cases/")
    mine = inv.locator("#my-cases")
    for case in opened:
        expect(mine).to_contain_text(case["reference"])
    assert run_axe(inv) == [], "the my cases page has accessibility violations"
    shot(inv, "my-cases")
    first = opened[0]["reference"]
    inv.get_by_role("button", name=f"Acknowledge {first}").click()
    expect(inv.get_by_role("heading", level=1)).to_have_text("My cases")
    expect(inv.get_by_role("button", name=f"Acknowledge {first}")).to_have_count(0)
    expect(inv.get_by_role("button", name=f"Acknowledge {opened[1]['reference']}")).to_have_count(1)


@pytest.mark.safeguard("P3")
def test_a_victims_point_of_contact_and_contacts_in_the_browser(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    staff = _staff(api)
    officer, investigator, handler = staff["officer"], staff["investigator"], staff["handler"]
    case = post(api, "supervisor", "/api/cases", {"kind": "crime", "title": "Stalking of a neighbour",
                                                  "officer_id": officer["id"]})
    victim = post(api, "handler", "/api/people", {"given_names": "Nadia", "family_name": "Spoc"})
    post(api, "officer", f"/api/cases/{case['id']}/people", {"person_id": victim["id"], "role": "victim"})

    page = people.page("officer")
    page.goto(f"/cases/{case['id']}/")
    form = page.locator("#contact-form")
    form.get_by_label("Channel").select_option("phone")
    form.get_by_label("What was said").fill("Told of the arrest; safety plan reviewed")
    form.get_by_role("button", name="Log contact").click()
    expect(page.locator("#case-contacts")).to_contain_text("Told of the arrest")

    page.locator("#case-people").get_by_role("link", name="Nadia Spoc").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nadia Spoc")
    expect(page.locator("#victim-spoc")).to_have_text("none named")
    spoc = page.locator("#spoc-form")
    spoc.get_by_label("Point of contact").select_option(str(investigator["id"]))
    spoc.get_by_label("Why").fill("Investigation team holds the stalking cases")
    spoc.get_by_role("button", name="Set point of contact").click()
    expect(page.locator("#victim-spoc")).to_have_text(investigator["name"])
    expect(page.locator("#victim-contacts")).to_contain_text("Told of the arrest")
    _accessible(page, shot, "victim-page")
    with api("officer") as c:  # the API refuses a call handler as point of contact, naming P3
        r = c.post(f"/api/cases/victims/{victim['id']}/contact-point",
                   json={"user_id": handler["id"], "reason": "Desk"})
    assert r.status_code == 422 and "P3" in r.text


@pytest.mark.safeguard("P4")
def test_a_victim_update_fails_by_letter_and_is_confirmed_by_text_in_the_browser(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    case = _officers_case(api, "Assault at the bus station")
    victim = post(api, "handler", "/api/people", {"given_names": "Rosa", "family_name": "Update"})
    post(api, "officer", f"/api/cases/{case['id']}/people", {"person_id": victim["id"], "role": "victim"})

    page = people.page("officer")
    page.goto(f"/cases/victims/{victim['id']}/")
    form = page.locator("#channels-form")
    form.get_by_label("Choice 1").select_option("letter")
    form.get_by_label("Choice 2").select_option("text")
    form.get_by_role("button", name="Record channels").click()
    expect(page.locator("#victim-channels")).to_contain_text("Letter")

    page.goto(f"/cases/{case['id']}/")
    form = page.locator("#update-form")
    form.get_by_label("Update").select_option("no_further_action")
    form.get_by_label("Channel").select_option("letter")
    form.get_by_label("What they were told").fill("No further action: the suspect was not charged")
    form.get_by_role("button", name="Record update").click()
    item = page.locator("#case-updates li").first
    expect(item).to_contain_text("Awaiting confirmation")
    item.get_by_label("Delivery").select_option("failed")
    item.get_by_label("How it failed").select_option("returned_letter")
    item.get_by_role("button", name="Record delivery").click()
    expect(page.locator("#case-updates")).to_contain_text("Letter returned")
    expect(page.locator("#case-timeline")).to_contain_text("try text message")
    _accessible(page, shot, "case-victim-updates")


@pytest.mark.safeguard("P10")
def test_a_declared_conflict_is_refused_until_a_supervisor_assesses_it_in_the_browser(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    case = _officers_case(api, "Criminal damage at the garage")
    officer = people.page("officer")
    officer.goto(f"/cases/{case['id']}/")
    form = officer.locator("#conflict-form")
    form.get_by_label("Your conflict of interest").fill("The garage owner is my brother-in-law")
    form.get_by_role("button", name="Declare conflict").click()
    expect(officer.locator("#case-conflicts")).to_contain_text("Awaiting assessment")
    officer.get_by_label("Closing note").fill("No further action")
    officer.get_by_role("button", name="Close case").click()
    expect(officer.locator(".refusal")).to_contain_text("P10")

    sup = people.page("supervisor")
    sup.goto(f"/cases/{case['id']}/")
    item = sup.locator("#case-conflicts li").first
    item.get_by_label("Assessment").select_option("not_allowed")
    item.get_by_label("Rationale").fill("A close relative of the complainant: the case moves to another officer")
    item.get_by_role("button", name="Record assessment").click()
    expect(sup.locator("#case-conflicts")).to_contain_text("Not allowed")
    _accessible(sup, shot, "case-conflicts")


@pytest.mark.safeguard("P6")
def test_an_open_multi_agency_action_keeps_the_case_open_in_the_browser(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    case = _officers_case(api, "Domestic abuse, high risk", "safeguarding")
    page = people.page("officer")
    page.goto(f"/cases/{case['id']}/")
    form = page.locator("#agency-action-form")
    form.get_by_label("Action", exact=True).fill("Safety plan with the IDVA")
    form.get_by_label("Or partner agency").fill("IDVA service")
    form.get_by_label("Due").fill("2030-01-15T12:00")
    form.get_by_role("button", name="Add action").click()
    expect(page.locator("#case-agency-actions")).to_contain_text("IDVA service")
    page.get_by_label("Closing note").fill("Victim moved away")
    page.get_by_role("button", name="Close case").click()
    expect(page.locator(".refusal")).to_contain_text("P6")
    _accessible(page, shot, "case-multi-agency")
    item = page.locator("#case-agency-actions li").first
    item.get_by_label("What was done").fill("Safety plan agreed")
    item.get_by_role("button", name="Record complete").click()
    expect(page.locator("#case-agency-actions")).to_contain_text("Safety plan agreed")


@pytest.mark.safeguard("R1", "P1")
def test_a_risk_assessment_is_started_from_the_case_page(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    with api("admin") as c:
        loaded = c.post("/api/risk/instruments", json={"document": shipped()["domestic-abuse"]})
        assert loaded.status_code in (201, 409), loaded.text
    case = _officers_case(api, "Harassment by an ex-partner", "safeguarding")
    victim = post(api, "handler", "/api/people", {"given_names": "Ana", "family_name": "Assessed"})
    post(api, "officer", f"/api/cases/{case['id']}/people", {"person_id": victim["id"], "role": "victim"})
    page = people.page("officer")
    page.goto(f"/cases/{case['id']}/")
    form = page.get_by_role("form", name="Start a risk assessment")
    form.get_by_label("Assess (R1)").select_option(str(victim["id"]))
    form.get_by_role("button", name="Start a risk assessment").click()
    expect(page).to_have_url(re.compile(r"/risk/assessments/\d+/$"))
    page.goto(f"/cases/{case['id']}/")
    expect(page.locator("#case-timeline")).to_contain_text("Risk assessment started for Ana Assessed")
    _accessible(page, shot, "case-risk-assessment")
