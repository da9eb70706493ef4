"""Dismissals in a real browser: a child prompt dismissed as "adult" while a 16-year-old is on the log is
refused beside the prompt (C2), and the close dialog chooses no outcome for the person closing (L10)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import Api, People, Shot, post, run_axe

pytestmark = pytest.mark.e2e

def _log_with_a_child(api: Api, phone: str, place: str) -> str:
    """A log whose caller is grown, with a 16-year-old on it as the victim (set up through the API)."""
    ref = str(post(api, "handler", "/api/logs", {
        "contact": {"channel": "101", "account": "Neighbour reports a girl crying in the flat upstairs.",
                    "caller_name": "Pat Neighbour", "caller_phone": phone, "caller_age": 52},
        "category": "concern_for_welfare", "summary": "Girl crying upstairs", "location": place,
        "second_call_reason": "Another household (test set-up)",
    })["reference"])
    today = date.today()
    dob = today.replace(year=today.year - 16) - timedelta(days=40)
    person = post(api, "handler", "/api/people", {"given_names": "Mia", "family_name": "Cole",
                                                    "dob": dob.isoformat()})
    post(api, "handler", f"/api/logs/{ref}/parties", {"role": "victim", "person_id": person["id"]})
    return ref


@pytest.mark.safeguard("C2")
def test_a_child_prompt_dismissed_as_adult_is_refused_beside_it(people: People, api: Api, shot: Shot) -> None:
    ref = _log_with_a_child(api, "07700 900871", "Flat 3, 9 Mill Lane")
    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    prompt = page.locator("#prompts li.prompt-open", has_text="Mia Cole is under 18")
    expect(prompt).to_be_visible()
    prompt.get_by_label("Reason to dismiss").fill("Caller is an adult")
    prompt.get_by_role("button", name="Dismiss").click()

    refusal = page.locator("#prompts li.prompt-open", has_text="Mia Cole is under 18").locator(".refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("C2")
    expect(refusal).to_contain_text("Mia Cole (victim) is 16")
    reason = page.locator("#prompts li.prompt-open", has_text="Mia Cole is under 18").get_by_label("Reason to dismiss")
    expect(reason).to_have_attribute("aria-invalid", "true")
    shot(page, "dismissal-refused-C2", full_page=False)

    # A reason the record allows is recorded.
    reason.fill("Mother is with her; school safeguarding lead informed")
    page.locator("#prompts li.prompt-open", has_text="Mia Cole is under 18").get_by_role(
        "button", name="Dismiss").click()
    expect(page.locator("#prompts li.prompt-dismissed", has_text="Mia Cole is under 18")).to_contain_text(
        "Mother is with her")


@pytest.mark.safeguard("L10")
def test_the_close_dialog_preselects_no_outcome(people: People, api: Api) -> None:
    ref = _log_with_a_child(api, "07700 900872", "Flat 1, 40 Tanner Row")
    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    page.get_by_role("button", name=re.compile(r"^Close…")).click()
    dialog = page.get_by_role("dialog")
    outcome = dialog.get_by_label("Outcome")
    expect(outcome).to_have_value("")
    expect(outcome).to_have_attribute("required", "")
    # Closing without choosing is stopped at the control; nothing is sent, the log stays open.
    dialog.get_by_role("button", name="Close log").click()
    assert outcome.evaluate("e => e.validity.valueMissing") is True
    expect(page.locator(".log-head .status")).to_have_text("Open")


@pytest.mark.safeguard("L9")
def test_an_administrator_sets_a_queues_deputy_from_the_intake_page(people: People, shot: Shot) -> None:
    page = people.page("admin")
    page.get_by_role("link", name="Intake reviewers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who reviews automatic intake")
    row = page.locator("#queue-alarm")
    reviewer = row.get_by_label("Reviewer").input_value()
    # The deputy cannot be the reviewer: refused beside the queue's form, naming L9.
    row.get_by_label("Deputy").select_option(reviewer)
    row.get_by_role("button", name="Save").click()
    refusal = page.locator("#queue-alarm .refusal")
    expect(refusal).to_contain_text("L9")
    expect(refusal).to_contain_text("both reviewer and deputy")
    expect(page.locator("#queue-alarm").get_by_label("Deputy")).to_have_attribute("aria-invalid", "true")
    shot(page, "intake-reviewers-refused", full_page=False)
    violations = run_axe(page)
    assert violations == [], violations
    # Another deputy is saved, and the queue shows it.
    deputy = page.locator("#queue-alarm").get_by_label("Deputy")
    choice = [v for v in deputy.locator("option").evaluate_all("os => os.map(o => o.value)") if v and v != reviewer][0]
    deputy.select_option(choice)
    page.locator("#queue-alarm").get_by_role("button", name="Save").click()
    expect(page.locator("#queue-alarm")).to_contain_text("Saved")
    expect(page.locator("#queue-alarm").get_by_label("Deputy")).to_have_value(choice)
