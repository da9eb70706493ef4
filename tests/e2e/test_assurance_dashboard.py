"""The assurance dashboard in the browser (A4, A5): a controller opens the reports, sees each chart with its
table, narrows the date range, drills down to the logs behind a figure; the page passes axe; a call handler
reports overload and the supervisor sees it there."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import People, Shot, raise_log, run_axe


def _page_violations(page: Page) -> list[tuple[str, str]]:
    """axe's violations on the page's own content (the shared top bar is the accessibility suite's)."""
    found = []
    for v in run_axe(page):
        for node in v["nodes"]:
            if not page.evaluate("(t) => !!document.querySelector(t)?.closest('header, .topbar, [role=banner]')",
                                 node["target"]):
                found.append((v["id"], node["target"]))
    return found


@pytest.mark.safeguard("A4", "A5")
def test_the_assurance_dashboard_draws_its_reports_accessibly_and_drills_down(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    reference = raise_log(api, "handler", "Neighbour reports shouting next door")
    with api("handler") as c:
        r = c.post("/api/assurance/workload/overload", json={"reason": "Four 999 calls queued, one handler"})
        assert r.status_code == 201, r.text

    supervisor = people.page("supervisor")
    supervisor.goto("/reports/")
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Assurance reports")
    for chart in ("Percent of response targets met, by grade and area", "Logs in each list over the range",
                  "People on duty per desk role", "Required courses by state"):
        expect(supervisor.get_by_role("img", name=chart)).to_be_visible()
    expect(supervisor.locator("#overload-list")).to_contain_text("Four 999 calls queued, one handler")
    assert _page_violations(supervisor) == [], "the assurance dashboard has accessibility violations"
    shot(supervisor, "assurance-dashboard")

    # The range and filters narrow the reports; the figure opens the logs behind it.
    supervisor.get_by_label("Area", exact=True).select_option("rural")
    supervisor.get_by_role("button", name="Show").click()
    expect(supervisor).to_have_url(re.compile(r"area=rural"))
    supervisor.goto("/reports/")
    lists = supervisor.locator("#lists-table")
    lists.get_by_role("row", name="Cancelled logs").get_by_role("link").click()
    expect(supervisor.locator("#drill")).to_be_visible()
    assert reference  # raised for the reports; its own list depends on what happened to it
