"""The assurance reports added to the dashboard, in the browser (A4, A5): a supervisor sees special schemes
ending as a chart with its table, opens the schemes behind a figure, and sees the charts and tables of overdue
reviews and actions, unconfirmed victim updates and each desk's queues; the page passes axe."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import People
from tests.e2e.test_assurance_dashboard import _page_violations


@pytest.mark.safeguard("A4", "A5")
def test_schemes_ending_overdue_work_victim_updates_and_desk_queues_are_charts_with_tables(people: People) -> None:
    today = date.today()
    supervisor = people.page("supervisor")
    # The demonstration force's special scheme ends within the next 90 days.
    supervisor.goto(f"/reports/?from={today.isoformat()}&to={(today + timedelta(days=90)).isoformat()}")
    for chart in ("Special schemes ending, by week",
                  "Case reviews and multi-agency actions due in the range and overdue now",
                  "Victim updates sent in the range and not confirmed, by kind",
                  "Items waiting in each desk's queues"):
        expect(supervisor.get_by_role("img", name=chart)).to_be_visible()
    for table in ("#schemes-table", "#overdue-table", "#updates-table", "#desks-table"):
        expect(supervisor.locator(table)).to_be_visible()
    expect(supervisor.locator("#desks-table")).to_contain_text("Open logs awaiting dispatch")
    assert _page_violations(supervisor) == [], "the assurance reports have accessibility violations"

    # The figure opens the schemes behind it; each links to the victim's record, which asks why (A2).
    schemes = supervisor.locator("#schemes-table tbody tr")
    expect(schemes.first).to_contain_text("w/c")
    schemes.first.get_by_role("link").click()
    expect(supervisor).to_have_url(re.compile(r"drill=schemes"))
    drill = supervisor.locator("#drill-table")
    expect(drill).to_be_visible()
    expect(drill.get_by_role("link", name=re.compile(r"^Scheme \d+$")).first).to_be_visible()
    expect(drill).to_contain_text("emergency")

    # The grade floor filter narrows the report.
    supervisor.get_by_label("Scheme grade floor").select_option("resolution")
    supervisor.get_by_role("button", name="Show").click()
    expect(supervisor).to_have_url(re.compile(r"floor=resolution"))
    expect(supervisor.locator("#schemes-table")).to_contain_text("No special scheme ends in the range.")
