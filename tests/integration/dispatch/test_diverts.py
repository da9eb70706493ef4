"""Divert control (D2): moving a unit from A to B tags A diverted and puts it back on the pending queue with
its clock running; the controller approves (the duty inspector is alerted to find another unit) or
overrides (the unit goes back to A); undecided by the deadline, the divert goes to the duty inspector."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.dispatch.conftest import T0, one_audit
from tests.support.factories import fresh
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.dispatch import boards
from watchkeeper.dispatch.models import Alert, Assignment, Divert
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


def m(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def scene(desk, at):
    """Unit AB12 en route to A (emergency); B (emergency) has just come in."""
    a_log = desk.grade(desk.log(summary="Concern at 1 High Street"), "emergency")
    desk.unit("AB12")
    a = desk.assign(a_log, "AB12")
    desk.move(a, "en_route")
    at.shift(m(3))
    b_log = desk.grade(desk.log(summary="Fight with weapons, 9 Low Road", location="9 Low Road"), "emergency")
    return a_log, b_log, a


def divert(desk, a_log, b_log, reason="Weapons at B: greater risk") -> Divert:
    return dispatch.divert_unit(desk.actor("dispatcher"), "AB12", from_reference=a_log.reference,
                                to_reference=b_log.reference, reason=reason)


@pytest.mark.safeguard("D2")
def test_a_divert_tags_the_first_log_and_puts_it_back_on_the_queue_with_its_clock_running(desk, at, scene):
    a_log, b_log, a = scene
    with one_audit("unit.diverted"):
        d = divert(desk, a_log, b_log)
    assert desk.state(a) == "diverted"
    on_b = Assignment.objects.get(log=b_log, unit__callsign="AB12")
    assert (on_b.state, desk.unit_status("AB12")) == ("assigned", "assigned")
    assert (d.state, d.decide_by, d.by, d.reason) == ("awaiting", T0 + m(8), desk.people.dispatcher,
                                                     "Weapons at B: greater risk")
    # A's clock runs on: nothing attended, the next alert still due.
    c = desk.clock(a_log)
    assert (c.attended_at, c.next_alert_at, c.target_at) == (None, T0 + m(7.5), T0 + m(15))
    board = boards.snapshot()
    assert board["logs"][a_log.reference]["pending"] and board["logs"][a_log.reference]["diverted"]
    assert board["logs"][a_log.reference]["units"] == []
    assert board["diverts"][str(d.pk)]["from"] == a_log.reference
    assert "DIVERTED" in fresh(a_log).entries.order_by("-seq").first().text
    alert = Alert.objects.get(kind="divert")
    assert (alert.level, alert.log_id, alert.divert_id, alert.escalate_at) == ("controller", a_log.pk, d.pk, None)
    assert Notification.objects.filter(recipient=desk.people.controller, kind="alert_divert").count() == 1
    # The first log's clock still raises its alerts while the divert is open.
    at.move_to(T0 + m(7.5))
    assert dispatch.fire_clock_alerts(clock.now()) == 1


@pytest.mark.safeguard("D2")
def test_approval_alerts_the_duty_inspector_to_find_another_unit(desk, at, scene):
    a_log, b_log, _ = scene
    d = divert(desk, a_log, b_log)
    with pytest.raises(Forbidden):
        dispatch.decide_divert(desk.actor("dispatcher"), d.pk, approve=True)
    with pytest.raises(Refusal, match="deciding") as ack:
        dispatch.acknowledge_alert(desk.actor("controller"), Alert.objects.get(kind="divert").pk)
    assert ack.value.safeguard == "D2"
    at.shift(m(1))
    with one_audit("divert.approved"):
        dispatch.decide_divert(desk.actor("controller"), d.pk, approve=True)
    d.refresh_from_db()
    assert (d.state, d.decided_by, d.decided_at, d.decide_by) == ("approved", desk.people.controller, T0 + m(4), None)
    divert_alert = Alert.objects.get(kind="divert")
    assert (divert_alert.acknowledged_by, divert_alert.note) == (desk.people.controller, "Divert approved")
    found = Alert.objects.get(kind="divert_approved")
    assert (found.level, found.log_id) == ("duty_inspector", a_log.pk)
    assert Notification.objects.filter(recipient=desk.people.inspector, kind="alert_divert_approved").count() == 1
    assert Assignment.objects.get(log=b_log).state == "assigned"
    assert boards.snapshot()["diverts"] == {}
    with pytest.raises(Refusal, match="already approved") as again:
        dispatch.decide_divert(desk.actor("controller"), d.pk, approve=False, note="Changed my mind")
    assert (again.value.safeguard, again.value.status) == ("D2", 409)
    report = dispatch.divert_list()
    assert [(r["unit"], r["by"], r["from"], r["to"], r["state"], r["decided_by"], r["first_log_status"])
            for r in report] == [("AB12", "dispatcher", a_log.reference, b_log.reference, "approved", "controller",
                                  "open")]
    assert report[0]["reason"] == "Weapons at B: greater risk"


@pytest.mark.safeguard("D2")
def test_override_sends_the_unit_back_to_the_first_log(desk, at, scene):
    a_log, b_log, a = scene
    d = divert(desk, a_log, b_log)
    with pytest.raises(Invalid):
        dispatch.decide_divert(desk.actor("controller"), d.pk, approve=False, note="")
    with one_audit("divert.overridden"):
        dispatch.decide_divert(desk.actor("controller"), d.pk, approve=False, note="A is a child at risk")
    assert Assignment.objects.get(pk=d.to_assignment_id).state == "cancelled"
    back = Assignment.objects.get(log=a_log, state__in=Assignment.ACTIVE)
    assert (back.unit.callsign, back.state) == ("AB12", "assigned")
    assert desk.state(a) == "diverted"  # the history stays as it happened
    assert desk.unit_status("AB12") == "assigned"
    board = boards.snapshot()
    assert not board["logs"][a_log.reference]["pending"]
    assert board["logs"][b_log.reference]["pending"]
    assert not Alert.objects.filter(kind="divert_approved").exists()
    assert "sent back" in fresh(b_log).entries.order_by("-seq").first().text


@pytest.mark.safeguard("D2")
def test_override_after_the_unit_reached_the_second_log_clears_it_there(desk, at, scene):
    a_log, b_log, _ = scene
    d = divert(desk, a_log, b_log)
    on_b = Assignment.objects.get(pk=d.to_assignment_id)
    desk.move(on_b, "at_scene")
    dispatch.decide_divert(desk.actor("inspector"), d.pk, approve=False, note="Back to A")
    assert desk.state(on_b) == "cleared"
    assert desk.clock(b_log).attended_at is not None


@pytest.mark.safeguard("D2")
def test_override_is_refused_when_the_first_log_has_closed(desk, at, scene):
    a_log, b_log, _ = scene
    d = divert(desk, a_log, b_log)
    desk.unit("AB13")
    other = desk.assign(a_log, "AB13")
    desk.move(other, "at_scene")
    desk.move(other, "cleared")
    desk.close(a_log)
    with pytest.raises(Refusal, match="closed") as refused:
        dispatch.decide_divert(desk.actor("controller"), d.pk, approve=False, note="Back")
    assert refused.value.safeguard == "D2"
    assert Divert.objects.get(pk=d.pk).state == "awaiting"
    assert Assignment.objects.get(pk=d.to_assignment_id).state == "assigned"
    # Approving records the decision; a closed log needs no other unit.
    dispatch.decide_divert(desk.actor("controller"), d.pk, approve=True)
    assert not Alert.objects.filter(kind="divert_approved").exists()


@pytest.mark.safeguard("D2")
def test_override_when_the_unit_is_already_back_does_not_assign_it_twice(desk, at, scene):
    a_log, b_log, _ = scene
    d = divert(desk, a_log, b_log)
    dispatch.update_assignment(desk.actor("dispatcher"), d.to_assignment_id, state="cleared")
    desk.assign(a_log, "AB12")
    dispatch.decide_divert(desk.actor("controller"), d.pk, approve=False, note="Back to A")
    assert Assignment.objects.filter(log=a_log, state__in=Assignment.ACTIVE).count() == 1


@pytest.mark.safeguard("D2")
def test_undecided_by_the_deadline_the_divert_goes_to_the_duty_inspector(desk, at, scene):
    a_log, b_log, _ = scene
    d = divert(desk, a_log, b_log)
    at.move_to(d.decide_by - timedelta(seconds=1))
    assert dispatch.fire_divert_deadlines(clock.now()) == 0
    at.move_to(d.decide_by)
    with one_audit("divert.escalated"):
        assert dispatch.fire_divert_deadlines(clock.now()) == 1
    assert dispatch.fire_divert_deadlines(clock.now()) == 0
    d.refresh_from_db()
    assert (d.state, d.decide_by) == ("escalated", None)
    up = Alert.objects.get(kind="divert", level="duty_inspector")
    assert up.divert_id == d.pk
    assert Notification.objects.filter(recipient=desk.people.inspector, kind="alert_divert").count() == 1
    # The divert's alert is escalated once, by its deadline, not also by the alert chain.
    at.shift(m(30))
    dispatch.fire_alert_escalations(clock.now())
    assert Alert.objects.filter(kind="divert").count() == 2
    assert boards.snapshot()["diverts"][str(d.pk)]["state"] == "escalated"
    # Acknowledging without deciding is refused; the inspector decides, which answers both alerts.
    with pytest.raises(Refusal, match="deciding"):
        dispatch.acknowledge_alert(desk.actor("inspector"), up.pk)
    dispatch.decide_divert(desk.actor("inspector"), d.pk, approve=True, note="B is the greater risk")
    assert not Alert.objects.filter(kind="divert", acknowledged_at__isnull=True).exists()
    assert Alert.objects.get(kind="divert_approved").level == "duty_inspector"


@pytest.mark.safeguard("D2", "D4")
def test_divert_refusals_write_nothing(desk, at, scene):
    a_log, b_log, a = scene
    desk.unit("AB13")
    versions = (fresh(a_log).version, fresh(b_log).version)
    with pytest.raises(Refusal, match="reason") as no_reason:
        divert(desk, a_log, b_log, reason="  ")
    assert no_reason.value.safeguard == "D2"
    with pytest.raises(Refusal, match="not on the first log") as not_there:
        dispatch.divert_unit(desk.actor("dispatcher"), "AB13", from_reference=a_log.reference,
                             to_reference=b_log.reference, reason="x")
    assert not_there.value.safeguard == "D2"
    with pytest.raises(Invalid):
        divert(desk, a_log, a_log)
    with pytest.raises(Forbidden):
        dispatch.divert_unit(desk.actor("officer"), "AB12", from_reference=a_log.reference,
                             to_reference=b_log.reference, reason="x")
    # Another matter (another caller, another place), so it is not linked to A as a second call (L8).
    c_log = desk.log(phone="07700 900555", location="99 Other Road", caller="Other Caller")
    desk.close(c_log)
    with pytest.raises(Refusal, match="closed") as closed:
        divert(desk, a_log, c_log)
    assert closed.value.safeguard == "D4"
    assert (fresh(a_log).version, fresh(b_log).version) == versions
    assert desk.state(a) == "en_route"
    assert not Divert.objects.exists() and not Alert.objects.exists()
    # Already on B as well: a divert would put it there twice.
    desk.assign(b_log, "AB12")
    with pytest.raises(Refusal, match="already assigned"):
        divert(desk, a_log, b_log)
    assert desk.state(a) == "en_route"
