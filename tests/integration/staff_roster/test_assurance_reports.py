"""A4 assurance dashboard and A5 workload through the real database: reports over a date range with filters,
an SVG chart with its table behind it, drill-down to the logs behind a figure, CSV export; staff report
overload and supervisors see it with the team queues."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.assurance import dashboard
from watchkeeper.assurance.models import OverloadReport
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.errors import Refusal
from watchkeeper.incidents.models import Log, Notification

pytestmark = pytest.mark.django_db


def _client(p: Personas, who: str) -> Client:
    c = Client()
    c.force_login(getattr(p, who))
    return c


@pytest.mark.safeguard("A4")
def test_the_dashboard_draws_each_report_with_its_table_drills_down_and_exports(people: Personas) -> None:
    log = raise_log(people.actor("handler"))
    # The read model is what is tested here: a cancelled log as the cancel action leaves it.
    Log.objects.filter(pk=log.pk).update(status="cancelled", closed_at=clock.now())
    c = _client(people, "controller")
    page = c.get("/reports/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Assurance reports" in body and body.count('<svg class="wk-chart" role="img"') >= 3
    assert 'id="response-table"' in body and 'id="lists-table"' in body and "Staffing against minimum" in body
    drill = c.get("/reports/?drill=cancelled")
    assert drill.status_code == 200 and log.reference in drill.content.decode()
    csv = c.get("/reports/?export=lists")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0] == "list,reference"
    training = c.get("/reports/?export=training")
    assert training.content.decode().startswith("username,role,team,course,state,valid_until")
    assert c.get("/reports/?from=2026-13-01").status_code == 400
    assert c.get("/reports/?from=2020-01-01&to=2026-01-01").status_code == 400  # more than a year
    assert _client(people, "handler").get("/reports/").status_code == 403
    # The lists in full are still there.
    assert c.get("/reports/lists/").status_code == 200


@pytest.mark.safeguard("A4")
def test_response_compliance_counts_met_and_breached_by_grade_and_area(people: Personas) -> None:
    from watchkeeper.dispatch.models import ResponseClock

    now = clock.now()
    for i, (attended, breached) in enumerate([(True, False), (True, False), (False, True), (False, False)]):
        log = raise_log(people.actor("handler"), phone=f"07700 90010{i}")
        ResponseClock.objects.update_or_create(log=log, defaults={
            "grade": "emergency", "area_type": "urban", "started_at": now, "target_at": now + timedelta(minutes=15),
            "attended_at": now + timedelta(minutes=10) if attended else None,
            "breached_at": now + timedelta(minutes=15) if breached else None})
    today = timezone.localtime(now).date()
    rows = dashboard.response_compliance(today, today, grade="emergency", area="urban")
    assert rows == [{"grade": "emergency", "area": "urban", "total": 4, "met": 2, "breached": 1, "running": 1,
                     "percent": 67}]
    behind = dashboard.response_logs(today, today, "emergency", "urban")
    assert len(behind) == 4 and behind[0]["breached"]
    assert dashboard.response_compliance(today, today, area="rural") == []


@pytest.mark.safeguard("A5")
def test_overload_is_reported_and_the_supervisor_sees_it_with_the_queues(people: Personas) -> None:
    c = _client(people, "handler")
    r = c.post("/assurance/workload/do/overload/", {"reason": "Three 999 calls waiting and no support operator"})
    assert r.status_code == 302
    report = OverloadReport.objects.get()
    assert report.user_id == people.handler.pk and report.team_id == people.control_team.pk
    assert Notification.objects.filter(recipient=people.controller, kind="overload", safeguard="A5").exists()
    assert AuditRecord.objects.filter(action="workload.overload").count() == 1
    Notification.objects.create(team=people.control_team, kind="message", text="Queued",
                                created_at=clock.now() - timedelta(minutes=42))
    page = _client(people, "supervisor").get("/reports/")
    body = page.content.decode()
    assert "Three 999 calls waiting" in body and "Control A" in body
    queues = dashboard.queues()
    assert queues[0]["team"] == "Control A" and queues[0]["age_minutes"] >= 42
    with pytest.raises(Refusal):
        dashboard.report_overload(people.actor("qa"), reason="Too much")
