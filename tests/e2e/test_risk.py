"""Risk assessment in the browser (R2, R3): an officer fills a domestic-abuse assessment on a log, a "yes" to
being followed makes the stalking screen mandatory, they set a level below the guidance with a rationale, and
the supervisor finds it in their review queue with the answers and the rationale, and raises it."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import People, Shot, post, raise_log, run_axe
from watchkeeper.risk.actions import shipped

RATIONALE = "He was arrested tonight and is remanded until the hearing"
YES = {"strangulation", "threats_to_kill", "weapon", "followed", "st_fear", "st_places"}


def _answer(page: Page, code: str, value: str) -> None:
    """Answer one question; the answer is saved as soon as it is chosen (R1: nothing half-finished is lost)."""
    form = page.locator(f"form[data-question='{code}']")
    form.locator(f"input[name='answers.0.value'][value='{value}']").check()
    expect(form.locator(".save-state")).to_contain_text("Saved")


@pytest.mark.safeguard("R2", "R3")
def test_a_da_assessment_below_guidance_with_a_stalking_indicator_reaches_the_supervisor_with_its_answers(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    # R1: the force's administrator loads the instrument (here the illustrative one the product ships); a
    # force that has it already is told so (409) and the version loaded is the one assessments use
    with api("admin") as c:
        loaded = c.post("/api/risk/instruments", json={"document": shipped()["domestic-abuse"]})
        assert loaded.status_code in (201, 409), loaded.text
        assert [i["version"] for i in c.get("/api/risk/instruments").json()["loaded"]
                if i["code"] == "domestic-abuse" and i["newest"]] == ["2026.1"]
    spec = json.loads(shipped()["domestic-abuse"])
    current = [q["code"] for q in spec["sections"][0]["questions"]]
    stalking = [q["code"] for q in spec["sections"][1]["questions"]]

    reference = raise_log(api, "handler", "Woman says her ex-partner hit her", category="domestic_incident")
    person = post(api, "officer", "/api/people", {"given_names": "Rosa", "family_name": "Quayle"})
    post(api, "handler", f"/api/logs/{reference}/parties", {"role": "victim", "person_id": person["id"]})

    officer = people.page("officer")
    officer.goto(f"/logs/{reference}/")
    panel = officer.locator("#log-risk")
    expect(panel).to_contain_text("is called for on this log")
    panel.get_by_role("button", name="Start assessment").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("Domestic abuse")
    guidance = officer.locator("#risk-guidance")
    expect(guidance.locator("[data-section='stalking']")).to_have_count(0)
    assert run_axe(officer) == [], "the assessment sheet has accessibility violations"

    _answer(officer, "followed", "yes")
    # R2: the "yes" indicates stalking, so the screen is mandatory now
    expect(guidance.locator("[data-section='stalking']")).to_contain_text("answer indicating stalking")
    for code in current:
        if code == "relationship":
            form = officer.locator("form[data-question='relationship']")
            form.locator("select[name='answers.0.value']").select_option("ex_partner")
            expect(form.locator(".save-state")).to_contain_text("Saved")
        elif code != "followed":
            _answer(officer, code, "yes" if code in YES else "no")
    officer.get_by_label("Risk level").select_option("standard")
    officer.get_by_role("button", name="Submit assessment").click()
    expect(officer.locator(".refusal")).to_contain_text("R2")  # the screen is not answered yet

    for code in stalking:
        _answer(officer, code, "yes" if code in YES else "no")
    expect(guidance.locator("[data-guidance]")).to_have_text("High")
    officer.get_by_label("Risk level").select_option("standard")
    officer.get_by_role("button", name="Submit assessment").click()
    expect(officer.locator(".refusal")).to_contain_text("below the guidance")  # R3: no rationale yet
    officer.get_by_label("Risk level").select_option("standard")
    officer.get_by_label("Rationale").fill(RATIONALE)
    officer.get_by_role("button", name="Submit assessment").click()
    expect(officer.locator(".risk-state")).to_have_text("Awaiting review")
    shot(officer, "risk-assessment-submitted")

    supervisor = people.page("supervisor")
    supervisor.goto("/risk/")
    item = supervisor.locator(".risk-queue-item").filter(has_text="Rosa Quayle")
    expect(item.locator(".rq-guidance")).to_have_text("High")
    expect(item.locator(".rq-judgement")).to_have_text("Standard")
    expect(item.locator(".risk-rationale")).to_contain_text(RATIONALE)
    followed = item.locator("tr").filter(has_text="follow, watch, repeatedly contact")
    expect(followed.locator("td").nth(1)).to_have_text("yes")
    expect(item.locator("tr.risk-yes")).to_have_count(len(YES))
    shot(supervisor, "risk-review-queue")
    assert run_axe(supervisor) == [], "the review queue has accessibility violations"
    item.get_by_label("Raise the level to").check()
    item.get_by_label("Raised level").select_option("high")
    item.get_by_label("Your rationale").fill("Strangulation and threats to kill: high whatever the remand")
    item.get_by_role("button", name="Record review").click()
    expect(supervisor.locator(".risk-queue-item").filter(has_text="Rosa Quayle")).to_have_count(0)

    officer.reload()
    expect(officer.locator(".risk-state")).to_have_text("Reviewed")
    expect(officer.locator(".risk-review")).to_contain_text("Standard → High")
