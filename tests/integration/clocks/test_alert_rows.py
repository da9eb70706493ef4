"""D1: alerts as the boards show them: one row per log at its most urgent open alert (breaches first), the
log's earlier alerts folded under it; acknowledging takes a reason from the force's list (or "other" in the
person's words), recorded in the audit, and answers the alerts under it at its level or below. Alerts are
kept: acknowledging fills in who, when and why; nothing is deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests.integration.dispatch.conftest import T0, one_audit
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.errors import Refusal
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch import boards
from watchkeeper.dispatch.models import Alert

pytestmark = pytest.mark.django_db


def page_client(desk, who: str) -> Client:
    c = Client()
    c.force_login(getattr(desk.people, who))
    return c


def m(n: float) -> timedelta:
    return timedelta(minutes=n)


def fire(at, minutes: float) -> int:
    at.move_to(T0 + m(minutes))
    return dispatch.fire_clock_alerts(clock.now())


def _three_thresholds(desk, at):
    """An emergency log (15 minutes) past 50%, 80% and its target: three dispatcher alerts, unanswered."""
    log = desk.grade(desk.log(), "emergency")
    for minute in (7.5, 12, 15):
        assert fire(at, minute) == 1
    return log


@pytest.mark.safeguard("D1")
def test_one_row_per_log_at_its_breach_with_the_earlier_thresholds_under_it(desk, at):
    log = _three_thresholds(desk, at)
    assert Alert.objects.filter(log=log, acknowledged_at__isnull=True).count() == 3
    snap = boards.snapshot()
    assert list(snap["alert_logs"]) == [log.reference]
    row = snap["alert_logs"][log.reference]
    assert (row["kind"], row["level"], row["count"], row["breach"]) == ("breach", "dispatcher", 3, True)
    assert [h["kind"] for h in row["history"]] == ["clock", "clock"]
    assert "80%" in row["history"][0]["text"] and "50%" in row["history"][1]["text"]
    # The per-alert table stays for integrations; the pages draw one row per log.
    assert len([a for a in snap["alerts"].values() if a["reference"] == log.reference]) == 3
    page = page_client(desk, "dispatcher").get("/dispatch/").content.decode()
    assert page.count(f'data-table="alert_logs" data-key="{log.reference}"') == 1
    assert f"Earlier alerts on {log.reference} (2)" in page and "3 open" in page


@pytest.mark.safeguard("D1")
def test_breaches_come_first_then_the_highest_level(desk, at):
    warned = desk.grade(desk.log(), "priority")  # 50% at 30 minutes, escalated at 35
    breached = desk.grade(desk.log(), "emergency")
    at.move_to(T0 + m(30))
    dispatch.fire_clock_alerts(clock.now())
    at.move_to(T0 + m(35))
    dispatch.fire_alert_escalations(clock.now())
    snap = boards.snapshot()
    assert snap["alert_logs"][warned.reference]["level"] == "controller"
    from watchkeeper.clocks.alerts import group_order

    order = [g["reference"] for g in sorted(snap["alert_logs"].values(), key=group_order)]
    assert order == [breached.reference, warned.reference]


@pytest.mark.safeguard("D1")
def test_acknowledging_with_a_reason_answers_the_row_and_is_audited(desk, at):
    log = _three_thresholds(desk, at)
    head = Alert.objects.get(log=log, kind="breach")
    at.move_to(T0 + m(16))
    with one_audit("alert.acknowledged"):
        dispatch.acknowledge_alert(desk.actor("dispatcher"), head.pk, reason="unit_found", note="AB12 from the depot",
                                   earlier=True)
    assert not Alert.objects.filter(log=log, acknowledged_at__isnull=True).exists()
    assert set(Alert.objects.filter(log=log).values_list("note", flat=True)) == {
        "Unit found and being sent: AB12 from the depot"}
    assert Alert.objects.filter(log=log).count() == 3  # kept, not removed
    record = AuditRecord.objects.filter(action="alert.acknowledged").latest("seq")
    assert record.after["reason"] == "unit_found" and len(record.after["also"]) == 2
    assert "Unit found and being sent" in record.reason
    assert log.reference not in boards.snapshot()["alert_logs"]


@pytest.mark.safeguard("D1")
def test_a_reason_not_on_the_list_or_other_without_words_is_refused_and_writes_nothing(desk, at):
    log = _three_thresholds(desk, at)
    head = Alert.objects.get(log=log, kind="breach")
    before = AuditRecord.objects.count()
    with pytest.raises(Refusal) as unknown:
        dispatch.acknowledge_alert(desk.actor("dispatcher"), head.pk, reason="went_for_tea")
    assert unknown.value.status == 400 and unknown.value.details == {"field": "reason"}
    with pytest.raises(Refusal) as bare:
        dispatch.acknowledge_alert(desk.actor("dispatcher"), head.pk, reason="other")
    assert bare.value.status == 400 and bare.value.details == {"field": "note"}
    with pytest.raises(Refusal) as nothing:
        dispatch.acknowledge_alert(desk.actor("dispatcher"), head.pk)
    assert nothing.value.details == {"field": "reason"}
    with pytest.raises(Refusal) as long:
        dispatch.acknowledge_alert(desk.actor("dispatcher"), head.pk, reason="other", note="x" * 501)
    assert long.value.status == 400
    assert Alert.objects.filter(log=log, acknowledged_at__isnull=True).count() == 3
    assert AuditRecord.objects.count() == before


@pytest.mark.safeguard("D1")
def test_an_escalation_answered_answers_the_dispatchers_alert_under_it_not_the_reverse(desk, at):
    log = desk.grade(desk.log(), "priority")
    at.move_to(T0 + m(30))
    dispatch.fire_clock_alerts(clock.now())
    at.move_to(T0 + m(35))
    dispatch.fire_alert_escalations(clock.now())
    first = Alert.objects.get(log=log, level="dispatcher")
    up = Alert.objects.get(log=log, level="controller")
    # The dispatcher answers their own: the controller's stays open (the row stays, for the controller).
    dispatch.acknowledge_alert(desk.actor("dispatcher"), first.pk, reason="unit_en_route", earlier=True)
    assert Alert.objects.get(pk=up.pk).acknowledged_at is None
    row = boards.snapshot()["alert_logs"][log.reference]
    assert row["open"] == [up.pk] and row["history"][0]["acknowledged_by"] == desk.people.dispatcher.username
    board = page_client(desk, "dispatcher").get("/dispatch/").content.decode()
    assert f'data-key="{log.reference}"' not in board.split('id="alerts-body"')[1].split("</tbody>")[0]
    # Escalated again and answered by the controller: the dispatcher's copy under it goes with it.
    log2 = desk.grade(desk.log(), "priority")
    at.move_to(T0 + m(30 + 40))
    dispatch.fire_clock_alerts(clock.now())
    at.move_to(T0 + m(80))
    dispatch.fire_alert_escalations(clock.now())
    up2 = Alert.objects.get(log=log2, level="controller")
    dispatch.acknowledge_alert(desk.actor("controller"), up2.pk, reason="other", note="Sergeant checking",
                               earlier=True)
    assert not Alert.objects.filter(log=log2, level__in=["dispatcher", "controller"],
                                    acknowledged_at__isnull=True).exists()


@pytest.mark.safeguard("D1")
def test_the_api_takes_the_reason_and_lists_the_reasons(desk, at):
    log = _three_thresholds(desk, at)
    head = Alert.objects.get(log=log, kind="breach")
    api = desk.client("dispatcher")
    reasons = api.get("/api/alerts/reasons").json()
    assert reasons[-1]["code"] == "other" and any(r["code"] == "unit_found" for r in reasons)
    bad = api.post(f"/api/alerts/{head.pk}/acknowledge", {"reason": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and "reason" in bad.json()["message"]
    r = api.post(f"/api/alerts/{head.pk}/acknowledge", {"reason": "other", "note": "Traffic car diverted"},
                 content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["note"] == "Traffic car diverted"
    # Without `earlier` only that alert: the log's row stays, at its next most urgent alert.
    assert boards.snapshot()["alert_logs"][log.reference]["count"] == 2


@pytest.mark.safeguard("D1")
def test_the_board_form_takes_the_reason(desk, at):
    log = _three_thresholds(desk, at)
    head = Alert.objects.get(log=log, kind="breach")
    c = page_client(desk, "dispatcher")
    page = c.get("/dispatch/").content.decode()
    assert f'action="/dispatch/do/ack/{head.pk}/"' in page and 'name="reason"' in page
    refused = c.post(f"/dispatch/do/ack/{head.pk}/", {"reason": "nope", "note": "", "form": f"alert-{log.reference}"})
    assert refused.status_code == 400 and "is not one of" in refused.content.decode()
    done = c.post(f"/dispatch/do/ack/{head.pk}/", {"reason": "supervisor_aware", "note": "", "earlier": "true"},
                  HTTP_X_REQUESTED_WITH="fetch")
    assert done.status_code == 200 and "acknowledged" in done.json()["message"]
    assert Alert.objects.get(pk=head.pk).note == "Supervisor aware and deciding"
    assert not Alert.objects.filter(log=log, acknowledged_at__isnull=True).exists()  # the row, as the board shows


@pytest.mark.safeguard("D3")
def test_notifications_of_one_kind_about_one_log_are_grouped_with_a_count(desk, at):
    from watchkeeper.incidents.models import Notification

    log = desk.grade(desk.log(), "emergency")
    other = desk.grade(desk.log(), "emergency")
    for _ in range(3):
        dispatch.declare_no_units(desk.actor("dispatcher"), log.reference)
    dispatch.declare_no_units(desk.actor("dispatcher"), other.reference)
    assert Notification.objects.filter(recipient=desk.people.controller, kind="alert_no_units").count() == 4
    page = page_client(desk, "controller").get("/notifications/").content.decode()
    assert page.count("3 like this, 3 new") == 1 and "Earlier (2)" in page
    assert page.count("like this") == 1  # the other log's single notification is a row of its own
    # Each keeps its own read state: nothing was merged.
    assert Notification.objects.filter(recipient=desk.people.controller, read_at__isnull=True).count() >= 4
