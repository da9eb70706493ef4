"""The operator's console on the boards (spec/ui.md): one alert row per log at its most urgent alert with the
earlier ones folded under it, acknowledged with a reason from a list; queue filters that survive a reload;
the low-light theme (axe in both themes); a log's print view."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import THRIVE_HIGH, Api, People, Shot, grade, raise_log, run_axe

pytestmark = pytest.mark.e2e


def _tag() -> str:
    return uuid.uuid4().hex[:6]


def _no_units(api: Api, ref: str, note: str) -> int:
    with api("dispatcher") as c:
        r = c.post(f"/api/logs/{ref}/no-units", json={"note": note})
        assert r.status_code == 201, r.text
        return int(r.json()["alert"])


def _grade(api: Api, ref: str, code: str) -> None:
    """Graded by the handler; a grade below the policy's proposal carries its rationale (C4)."""
    with api("handler") as c:
        version = c.get(f"/api/logs/{ref}").json()["version"]
        r = c.post(f"/api/logs/{ref}/grade", json={"grade": code, "thrive": THRIVE_HIGH, "expected_version": version,
                                                     "rationale": "Caller says nobody is hurt (test set-up)"})
        assert r.status_code == 200, r.text


def _live(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.locator("#board-conn")).to_have_text("Live")


@pytest.mark.safeguard("D1", "D3")
def test_one_alert_row_per_log_with_its_history_acknowledged_with_a_reason(people: People, api: Api,
                                                                           shot: Shot) -> None:
    ref = raise_log(api, "handler", f"Alert rows {_tag()}: van on fire in the car park")
    grade(api, "handler", ref, "emergency")
    controller = people.page("controller")
    _live(controller, "/dispatch/command/")
    _no_units(api, ref, "Nobody free in the north")
    row = controller.locator(f'#alerts-body tr[data-key="{ref}"]')
    expect(row).to_be_visible()
    _no_units(api, ref, "Still nobody free")  # a second alert on the same log: the same row, not a new one
    expect(row).to_contain_text("2 open")
    expect(controller.locator("#alerts-body tr", has_text=ref)).to_have_count(1)
    row.get_by_text(f"Earlier alerts on {ref} (1)").click()
    expect(row.locator(".alert-history-list li")).to_have_count(1)
    expect(row.locator(".alert-history-list")).to_contain_text("open")
    assert run_axe(controller) == []
    shot(controller, "command-board-alert-rows")

    # "Other" needs the person's words: refused beside the control, nothing acknowledged.
    row.get_by_label(re.compile("Reason for acknowledging")).select_option("other")
    row.get_by_role("button", name="Acknowledge").click()
    expect(row.locator(".form-msg")).to_contain_text("say what you are doing")
    expect(row).to_be_visible()
    # A reason from the list answers the row, and the earlier alert under it.
    reason = row.get_by_label(re.compile("Reason for acknowledging"))
    reason.select_option(label="Asking a neighbouring area for a unit")
    row.get_by_role("button", name="Acknowledge").click()
    expect(controller.locator(f'#alerts-body tr[data-key="{ref}"]')).to_have_count(0)
    with api("controller") as c:
        board = c.get("/api/boards/dispatch").json()
    assert ref not in board["alert_logs"]
    assert not [a for a in board["alerts"].values() if a["reference"] == ref]


@pytest.mark.safeguard("D1")
def test_queue_filters_are_in_the_url_and_survive_a_reload(people: People, api: Api) -> None:
    tag = _tag()
    urgent = raise_log(api, "handler", f"Filters {tag}: man with a knife on the bridge")
    grade(api, "handler", urgent, "emergency")
    later = raise_log(api, "handler", f"Filters {tag}: noisy party, ongoing")
    _grade(api, later, "priority")
    dispatcher = people.page("dispatcher")
    _live(dispatcher, "/dispatch/")
    expect(dispatcher.locator(f'#pending-body tr[data-key="{urgent}"]')).to_be_visible()
    dispatcher.get_by_label("Grade", exact=True).select_option("priority")
    expect(dispatcher).to_have_url(re.compile(r"/dispatch/\?grade=priority$"))
    expect(dispatcher.locator("#board-conn")).to_have_text("Live")
    expect(dispatcher.locator(f'#pending-body tr[data-key="{later}"]')).to_be_visible()
    expect(dispatcher.locator(f'#pending-body tr[data-key="{urgent}"]')).to_have_count(0)
    expect(dispatcher.get_by_label("Grade", exact=True)).to_be_focused()
    dispatcher.reload()
    expect(dispatcher.locator("#board-conn")).to_have_text("Live")
    expect(dispatcher.get_by_label("Grade", exact=True)).to_have_value("priority")
    expect(dispatcher.locator(f'#pending-body tr[data-key="{urgent}"]')).to_have_count(0)
    expect(dispatcher.locator(f'#pending-body tr[data-key="{later}"]')).to_be_visible()
    # Live rows keep to the filters: a new priority log arrives, a new emergency one does not.
    another = raise_log(api, "handler", f"Filters {tag}: shed door forced overnight")
    _grade(api, another, "priority")
    expect(dispatcher.locator(f'#pending-body tr[data-key="{another}"]')).to_be_visible()
    hidden = raise_log(api, "handler", f"Filters {tag}: collision, people trapped")
    grade(api, "handler", hidden, "emergency")
    with api("dispatcher") as c:  # it is on the board, only not in this filtered view
        assert hidden in c.get("/api/boards/dispatch").json()["logs"]
    expect(dispatcher.locator(f'#pending-body tr[data-key="{hidden}"]')).to_have_count(0)
    assert run_axe(dispatcher) == []
    dispatcher.get_by_role("link", name="Clear filters").click()
    expect(dispatcher.locator(f'#pending-body tr[data-key="{hidden}"]')).to_be_visible()


def _theme(page: Page) -> str:
    return str(page.evaluate("() => document.documentElement.getAttribute('data-theme')"))


def test_the_low_light_theme_is_switched_per_person_and_keeps_aa_contrast(people: People, api: Api,
                                                                          shot: Shot) -> None:
    ref = raise_log(api, "handler", f"Low light {_tag()}: shouting heard from the flats")
    grade(api, "handler", ref, "emergency")
    _no_units(api, ref, "Nobody free")
    controller = people.page("controller")
    _live(controller, "/dispatch/command/")
    assert _theme(controller) == "day"
    controller.get_by_role("button", name="Low light: off").click()
    expect(controller.get_by_role("button", name="Low light: on")).to_have_attribute("aria-pressed", "true")
    assert _theme(controller) == "low-light"
    expect(controller.locator("#board-conn")).to_have_text("Live")  # switched in place: the board kept its stream
    assert run_axe(controller) == []
    shot(controller, "command-board-low-light")
    for path in ("/dispatch/", f"/logs/{ref}/", f"/logs/{ref}/print/", "/"):
        controller.goto(path)
        assert _theme(controller) == "low-light", path
        assert run_axe(controller) == [], path
    shot(controller, "log-print-low-light")
    controller.goto(f"/logs/{ref}/")
    shot(controller, "log-page-low-light")
    # Another person's pages are still in the day theme.
    dispatcher = people.page("dispatcher")
    dispatcher.goto("/dispatch/")
    assert _theme(dispatcher) == "day"
    controller.get_by_role("button", name="Low light: on").click()
    expect(controller.get_by_role("button", name="Low light: off")).to_be_visible()
    controller.reload()
    assert _theme(controller) == "day"


def test_a_log_prints_with_everything_on_it(people: People, api: Api, shot: Shot) -> None:
    ref = raise_log(api, "handler", f"Print {_tag()}: window smashed at the pharmacy")
    _grade(api, ref, "priority")
    officer = people.page("controller")
    officer.goto(f"/logs/{ref}/")
    officer.get_by_role("link", name="Print view").click()
    expect(officer).to_have_url(re.compile(rf"/logs/{ref}/print/$"))
    expect(officer.get_by_role("heading", level=1)).to_contain_text(ref)
    for heading in ("Officer safety and risk summary", "Response clock and units", "Grading history", "Contacts",
                    "Requests, tasks and links"):
        expect(officer.get_by_role("heading", name=heading)).to_be_visible()
    expect(officer.get_by_role("heading", name=re.compile(r"^Entries \(\d+\)$"))).to_be_visible()
    grading = officer.locator("section", has=officer.get_by_role("heading", name="Grading history"))
    expect(grading).to_contain_text("Priority")
    expect(officer.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    assert run_axe(officer) == []
    # The print stylesheet: the top bar and the buttons are not on paper.
    officer.emulate_media(media="print")
    expect(officer.locator(".topbar")).to_be_hidden()
    expect(officer.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    officer.emulate_media(media="screen")
    shot(officer, "log-print")
