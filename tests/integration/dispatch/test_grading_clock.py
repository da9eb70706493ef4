"""No log waits ungraded and unseen (D1): a log from an emergency channel is on the dispatch board as
"ungraded" at once, its clock running from the FIRST contact to the grading deadline (policy); the deadline
alerts at the response clock's fractions and escalates dispatcher → controller → duty inspector while
nobody acknowledges it; grading stops it and starts the response clock from the same first contact."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.dispatch.conftest import T0
from tests.support.factories import SEPARATE, raise_log
from watchkeeper.clocks.sweeper import sweep_once
from watchkeeper.core import clock
from watchkeeper.core.config import set_policy
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch import boards, rules
from watchkeeper.dispatch.models import Alert, ClockChange, ResponseClock
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def m(n: float) -> timedelta:
    return timedelta(minutes=n)


def sweep(at, minutes: float) -> dict[str, int]:
    at.move_to(T0 + m(minutes))
    return sweep_once(clock.now())


@pytest.mark.safeguard("D1")
def test_an_emergency_call_is_on_the_board_ungraded_with_its_clock_from_the_first_contact(desk, at):
    at.move_to(T0 + m(2))
    # The call came in two minutes before the log was raised.
    log = logs.raise_log(desk.actor("handler"), contact=ContactIn("999", "A man is shouting.", caller_name="Alex",
                                                                  caller_phone="07700 900001", received_at=T0),
                         category="other", summary="Shouting", location="1 High Street",
                         second_call_reason=SEPARATE)
    c = desk.clock(log)
    assert (c.kind, c.grade, c.started_at, c.target_at, c.next_alert_at) == (
        "grading", None, T0, T0 + m(5), T0 + m(2.5))
    assert list(ClockChange.objects.filter(clock=c).values_list("reason", flat=True)) == [
        "Emergency call: to be graded by 09:05"]
    row = boards.snapshot()["logs"][log.reference]
    assert (row["ungraded"], row["pending"], row["grade"], row["target_at"]) == (True, True, None,
                                                                               (T0 + m(5)).isoformat())
    body = desk.client("dispatcher").get("/api/boards/dispatch").json()
    assert body["logs"][log.reference]["ungraded"] is True
    page = desk.client("dispatcher")
    page.force_login(desk.people.dispatcher)
    html = page.get("/dispatch/").content.decode()
    assert "Not graded yet" in html and log.reference in html


@pytest.mark.safeguard("D1")
def test_a_non_emergency_channel_waits_for_grading_off_the_board(desk, at):
    log = desk.log(channel="101")
    assert not ResponseClock.objects.filter(log=log).exists()
    assert log.reference not in boards.snapshot()["logs"]
    # A further contact on an emergency channel starts the clock, from the first contact (the 101 call).
    at.move_to(T0 + m(3))
    desk.contact(log, "He is back and has a knife.")
    c = desk.clock(log)
    assert (c.kind, c.started_at, c.target_at) == ("grading", T0, T0 + m(5))


@pytest.mark.safeguard("D1")
def test_the_grading_deadline_alerts_breaches_and_escalates_like_a_response_clock(desk, at):
    log = desk.log()
    assert sweep(at, 2)["response clock alerts and breaches (D1)"] == 0
    assert sweep(at, 2.5)["response clock alerts and breaches (D1)"] == 1
    first = Alert.objects.get(log=log)
    assert (first.kind, first.level) == ("grading", "dispatcher")
    assert first.text == f"{log.reference}: not yet graded — 50% of the grading time gone, grade by 09:05"
    assert Notification.objects.filter(recipient=desk.people.dispatcher, kind="alert_grading",
                                       safeguard="D1").exists()
    sweep(at, 4)
    sweep(at, 5)
    breach = Alert.objects.get(log=log, kind="breach")
    assert breach.text == f"{log.reference}: NOT GRADED — the grading deadline passed (09:05)"
    assert desk.clock(log).breached_at == T0 + m(5)
    # Nobody acknowledges: the first alert goes to the controller, then to the duty inspector.
    assert sweep(at, 7.5)["alert escalations (D1)"] == 1
    up = Alert.objects.get(log=log, kind="grading", level="controller")
    assert up.text.startswith("Escalated (not acknowledged by the dispatcher)")
    sweep(at, 12.5)
    assert Alert.objects.filter(log=log, kind="grading", level="duty_inspector").count() == 1
    # The command board sees the missed grading deadline among the breaches.
    assert boards.snapshot()["logs"][log.reference]["breached_at"] == (T0 + m(5)).isoformat()


@pytest.mark.safeguard("D1")
def test_grading_stops_the_grading_clock_and_starts_the_response_clock(desk, at):
    log = desk.log()
    sweep(at, 2.5)  # the 50% grading alert
    at.move_to(T0 + m(3))
    log = desk.grade(log, "emergency")
    c = desk.clock(log)
    assert (c.kind, c.graded_at, c.grading_breached_at, c.stage, c.breached_at) == ("response", T0 + m(3), None,
                                                                                     0, None)
    assert (c.started_at, c.target_at, c.next_alert_at) == (T0, T0 + m(15), T0 + m(7.5))
    assert ClockChange.objects.filter(clock=c).order_by("-pk").first().reason == "Graded Emergency (graded 09:03)"
    row = boards.snapshot()["logs"][log.reference]
    assert (row["ungraded"], row["target_at"]) == (False, (T0 + m(15)).isoformat())
    # The grading warning stops escalating once the log is graded; no grading breach follows.
    assert sweep(at, 5)["response clock alerts and breaches (D1)"] == 0
    assert sweep(at, 7.5)["alert escalations (D1)"] == 0
    assert not Alert.objects.filter(log=log, kind="breach").exists()
    assert Alert.objects.filter(log=log, kind="clock").count() == 1  # the response clock's own 50%


@pytest.mark.safeguard("D1")
def test_graded_late_keeps_the_missed_grading_deadline_on_record(desk, at):
    log = desk.log()
    sweep(at, 6)
    log = desk.grade(log, "priority")
    c = desk.clock(log)
    assert (c.kind, c.grading_breached_at, c.breached_at, c.target_at) == ("response", T0 + m(5), None,
                                                                          T0 + m(60))
    assert ClockChange.objects.filter(clock=c).order_by("-pk").first().reason.endswith(
        "(graded 09:06 after the grading deadline)")
    # The breach alert about the grading deadline still goes up the chain (command should know).
    assert sweep(at, 11)["alert escalations (D1)"] == 1
    assert Alert.objects.filter(log=log, kind="breach", level="controller").exists()


@pytest.mark.safeguard("D1")
def test_the_grading_deadline_and_the_emergency_channels_come_from_policy(desk, at):
    admin = desk.actor("admin")
    set_policy(admin, "grading_deadline_minutes", 10, "Larger room, more calls")
    set_policy(admin, "emergency_channels", ["999", "101"], "101 calls are graded promptly too")
    c = desk.clock(desk.log(channel="101"))
    assert (c.kind, c.target_at, c.next_alert_at) == ("grading", T0 + m(10), T0 + m(5))
    assert not ResponseClock.objects.filter(log=raise_log(desk.actor("handler"), channel="email",
                                                          phone="07700 900123")).exists()


def test_grading_rules():
    from watchkeeper.core.policy import Policy

    policy = Policy()
    assert rules.is_emergency_channel("999", policy) and not rules.is_emergency_channel("101", policy)
    assert rules.grading_deadline(T0, policy) == T0 + m(5)
    assert rules.still_escalates("grading", True, False, False, graded=False)
    assert not rules.still_escalates("grading", True, False, False, graded=True)
    assert not rules.still_escalates("grading", False, False, False, graded=False)


@pytest.mark.safeguard("D1")
def test_setting_the_area_of_an_ungraded_log_keeps_its_grading_deadline(desk, at):
    log = desk.log()
    c = dispatch.set_area(desk.actor("dispatcher"), log.reference, area_type="rural", reason="Moorland farm")
    assert (c.kind, c.area_type, c.target_at) == ("grading", "rural", T0 + m(5))
    c = desk.clock(desk.grade(log, "emergency"))
    assert (c.kind, c.target_at) == ("response", T0 + m(20))
