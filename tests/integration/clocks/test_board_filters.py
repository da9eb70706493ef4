"""The dispatch and command boards' queue filters (grade, area, category, status, flag): in the page's URL and
the board API's query; an unknown value is refused naming the filter, never silently ignored."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _page(desk, who: str = "dispatcher") -> Client:
    c = Client()
    c.force_login(getattr(desk.people, who))
    return c


@pytest.mark.safeguard("D1")
def test_the_board_page_and_api_filter_by_grade_status_and_flag(desk, at):
    urgent = desk.grade(desk.log(), "emergency")
    later = desk.grade(desk.log(category="domestic_incident", allegation="He hit her"), "priority")
    desk.unit("AB12")
    desk.assign(later, "AB12")
    page = _page(desk)
    both = page.get("/dispatch/").content.decode()
    assert urgent.reference in both and later.reference in both
    only = page.get("/dispatch/?grade=emergency").content.decode()
    assert f'data-key="{urgent.reference}"' in only and f'data-key="{later.reference}"' not in only
    assert 'option value="emergency" selected' in only and "Filtered: 1 filter on" in only
    pending = page.get("/dispatch/?status=in_hand").content.decode()
    assert f'data-key="{later.reference}"' in pending and f'data-key="{urgent.reference}"' not in pending
    api = desk.client("dispatcher")
    snap = api.get("/api/boards/dispatch", {"grade": "priority"}).json()
    assert list(snap["logs"]) == [later.reference] and snap["filters"] == {"grade": "priority"}
    assert set(api.get("/api/boards/dispatch").json()["logs"]) == {urgent.reference, later.reference}
    flags = later.flags or []
    if flags:
        flagged = api.get("/api/boards/dispatch", {"flag": flags[0]}).json()
        assert list(flagged["logs"]) == [later.reference]


@pytest.mark.safeguard("D1")
def test_an_unknown_filter_value_is_refused_naming_it(desk, at):
    desk.grade(desk.log(), "emergency")
    api = desk.client("dispatcher")
    r = api.get("/api/boards/dispatch", {"grade": "urgentish"})
    assert r.status_code == 400 and "grade" in r.json()["message"]
    r = api.get("/api/boards/dispatch", {"status": "x" * 5000})
    assert r.status_code == 400 and "status" in r.json()["message"]
    page = _page(desk).get("/dispatch/command/?area=moon")
    assert page.status_code == 400 and "area" in page.content.decode()
