"""Incident logs in a real browser: raising a log from a call, two people on one log, read before close,
and a downgrade that needs an authoriser who looks for themselves."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import People, Shot, add_entry, display_name, grade, raise_log, two_people_on_one_log

pytestmark = pytest.mark.e2e


@pytest.mark.safeguard("L8")
def test_call_handler_records_a_999_contact_and_raises_a_log(people: People, shot: Shot) -> None:
    page = people.page("handler")
    page.get_by_role("link", name="New contact").first.click()
    expect(page.get_by_role("heading", name="New contact")).to_be_visible()

    page.get_by_label("Channel").select_option("999")
    page.get_by_label("Caller name").fill("Priya Shah")
    page.get_by_label("Caller phone").fill("07700 900321")
    page.get_by_label("What the caller said").fill(
        "My partner is smashing up the kitchen and says he will hurt me. He was arrested for this last year.")
    page.get_by_label("Allegation (if any)").fill("Threats and criminal damage by partner")
    # The context pane follows the form: the category brings its marker and the policy grade (C4).
    page.get_by_label("Category").select_option("domestic_incident")
    preview = page.locator("#grade-preview")
    expect(preview.locator(".badge.grade")).to_contain_text("Priority")
    expect(preview).to_contain_text("Domestic abuse")
    page.get_by_label("Summary (header)").fill("Partner making threats, damage in kitchen")
    page.get_by_label("Location").fill("21 Tanner Row, Kingsbridge")
    shot(page, "call-taking")
    page.get_by_role("button", name="Raise log").click()

    expect(page).to_have_url(re.compile(r"/logs/[^/]+/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator(".log-summary")).to_contain_text("Partner making threats, damage in kitchen")
    expect(page.locator(".log-head .badge.flag")).to_contain_text("Domestic abuse")
    # L8: the contact is recorded and shown, in the narrative and in the caller's context.
    expect(page.locator("#narrative")).to_contain_text("My partner is smashing up the kitchen")
    expect(page.locator(".accounts")).to_contain_text("Allegation: Threats and criminal damage by partner")
    expect(page.locator(".accounts")).to_contain_text("Priya Shah")
    expect(page.locator(".status")).to_have_text("Open")
    # The queue lists the new log.
    expect(page.locator(".queue-list")).to_contain_text(reference)


@pytest.mark.safeguard("L4")
def test_an_entry_by_someone_else_arrives_live_and_is_marked_unseen(
    people: People, api: Callable[[str], httpx.Client], shot: Shot
) -> None:
    first, second, ref = two_people_on_one_log(people, api, "Man shouting in the street")
    # L4: the first user sees the second listed as also having the log open.
    expect(first.locator("#presence")).to_contain_text(display_name(second))
    expect(first.locator("#presence")).to_contain_text("Also open by")

    text = "Second caller: the man is now shouting threats and has a bottle."
    add_entry(second, text)
    entry = first.locator("#narrative li.entry", has_text=text)
    expect(entry).to_be_visible()
    expect(entry).to_have_class(re.compile(r"\bunseen\b"))
    expect(entry.locator(".unseen-tag")).to_have_text("Unseen")
    expect(first.locator("#unseen-banner")).to_contain_text("1 new entry")
    # It came over the live stream: the page was not reloaded.
    assert first.evaluate("() => window.__sameDocument === true")
    assert first.url.endswith(f"/logs/{ref}/")
    shot(first, "log-live-entry")


@pytest.mark.safeguard("L3")
def test_close_is_refused_until_the_unseen_entry_is_acknowledged(
    people: People, api: Callable[[str], httpx.Client], shot: Shot
) -> None:
    first, second, ref = two_people_on_one_log(people, api, "Noise from a party")
    text = "Neighbour rang again: a woman is screaming inside the house."
    add_entry(second, text)
    expect(first.locator("#narrative li.entry.unseen", has_text=text)).to_be_visible()

    first.get_by_role("button", name=re.compile(r"^Close…")).click()
    dialog = first.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # L3: the dialog lists the entry this person has not seen, with an acknowledgement naming L3.
    expect(dialog.locator(".unseen-block")).to_contain_text(text)
    ack = dialog.get_by_role("checkbox", name=re.compile(r"I have read .*L3"))
    expect(ack).not_to_be_checked()
    dialog.get_by_label("Outcome").select_option("advice_given")
    dialog.get_by_label("Closing note").fill("Words of advice given to the host.")
    dialog.get_by_role("button", name="Close log").click()

    # Refused beside the control, naming L3; the log stays open and the entry is still to be acknowledged.
    dialog = first.get_by_role("dialog")
    refusal = dialog.locator("#dialog-refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("L3")
    expect(refusal).to_contain_text("not been seen by you")
    expect(dialog.locator(".unseen-block")).to_contain_text(text)
    expect(first.locator(".log-head .status")).to_have_text("Open")
    shot(first, "close-refused-L3", full_page=False)  # the modal dialog as the person sees it

    dialog.get_by_role("checkbox", name=re.compile(r"I have read .*L3")).check()
    dialog.get_by_role("button", name="Close log").click()
    expect(first.locator(".log-head .status")).to_have_text("Closed")
    expect(first.locator("#narrative")).to_contain_text("Closed: Advice given.")
    expect(first.get_by_role("dialog")).to_have_count(0)
    assert ref in first.url


@pytest.mark.safeguard("L5")
def test_downgrade_needs_a_named_authoriser_who_opens_the_log(
    people: People, api: Callable[[str], httpx.Client], shot: Shot
) -> None:
    ref = raise_log(api, "handler", "Concern for man on bridge")
    grade(api, "handler", ref, "emergency")

    page = people.page("handler")
    page.goto(f"/logs/{ref}/")
    expect(page.locator(".log-head .badge.grade")).to_contain_text("Emergency")
    downgrade = page.locator("#downgrade")
    downgrade.get_by_text("Request a downgrade").click()
    downgrade.get_by_label("Lower grade").select_option("scheduled")
    downgrade.get_by_label("Reason").fill("Man seen walking away from the bridge by CCTV.")
    downgrade.get_by_role("button", name="Request downgrade").click()

    # Refused without an authoriser, next to the downgrade form, naming L5.
    downgrade = page.locator("#downgrade")
    refusal = downgrade.locator("#downgrade-refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("L5")
    expect(refusal).to_contain_text("authoriser")
    expect(page.locator(".log-head .badge.grade")).to_contain_text("Emergency")

    controller = downgrade.locator("#dg-auth option", has_text="(Controller)").first.get_attribute("value")
    assert controller
    downgrade.get_by_label("Authoriser").select_option(controller)
    downgrade.get_by_role("button", name="Request downgrade").click()
    # Pending: the grade stays until the authoriser decides.
    expect(page.locator("#log-live .banner.warn", has_text="awaiting")).to_be_visible()
    expect(page.locator(".log-head .badge.grade")).to_contain_text("Emergency")

    boss = people.page("controller")
    boss.goto(f"/logs/{ref}/")
    decide = boss.locator("#decide")
    expect(decide).to_contain_text("L5")
    expect(decide.get_by_role("heading", name="Everything since the last grading")).to_be_visible()
    expect(decide).to_contain_text("Downgrade to Scheduled requested")
    shot(boss, "downgrade-authorisation")
    decide.get_by_role("button", name="Authorise downgrade").click()

    expect(boss.locator(".log-head .badge.grade")).to_contain_text("Scheduled")
    expect(boss.locator("#decide")).to_have_count(0)
    # The requester sees the new grade arrive live.
    expect(page.locator(".log-head .badge.grade")).to_contain_text("Scheduled")
