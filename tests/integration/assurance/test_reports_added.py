"""A4 reports on special schemes ending, overdue reviews and actions, and unconfirmed victim updates, and A5
queues per desk, through the real database, the pages and the API: each a chart with its table, over a date
range with filters, the records behind a figure, and CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.assurance import dashboard
from watchkeeper.cases import actions as cases
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.people import actions as people_actions
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db


def _page(p: Personas, who: str = "controller") -> Client:
    c = Client()
    c.force_login(getattr(p, who))
    return c


def _api(p: Personas, who: str) -> Client:
    secret = issue_token(Actor(None, via="test"), getattr(p, who).pk, "test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _victim_case(p: Personas, family: str = "Victim") -> tuple[int, int]:
    case = cases.open_case(p.actor("supervisor"), kind="crime", title="Burglary at 4 Elm Road",
                           officer_id=p.officer.pk)
    vera = people_actions.create_person(p.actor("officer"), given_names="Vera", family_name=family)
    cases.add_party(p.actor("officer"), case.pk, person_id=vera.pk, role="victim")
    return case.pk, vera.pk


def _day(days: int = 0) -> str:
    return (timezone.localdate(clock.now()) + timedelta(days=days)).isoformat()


@pytest.mark.safeguard("A4")
def test_special_schemes_ending_by_week_with_the_schemes_behind_each_figure(people: Personas) -> None:
    vera = people_actions.create_person(people.actor("investigator"), given_names="Vera", family_name="Scheme")
    ending = people_actions.create_scheme(
        people.actor("investigator"), victim_id=vera.pk, reason="Threats from an ex-partner",
        victim_told_how="Phone call", address="4 Elm Road, Kingsbridge KB3 1AA",
        ends_at=clock.now() + timedelta(days=9), grade_floor="emergency", officer_id=people.investigator.pk)
    people_actions.create_scheme(
        people.actor("investigator"), victim_id=vera.pk, reason="Later scheme", victim_told_how="Letter",
        phone="07700 900444", ends_at=clock.now() + timedelta(days=150), officer_id=people.investigator.pk)
    first, last = dashboard.date_range(_day(), _day(30))
    weeks = dashboard.schemes_ending(first, last)
    assert [w["count"] for w in weeks] == [1] and weeks[0]["items"][0]["id"] == ending.pk
    assert dashboard.schemes_ending(first, last, floor="scheduled") == []  # the grade-floor filter
    body = _api(people, "controller").get(f"/api/assurance/reports/schemes-ending?start={_day()}&end={_day(30)}").json()
    assert body["weeks"][0]["count"] == 1 and body["weeks"][0]["items"][0]["id"] == ending.pk
    c = _page(people)
    query = f"from={_day()}&to={_day(30)}"
    page = c.get(f"/reports/?{query}").content.decode()
    assert 'id="se-chart-t"' in page and 'id="schemes-table"' in page and weeks[0]["label"] in page
    drill = c.get(f"/reports/?{query}&drill=schemes&week={weeks[0]['week'].isoformat()}").content.decode()
    assert f"Scheme {ending.pk}" in drill and f"/people/{vera.pk}/" in drill and "Scheme" in drill
    assert "Vera" not in drill.split('id="drill"')[1].split("</section>")[0]  # no name without a purpose (A2)
    csv = c.get(f"/reports/?{query}&export=schemes").content.decode().splitlines()
    assert csv[0] == "week,scheme,ends_at,grade_floor,officer,reviewed" and len(csv) == 2


@pytest.mark.safeguard("A4")
@pytest.mark.safeguard("P2")
@pytest.mark.safeguard("P6")
def test_overdue_case_reviews_and_multi_agency_actions(people: Personas) -> None:
    case_id, _ = _victim_case(people)
    done_id, _ = _victim_case(people, "Other")
    cases.add_agency_action(people.actor("officer"), case_id, description="Safety plan with the IDVA",
                            agency="IDVA service", due_at=clock.now() + timedelta(days=3))
    kept = cases.add_agency_action(people.actor("officer"), done_id, description="Refuge referral",
                                   agency="Refuge", due_at=clock.now() + timedelta(days=3))
    cases.complete_agency_action(people.actor("officer"), done_id, action_id=kept.pk, note="Referred")
    start = _day()
    first, last = dashboard.date_range(start, _day(40))
    assert [r["count"] for r in dashboard.overdue_work(first, last)] == [0, 0]  # nothing due yet
    with time_machine.travel(clock.now() + timedelta(days=45), tick=False):
        first, last = dashboard.date_range(start, _day())
        rows = {r["code"]: r for r in dashboard.overdue_work(first, last)}
        assert rows["reviews"]["count"] == 2  # both cases' first reviews (28 days) not done
        assert rows["actions"]["count"] == 1 and rows["actions"]["items"][0]["what"] == "Safety plan with the IDVA"
        assert rows["actions"]["items"][0]["days_overdue"] == 42
        assert [r["count"] for r in dashboard.overdue_work(first, last, team="Control A")] == [0, 0]
        assert [r["count"] for r in dashboard.overdue_work(first, last, team="Response 1")] == [2, 1]
        body = _api(people, "supervisor").get(f"/api/assurance/reports/overdue?start={start}&end={_day()}").json()
        assert [x["count"] for x in body["lists"]] == [2, 1]
        c = _page(people, "supervisor")
        drill = c.get(f"/reports/?from={start}&to={_day()}&drill=overdue-actions").content.decode()
        assert "Safety plan with the IDVA" in drill and f"/cases/{case_id}/" in drill
        csv = c.get(f"/reports/?from={start}&to={_day()}&export=overdue").content.decode().splitlines()
        assert csv[0] == "list,case,what,due_at,days_overdue,owner" and len(csv) == 4


@pytest.mark.safeguard("A4")
@pytest.mark.safeguard("P4")
def test_unconfirmed_victim_updates_past_the_confirmation_window_and_failed_ones(people: Personas) -> None:
    case_id, vera = _victim_case(people)
    officer = people.actor("officer")
    late = cases.send_update(officer, case_id, person_id=vera, kind="bail_change", channel="phone",
                             text="Bail varied", sent_at=clock.now() - timedelta(hours=60))
    cases.send_update(officer, case_id, person_id=vera, kind="bail_change", channel="letter",
                      text="Recent: still within the window", sent_at=clock.now() - timedelta(hours=2))
    failed = cases.send_update(officer, case_id, person_id=vera, kind="court_result", channel="letter",
                               text="Guilty plea")
    cases.record_delivery(officer, case_id, update_id=failed.pk, outcome="failed", failure="returned_letter")
    confirmed = cases.send_update(officer, case_id, person_id=vera, kind="court_result", channel="phone",
                                  text="Sentence", sent_at=clock.now() - timedelta(hours=70))
    cases.record_delivery(officer, case_id, update_id=confirmed.pk, outcome="confirmed")
    first, last = dashboard.date_range(_day(-7), _day())
    rows = {r["code"]: r for r in dashboard.unconfirmed_updates(first, last)}
    assert set(rows) == {"bail_change", "court_result"}
    assert (rows["bail_change"]["count"], rows["bail_change"]["pending"]) == (1, 1)
    assert rows["bail_change"]["items"][0]["sent_at"] == late.sent_at
    assert (rows["court_result"]["count"], rows["court_result"]["failed"]) == (1, 1)
    assert [r["code"] for r in dashboard.unconfirmed_updates(first, last, kind="court_result")] == ["court_result"]
    body = _api(people, "inspector").get(f"/api/assurance/reports/victim-updates?start={_day(-7)}").json()
    assert {k["code"]: k["count"] for k in body["kinds"]} == {"bail_change": 1, "court_result": 1}
    c = _page(people, "inspector")
    page = c.get(f"/reports/?from={_day(-7)}").content.decode()
    assert 'id="vu-chart-t"' in page and 'id="updates-table"' in page
    drill = c.get(f"/reports/?from={_day(-7)}&drill=updates-bail_change").content.decode()
    assert "Unconfirmed victim updates: Bail change" in drill and f"/cases/{case_id}/" in drill
    csv = c.get(f"/reports/?from={_day(-7)}&export=updates").content.decode().splitlines()
    assert csv[0] == "kind,case,channel,sent_at,outcome,escalated,by" and len(csv) == 3


@pytest.mark.safeguard("A4")
def test_the_reports_refuse_bad_ranges_and_those_without_reports_view(people: Personas) -> None:
    api = _api(people, "controller")
    assert api.get("/api/assurance/reports/overdue?start=2026-13-01").status_code == 400
    assert api.get("/api/assurance/reports/victim-updates?start=2020-01-01&end=2026-01-01").status_code == 400
    assert _api(people, "handler").get("/api/assurance/reports/schemes-ending").status_code == 403
    assert _api(people, "handler").get("/api/assurance/workload/desks").status_code == 403
    assert _page(people, "handler").get("/reports/").status_code == 403


@pytest.mark.safeguard("A5")
def test_queues_per_desk_with_sizes_ages_and_who_is_on_the_desk(people: Personas) -> None:
    from watchkeeper.assurance import roster

    now = clock.now()
    roster.add_shift(people.actor("admin"), user_id=people.dispatcher.pk, desk_role="dispatcher",
                     starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=7))
    with time_machine.travel(now - timedelta(minutes=30), tick=False):
        raise_log(people.actor("handler"))
    raise_log(people.actor("handler"))
    _victim_case(people)

    def desk(rows: list[dict[str, Any]], queue: str) -> dict[str, Any]:
        return next(r for r in rows if r["queue"].startswith(queue))

    rows = dashboard.desk_queues()
    waiting = desk(rows, "Open logs awaiting dispatch")
    assert (waiting["desk_role"], waiting["size"], waiting["on_duty"], waiting["per_person"]) == (
        "dispatcher", 2, 1, 2.0)
    assert 29 <= waiting["age_minutes"] <= 31
    assert desk(rows, "Case reviews due")["size"] == 0  # first review in 28 days
    body = _api(people, "supervisor").get("/api/assurance/workload/desks").json()
    assert desk(body["desks"], "Open logs awaiting dispatch")["size"] == 2
    assert body["referrals_kept"] == (dashboard.referral_backlog() is not None)
    c = _page(people, "supervisor")
    page = c.get("/reports/").content.decode()
    assert 'id="dq-chart-t"' in page and 'id="desks-table"' in page and "Open logs awaiting dispatch" in page
    csv = c.get("/reports/?export=desks").content.decode().splitlines()
    assert csv[0] == "desk_role,queue,size,oldest_minutes,on_duty,per_person"
    line = next(row.split(",") for row in csv if row.startswith("dispatcher,Open logs awaiting dispatch"))
    assert (line[2], line[4], line[5]) == ("2", "1", "2.0")
