"""Response clocks (D1): armed on grading from the first contact, recomputed on re-grading with the reason
recorded, alerts at the configured fractions and at the breach (each once, claimed by conditional update,
including those that fell due while nothing was running), acknowledged by a person, and escalated
dispatcher → controller → duty inspector while nobody acknowledges them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.dispatch.conftest import T0, one_audit
from tests.support.factories import fresh
from watchkeeper.audit.models import AuditRecord
from watchkeeper.clocks.sweeper import sweep_once
from watchkeeper.core import clock
from watchkeeper.core.config import set_policy
from watchkeeper.core.errors import Refusal
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch import boards
from watchkeeper.dispatch.models import Alert, ClockChange, ResponseClock
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def m(n: float) -> timedelta:
    return timedelta(minutes=n)


def fire(at, minutes: float) -> int:
    at.move_to(T0 + m(minutes))
    return dispatch.fire_clock_alerts(clock.now())


# ------------------------------------------------------------------------------------------------ arming
@pytest.mark.safeguard("D1")
def test_grading_arms_the_clock_from_the_first_contact(desk, at):
    log = desk.log(channel="101")  # not an emergency channel: no grading clock before it is graded (D1)
    assert not ResponseClock.objects.filter(log=log).exists()
    at.shift(m(4))
    log = desk.grade(log, "emergency")
    c = desk.clock(log)
    assert (c.grade, c.area_type, c.started_at, c.target_at) == ("emergency", "urban", T0, T0 + m(15))
    assert (c.stage, c.next_alert_at, c.attended_at, c.breached_at) == (0, T0 + m(7.5), None, None)
    assert list(c.changes.values_list("grade", "target_at", "by", "reason")) == [
        ("emergency", T0 + m(15), desk.people.handler.pk, "Graded Emergency")]
    row = boards.snapshot()["logs"][log.reference]
    assert (row["target_at"], row["pending"], row["grade"]) == ((T0 + m(15)).isoformat(), True, "emergency")


@pytest.mark.safeguard("D1")
@pytest.mark.parametrize(("grade", "area", "target"), [("emergency", "urban", 15), ("emergency", "rural", 20),
                                                       ("priority", "rural", 60), ("scheduled", "urban", None)])
def test_target_by_grade_and_area_type(desk, at, grade, area, target):
    log = desk.log()
    if area != "urban":
        with one_audit("clock.area"):
            dispatch.set_area(desk.actor("dispatcher"), log.reference, area_type=area, reason="Moorland farm")
    log = desk.grade(log, grade)
    c = desk.clock(log)
    assert c.area_type == area
    assert c.target_at == (T0 + m(target) if target else None)
    assert c.next_alert_at == (T0 + m(target / 2) if target else None)


@pytest.mark.safeguard("D1")
def test_area_type_change_recomputes_and_records_why(desk, at):
    log = desk.grade(desk.log(), "emergency")
    at.shift(m(2))
    with one_audit("clock.area"):
        c = dispatch.set_area(desk.actor("dispatcher"), log.reference, area_type="rural", reason="Outside the town")
    assert (c.target_at, c.next_alert_at) == (T0 + m(20), T0 + m(10))
    last = ClockChange.objects.filter(clock__log=log).order_by("-pk").first()
    assert (last.target_at, last.by, last.reason) == (T0 + m(20), desk.people.dispatcher,
                                                      "Area type rural: Outside the town")
    assert last.at == T0 + m(2)
    with pytest.raises(Refusal):
        dispatch.set_area(desk.actor("dispatcher"), log.reference, area_type="space", reason="x")
    with pytest.raises(Refusal):
        dispatch.set_area(desk.actor("dispatcher"), log.reference, area_type="urban", reason="")
    assert desk.clock(log).area_type == "rural"


@pytest.mark.safeguard("D1")
def test_regrading_recomputes_the_target_and_records_why(desk, at):
    log = desk.grade(desk.log(channel="101"), "priority")
    assert desk.clock(log).target_at == T0 + m(60)
    at.shift(m(10))
    log = desk.grade(log, "emergency")
    c = desk.clock(log)
    # From the first contact, not from the re-grade: 10 minutes in, the 50% point (7.5) has passed.
    assert (c.target_at, c.next_alert_at, c.started_at) == (T0 + m(15), T0 + m(7.5), T0)
    assert dispatch.fire_clock_alerts(clock.now()) == 1
    assert desk.clock(log).next_alert_at == T0 + m(12)
    at.shift(m(1))
    log = desk.downgrade(log, "scheduled")
    c = desk.clock(log)
    assert (c.grade, c.target_at, c.next_alert_at) == ("scheduled", None, None)
    reasons = list(ClockChange.objects.filter(clock=c).order_by("pk").values_list("grade", "reason"))
    assert reasons == [("priority", "Graded Priority"), ("emergency", "Graded Emergency (was Priority)"),
                       ("scheduled", "Downgrade authorised Scheduled (was Emergency)")]
    # Downgraded: no more alerts.
    assert fire(at, 90) == 0


# ------------------------------------------------------------------------------------------------ alerts
@pytest.mark.safeguard("D1")
def test_alerts_at_half_four_fifths_and_breach_each_once(desk, at):
    log = desk.grade(desk.log(), "emergency")
    assert fire(at, 7) == 0
    with one_audit("clock.alert"):
        assert fire(at, 7.5) == 1
    # The same sweep again (a second sweeper, a retry): the conditional update lets only one through.
    assert dispatch.fire_clock_alerts(clock.now()) == 0
    assert fire(at, 11.9) == 0
    assert fire(at, 12) == 1
    assert dispatch.fire_clock_alerts(clock.now()) == 0
    with one_audit("clock.breached"):
        assert fire(at, 15) == 1
    assert dispatch.fire_clock_alerts(clock.now()) == 0
    assert fire(at, 120) == 0
    alerts = list(Alert.objects.filter(log=log).order_by("pk").values_list("kind", "level", "created_at"))
    assert alerts == [("clock", "dispatcher", T0 + m(7.5)), ("clock", "dispatcher", T0 + m(12)),
                      ("breach", "dispatcher", T0 + m(15))]
    texts = list(Alert.objects.filter(log=log).order_by("pk").values_list("text", flat=True))
    assert "50%" in texts[0] and "80%" in texts[1] and "BREACHED" in texts[2]
    c = desk.clock(log)
    assert (c.stage, c.breached_at, c.next_alert_at) == (3, T0 + m(15), None)
    assert Notification.objects.filter(recipient=desk.people.dispatcher, kind="alert_breach").count() == 1
    assert boards.snapshot()["logs"][log.reference]["breached_at"] == (T0 + m(15)).isoformat()


@pytest.mark.safeguard("D1")
def test_alerts_that_fell_due_while_down_fire_on_the_first_sweep_once(desk, at):
    """Armed, nothing running for 40 minutes, then a sweep: the breach is raised once (not the 50% and 80%
    as well), recorded at the moment the target passed, with how late the sweep was."""
    log = desk.grade(desk.log(), "emergency")
    at.move_to(T0 + m(40))
    assert sweep_once(clock.now())["response clock alerts and breaches (D1)"] == 1
    assert sweep_once(clock.now())["response clock alerts and breaches (D1)"] == 0
    assert list(Alert.objects.filter(log=log).values_list("kind", flat=True)) == ["breach"]
    assert desk.clock(log).breached_at == T0 + m(15)
    rec = AuditRecord.objects.get(action="clock.breached")
    assert rec.after["late_seconds"] == 25 * 60 and rec.actor_username == "system"


@pytest.mark.safeguard("D1")
def test_custom_fractions_from_policy(desk, at):
    set_policy(desk.actor("admin"), "clock_alert_fractions", [0.25, 0.5, 0.75], "Earlier warnings")
    log = desk.grade(desk.log(), "priority")
    fired = [fire(at, t) for t in (14, 15, 30, 45, 59, 60)]
    assert fired == [0, 1, 1, 1, 0, 1]
    assert [a.kind for a in Alert.objects.filter(log=log).order_by("pk")] == ["clock"] * 3 + ["breach"]


@pytest.mark.safeguard("D1")
def test_no_alert_once_attended_or_closed(desk, at):
    log = desk.grade(desk.log(), "emergency")
    desk.unit("AB12")
    a = desk.assign(log, "AB12")
    at.move_to(T0 + m(5))
    desk.move(a, "at_scene")
    assert fire(at, 60) == 0
    assert not Alert.objects.exists()


# ------------------------------------------------------------------------------------- acknowledgement
@pytest.mark.safeguard("D1")
def test_every_alert_is_acknowledged_by_a_person(desk, at):
    log = desk.grade(desk.log(), "emergency")
    fire(at, 7.5)
    alert = Alert.objects.get(log=log)
    at.shift(m(1))
    with one_audit("alert.acknowledged"):
        dispatch.acknowledge_alert(desk.actor("dispatcher"), alert.pk, note="Unit being found")
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledged_at, alert.note, alert.escalate_at) == (
        desk.people.dispatcher, T0 + m(8.5), "Unit being found", None)
    assert str(alert.pk) not in boards.snapshot()["alerts"]
    with pytest.raises(Refusal, match="already") as again:
        dispatch.acknowledge_alert(desk.actor("controller"), alert.pk)
    assert (again.value.safeguard, again.value.status) == ("D1", 409)
    from watchkeeper.core.actor import SYSTEM

    fire(at, 12)
    second = Alert.objects.get(log=log, acknowledged_at__isnull=True)
    with pytest.raises(Refusal, match="person"):
        dispatch.acknowledge_alert(SYSTEM, second.pk)
    with pytest.raises(Refusal) as missing:
        dispatch.acknowledge_alert(desk.actor("dispatcher"), 999_999)
    assert missing.value.status == 404
    assert Alert.objects.get(pk=second.pk).acknowledged_at is None


# ------------------------------------------------------------------------------------------- escalation
@pytest.mark.safeguard("D1")
def test_unacknowledged_alerts_escalate_dispatcher_controller_inspector(desk, at):
    log = desk.grade(desk.log(), "priority")  # 50% at 30 minutes, escalation every 5
    assert fire(at, 30) == 1
    first = Alert.objects.get(log=log)
    assert (first.level, first.escalate_at) == ("dispatcher", T0 + m(35))
    at.move_to(T0 + m(34))
    assert dispatch.fire_alert_escalations(clock.now()) == 0
    at.move_to(T0 + m(35))
    with one_audit("alert.escalated"):
        assert dispatch.fire_alert_escalations(clock.now()) == 1
    assert dispatch.fire_alert_escalations(clock.now()) == 0
    second = Alert.objects.get(log=log, level="controller")
    assert second.escalate_at == T0 + m(40) and "not acknowledged by the dispatcher" in second.text
    assert Notification.objects.filter(recipient=desk.people.controller, kind="alert_clock").count() == 1
    # The dispatcher's own alert stays to be acknowledged but goes no further; the board shows that.
    assert Alert.objects.get(pk=first.pk).escalate_at is None
    assert boards.snapshot()["alerts"][str(first.pk)]["escalate_at"] is None
    # A dispatcher cannot answer the controller's alert.
    with pytest.raises(Refusal) as refused:
        dispatch.acknowledge_alert(desk.actor("dispatcher"), second.pk)
    assert (refused.value.safeguard, refused.value.status) == ("D1", 403)
    at.move_to(T0 + m(40))
    assert dispatch.fire_alert_escalations(clock.now()) == 1
    third = Alert.objects.get(log=log, level="duty_inspector")
    assert third.escalate_at is None
    assert Notification.objects.filter(recipient=desk.people.inspector, kind="alert_clock").count() == 1
    at.move_to(T0 + m(90))
    assert dispatch.fire_alert_escalations(clock.now()) == 0
    assert Alert.objects.filter(log=log, kind="clock").count() == 3


@pytest.mark.safeguard("D1")
def test_acknowledged_in_time_goes_no_further(desk, at):
    log = desk.grade(desk.log(), "priority")
    fire(at, 30)
    at.move_to(T0 + m(35))
    dispatch.fire_alert_escalations(clock.now())
    controller_alert = Alert.objects.get(log=log, level="controller")
    at.move_to(T0 + m(37))
    dispatch.acknowledge_alert(desk.actor("controller"), controller_alert.pk, note="On it")
    at.move_to(T0 + m(60))
    assert dispatch.fire_alert_escalations(clock.now()) == 0
    assert not Alert.objects.filter(level="duty_inspector").exists()


@pytest.mark.safeguard("D1")
def test_a_warning_stops_escalating_once_attended_but_a_breach_does_not(desk, at):
    warned = desk.grade(desk.log(), "priority")
    breached = desk.grade(desk.log(), "emergency")
    desk.unit("AB12")
    desk.unit("AB13")
    fire(at, 30)  # the emergency breached (at 15), the priority's 50% is due
    assert sorted(Alert.objects.values_list("kind", flat=True)) == ["breach", "clock"]
    for log, callsign in ((warned, "AB12"), (breached, "AB13")):
        desk.move(desk.assign(log, callsign), "at_scene")
    at.move_to(T0 + m(35))
    assert dispatch.fire_alert_escalations(clock.now()) == 1
    assert list(Alert.objects.filter(level="controller").values_list("kind", "log")) == [("breach", breached.pk)]
    # The warning stays on the board for someone to acknowledge.
    assert Alert.objects.get(log=warned).acknowledged_at is None
    assert fresh(warned).status == "open"
