"""Alerts that cannot be missed (spec/ui.md): a new alert at the person's level sounds a tone (Web Audio) and
is counted in the tab's title; the tone can be muted per person on their browser."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import Api, People, grade, raise_log, run_axe

pytestmark = pytest.mark.e2e

# Counts every tone the page starts: the page's own AudioContext, wrapped before any script runs.
COUNT_TONES = """
(() => {
  window.__tones = 0;
  const Real = window.AudioContext || window.webkitAudioContext;
  if (!Real) return;
  class Counted extends Real {
    createOscillator() {
      const osc = super.createOscillator();
      const start = osc.start.bind(osc);
      osc.start = (...args) => { window.__tones += 1; return start(...args); };
      return osc;
    }
  }
  window.AudioContext = Counted;
  window.webkitAudioContext = Counted;
})();
"""


def _no_units(api: Api, tag: str) -> str:
    """A graded log with no unit free: "no units" sends an alert to the controller (D3)."""
    ref = raise_log(api, "handler", f"Alert tone {tag}: lorry shed its load on the bypass")
    grade(api, "handler", ref, "emergency")
    with api("dispatcher") as c:
        r = c.post(f"/api/logs/{ref}/no-units", json={"note": "Nobody free on the bypass"})
        assert r.status_code == 201, r.text
    return ref


def _board(page: Page) -> None:
    page.add_init_script(COUNT_TONES)
    page.goto("/dispatch/command/")
    expect(page.locator("#board-conn")).to_have_text("Live")


@pytest.mark.safeguard("D1", "D3")
def test_a_new_alert_at_my_level_sounds_a_tone_and_counts_in_the_title(people: People, api: Api) -> None:
    controller = people.page("controller")
    _board(controller)
    before = controller.evaluate("() => document.title")
    waiting = int(m.group(1)) if (m := re.match(r"^\((\d+)\) ", before)) else 0
    assert controller.evaluate("() => window.__tones") == 0

    ref = _no_units(api, uuid.uuid4().hex[:6])
    row = controller.locator("#alerts-body tr", has_text=ref)
    expect(row).to_be_visible()
    controller.wait_for_function("() => window.__tones > 0")
    expect(controller).to_have_title(re.compile(rf"^\({waiting + 1}\) "))

    # Acknowledged: the count goes down again.
    row.get_by_label(re.compile("Reason for acknowledging")).select_option("other")
    row.get_by_label(re.compile("What you are doing")).fill("Asking the neighbouring area")
    row.get_by_role("button", name="Acknowledge").click()
    expect(controller.locator("#alerts-body tr", has_text=ref)).to_have_count(0)
    expect(controller).to_have_title(re.compile(rf"^\({waiting}\) ") if waiting else re.compile(r"^[^(]"))
    assert run_axe(controller) == []


@pytest.mark.safeguard("D1")
def test_the_tone_can_be_muted_and_the_title_still_counts(people: People, api: Api) -> None:
    controller = people.page("controller")
    _board(controller)
    toggle = controller.get_by_role("button", name="Alert tone: on")
    toggle.click()  # pressing it on plays the tone once; muting it plays nothing
    expect(controller.get_by_role("button", name="Alert tone: muted")).to_have_attribute("aria-pressed", "true")
    tones = controller.evaluate("() => window.__tones")
    before = controller.evaluate("() => document.title")
    waiting = int(m.group(1)) if (m := re.match(r"^\((\d+)\) ", before)) else 0

    ref = _no_units(api, uuid.uuid4().hex[:6])
    expect(controller.locator("#alerts-body tr", has_text=ref)).to_be_visible()
    expect(controller).to_have_title(re.compile(rf"^\({waiting + 1}\) "))
    assert controller.evaluate("() => window.__tones") == tones
    # The choice is kept for this person on this browser.
    controller.reload()
    expect(controller.get_by_role("button", name="Alert tone: muted")).to_be_visible()
