"""The referral queue in the browser (P7): a list imported from a national agency is shown in order of risk
(access to children first) with each referral's age and the backlog for the supervisor; the supervisor
allocates from the queue row in place, and the allocated officer records the outcome there. Force referrals
(P11) show the referral received and its address. The pages pass the axe check."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import People, Shot, post, run_axe

CSV = ("subject_name,summary,access_to_children,risk_grade,checks\n"
       "Alan Lowrisk,Bought two items,no,low,dbs\n"
       "Brian Highrisk,Bought ten items,unknown,high,\n"
       "Colin Teacher,Bought four items; DBS shows he teaches,yes,medium,dbs\n")


def _staff(api: Callable[[str], httpx.Client]) -> dict[str, dict[str, Any]]:
    with api("supervisor") as c:
        return {s["username"]: s for s in c.get("/api/staff").json()}


@pytest.mark.safeguard("P7")
def test_the_queue_is_worked_by_risk_allocated_and_worked_in_place(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    received = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    batch = post(api, "investigator", "/api/referrals/import",
                 {"source": "CEOP", "operation": "Operation Spade", "text": CSV, "received_at": received})
    with api("investigator") as c:
        queue = [r for r in c.get("/api/referrals/queue").json() if r["reference"] in batch["references"]]
    teacher, high, low = queue
    assert [teacher["subject_name"], high["subject_name"], low["subject_name"]] == [
        "Colin Teacher", "Brian Highrisk", "Alan Lowrisk"]
    investigator = _staff(api)["investigator"]

    sup = people.page("supervisor")
    sup.goto("/referrals/")
    rows = sup.locator("#referral-queue tbody tr")
    expect(rows.first).to_contain_text("Colin Teacher")
    order = [sup.locator(f"#referral-{r['id']}").bounding_box()["y"] for r in (teacher, high, low)]  # type: ignore[index]
    assert order == sorted(order)
    expect(sup.locator(f"#referral-{teacher['id']} .age")).to_have_text("10 days")
    expect(sup.locator(f"#referral-{teacher['id']}")).to_contain_text("overdue")
    expect(sup.locator("#referral-backlog")).to_contain_text("Intelligence referrals")
    found = run_axe(sup)
    assert found == [], json.dumps(found)[:1500]
    shot(sup, "referral-queue")

    row = sup.locator(f"#referral-{teacher['id']}")
    row.get_by_label(f"Allocate {teacher['reference']} to").select_option(str(investigator["id"]))
    row.get_by_role("button", name="Allocate").click()
    expect(sup.locator(f"#referral-{teacher['id']} .officer")).to_have_text(investigator["name"])
    expect(sup.locator(f"#referral-{teacher['id']}").get_by_role("button", name="Re-allocate")).to_be_visible()

    inv = people.page("investigator")
    inv.goto("/referrals/?officer=me")
    mine = inv.locator(f"#referral-{teacher['id']}")
    expect(mine).to_be_visible()
    expect(inv.locator(f"#referral-{high['id']}")).to_have_count(0)
    mine.get_by_text("Record the outcome").click()
    mine.get_by_label("Outcome").select_option("searched")
    mine.get_by_label("Note").fill("Devices seized; contact plan in place")
    mine.get_by_role("button", name="Record outcome").click()
    expect(inv.locator(f"#referral-{teacher['id']}")).to_contain_text("Searched under warrant")


@pytest.mark.safeguard("P11")
def test_force_referrals_page_shows_the_referral_received_and_acknowledges_it(
    people: People, api: Callable[[str], httpx.Client], shot: Shot,
) -> None:
    leah = post(api, "investigator", "/api/people", {"given_names": "Leah", "family_name": "Browser"})
    x = post(api, "handler", "/api/referrals/forces/incoming", {
        "sending_force": "Neighbouring force", "sender": "PC Ames", "person_id": leah["id"], "subject_role": "victim",
        "address_given": "Flat 4, 9 Orchard Rise, Eastleigh EA1 7FF", "ask": "Check on her as a concern for welfare"})
    page = people.page("handler")
    page.goto("/referrals/forces/")
    item = page.locator(f"#incoming-{x['id']}")
    expect(item.locator(".address-given")).to_have_text("Flat 4, 9 Orchard Rise, Eastleigh EA1 7FF")
    found = run_axe(page)
    assert found == [], json.dumps(found)[:1500]
    shot(page, "force-referrals")
    item.get_by_label("What the sending force was told").fill("Told PC Ames the control room has it")
    item.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(f"#incoming-{x['id']}")).to_contain_text("acknowledged")
