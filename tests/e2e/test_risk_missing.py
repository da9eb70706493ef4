"""Missing persons and follow-ups in the browser (P9): the weather recorded on a missing-person record is an
escalation prompt; a callback to the reporting agency is an open task until its outcome is recorded; and the
person's page shows their risk timeline in its own panel."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import People, Shot, post, run_axe


@pytest.mark.safeguard("P9")
def test_weather_prompts_and_a_callback_stays_open_until_done(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    person = post(api, "officer", "/api/people", {"given_names": "Nell", "family_name": "Arkwright"})
    record = post(api, "officer", "/api/risk/missing", {"person_id": person["id"], "level": "medium"})
    decision = {"kind": "dynamic_risk", "decision": "Search the allotments first", "person_id": person["id"],
                "rationale": "She walks there every evening; the gate is unlocked"}
    post(api, "officer", "/api/risk/decisions", decision)

    page = people.page("officer")
    page.goto(f"/risk/missing/{record['id']}/")
    page.get_by_label("Weather recorded or forecast").select_option("cold")
    page.get_by_label("What was recorded or forecast").fill("Frost tonight, -4C")
    page.get_by_role("button", name="Record weather").click()
    expect(page.locator(".weather-now")).to_contain_text("Cold")
    expect(page.locator(".prompt").first).to_contain_text("Weather: cold recorded or forecast")

    page.get_by_text("Add a callback").click()
    page.get_by_label("Agency to call back").fill("Oak House care home")
    page.get_by_label("What to tell or ask them").fill("Tell the manager the search plan")
    page.get_by_role("button", name="Add callback").click()
    task = page.locator(".followup-open", has_text="Oak House care home")
    expect(task).to_contain_text("Owner")
    assert run_axe(page) == [], "the missing-person page has accessibility violations"
    shot(page, "risk-missing-callback")
    task.get_by_text("Record the outcome").click()
    task.get_by_label("Outcome").fill("Manager told; staff will ring if she returns")
    task.get_by_role("button", name="Record as done").click()
    expect(page.locator(".followup-done", has_text="Oak House care home")).to_contain_text("Manager told")

    page.goto(f"/people/{person['id']}/?purpose=Missing-person enquiry")
    panel = page.locator("#person-risk")
    expect(panel).to_contain_text("Dynamic risk assessment at scene")
    expect(panel).to_contain_text("Search the allotments first")
