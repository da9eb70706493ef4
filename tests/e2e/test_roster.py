"""The duty roster in the browser (A4, I41.2): a supervisor imports a roster whose support operator's shift
is about to end, sees the command board at the minimum, and when the shift ends the board shows the support
desk below minimum and the duty inspector is told who is missing and since when."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.helpers import People, run_axe
from watchkeeper.core import clock


def _at(seconds: float) -> str:
    return timezone.localtime(clock.now() + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def _page_violations(page: Page) -> list[tuple[str, str]]:
    """axe's violations on this page's own content: the shared top bar (its navigation is built from every
    capability's links) is checked by the accessibility suite, not here."""
    found = []
    for v in run_axe(page):
        for node in v["nodes"]:
            inside_top = page.evaluate("(t) => !!document.querySelector(t)?.closest('header, .top, [role=banner]')",
                                       node["target"])
            if not inside_top:
                found.append((v["id"], node["target"]))
    return found


@pytest.mark.safeguard("A4")
def test_a_supervisor_imports_the_roster_and_sees_the_support_desk_fall_below_minimum(
    people: People, api: Callable[[str], httpx.Client],
) -> None:
    ends_in = 25
    with api("admin") as c:
        controller = next(s["name"] for s in c.get("/api/staff").json() if s["username"] == "controller")
    start, soon, later = _at(-3600), _at(ends_in), _at(8 * 3600)
    supervisor: Page = people.page("supervisor")
    supervisor.goto("/assurance/roster/")
    # A bad row imports nothing, and the problem is named by its row number.
    supervisor.get_by_label("Or paste it").fill(
        "username,desk_role,desk,starts_at,ends_at,absence,reason\n"
        f"controller,support_operator,Intel 1,{start},{soon},no,\n"
        f"ghost,call_handler,Desk 9,{start},{later},no,\n")
    supervisor.get_by_role("button", name="Import").click()
    expect(supervisor.locator("#import-problems")).to_contain_text("Row 3: no active member of staff 'ghost'")
    supervisor.get_by_label("Or paste it").fill(
        "username,desk_role,desk,starts_at,ends_at,absence,reason\n"
        f"controller,support_operator,Intel 1,{start},{soon},no,\n"
        f"inspector,duty_inspector,Command,{start},{later},no,\n")
    supervisor.get_by_role("button", name="Import").click()
    expect(supervisor.locator("#roster-done")).to_contain_text("Roster imported: 2 rows")
    assert _page_violations(supervisor) == [], "the roster page has accessibility violations"

    supervisor.goto("/dispatch/command/")
    support = supervisor.locator("#staffing-support_operator")
    expect(support).to_have_attribute("data-met", "yes")
    expect(support).to_contain_text(controller)

    time.sleep(ends_in + 2)  # the support operator's shift ends; the sweeper sees the gap
    deadline = time.monotonic() + 15
    while True:
        supervisor.goto("/dispatch/command/")
        if supervisor.locator("#staffing-support_operator").get_attribute("data-met") == "no" and \
                supervisor.locator("[data-alert='support_operator']").count() or time.monotonic() > deadline:
            break
        time.sleep(1)
    expect(support).to_contain_text("Below minimum: 1 short")
    expect(supervisor.locator("[data-alert='support_operator']")).to_contain_text(
        "Support / intelligence operator 0 on duty of 1 needed")
    expect(supervisor.locator("[data-alert='support_operator']")).to_contain_text(f"{controller} no longer on")

    with api("inspector") as c:
        notes = c.get("/api/notifications").json()
    texts = [n["text"] for n in notes]
    assert any("Support / intelligence operator" in t and controller in t for t in texts), texts
