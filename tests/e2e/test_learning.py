"""The learning library in a real browser against a real server.

A learning lead uploads a bulletin, searches for a phrase from one of its cases, opens the case, records
the force's answer to a key question, and sees it counted on the progress view. Then axe-core (from npm)
checks every learning page for WCAG 2.2 A/AA violations.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import People, Shot, run_axe
from tests.support.lessons import FIXTURES, SHARED_LESSONS, shared

pytestmark = pytest.mark.e2e

BULLETIN_31 = shared("bulletin-31-general-2017-12.txt")


def _upload(api: Callable[[str], httpx.Client], path: Path) -> dict:
    with api("learning") as c:
        r = c.post(
            "/api/learning/documents",
            json={"filename": path.name, "content_base64": base64.b64encode(path.read_bytes()).decode()},
        )
        assert r.status_code in (200, 201), r.text
        return dict(r.json())


@pytest.fixture(scope="module")
def library(api: Callable[[str], httpx.Client]) -> dict[str, dict]:
    """Set-up through the API (what is under test happens in the browser): the other shared documents
    and one of our fixtures, so every learning page has content."""
    names = [
        "bulletin-28-protecting-vulnerable-people-2016-11.txt",
        "issue-41-case-2-call-handling-2022-11.txt",
        "recommendation-essex-2019-127918.txt",
    ]
    docs = {name: _upload(api, SHARED_LESSONS / name) for name in names}
    docs["bulletin-53"] = _upload(api, FIXTURES / "bulletin-53-custody-two-cases.txt")
    return docs


@pytest.mark.safeguard("K1", "K3", "K5")
def test_upload_search_open_answer_and_see_progress(people: People, shot: Shot) -> None:
    page = people.page("learning")
    page.goto("/learning/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning library")
    page.get_by_label("Learning documents").set_input_files(str(BULLETIN_31))
    page.get_by_role("button", name="Upload and read").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulletin 31: General")
    expect(page.get_by_role("link", name="Response to welfare concerns")).to_be_visible()

    page.get_by_role("navigation", name="Learning library").get_by_role("link", name="Search").click()
    page.get_by_label('Words or "a phrase"').fill('"throwaway comment"')
    page.get_by_role("button", name="Search", exact=True).click()
    hits = page.locator("ol.hits > li")
    expect(hits).to_have_count(1)
    expect(hits.locator("mark").first).to_contain_text("throwaway")
    expect(page.get_by_role("status").filter(has_text="found")).to_contain_text("1 case found")
    shot(page, "learning-search")
    hits.get_by_role("link", name=re.compile("Response to welfare concerns")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("B31.2")
    side = page.get_by_role("complementary")
    expect(side.get_by_role("link", name=re.compile("^L3"))).to_be_visible()
    question = page.locator("li.question").first
    expect(question.locator(".q-status")).to_have_text("Not answered")
    question.get_by_text("Answer this question").click()
    question.get_by_label("Our answer").fill("Yes: a log could be closed on an earlier instruction.")
    question.get_by_label("Evidence").fill("Dip sample of 50 closed logs, March")
    question.get_by_label("Action we will take").fill("Show unseen entries before any close")
    question.get_by_label("Owner").select_option(index=1)
    question.get_by_label("Due date").fill("2030-01-31")
    question.get_by_role("button", name="Record answer").click()
    question = page.locator("li.question").first
    expect(question.locator(".q-status")).to_have_text("Action planned")
    expect(question.locator(".answer")).to_contain_text("a log could be closed on an earlier instruction")
    shot(page, "learning-case")

    page.get_by_role("navigation", name="Learning library").get_by_role(
        "link", name="Could it happen here?"
    ).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Bulletin 31: General"))
    expect(row).to_contain_text("1 of 33 answered")
    expect(row).to_contain_text("3%")
    shot(page, "learning-progress")


def _open(path: str, heading: str) -> Callable[[Page, dict], None]:
    def go(page: Page, library: dict) -> None:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

    return go


def _document(page: Page, library: dict) -> None:
    doc = library["bulletin-28-protecting-vulnerable-people-2016-11.txt"]
    page.goto(f"/learning/documents/{doc['id']}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bulletin 28")


def _case_with_open_form(page: Page, library: dict) -> None:
    doc = library["issue-41-case-2-call-handling-2022-11.txt"]
    page.goto(f"/learning/cases/{doc['cases'][0]['id']}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("I41.2")
    page.locator("li.question").first.get_by_text("Answer this question").click()
    expect(page.locator("li.question").first.get_by_label("Our answer")).to_be_visible()


def _recommendation(page: Page, library: dict) -> None:
    page.goto("/learning/tracker/")
    page.get_by_role("link", name="2019/127918/R1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2019/127918/R1")


PAGES: list[tuple[str, Callable[[Page, dict], None]]] = [
    ("library", _open("/learning/", "Learning library")),
    ("document", _document),
    ("case", _case_with_open_form),
    ("search", _open("/learning/search/?q=ambulance&theme=Call+handling", "Search lessons")),
    ("tracker", _open("/learning/tracker/", "Recommendations tracker")),
    ("recommendation", _recommendation),
    ("progress", _open("/learning/progress/", "Could it happen here?")),
    ("themes", _open("/learning/themes/", "Themes across years")),
    ("safeguard-lessons", _open("/learning/safeguards/L10/", "Lessons behind")),
    ("lesson", _open("/learning/lessons/B31.4/", "B31.4")),
]


@pytest.mark.safeguard("K1", "K2", "K3", "K4", "K5")
@pytest.mark.parametrize("name,go", PAGES, ids=[p[0] for p in PAGES])
def test_learning_pages_have_no_wcag_violations(
    people: People, library: dict, shot: Shot, name: str, go: Callable[[Page, dict], None]
) -> None:
    page = people.page("learning")
    go(page, library)
    violations = run_axe(page)
    assert violations == [], f"{name}: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"] for n in v["nodes"])
        for v in violations
    )
    shot(page, f"learning-{name}")


@pytest.mark.safeguard("K4")
def test_a_replay_runs_in_the_background_and_the_page_shows_its_progress(
    api: Callable[[str], httpx.Client], people: People, shot: Shot
) -> None:
    """The learning lead asks for a lesson's replay: the request returns at once, the page shows the run
    queued, then running step by step (the sweeper claimed it), then passed, without a reload."""
    doc = _upload(api, BULLETIN_31)
    case = next(c for c in doc["cases"] if c["code"] == "B31.1")
    page = people.page("learning")
    page.goto(f"/learning/cases/{case['id']}/")
    page.get_by_role("button", name="Run replay").click()
    run = page.locator("#replay-run")
    expect(run).to_be_visible()
    assert run.get_attribute("data-state") in ("queued", "running")
    expect(run).to_have_attribute("data-state", "running", timeout=60_000)
    expect(run.get_by_role("progressbar", name="Replay progress")).to_be_visible()
    expect(run).to_have_attribute("data-state", "passed", timeout=240_000)
    expect(run.locator(".replay-summary")).to_contain_text("Passed after")
    expect(run.locator(".replay-summary")).to_contain_text("L5")
    shot(page, "learning-replay-run")
    with api("learning") as c:
        status = c.get(f"/api/learning/replay-runs/{run.get_attribute('data-run')}")
    assert status.status_code == 200 and status.json()["state"] == "passed"

