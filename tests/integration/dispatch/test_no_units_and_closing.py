"""No units is not an outcome (D3/L10): the log stays pending and escalates; a log graded for attendance
that nobody attended does not close; nor does a log with a unit still on it (D4), closed or cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.dispatch.conftest import T0, one_audit
from tests.support.factories import fresh
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Refusal
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch import boards
from watchkeeper.dispatch.models import Alert
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def m(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.mark.safeguard("D3", "L10")
def test_no_units_keeps_the_log_pending_and_escalates(desk, at):
    log = desk.grade(desk.log(), "priority")
    with one_audit("dispatch.no_units"):
        alert = dispatch.declare_no_units(desk.actor("dispatcher"), log.reference, note="All units committed")
    assert (alert.kind, alert.level, alert.escalate_at) == ("no_units", "controller", T0 + m(5))
    assert fresh(log).status == "open"
    assert boards.snapshot()["logs"][log.reference]["pending"]
    assert "No units available" in fresh(log).entries.order_by("-seq").first().text
    assert Notification.objects.filter(recipient=desk.people.controller, kind="alert_no_units",
                                       safeguard="D3").count() == 1
    at.move_to(T0 + m(5))
    assert dispatch.fire_alert_escalations(clock.now()) == 1
    up = Alert.objects.get(kind="no_units", level="duty_inspector")
    assert up.escalate_at is None
    assert Notification.objects.filter(recipient=desk.people.inspector, kind="alert_no_units").count() == 1
    # "No units available" is never a way to close the log.
    with pytest.raises(Refusal):
        logs.close_log(desk.actor("dispatcher"), log.reference, code="no_units_available",
                       acknowledged_through=fresh(log).last_seq)
    assert fresh(log).status == "open"


@pytest.mark.safeguard("D3")
def test_an_ungraded_log_with_no_units_is_on_the_pending_queue(desk, at):
    log = desk.log(channel="101")  # not an emergency channel, so not on the board until now (D1)
    assert log.reference not in boards.snapshot()["logs"]
    dispatch.declare_no_units(desk.actor("dispatcher"), log.reference)
    row = boards.snapshot()["logs"][log.reference]
    assert row["pending"] and row["target_at"] is None


@pytest.mark.safeguard("D3")
def test_no_units_stops_escalating_once_a_unit_is_found(desk, at):
    log = desk.grade(desk.log(), "priority")
    dispatch.declare_no_units(desk.actor("dispatcher"), log.reference)
    desk.unit("AB12")
    at.shift(m(2))
    desk.assign(log, "AB12")
    at.move_to(T0 + m(5))
    assert dispatch.fire_alert_escalations(clock.now()) == 0
    assert Alert.objects.get(kind="no_units").acknowledged_at is None


@pytest.mark.safeguard("D3")
def test_no_units_refusals(desk, at):
    log = desk.log()
    desk.close(log)
    with pytest.raises(Refusal, match="closed") as refused:
        dispatch.declare_no_units(desk.actor("dispatcher"), log.reference)
    assert (refused.value.safeguard, refused.value.status) == ("D3", 409)
    with pytest.raises(Forbidden):
        dispatch.declare_no_units(desk.actor("handler"), desk.log().reference)
    with pytest.raises(Refusal) as missing:
        dispatch.declare_no_units(desk.actor("dispatcher"), "20260302-9999")
    assert missing.value.status == 404
    assert not Alert.objects.exists()


@pytest.mark.safeguard("D3")
def test_closing_a_log_nobody_attended_is_refused(desk, at):
    log = desk.grade(desk.log(), "emergency")
    with pytest.raises(Refusal) as refused:
        desk.close(log)
    assert refused.value.safeguard == "D3"
    assert refused.value.details["open_items"][0]["grade"] == "emergency"
    assert fresh(log).status == "open"
    # Attendance lets it close.
    desk.unit("AB12")
    a = desk.assign(log, "AB12")
    desk.move(a, "at_scene")
    desk.move(a, "cleared")
    desk.close(log)
    assert fresh(log).status == "closed"
    assert log.reference not in boards.snapshot()["logs"]


@pytest.mark.safeguard("D3", "L5")
def test_a_downgrade_through_an_authoriser_lifts_the_attendance_blocker(desk, at):
    log = desk.grade(desk.log(), "emergency")
    log = desk.downgrade(log, "resolution", reason="Caller rang back: it was a misunderstanding")
    desk.close(log)
    assert fresh(log).status == "closed"


@pytest.mark.safeguard("D4")
def test_closing_with_a_unit_still_assigned_is_refused(desk, at):
    log = desk.log()
    desk.unit("AB12")
    a = desk.assign(log, "AB12")
    desk.move(a, "en_route")
    with pytest.raises(Refusal) as refused:
        desk.close(log)
    assert refused.value.safeguard == "D4"
    assert refused.value.details["open_items"] == [{"unit": "AB12", "state": "en_route", "assignment": a.pk}]
    assert fresh(log).status == "open"
    assert desk.state(a) == "en_route"


@pytest.mark.safeguard("D4", "L1")
def test_cancelling_with_a_unit_still_assigned_is_refused(desk, at):
    log = desk.log()
    desk.unit("AB12")
    a = desk.assign(log, "AB12")
    with pytest.raises(Refusal) as refused:
        logs.cancel_log(desk.actor("dispatcher"), log.reference, code="raised_in_error", reason="Wrong address",
                        acknowledged_through=fresh(log).last_seq)
    assert refused.value.safeguard == "D4"
    assert (fresh(log).status, desk.state(a), desk.unit_status("AB12")) == ("open", "assigned", "assigned")
    desk.move(a, "cancelled")
    logs.cancel_log(desk.actor("dispatcher"), log.reference, code="raised_in_error", reason="Wrong address",
                    acknowledged_through=fresh(log).last_seq)
    assert fresh(log).status == "cancelled"
    assert log.reference not in boards.snapshot()["logs"]


@pytest.mark.safeguard("D4")
def test_a_merged_log_leaves_the_board(desk, at):
    """A merge re-classifies the survivor; the log merged into it leaves the board at once."""
    first = desk.log(caller="Sam Same", phone="07700 900123", account="Shouting next door.",
                     allegation="Noise and threats")
    second = desk.log(caller="Sam Same", phone="07700 900123", account="Shouting next door, again.",
                      allegation="Noise and threats")
    desk.grade(first, "priority")
    desk.grade(second, "priority")
    board = boards.snapshot()
    assert {first.reference, second.reference} <= set(board["logs"])
    from watchkeeper.realtime.models import Event

    seq = board["seq"]
    logs.merge_logs(desk.actor("dispatcher"), second.reference, first.reference, reason="Same caller, same event")
    for e in Event.objects.filter(topic="dispatch", seq__gt=seq).order_by("seq"):
        boards.apply(board, e.payload)
    fresh_board = boards.snapshot()
    assert second.reference not in fresh_board["logs"]
    assert {k: v for k, v in board.items() if k != "seq"} == {k: v for k, v in fresh_board.items() if k != "seq"}
