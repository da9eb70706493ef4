"""A document's record beside the original, in a real browser against a real server (K1).

The learning lead uploads a single-case report as a PDF (with its publisher's running header and footer),
sees each field with the page and line it came from and those lines of the original, corrects the title
by hand, and sees the correction as a new version with the parser's reading kept. axe-core checks the
page for WCAG 2.2 A/AA violations with the record and a correction form open.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import People, Shot, run_axe
from watchkeeper.bench.learning_fixtures import load

pytestmark = pytest.mark.e2e


@pytest.mark.safeguard("K1")
def test_each_field_beside_the_original_and_a_correction_kept_beside_the_parsers_reading(
    api: Callable[[str], httpx.Client], people: People, shot: Shot
) -> None:
    fixture = next(f for f in load() if f.name == "case-report-issue-50-case-1-stalking")
    data, filename = fixture.render("pdf")
    with api("learning") as c:
        r = c.post(
            "/api/learning/documents",
            json={"filename": filename, "content_base64": base64.b64encode(data).decode()},
        )
        assert r.status_code in (200, 201), r.text
        doc = r.json()
    page = people.page("learning")
    page.goto(f"/learning/documents/{doc['id']}/")
    expect(page.get_by_role("heading", name="The record and where it came from")).to_be_visible()
    title_row = page.locator("tr#field-title")
    expect(title_row).to_contain_text("Warnings about a stalker that were not linked")
    expect(title_row).to_contain_text("page 1, line")
    title_row.get_by_text("Correct this field").click()
    violations = run_axe(page)
    assert violations == [], "\n".join(
        f"{v['id']}: {v['help']} — " + "; ".join(f"{n['target']} {n.get('failureSummary', '')}" for n in v["nodes"])
        for v in violations
    )
    title_row.get_by_label("Corrected").fill("Stalking reports that were not linked")
    title_row.get_by_label("Why").fill("House style for titles")
    title_row.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("status").filter(has_text="Correction saved as version 2")).to_be_visible()
    row = page.locator("tr#field-title")
    expect(row).to_contain_text("Stalking reports that were not linked")
    expect(row).to_contain_text("corrected")
    expect(row).to_contain_text("The parser read: Warnings about a stalker that were not linked")
    page.get_by_text("Versions of the record (2)").click()
    expect(page.get_by_text("Corrected by hand")).to_be_visible()
    shot(page, "learning-record-provenance")
